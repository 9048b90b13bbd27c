"""Which domain sends each kind of outbox row, how rows of a kind are grouped, and who hears
when one fails for good."""

from __future__ import annotations

from functools import partial

from bot.comms.subscriptions import send_notice
from bot.comms.updates import send_update_reminder
from bot.followups.reminders import report_undelivered, send_reminder
from bot.incidents import publishing, setup
from bot.incidents.announcements import (
    reply_thread,
    report_failed,
    send_announcement,
    send_edit,
    send_reply,
)
from bot.incidents.nudges import send_nudge
from bot.outbox.delivery import Courier, Kind, one
from bot.overview.digest_delivery import send_digest
from bot.wiring import Deps
from bot.workflows import checklist, runner
from bot.workflows import delivery as workflow_delivery

# What a change shows in Slack is retried within seconds, and for about an hour.
PROMPT = {"first_retry": 2, "patience": 12}


def courier(deps: Deps) -> Courier:
    """The delivery of every kind the scheduler plans or a change records."""
    return Courier(
        deps.db,
        kinds={
            "echo": Kind(
                partial(publishing.send_echoes, deps),
                group="merge",
                most=publishing.ECHOES_PER_MESSAGE,
                **PROMPT,
            ),
            "thread_echo": Kind(
                partial(publishing.send_thread_echoes, deps),
                group="merge",
                most=publishing.ECHOES_PER_MESSAGE,
                thread=partial(publishing.card_thread, deps),
                **PROMPT,
            ),
            "card": Kind(
                partial(publishing.send_card, deps), group="latest", posts=False, **PROMPT
            ),
            "topic": Kind(
                partial(publishing.send_topic, deps), group="latest", posts=False, **PROMPT
            ),
            "resolved": Kind(one(partial(publishing.send_resolved, deps)), **PROMPT),
            "announce": Kind(one(partial(send_announcement, deps)), **PROMPT),
            "announce_edit": Kind(partial(send_edit, deps), group="latest", posts=False, **PROMPT),
            # After a lost answer, looked for among the announcement's replies.
            "announce_reply": Kind(
                one(partial(send_reply, deps)), thread=partial(reply_thread, deps), **PROMPT
            ),
            "tell": Kind(one(partial(send_notice, deps)), **PROMPT),
            "update_due": Kind(one(partial(send_update_reminder, deps))),
            "declare": Kind(one(partial(setup.finish, deps)), posts=False, **PROMPT),
            "reminder": Kind(one(partial(send_reminder, deps))),
            "nudge": Kind(one(partial(send_nudge, deps))),
            # Checks its own parts after a lost answer (see bot.overview.digest_delivery).
            "digest": Kind(one(partial(send_digest, deps)), posts=False),
            # Runs a trigger occurrence's workflows; each step's outcome is kept, so a retry
            # does only what is left (bot.workflows.runner).
            "workflow": Kind(one(partial(runner.send_trigger, deps)), posts=False, **PROMPT),
            "workflow_report": Kind(one(partial(workflow_delivery.send_report, deps)), **PROMPT),
            "workflow_remind": Kind(one(partial(workflow_delivery.send_reminder, deps))),
            "webhook": Kind(
                one(partial(workflow_delivery.send_webhook, deps)),
                posts=False,
                first_retry=30,
                patience=6,
            ),
            "checklist": Kind(
                partial(checklist.send_checklists, deps), group="latest", posts=False, **PROMPT
            ),
        },
        gave_up={
            "webhook": partial(workflow_delivery.webhook_gave_up, deps),
            "reminder": partial(report_undelivered, deps),
            "announce": partial(report_failed, deps),
        },
        slack=deps.notifier,
    )
