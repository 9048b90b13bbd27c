"""Workflows end to end, per step kind: a sev1 database declaration runs a workflow that
invites a user group, assigns a role, posts, bookmarks, adds a checklist (ticked from Slack),
schedules a reminder, adds an action item and calls a signed webhook; every outcome is on
the timeline. Signed HTTP into the app, fake Slack over HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.models import ActionItem, Outbox, Task, WorkflowRun
from bot.slack import ids
from tests.support.guided import WebhookTarget, card, entries, reply_after, start
from tests.support.harness import SlackHarness

Make = Callable[..., SlackHarness]
SECRET = "webhook-secret-0123456789"
CONFIG = """\
incident_types:
  database: {description: Databases, default_severity: sev2}
custom_fields:
  region: {kind: select, options: [eu-west, us-east]}
workflows:
  database-sev1:
    trigger: declared
    when: {severity: sev1, type: database}
    steps:
      - invite: {users: [U2], groups: [S0DBA]}
      - assign_role: {role: scribe, user: U2}
      - post:
          text: "{{ incident.severity | upper }} {{ incident.type }}: DBAs paged for #{{
            incident.number }}"
      - bookmark: {title: Runbook, url: "https://runbooks.example.com/db/{{ incident.number }}"}
      - checklist: {title: First five minutes, tasks: [Check replication lag, Freeze migrations]}
      - remind: {after: 30m, text: "Update stakeholders on {{ incident.title }}"}
      - action_item:
          {text: "Review backups of #{{ incident.number }}", owner: commander, due: 5 working days}
      - webhook: {url: "WEBHOOK"}
  never:
    trigger: declared
    when: {severity: sev4}
    steps:
      - post: {text: should not run}
