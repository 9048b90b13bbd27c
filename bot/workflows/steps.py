"""What each step kind does. A step returns what it did (one line for the timeline) or raises
StepFailed with what went wrong for good; a transient Slack failure propagates, and the run
is retried from the outbox with only its unfinished steps."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.config import parse_duration
from bot.errors import IncidentError, SlackFailure
from bot.followups.items import add_action_item, local_today
from bot.incidents import lifecycle, publishing
from bot.incidents.service import IncidentService
from bot.models import Incident
from bot.outbox import store
from bot.playbook import models as m
from bot.playbook.templates import render
from bot.slack.calls import hint
from bot.wiring import Deps
from bot.workflows import checklist
from bot.workflows.messages import checklist_post

ROLE_WORDS = ("commander", "scribe", "comms")


class StepFailed(Exception):
    """The step can't be done (Slack refused for good, a group does not exist): reported."""


@dataclass(frozen=True)
class StepContext:
    deps: Deps
    incident: dict[str, Any]  # public fields, plus id, roles and declarer
    workflow: str
    run_id: int
    index: int
    trigger: str

    @property
    def channel(self) -> str:
        return str(self.incident["channel_id"])

    def person(self, who: str) -> str | None:
        """A role of the incident (its holder now), the declarer, or a user ID as is."""
        if who in ROLE_WORDS:
            return self.incident["roles"].get(who)
        if who == "declarer":
            return str(self.incident["declared_by"])
        return who

    def now(self) -> datetime:
        return self.deps.clock()


def _refused(what: str, exc: SlackFailure) -> StepFailed:
    said = hint(exc.code)
    return StepFailed(f"{what}: {said}" + ("" if exc.code in said else f" (`{exc.code}`)"))


def _call(what: str, call: Any) -> Any:
    """Run a Slack call; a refusal for good becomes StepFailed, a transient failure rises."""
    try:
        return call()
    except SlackFailure as exc:
        if exc.transient or exc.code in ("no_answer", "ratelimited"):
            raise
        raise _refused(what, exc) from exc


def invite(ctx: StepContext, args: m.InviteArgs) -> str:
    """People and the members of user groups (usergroups.users.list) into the channel."""
    users = [u for u in (ctx.person(w) for w in args.users) if u]
    problems = []
    for group in args.groups:
        try:
            data = _call(
                f"user group {group}",
                lambda g=group: ctx.deps.notifier.call("usergroups.users.list", usergroup=g),
            )
            users += list(data.get("users") or [])
        except StepFailed as exc:
            problems.append(str(exc))
    users = [u for u in dict.fromkeys(users) if u != ctx.deps.notifier.me()]
    if users:
        _call("invite", lambda: ctx.deps.notifier.invite(ctx.channel, users))
    if problems:
        invited = f" (invited {len(users)} others)" if users else ""
        raise StepFailed("; ".join(problems) + invited)
    return f"invited {', '.join(f'<@{u}>' for u in users) or 'nobody new'}"


def assign_role(ctx: StepContext, args: m.AssignRoleArgs) -> str:
    service = IncidentService(ctx.deps)
    bot = ctx.deps.notifier.me()
    try:
        service.change(
            ctx.channel,
            bot,
            "workflow",
            lambda s, i, now: lifecycle.assign_role(
                s, i, now=now, user=bot, role=args.role, assignee=args.user
            ),
            declarer=True,  # the bot acts on the config's behalf: nobody's membership to check
        )
    except IncidentError as exc:
        if isinstance(exc, SlackFailure):
            raise
        return exc.message  # already holds the role: nothing to do
    _call("invite", lambda: ctx.deps.notifier.invite(ctx.channel, [args.user]))
    return f"<@{args.user}> is now {args.role}"


def bookmark(ctx: StepContext, args: m.BookmarkArgs) -> str:
    title, url = render(args.title, ctx.incident), render(args.url, ctx.incident)
    _call(f"bookmark {title!r}", lambda: ctx.deps.notifier.bookmark(ctx.channel, title, url))
    return f"bookmarked {title}"


def post_text(ctx: StepContext, args: m.PostArgs) -> str:
    return render(args.text, ctx.incident)


