"""The incident-lifecycle subcommands: declare, record, change, list, read."""

from __future__ import annotations

from bot.errors import IncidentError
from bot.incidents import lifecycle as incidents
from bot.incidents import messages
from bot.incidents import modals as views
from bot.incidents.rules import OutOfOrder, parse_severity, parse_status
from bot.incidents.service import refuse_if_blank
from bot.models import ROLES
from bot.parsing import parse_user
from bot.playbook.fields import check_type
from bot.slack.blocks import plural
from bot.timeline.pages import timeline_page
from handlers.commands import updates
from handlers.commands.grammar import parse_declare, split_at, split_because
from handlers.commands.invocation import Invocation, Reply

STATE_WORDS = {"severity": parse_severity, "status": parse_status}


def declare(inv: Invocation) -> Reply:
    """`declare [sevN] [type:TYPE] [--private] TITLE`, or the modal when no title is typed."""
    severity, private, title, kind = parse_declare(inv.command.rest)
    if not title:
        if inv.trigger_id is None:
            raise IncidentError(f"Missing title. Use: `{inv.command.usage}`")
        return Reply(view=views.declare_modal(inv.channel, playbook=inv.service.playbook))
    incident, problems = inv.service.declare(
        user=inv.user, title=title, severity=severity, private=private, incident_type=kind
    )
    return Reply(
        f"Incident {incident.number} declared: <#{incident.channel_id}>. You are the commander."
        + (f" :warning: {' '.join(problems)}" if problems else "")
    )


def note(inv: Invocation) -> Reply:
    """`note [at TIME] TEXT`."""
    raw_at, text = split_at(inv.command.rest)
    text = refuse_if_blank(text, inv.command.usage)
    at = inv.service.parse_at(raw_at, inv.user)
    inv.service.change(
        inv.channel,
        inv.user,
        inv.command.usage,
        lambda s, i, now: incidents.record_note(s, i, now=now, at=at, user=inv.user, text=text),
    )
    return Reply()


def decision(inv: Invocation) -> Reply:
    """`decision [at TIME] TEXT [because REASON]`, or the modal when no text is typed."""
    raw_at, text = split_at(inv.command.rest)
    if not text:
        if inv.trigger_id is None:
            raise IncidentError(f"Missing text. Use: `{inv.command.usage}`")
        with inv.service.db.unit_of_work() as session:
            incidents.require_for_channel(session, inv.channel, inv.command.usage)
        return Reply(view=views.decision_modal(inv.channel))
    what, why = split_because(text)
    if not what:
        raise IncidentError(f"Missing what was decided. Use: `{inv.command.usage}`")
    at = inv.service.parse_at(raw_at, inv.user)
    inv.service.change(
        inv.channel,
        inv.user,
        inv.command.usage,
        lambda s, i, now: incidents.record_decision(
            s, i, now=now, at=at, user=inv.user, text=what, rationale=why
        ),
    )
    return Reply()


def change_state(inv: Invocation) -> Reply:
    """`severity sevN` or `status investigating|identified|monitoring|resolved`."""
    field = inv.command.name
    if not inv.command.rest:
        raise IncidentError(f"Missing {field}. Use: `{inv.command.usage}`")
    value = STATE_WORDS[field](inv.command.rest.split()[0])
    if field == "status" and value == "resolved":  # one path with the `resolved` milestone
        after = inv.command.rest.split(None, 1)
        return updates.resolved(inv, after[1] if len(after) > 1 else "")
    inv.service.change(
        inv.channel,
        inv.user,
        inv.command.usage,
        lambda s, i, now: incidents.change_state(
            s, i, now=now, user=inv.user, field=field, value=value
        ),
    )
    return Reply()


def role(inv: Invocation) -> Reply:
    """`role commander|scribe|comms @user`: assign, and invite them to the channel."""
    words = inv.command.rest.split()
    if len(words) != 2 or words[0].lower() not in ROLES:
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


def milestone(inv: Invocation) -> Reply:
    """`started|detected|acknowledged|mitigated|resolved [at TIME]`."""
    raw_at, extra = split_at(inv.command.rest)
    if extra or (inv.command.rest and raw_at is None):
        raise IncidentError(f"Unexpected `{extra or inv.command.rest}`. Use: `{inv.command.usage}`")
    typed = inv.service.read_at(raw_at, inv.user)
    at = typed.at if typed else inv.service.now()
    name = inv.command.name
    try:
        inv.service.change(
            inv.channel,
            inv.user,
            inv.command.usage,
            lambda s, i, now: incidents.set_milestone(
                s, i, now=now, user=inv.user, name=name, at=at
            ),
        )
    except OutOfOrder as exc:
        if typed is None:
            raise
        raise IncidentError(exc.describe(f"`{typed.raw}` ({typed.reading})")) from None
    return Reply()


def list_open(inv: Invocation) -> Reply:
    """`list [type:TYPE]`: open incidents the person may see (of that type)."""
    words = inv.command.rest.lower().split()
    kind = words[0].removeprefix("type:") if words and words[0].startswith("type:") else None
    if len(words) > 1 or (words and not kind):
        raise IncidentError(f"Use: `{inv.command.usage}`")
    if kind is not None:
        kind = check_type(inv.service.playbook, kind)
    with inv.service.db.unit_of_work() as session:
        rows = incidents.open_incidents(session, inv.user)
        rows = [i for i in rows if kind is None or i.type == kind]
        now = inv.service.now()
        body = messages.incident_list(rows, inv.service.settings.zone, now)
    return Reply(plural(len(rows), "open incident"), body)


def timeline(inv: Invocation) -> Reply:
    """`timeline`: the latest page of this incident's timeline."""
    incident = inv.service.members.require_visible(inv.channel, inv.user, inv.command.usage)
    with inv.service.db.unit_of_work() as session:
        text, body = timeline_page(session, incident, inv.service.settings.zone)
    return Reply(text, body)
