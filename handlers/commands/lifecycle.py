"""The incident-lifecycle subcommands of the foundation."""

from __future__ import annotations

from bot.errors import IncidentError
from bot.incidents import lifecycle as incidents
from bot.incidents import messages as blocks
from bot.incidents import modals as views
from bot.incidents.rules import parse_severity, parse_status, parse_user
from bot.incidents.service import refuse_if_blank
from bot.models import MILESTONES
from handlers.commands.grammar import parse_declare, split_at, split_because
from handlers.commands.table import Invocation, Reply, subcommand


@subcommand("help")
def help_(inv: Invocation) -> Reply:
    text, body = blocks.help_blocks()
    return Reply(text, body)


@subcommand("declare")
def declare(inv: Invocation) -> Reply:
    severity, private, title = parse_declare(inv.command.rest)
    if not title:
        if inv.trigger_id is None:
            raise IncidentError(f"Missing title. Use: `{inv.command.usage}`")
        return Reply(view=views.declare_modal(inv.channel))
    incident, problems = inv.service.declare(
        user=inv.user, title=title, severity=severity or "sev3", private=private
    )
    return Reply(
        f"Incident {incident.number} declared: <#{incident.channel_id}>. You are the commander."
        + (f" :warning: {' '.join(problems)}" if problems else "")
    )


@subcommand("note")
def note(inv: Invocation) -> Reply:
    raw_at, text = split_at(inv.command.rest)
    text = refuse_if_blank(text, inv.command.usage)
    at = inv.service.parse_at(raw_at)
    inv.service.change(
        inv.channel,
        inv.user,
        inv.command.usage,
        lambda s, i, now: incidents.record_note(s, i, now=now, at=at, user=inv.user, text=text),
    )
    return Reply()


@subcommand("decision")
def decision(inv: Invocation) -> Reply:
    raw_at, text = split_at(inv.command.rest)
    if not text:
        if inv.trigger_id is None:
            raise IncidentError(f"Missing text. Use: `{inv.command.usage}`")
        with inv.service.db.unit_of_work() as session:
            incidents.require_for_channel(session, inv.channel, inv.command.usage)
        return Reply(view=views.decision_modal(inv.channel))
    what, why = split_because(text)
    at = inv.service.parse_at(raw_at)
    inv.service.change(
        inv.channel,
        inv.user,
        inv.command.usage,
        lambda s, i, now: incidents.record_decision(
            s, i, now=now, at=at, user=inv.user, text=what, rationale=why
        ),
    )
    return Reply()


@subcommand("severity")
def severity(inv: Invocation) -> Reply:
    if not inv.command.rest:
        raise IncidentError(f"Missing severity. Use: `{inv.command.usage}`")
    value = parse_severity(inv.command.rest.split()[0])
    inv.service.change(
        inv.channel,
        inv.user,
        inv.command.usage,
        lambda s, i, now: incidents.set_severity(s, i, now=now, user=inv.user, severity=value),
    )
    return Reply()


@subcommand("status")
def status(inv: Invocation) -> Reply:
    if not inv.command.rest:
        raise IncidentError(f"Missing status. Use: `{inv.command.usage}`")
    value = parse_status(inv.command.rest.split()[0])
    inv.service.change(
        inv.channel,
        inv.user,
        inv.command.usage,
        lambda s, i, now: incidents.set_status(s, i, now=now, user=inv.user, status=value),
    )
    return Reply()


@subcommand("role")
def role(inv: Invocation) -> Reply:
    words = inv.command.rest.split()
    if len(words) != 2 or words[0].lower() not in ("commander", "scribe", "comms"):
        raise IncidentError(f"Use: `{inv.command.usage}`")
    name, assignee = words[0].lower(), parse_user(words[1])
    incident, _ = inv.service.change(
        inv.channel,
        inv.user,
        inv.command.usage,
        lambda s, i, now: incidents.assign_role(
            s, i, now=now, user=inv.user, role=name, assignee=assignee
        ),
    )
    inv.service.slack.invite(incident.channel_id, [assignee])
    return Reply()


@subcommand(*MILESTONES)
def milestone(inv: Invocation) -> Reply:
    raw_at, extra = split_at(inv.command.rest)
    if extra or (inv.command.rest and raw_at is None):
        raise IncidentError(f"Unexpected `{extra or inv.command.rest}`. Use: `{inv.command.usage}`")
    at = inv.service.parse_at(raw_at)
    name = inv.command.name
    inv.service.change(
        inv.channel,
        inv.user,
        inv.command.usage,
        lambda s, i, now: incidents.set_milestone(s, i, now=now, user=inv.user, name=name, at=at),
    )
    return Reply()


@subcommand("list")
def list_(inv: Invocation) -> Reply:
    with inv.service.db.unit_of_work() as session:
        rows = incidents.open_incidents(session, inv.user)
        now = inv.service.now()
        body = blocks.incident_list(rows, inv.service.settings.zone, now)
    return Reply(f"{len(rows)} open incidents", body)


@subcommand("timeline")
def timeline(inv: Invocation) -> Reply:
    from bot.timeline.pages import timeline_page

    with inv.service.db.unit_of_work() as session:
        incident = incidents.require_for_channel(session, inv.channel, inv.command.usage)
        text, body = timeline_page(session, incident, inv.service.settings.zone)
    return Reply(text, body)
