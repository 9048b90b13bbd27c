"""The `timeline` view: Edit / Remove on each entry, recorded; paginated within Block Kit limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from bot.models import Incident, TimelineEntry
from tests.support.harness import SlackHarness


def _entries(slack: SlackHarness) -> dict[str, TimelineEntry]:
    with slack.deps.db.unit_of_work() as session:
        rows = session.scalars(select(TimelineEntry)).all()
        for row in rows:
            row.revisions  # noqa: B018 - load before the session closes
        return {row.text: row for row in rows}


def _show_timeline(slack: SlackHarness, channel: str, user: str = "U1") -> list[dict[str, Any]]:
    before = len(slack.fake.responses)
    slack.command("timeline", channel=channel, user=user)
    slack.fake.wait_for(lambda f: len(f.responses) > before)
    return list(slack.fake.responses[-1][1]["blocks"])


def _menu(slack: SlackHarness, channel: str, value: str, user: str = "U1") -> Any:
    entry_id = value.split(":")[1]
    return slack.driver.block_action(
        "timeline_entry_menu",
        user=user,
        channel=channel,
        block_id=f"entry-{entry_id}",
        selected_option=value,
    )


def _with_notes(slack: SlackHarness) -> str:
    channel = slack.declare("Disk full")
    for text in ("note first look", "note second look"):
        slack.command(text, channel=channel)
    for text in ("first look", "second look"):
        slack.fake.wait_for(lambda f, t=text: any(t in p for p in slack.posts(channel)))
    return channel


def test_entries_get_a_menu_and_remove_is_recorded(slack: SlackHarness) -> None:
    channel = _with_notes(slack)
    blocks = _show_timeline(slack, channel)
    by_text = {b["text"]["text"]: b for b in blocks if b.get("block_id", "").startswith("entry-")}
    declared = next(b for t, b in by_text.items() if "Incident declared" in t)
    second = next(b for t, b in by_text.items() if "second look" in t)
    assert "accessory" not in declared, "milestones follow the incident: no edit menu"
    options = [o["value"] for o in second["accessory"]["options"]]
    entry_id = _entries(slack)["second look"].id
    assert options == [f"edit:{entry_id}:1", f"remove:{entry_id}:1"]

    _menu(slack, channel, f"remove:{entry_id}:1")
    slack.fake.wait_for(lambda f: _entries(slack)["second look"].removed)
    entry = _entries(slack)["second look"]
    (removal,) = entry.revisions
    assert (removal.reason, removal.changed_by) == ("removed", "U1")
    assert removal.old_text == "second look"
    slack.fake.wait_for(lambda f: f.responses[-1][1].get("replace_original") is True)
    assert "second look" not in json.dumps(slack.fake.responses[-1][1]["blocks"])
    assert "second look" not in json.dumps(_show_timeline(slack, channel))
    slack.fake.assert_no_violations()


def test_edit_modal_corrects_time_and_text_and_records_who(slack: SlackHarness) -> None:
    channel = _with_notes(slack)
    entry = _entries(slack)["first look"]
    _menu(slack, channel, f"edit:{entry.id}:1")
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.fake.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == "timeline_edit_modal"
    assert view["blocks"][1]["element"]["initial_value"] == "first look"
    # U1 (alice) is in Europe/Berlin: the time is shown, and read back, in her zone.
    berlin = ZoneInfo("Europe/Berlin")
    time_input = view["blocks"][0]
    assert time_input["element"]["initial_value"] == f"{entry.at.astimezone(berlin):%Y-%m-%d %H:%M}"
    assert time_input["label"]["text"].startswith("When, in Europe/Berlin")

    def submit(when: str, text: str) -> Any:
        values = {
            "time": {"time": {"type": "plain_text_input", "value": when}},
            "text": {"text": {"type": "plain_text_input", "value": text}},
        }
        return slack.driver.view_submission("timeline_edit_modal", values, user="U1")

    bad = submit("25:99", "first look, corrected")
    assert bad.json()["response_action"] == "errors" and "time" in bad.json()["errors"]
    earlier = (datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0)
    ok = submit(f"{earlier.astimezone(berlin):%Y-%m-%d %H:%M}", "first look at the disks")
    assert ok.status == 200 and not ok.text
    slack.fake.wait_for(lambda f: "first look at the disks" in _entries(slack))
    fixed = _entries(slack)["first look at the disks"]
    assert fixed.at == earlier and fixed.edited_at is not None
    (revision,) = fixed.revisions
    assert (revision.reason, revision.changed_by, revision.old_text) == (
        "corrected",
        "U1",
        "first look",
    )
    assert revision.old_at == entry.at
    slack.fake.assert_no_violations()


def test_non_member_and_milestones_are_refused(slack: SlackHarness) -> None:
    channel = _with_notes(slack)
    entries = _entries(slack)
    note = entries["first look"]
    milestone = next(e for t, e in entries.items() if t.startswith("Incident declared"))
    _menu(slack, channel, f"remove:{note.id}:1", user="U3")
    _menu(slack, channel, f"remove:{milestone.id}:1", user="U1")
    slack.fake.wait_for(lambda f: len([r for r in f.responses if "text" in r[1]]) >= 3)
    lines = [body.get("text", "") for _id, body in slack.fake.responses]
    assert any("Only members of #" in line for line in lines)
    assert any("Milestone entries follow the incident's milestones" in line for line in lines)
    entries = _entries(slack)
    assert not entries["first look"].removed and not entries["first look"].revisions


def test_two_thousand_entries_page_within_block_kit_limits(slack: SlackHarness) -> None:
    channel = slack.declare("Very long incident")
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
        start = incident.declared_at - timedelta(days=2)
        rows = [
            {
                "incident_id": incident.id,
                "at": start + timedelta(seconds=60 * i),
                "kind": ("note", "message", "decision", "status")[i % 4],
                "text": f"entry {i} " + ("x" * (2900 if i % 97 == 0 else 80)),
                "author": "U2",
                "rationale": "because" if i % 4 == 2 else None,
                "source": "command",
                "files": [],
                "deleted": i % 50 == 0,
                "removed": False,
                "created_at": incident.declared_at,
                "permalink": f"https://fake.slack.com/archives/{channel}/p{i}" if i % 4 else None,
                "message_ts": f"{1700000000 + i}.000100" if i % 4 == 1 else None,
            }
            for i in range(2000)
        ]
        session.execute(insert(TimelineEntry), rows)
    blocks = _show_timeline(slack, channel)
    sizes = [len(json.dumps(blocks))]
    assert len(blocks) <= 50
    assert "Page 101 of 101" in json.dumps(blocks)
    assert len([b for b in blocks if b.get("block_id", "").startswith("entry-")]) == 20
    for label_page in (1, 100, 51):
        slack.driver.block_action(
            f"timeline_page_{label_page}",
            value=f"1:{label_page}",
            user="U1",
            channel=channel,
        )
        slack.fake.wait_for(
            lambda f, p=label_page: f"Page {p} of 101" in json.dumps(f.responses[-1][1])
        )
        page_blocks = slack.fake.responses[-1][1]["blocks"]
        assert len(page_blocks) <= 50
        sizes.append(len(json.dumps(page_blocks)))
    print(f"timeline page payloads for 2,001 entries: {sizes} bytes")
    slack.fake.assert_no_violations()