"""


@pytest.fixture
def hook() -> Iterator[WebhookTarget]:
    target = WebhookTarget()
    yield target
    target.close()


def _config(hook: WebhookTarget) -> str:
    return CONFIG.replace("WEBHOOK", hook.url)


def test_declared_workflow_runs_each_step_kind_once(
    make_slack: Make, tmp_path: Path, hook: WebhookTarget
) -> None:
    slack = start(make_slack, tmp_path, _config(hook), INCIDENT_WORKFLOW_WEBHOOK_SECRET=SECRET)
    slack.fake.add_usergroup("S0DBA", ["U3", "U4"])
    channel = slack.declare("Primary down", flags="sev1 type:database")
    slack.fake.wait_for(
        lambda f: any("Workflow `database-sev1` ran" in e.text for e in entries(slack, "note")),
        timeout=15,
        what="the workflow run on the timeline",
    )
    # invite: the user and the group's members (usergroups.users.list)
    invited = {
        u for c in slack.fake.calls_to("conversations.invite") for u in c.args["users"].split(",")
    }
    assert {"U2", "U3", "U4"} <= invited
    assert slack.fake.calls_to("usergroups.users.list")[0].args["usergroup"] == "S0DBA"
    # assign_role
    assert any(e.text == "<@U2> is now scribe" for e in entries(slack, "role"))
    # post (templated)
    assert "SEV1 database: DBAs paged for #1" in slack.posts(channel)
    assert "should not run" not in slack.posts(channel)
    # bookmark
    marks = [c.args for c in slack.fake.calls_to("bookmarks.add") if c.args["title"] == "Runbook"]
    assert [m["link"] for m in marks] == ["https://runbooks.example.com/db/1"]
    # checklist: one message with checkboxes; open tasks on the card
    (post,) = [
        c for c in slack.fake.calls_to("chat.postMessage")
        if c.ok and "First five minutes" in json.dumps(c.args.get("blocks"))
    ]  # fmt: skip
    assert "checkboxes" in json.dumps(post.args["blocks"])
    slack.fake.wait_for(lambda f: "Open tasks (2)" in card(slack, channel))
    # remind: queued for 30 minutes on
    with slack.deps.db.unit_of_work() as session:
        (remind,) = session.scalars(select(Outbox).where(Outbox.kind == "workflow_remind")).all()
        (item,) = session.scalars(select(ActionItem)).all()
        runs = session.scalars(select(WorkflowRun)).all()
    assert remind.sent_at is None and remind.channel == channel
    # action_item, owned by the commander, due in 5 working days
    assert (item.text, item.owner) == ("Review backups of #1", "U1")
    assert item.due is not None and 5 <= (item.due - item.created_at.date()).days <= 7
    # webhook, signed
    slack.fake.wait_for(lambda f: hook.received, what="the webhook")
    headers, body = hook.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Incident-Bot-Signature"] == expected
    sent = json.loads(body)
    assert sent["event"] == "declared" and sent["incident"]["number"] == 1
    assert sent["incident"]["type"] == "database"
    # one run, every step's outcome on it and on the timeline
    assert [(r.workflow, r.occurrence) for r in runs] == [("database-sev1", "declared")]
    assert len(runs[0].steps) == 8 and runs[0].finished_at is not None
    line = next(e.text for e in entries(slack, "note") if "Workflow `database-sev1`" in e.text)
    for kind in ("invite", "assign_role", "post", "bookmark", "checklist", "remind"):
        assert f"✓ {kind}:" in line
    slack.fake.assert_no_violations()


def _checklist_post(fake: object) -> object:
    posts = fake.calls_to("chat.postMessage")  # type: ignore[attr-defined]
    wanted = [c for c in posts if c.ok and "First five minutes" in json.dumps(c.args.get("blocks"))]
    return wanted[0] if wanted else None


def test_checklist_ticks_are_recorded_with_who_and_when(
    make_slack: Make, tmp_path: Path, hook: WebhookTarget
) -> None:
    slack = start(make_slack, tmp_path, _config(hook))
    slack.fake.add_usergroup("S0DBA", ["U3"])
    channel = slack.declare("Primary down", flags="sev1 type:database")
    post = slack.fake.wait_for(
        lambda f: _checklist_post(f), timeout=15, what="the checklist message"
    )
    ts = post.response["ts"]
    with slack.deps.db.unit_of_work() as session:
        first = session.scalars(select(Task).order_by(Task.position)).first()
        assert first is not None
        first_id = str(first.id)
    slack.driver.block_action(
        ids.TASK_TICK, user="U2", channel=channel, message_ts=ts, checked=[first_id]
    )
    slack.fake.wait_for(lambda f: entries(slack, "task"), what="the tick on the timeline")
    (tick,) = entries(slack, "task")
    assert (tick.text, tick.author) == ("Task done: Check replication lag", "U2")
    slack.fake.wait_for(lambda f: "Open tasks (1)" in card(slack, channel))
    slack.fake.wait_for(
        lambda f: any(
            c.args["ts"] == ts and "<@U2>" in json.dumps(c.args["blocks"])
            for c in f.calls_to("chat.update")
        ),
        what="the checklist message redrawn with who ticked",
    )
    listed = reply_after(slack, "tasks", channel, user="U2")
    assert "(1 of 2 open)" in listed
    # A latecomer's catch-up lists the open tasks.
    slack.fake.channels[channel].members.add("U5")
    joined = {"type": "member_joined_channel", "user": "U5", "channel": channel}
    assert slack.driver.event({**joined, "channel_type": "C", "team": "T0TEST"}).status == 200
    caught_up = slack.fake.wait_for(
        lambda f: [
            str(c.args.get("blocks"))
            for c in f.calls_to("chat.postEphemeral")
            if c.ok and c.args["user"] == "U5"
        ],
        what="the catch-up",
    )
    assert "Open tasks (1)" in caught_up[0] and "Freeze migrations" in caught_up[0]
    slack.fake.assert_no_violations()


def test_reminder_is_sent_once_when_due(
    make_slack: Make, tmp_path: Path, hook: WebhookTarget
) -> None:
    slack = start(make_slack, tmp_path, _config(hook))
    slack.fake.add_usergroup("S0DBA", [])
    channel = slack.declare("Primary down", flags="sev1 type:database")
    slack.fake.wait_for(
        lambda f: any("database-sev1" in e.text for e in entries(slack, "note")), timeout=15
    )
    later = slack.clock() + timedelta(minutes=31)
    slack.clock = lambda: later
    assert slack.deps.delivery is not None
    slack.deps.delivery.kick(channel)
    slack.fake.wait_for(
        lambda f: any("Update stakeholders on Primary down" in p for p in slack.posts(channel)),
        timeout=15,
    )
    slack.deps.delivery.kick(channel)
    slack.idle()
    assert sum("Update stakeholders" in p for p in slack.posts(channel)) == 1
