"""`/incident postmortem` end to end: signed HTTP into the app, Slack answered by FakeSlack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.models import Postmortem, PromptAudit
from tests.support.fake_openai import (
    NARRATIVE_KEYS,
    FakeOpenAI,
    Reply,
    json_reply,
    request_data,
    text_reply,
)
from tests.support.harness import SlackHarness


def _incident_with_history(slack: SlackHarness) -> str:
    channel = slack.declare("Checkout returns 500s")
    for text in (
        "note error rate at 40% password=hunter2-secret",
        "decision Roll back deploy 42 because errors began with it",
        "mitigated",
        "resolved Rolled back deploy 42",  # bare `resolved` asks what fixed it in a modal
    ):
        slack.change(text, channel)
    return channel


def _posted(slack: SlackHarness) -> int:
    return sum("Postmortem draft posted:" in t for t in slack.ephemerals())


def _run_postmortem(slack: SlackHarness, channel: str, text: str = "postmortem") -> None:
    """Type the command; the ack is immediate, the draft arrives when ready."""
    before = _posted(slack)
    response = slack.command(text, channel=channel)
    assert response.status == 200
    slack.fake.wait_for(lambda f: _posted(slack) > before, timeout=20)


def _postmortem_calls(slack: SlackHarness, method: str) -> list[Any]:
    return [c for c in slack.fake.calls_to(method) if c.args.get("title") == "Postmortem draft"]


def _rows(slack: SlackHarness) -> list[Postmortem]:
    with slack.deps.db.unit_of_work() as session:
        return list(session.scalars(select(Postmortem)))


def test_postmortem_posts_summary_file_and_bookmark_and_rerun_replaces(
    slack: SlackHarness,
) -> None:
    channel = _incident_with_history(slack)
    _run_postmortem(slack, channel)

    summary = [t for t in slack.posts(channel) if "Postmortem draft for incident 1" in t]
    assert len(summary) == 1 and "deterministic" in summary[0]
    assert slack.fake.calls_to("files.getUploadURLExternal")
    (complete,) = slack.fake.calls_to("files.completeUploadExternal")
    assert complete.ok and complete.args["channel_id"] == channel
    file_id = complete.response["files"][0]["id"]
    content = slack.fake.files[file_id].content.decode()
    assert content.startswith("# Postmortem: Checkout returns 500s (incident 1)")
    assert "hunter2-secret" not in content and "password=[REDACTED:secret]" in content
    (bookmark,) = _postmortem_calls(slack, "bookmarks.add")
    assert bookmark.args["channel_id"] == channel
    (row,) = _rows(slack)
    assert row.file_id == file_id and row.bookmark_id == bookmark.response["bookmark"]["id"]

    _run_postmortem(slack, channel, "postmortem short")
    assert slack.fake.files[file_id].deleted
    (deleted,) = slack.fake.calls_to("chat.delete")
    assert deleted.ok and deleted.args["ts"] == row.message_ts
    (edit,) = _postmortem_calls(slack, "bookmarks.edit")
    assert edit.ok and edit.args["bookmark_id"] == row.bookmark_id
    marks = [b for b in slack.fake.channels[channel].bookmarks if b["title"] == "Postmortem draft"]
    assert len(marks) == 1
    (again,) = _rows(slack)
    assert again.template == "short" and again.file_id != file_id
    assert slack.fake.files[again.file_id].content.decode().startswith("# Incident 1: ")
    assert any("Postmortem draft posted:" in t for t in slack.ephemerals())
    slack.fake.assert_no_violations()


def test_unknown_template_gets_one_line_listing_the_available_ones(slack: SlackHarness) -> None:
    channel = slack.declare("Queue backlog")
    slack.command("postmortem fancy", channel=channel)
    wanted = "There is no postmortem template `fancy`. Available: default, short."
    slack.fake.wait_for(lambda f: any(wanted in t for t in slack.ephemerals()))
    assert not slack.fake.calls_to("files.completeUploadExternal")


def test_canvas_mode_creates_then_edits_and_falls_back_to_a_file(
    make_slack: Callable[..., SlackHarness],
) -> None:
    slack = make_slack(INCIDENT_POSTMORTEM_CANVAS=True)
    channel = _incident_with_history(slack)
    _run_postmortem(slack, channel)
    (create,) = slack.fake.calls_to("canvases.create")
    canvas_id = create.response["canvas_id"]
    assert "# Postmortem: Checkout returns 500s" in slack.fake.canvases[canvas_id]["markdown"]
    assert not slack.fake.calls_to("files.completeUploadExternal")

    _run_postmortem(slack, channel)
    (edit,) = slack.fake.calls_to("canvases.edit")
    assert edit.ok and edit.args["canvas_id"] == canvas_id
    (row,) = _rows(slack)
    assert row.canvas_id == canvas_id

    slack.fake.canvases[canvas_id]["deleted"] = True  # someone deleted it; canvases now refused
    slack.fake.fail("canvases.create", "canvas_disabled_user_team")
    _run_postmortem(slack, channel)
    assert slack.fake.calls_to("files.completeUploadExternal")
    notes = str(slack.fake.calls_to("chat.postMessage")[-1].args["blocks"])
    assert "canvas_disabled_user_team" in notes and "attached as a file" in notes


def test_ai_draft_through_slack_and_the_fallback_line(
    make_slack: Callable[..., Any], openai_server: FakeOpenAI
) -> None:
    slack = make_slack(OPENAI_API_KEY="test-key", OPENAI_BASE_URL=openai_server.url)
    channel = _incident_with_history(slack)

    def hostile(body: dict[str, Any]) -> Reply:
        first = request_data(body)["timeline"][0]["id"]
        claim = "<!channel> Checkout failed.\n# Injected heading\nafter deploy 42."
        return json_reply(
            {**{k: [] for k in NARRATIVE_KEYS}, "summary": [{"text": claim, "citations": [first]}]}
        )

    openai_server.push(hostile)
    _run_postmortem(slack, channel)
    post = [t for t in slack.posts(channel) if "Postmortem draft for incident 1" in t][-1]
    assert "AI-assisted (`gpt-4o-mini`)" in post
    assert "&lt;!channel&gt; Checkout failed. # Injected heading after deploy 42." in post
    (row,) = _rows(slack)
    assert "\n# Injected heading" not in row.markdown
    assert "hunter2-secret" not in str(openai_server.requests)

    openai_server.push(text_reply("Sure, here is the postmortem: ..."))
    _run_postmortem(slack, channel)
    blocks = str(slack.fake.calls_to("chat.postMessage")[-1].args["blocks"])
    assert "AI draft unavailable (invalid output: the model's answer was not valid JSON)" in blocks
    with slack.deps.db.unit_of_work() as session:
        outcomes = list(session.scalars(select(PromptAudit.outcome).order_by(PromptAudit.id)))
    assert outcomes == ["ok", "invalid output"]
