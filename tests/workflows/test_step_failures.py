"""A step that can't be done is reported in the incident channel once, recorded on the
timeline, and the other steps still run; nothing crashes. Unknown user group, a channel the
bot can't post to, a webhook answering 500 (retried with backoff, reported once)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.models import Outbox, WorkflowRun
from tests.support.guided import WebhookTarget, entries, start
from tests.support.harness import SlackHarness

Make = Callable[..., SlackHarness]
CONFIG = """\
workflows:
  page-dbas:
    trigger: declared
    steps:
      - invite: {users: [U2], groups: [S0NOPE]}
      - post: {text: "posted in private", channel: PRIVATE}
      - post: {text: "DBAs: incident {{ incident.number }}"}
      - bookmark: {title: Runbook, url: "https://runbooks.example.com/db"}
  notify:
    trigger: declared
    steps:
      - webhook: {url: WEBHOOK}
"""


@pytest.fixture
def hook() -> Iterator[WebhookTarget]:
    target = WebhookTarget(status=500)
    yield target
    target.close()


def _reports(slack: SlackHarness, channel: str) -> list[str]:
    return [p for p in slack.posts(channel) if p.startswith(":warning: Workflow")]


def test_failing_steps_are_reported_once_and_the_others_run(
    make_slack: Make, tmp_path: Path, hook: WebhookTarget
) -> None:
    config = CONFIG.replace("WEBHOOK", hook.url)
    slack = start(make_slack, tmp_path, config.replace("PRIVATE", "CPLACEHOLDER"))
    private = slack.fake.add_channel("secret-room", is_private=True, bot_is_member=False)
    (tmp_path / "incident-bot.yml").write_text(config.replace("PRIVATE", private))
    channel = slack.declare("Primary down")
    slack.fake.wait_for(lambda f: len(_reports(slack, channel)) >= 2, timeout=20)
    reports = _reports(slack, channel)
    steps = next(r for r in reports if "page-dbas" in r)
    assert "2 step(s) failed; the others ran." in steps
    assert "step 1 (invite): user group S0NOPE" in steps and "(invited 1 others)" in steps
    assert "step 2 (post): post in <#" in steps
    webhook = next(r for r in reports if "webhook" in r)
    assert f"webhook {hook.url} answered HTTP 500; retrying with backoff." in webhook
    # The others ran: U2 invited, the incident channel's post, the bookmark.
    assert "U2" in slack.fake.channels[channel].members
    assert "DBAs: incident 1" in slack.posts(channel)
    assert any(c.args["title"] == "Runbook" for c in slack.fake.calls_to("bookmarks.add"))
    line = next(e.text for e in entries(slack, "note") if "Workflow `page-dbas`" in e.text)
    assert "✗ invite: user group S0NOPE" in line and "✓ bookmark" in line

    # The webhook is retried with backoff; the retry that fails again is not reported again.
    with slack.deps.db.unit_of_work() as session:
        (row,) = session.scalars(select(Outbox).where(Outbox.kind == "webhook")).all()
        runs = session.scalars(select(WorkflowRun)).all()
    assert row.sent_at is None and row.attempts == 1 and row.last_error == "http_500"
    assert all(r.finished_at is not None for r in runs)
    later = row.due_at + timedelta(seconds=1)
    slack.clock = lambda: later
    assert slack.deps.delivery is not None
    slack.deps.delivery.kick(row.channel)
    slack.fake.wait_for(lambda f: len(hook.received) >= 2, what="the webhook's retry")
    slack.idle()
    assert len(_reports(slack, channel)) == 2, "each failure reported once"
    hook.status = 204  # the target recovers: the next retry delivers it
    with slack.deps.db.unit_of_work() as session:
        row = session.scalars(select(Outbox).where(Outbox.kind == "webhook")).one()
    assert row.attempts == 2
    latest = row.due_at + timedelta(seconds=1)
    slack.clock = lambda: latest
    slack.deps.delivery.kick(row.channel)
    slack.fake.wait_for(lambda f: len(hook.received) >= 3, what="the webhook delivered")
    slack.idle()
    with slack.deps.db.unit_of_work() as session:
        row = session.scalars(select(Outbox).where(Outbox.kind == "webhook")).one()
    assert row.sent_at is not None
    bodies = {body for _headers, body in hook.received}
    assert len(bodies) == 1, "every attempt sends the same body"


RETRIED = """\
workflows:
  page:
    trigger: declared
    steps:
      - post: {text: "paged for incident {{ incident.number }}"}
      - bookmark: {title: Runbook, url: "https://runbooks.example.com/db"}
      - invite: {groups: [S0DBA]}
"""


def test_a_transient_failure_retries_only_what_is_left(make_slack: Make, tmp_path: Path) -> None:
    slack = start(make_slack, tmp_path, RETRIED)
    slack.fake.add_usergroup("S0DBA", ["U2"])
    # Only the workflow asks for user groups: Slack fails it (the SDK retries twice), the
    # run's row is retried from the outbox, and only the invite runs again.
    slack.fake.server_error("usergroups.users.list", status=503, times=3)
    channel = slack.declare("Primary down")
    slack.fake.wait_for(
        lambda f: any("Workflow `page` ran" in e.text for e in entries(slack, "note")),
        timeout=20,
        what="the run, finished on the outbox's retry",
    )
    slack.idle()
    assert sum("paged for incident 1" in p for p in slack.posts(channel)) == 1
    marks = [c for c in slack.fake.calls_to("bookmarks.add") if c.args["title"] == "Runbook"]
    assert len(marks) == 1
    lookups = slack.fake.calls_to("usergroups.users.list")
    assert [c.ok for c in lookups] == [False, False, False, True]
    invites = [c for c in slack.fake.calls_to("conversations.invite") if "U2" in c.args["users"]]
    assert len(invites) == 1
    assert not _reports(slack, channel), "a retried step that then worked is no failure"
