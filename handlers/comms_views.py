"""Modals that keep people informed: the stakeholder update, resolving with what fixed it,
and the confirmation of an incident's first public update (the status page)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import BoltContext
from sqlalchemy.orm import Session

from bot.comms.resolving import check_resolution, followup_lines, resolve
from bot.comms.updates import check_next, check_update, record_update_form
from bot.followups.items import check_item_text
from bot.incidents.details import check_detail
from bot.incidents.guided import set_fields
from bot.incidents.modals import read_guided
from bot.incidents.service import IncidentService
from bot.models import Incident, TimelineEntry
from bot.slack import ids
from bot.slack.modals import metadata, value
from bot.statuspage.components import catalogue
from bot.statuspage.modals import submitted
from bot.statuspage.publishing import add_public
from bot.statuspage.rules import check_public_text, check_public_title
from bot.statuspage.service import PublicUpdates
from handlers.reply import field_errors, in_channel, service, user_errors
from handlers.reply import user_id as user_of

DETAIL_INPUTS = {"summary": ids.SUMMARY_INPUT, "impact": ids.IMPACT_INPUT}


def detail_errors(view: dict[str, Any]) -> dict[str, str]:
    """The optional summary and impact of a modal, checked only when typed."""
    checks: dict[str, Callable[[str], object]] = {}
    for field, block_id in DETAIL_INPUTS.items():
        if (value(view, block_id) or "").strip():
            checks[block_id] = functools.partial(check_detail, field)
    return field_errors(view, checks)


def update_errors(view: dict[str, Any], incidents: IncidentService) -> dict[str, str]:
    checks: dict[str, Callable[[str], object]] = {ids.UPDATE_INPUT: check_update}
    if _public(view):
        checks[ids.UPDATE_INPUT] = lambda text: check_public_text(check_update(text))
    if value(view, ids.NEXT_UPDATE_INPUT):
        checks[ids.NEXT_UPDATE_INPUT] = check_next
    return {**detail_errors(view), **field_errors(view, checks)}


def post_update(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """The update modal: the update, and the status, summary and impact it changed."""
    incidents, user = service(context), user_of(body)
    channel = metadata(view).get("channel", "")
    text = value(view, ids.UPDATE_INPUT) or ""
    next_raw = value(view, ids.NEXT_UPDATE_INPUT)
    public = _public(view)

    def apply(session: Session, incident: Incident, now: datetime) -> TimelineEntry:
        entry = record_update_form(
            session,
            incident,
            now=now,
            user=user,
            text=text,
            status=value(view, ids.STATUS_INPUT),
            summary=value(view, ids.SUMMARY_INPUT),
            impact=value(view, ids.IMPACT_INPUT),
            next_in=check_next(next_raw) if next_raw else None,
            public=public,
        )
        if public:
            add_public(session, incident, now=now, text=text)
        return entry

    with user_errors(in_channel(incidents.slack, channel, user), f"update {text}"):
        incidents.change(channel, user, "the update modal", apply)


def _public(view: dict[str, Any]) -> bool:
    """The update modal's "Also publish on the status page" box is ticked."""
    return "public" in (value(view, ids.PUBLIC_INPUT) or [])


def resolve_errors(view: dict[str, Any], incidents: IncidentService) -> dict[str, str]:
    def items(text: str) -> None:
        for line in followup_lines(text):
            check_item_text(line)

    checks = {ids.RESOLUTION_INPUT: check_resolution, ids.FOLLOWUPS_INPUT: items}
    return {**field_errors(view, checks), **read_guided(view, incidents.playbook)[2]}


def resolve_incident(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """The resolve modal: what fixed it and the follow-ups, with the resolution."""
    incidents, user = service(context), user_of(body)
    channel = metadata(view).get("channel", "")
    playbook = incidents.playbook
    _kind, fields, _errors = read_guided(view, playbook)

    def apply(session: Session, incident: Incident, now: datetime) -> TimelineEntry:
        set_fields(session, incident, playbook, now=now, user=user, values=fields)
        summary = value(view, ids.RESOLUTION_INPUT) or ""
        followups = followup_lines(value(view, ids.FOLLOWUPS_INPUT))
        return resolve(
            session, incident, now=now, user=user, at=now, summary=summary, followups=followups
        )

    with user_errors(in_channel(incidents.slack, channel, user), "resolved"):
        incidents.change(channel, user, "the Resolve button", apply)


def public_update_errors(view: dict[str, Any], incidents: IncidentService) -> dict[str, str]:
    checks = {ids.PUBLIC_TITLE_INPUT: check_public_title, ids.PUBLIC_TEXT_INPUT: check_public_text}
    return field_errors(view, checks)


def publish_update(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """The confirmed first public update of an incident: on the status page from now on."""
    incidents, user = service(context), user_of(body)
    channel, title, affected, text = submitted(view, catalogue(incidents.settings))
    with user_errors(in_channel(incidents.slack, channel, user), f"update --public {text}"):
        PublicUpdates(incidents).confirm(channel, user, title=title, affected=affected, text=text)
