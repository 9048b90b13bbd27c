"""No broadcast by proxy: text people type, and messages they keep, is shown and never
triggers @channel, @here, @everyone or a user group, wherever the bot repeats it. Control
characters are refused (typed) or dropped (kept), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from sqlalchemy import select

from bot.config import parse_schedule
from bot.models import Incident, TimelineEntry
from bot.scheduling.cadence import digest_moment
from bot.scheduling.runner import run_due
from bot.slack import ids
from tests.support.harness import SlackHarness
from tests.support.seen import lines_to, settle

BROADCASTS = "<!channel> <!here> <!everyone> <!subteam^S123>"
LIVE = re.compile(
    r"<!(?:channel|here|everyone)(?:\|[^>]*)?>|<!subteam\^[^>]*>"
    r"|(?<![\w@])@(?:channel|here|everyone)\b",  # bare words a mrkdwn text object may parse
    re.IGNORECASE,
)
SHOWING = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.publish", "views.open")


def _posted(slack: SlackHarness, channel: str, text: str) -> None:
    slack.fake.wait_for(lambda f: any(text in p for p in slack.posts(channel)), what=text)


def _typed(action_id: str, value: str) -> dict:
    return {action_id: {"type": "plain_text_input", "value": value}}


def _ids_and_texts(slack: SlackHarness) -> list[tuple[int, str]]:
    with slack.deps.db.unit_of_work() as session:
        rows = session.execute(select(TimelineEntry.id, TimelineEntry.text).order_by("id"))
        return [(i, t) for i, t in rows]


def _entries(slack: SlackHarness) -> list[str]:
    return [text for _id, text in _ids_and_texts(slack)]


def _everything_shown(slack: SlackHarness) -> list[str]:
    calls = [c.args for c in slack.fake.calls if c.ok and c.method in SHOWING]
    replies = [body for _id, body in slack.fake.responses]
    return [json.dumps(x) for x in calls + replies]


def test_typed_and_kept_text_never_broadcasts_anywhere(slack: SlackHarness) -> None:
    channel = slack.declare(f"Payments {BROADCASTS} down", flags="sev2")
    slack.command(f"note {BROADCASTS} the pager says so", channel=channel)
    _posted(slack, channel, "the pager says so")
    due = (date.today() + timedelta(days=1)).isoformat()
    slack.command(f"action Page {BROADCASTS} less <@U2> due {due}", channel=channel)
    _posted(slack, channel, "AI-1")

    slack.command("decision", channel=channel)  # modal text arrives raw, not escaped by Slack
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.fake.calls_to("views.open")[-1].args["view"]
    values = {
        ids.DECISION_INPUT: _typed(ids.DECISION_INPUT, f"Roll back {BROADCASTS} @here"),
        ids.RATIONALE_INPUT: _typed(ids.RATIONALE_INPUT, "@channel said so"),
    }
    slack.driver.view_submission(
        ids.DECISION_MODAL, values, user="U1", private_metadata=view["private_metadata"]
    )
    _posted(slack, channel, "Roll back")

    kept = slack.fake.add_message(channel, "U2", f"{BROADCASTS} the database is on fire")
    slack.fake.channels[channel].members.add("U2")
    slack.driver.reaction_added("U2", "pushpin", channel, kept)
    slack.fake.wait_for(lambda f: any("on fire" in t for t in _entries(slack)))

    note = next(i for i, t in _ids_and_texts(slack) if "the pager says so" in t)
    slack.driver.block_action(
        ids.TIMELINE_ENTRY_MENU, user="U1", channel=channel, block_id=f"entry-{note}",
        selected_option=f"edit:{note}:1",
    )  # fmt: skip
    slack.fake.wait_for(lambda f: len(f.calls_to("views.open")) == 2)
    correction = {
        ids.TIME_INPUT: _typed(ids.TIME_INPUT, slack.clock().isoformat(timespec="minutes")),
        ids.TEXT_INPUT: _typed(ids.TEXT_INPUT, f"corrected: {BROADCASTS} it was the cache"),
    }
    slack.driver.view_submission(ids.TIMELINE_EDIT_MODAL, correction, user="U1")
    slack.fake.wait_for(lambda f: any("it was the cache" in t for t in _entries(slack)))

    slack.command("severity sev1", channel=channel)  # the card is redrawn (chat.update)
    slack.fake.wait_for(lambda f: f.calls_to("chat.update"))
    for text in ("list", "timeline", "actions all"):
        before = len(slack.fake.responses)
        slack.command(text, channel=channel)
        slack.fake.wait_for(lambda f, n=before: len(f.responses) > n)
    for user in ("U1", "U2"):
        slack.driver.app_home_opened(user)
    slack.fake.wait_for(lambda f: len(f.calls_to("views.publish")) >= 2)

    now = slack.clock()
    day, at = parse_schedule(slack.settings.INCIDENT_DIGEST_SCHEDULE)
    monday = digest_moment(now + timedelta(days=7), slack.settings.zone, day, at)
    # digest, reminders, nudges (a reminder goes at 09:00 in its owner's zone: U2 is in New York)
    sent = run_due(slack.deps, monday + timedelta(hours=10))
    assert any(s.startswith("digest") for s in sent) and any("reminder" in s for s in sent)

    slack.command("postmortem", channel=channel)
    _posted(slack, channel, "Postmortem draft for incident 1")
    slack.command("resolved Rolled back <!channel>", channel=channel)
    _posted(slack, slack.announce, "resolved")

    shown = _everything_shown(slack)
    assert [m.group() for s in shown for m in LIVE.finditer(s)] == []
    everywhere = "".join(shown)
    assert "&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;!subteam^S123&gt;" in everywhere
    assert "<@U2>" in "".join(slack.posts(channel)), "a person's mention stays live"
    announced = "".join(slack.posts(slack.announce))
    assert "Payments &lt;!channel&gt;" in announced and "Weekly incident digest" in announced
    slack.fake.assert_no_violations()


def test_control_characters_are_refused_when_typed_and_dropped_when_kept(
    slack: SlackHarness,
) -> None:
    channel = slack.declare("Disk full")
    slack.forget_replies()
    slack.command("note the log says \x00\x07 oops", channel=channel)
    slack.fake.wait_for(lambda f: lines_to(f, "U1"))
    assert lines_to(slack.fake, "U1") == [
        "The note contains a control character (U+0000), which can't be stored or shown: "
        "remove it and send it again."
    ]
    bad_title = {
        ids.TITLE_INPUT: {ids.TITLE_INPUT: {"type": "plain_text_input", "value": "a\x00b"}}
    }
    answer = slack.driver.view_submission(ids.DECLARE_MODAL, bad_title, user="U1")
    assert "control character (U+0000)" in answer.json()["errors"][ids.TITLE_INPUT]

    kept = slack.fake.add_message(channel, "U1", "bell\x07 and\x00 nul\r\nnext line")
    slack.driver.reaction_added("U1", "pushpin", channel, kept)
    slack.fake.wait_for(lambda f: len(_entries(slack)) == 2)
    settle()
    assert _entries(slack)[1:] == ["bell and nul\nnext line"]
    with slack.deps.db.unit_of_work() as session:
        assert len(session.scalars(select(Incident)).all()) == 1