def make_checklist(ctx: StepContext, args: m.ChecklistArgs) -> str:
    """Add the tasks and post them in one message with checkboxes (once)."""
    key = f"{ctx.workflow}#{ctx.index}"[:120]
    with ctx.deps.db.unit_of_work() as session:
        incident = _incident(session, ctx)
        tasks = checklist.add_tasks(session, incident, key, args.title, args.tasks, ctx.now())
        posted = tasks[0].message_ts
        for task in tasks:
            session.expunge(task)
    if posted is None:
        text, blocks = checklist_post(args.title, tasks, ctx.deps.settings.zone)
        ts = _call("checklist", lambda: ctx.deps.notifier.post(ctx.channel, text, blocks))
        with ctx.deps.db.unit_of_work() as session:
            for task in checklist.tasks_of(session, ctx.incident["id"], key):
                task.message_ts = ts
            publishing.record_card(session, _incident(session, ctx), ctx.now())  # open tasks
    return f"checklist {args.title!r}: {len(tasks)} tasks"


def remind(ctx: StepContext, args: m.RemindArgs) -> str:
    """Queue the reminder (sent once by whichever process gets to it when it is due)."""
    due = ctx.now() + timedelta(seconds=parse_duration(args.after.replace(" ", "")))
    target = ctx.channel if args.to == "channel" else ctx.person(args.to)
    if target is None:
        raise StepFailed(f"nobody is {args.to} yet: no one to remind")
    payload = {"incident": ctx.incident["id"], "text": args.text, "to": target}
    key = f"remind:{ctx.run_id}:{ctx.index}"
    with ctx.deps.db.unit_of_work() as session:
        store.enqueue(session, [store.row("workflow_remind", key, target, payload, due)])
    who = "the channel" if args.to == "channel" else f"<@{target}>"
    return f"reminder for {who} at {due.isoformat(timespec='minutes')}"


def due_date(today: date, due: str) -> date:
    """`5 working days`, `3 days`, `2 weeks`, `tomorrow` from `today`."""
    if due == "tomorrow":
        return today + timedelta(days=1)
    count, unit = int(due.split()[0]), due.split()[-1]
    if unit.startswith("week"):
        return today + timedelta(weeks=count)
    if "working" not in due:
        return today + timedelta(days=count)
    day = today
    while count > 0:
        day += timedelta(days=1)
        count -= day.weekday() < 5
    return day


def action_item(ctx: StepContext, args: m.ActionItemArgs) -> str:
    text = render(args.text, ctx.incident)
    owner = ctx.person(args.owner) if args.owner else None
    service = IncidentService(ctx.deps)
    now = ctx.now()
    due = due_date(local_today(now, ctx.deps.settings.zone), args.due) if args.due else None
    bot = ctx.deps.notifier.me()  # asked before the transaction: no Slack call inside one
    with ctx.deps.db.unit_of_work() as session:
        incident = _incident(session, ctx)
        item, entry = add_action_item(
            session, incident, now=now, user=bot, text=text, owner=owner, due=due
        )
        service.record_change(session, incident, entry)
        ref = item.id
    if ctx.deps.delivery is not None:
        ctx.deps.delivery.kick(ctx.channel)
    return f"action item AI-{ref}" + (f" due {due.isoformat()}" if due else "")


def webhook(ctx: StepContext, args: m.WebhookArgs) -> str:
    """Queue the POST: sent (signed) and retried with backoff from the outbox."""
    body = json.dumps(
        {
            "event": ctx.trigger,
            "workflow": ctx.workflow,
            "incident": {k: v for k, v in ctx.incident.items() if k not in ("id", "roles")},
        },
        sort_keys=True,
    )
    lane = "webhook:" + hashlib.sha256(args.url.encode()).hexdigest()[:24]
    payload = {"incident": ctx.incident["id"], "url": args.url, "body": body, "step": ctx.workflow}
    with ctx.deps.db.unit_of_work() as session:
        key = f"webhook:{ctx.run_id}:{ctx.index}"
        store.enqueue(session, [store.row("webhook", key, lane, payload, ctx.now())])
    if ctx.deps.delivery is not None:
        ctx.deps.delivery.kick(lane)
    return f"webhook to {args.url} queued"


def _incident(session: Session, ctx: StepContext) -> Incident:
    incident = session.get(Incident, ctx.incident["id"])
    if incident is None:
        raise StepFailed("the incident is gone")
    return incident


RUN = {
    "invite": invite,
    "assign_role": assign_role,
    "bookmark": bookmark,
    "checklist": make_checklist,
    "remind": remind,
    "action_item": action_item,
    "webhook": webhook,
}  # `post` steps are posted together per channel, by the runner
