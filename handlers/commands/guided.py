"""`type TYPE`, `set FIELD VALUE` and `tasks`: the incident's type, custom fields and the
checklist its workflows added (INCIDENT_CONFIG)."""

from __future__ import annotations

from bot.errors import IncidentError
from bot.incidents import guided
from bot.incidents.service import refuse_if_blank
from bot.playbook.fields import check_field_name
from bot.workflows.checklist import tasks_reply
from handlers.commands.invocation import Invocation, Reply


def set_type(inv: Invocation) -> Reply:
    """Change the type; recorded, posted, card redrawn, `type_changed` workflows run."""
    name = refuse_if_blank(inv.command.rest, inv.command.usage)
    if len(name.split()) != 1:
        raise IncidentError(f"Use: `{inv.command.usage}`")
    playbook = inv.service.playbook
    incident, _ = inv.service.change(
        inv.channel,
        inv.user,
        inv.command.usage,
        lambda s, i, now: guided.set_type(s, i, playbook, now=now, user=inv.user, name=name),
    )
    inv.service.refresh_card(incident)
    return Reply()


def set_field(inv: Invocation) -> Reply:
    """`set FIELD VALUE`: validated against the field's kind and options."""
    rest = refuse_if_blank(inv.command.rest, inv.command.usage)
    name, _, raw = rest.partition(" ")
    playbook = inv.service.playbook
    field, _definition = check_field_name(playbook, name)
    if not raw.strip():
        raise IncidentError(f"Missing value for `{field}`. Use: `{inv.command.usage}`")
    incident, _ = inv.service.change(
        inv.channel,
        inv.user,
        inv.command.usage,
        lambda s, i, now: guided.set_field(
            s, i, playbook, now=now, user=inv.user, name=field, raw=raw
        ),
        trigger={"field": field},
    )
    inv.service.refresh_card(incident)
    return Reply()


def tasks(inv: Invocation) -> Reply:
    """`tasks`: every checklist task of this incident, with who ticked what and when."""
    incident = inv.service.members.require_visible(inv.channel, inv.user, inv.command.usage)
    with inv.service.db.unit_of_work() as session:
        return Reply(*tasks_reply(session, incident, inv.service.settings.zone))
