"""Modal submissions: field errors go back in the ack (the modal stays open); the work runs
after the ack, and its outcome reaches the person where they opened the modal, or by DM."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.followups.items import check_item_text, earliest_today
from bot.followups.service import FollowupService
from bot.incidents import lifecycle
from bot.incidents.details import DETAILS, set_detail
from bot.incidents.modals import read_guided
from bot.incidents.service import IncidentService
from bot.models import TITLE_MAX
from bot.parsing import check_text
from bot.slack import ids
from bot.slack.modals import metadata, value
from bot.timeline.edit import TimelineEditor
from handlers.comms_views import (
    DETAIL_INPUTS,
    detail_errors,
    post_update,
    public_update_errors,
    publish_update,
    resolve_errors,
    resolve_incident,
    update_errors,
)
from handlers.reply import acknowledge, field_errors, in_channel, logged, service, user_errors
from handlers.reply import user_id as user_of

Check = Callable[[dict[str, Any], IncidentService], dict[str, str]]


def declare_errors(view: dict[str, Any], incidents: IncidentService) -> dict[str, str]:
    title = field_errors(view, {ids.TITLE_INPUT: lambda t: check_text(t, "title", TITLE_MAX)})
    return {**title, **detail_errors(view), **read_guided(view, incidents.playbook)[2]}


def declared_details(incidents: IncidentService, channel: str, user: str, view: dict) -> None:
    """The modal's summary and impact, recorded after the declaration like typed commands."""
    incident = None
    for field in DETAILS:
        text = (value(view, DETAIL_INPUTS[field]) or "").strip()
        if text:
            incident, _ = incidents.change(
                channel,
                user,
                f"/incident {field} TEXT",
                lambda s, i, now, f=field, t=text: set_detail(
                    s, i, now=now, user=user, field=f, text=t
                ),
                declarer=True,  # called only right after `user` declared this incident
            )
    if incident is not None:
        incidents.refresh_card(incident)


def declare(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """Declare from the modal; the declarer gets the channel link by DM."""
    incidents, user = service(context), user_of(body)
    title = value(view, ids.TITLE_INPUT) or ""
    kind, fields, _errors = read_guided(view, incidents.playbook)
    with user_errors(
        in_channel(incidents.slack, metadata(view).get("channel"), user), f"declare {title}"
    ):
        incident, problems = incidents.declare(
            user=user,
            title=title,
            severity=value(view, ids.SEVERITY_INPUT) or "sev3",
            private="private" in (value(view, ids.PRIVATE_INPUT) or []),
            incident_type=kind,
            fields=fields,
        )
        declared_details(incidents, incident.channel_id, user, view)
        warning = f" :warning: {' '.join(problems)}" if problems else ""
        incidents.slack.dm(
            user, f"Incident {incident.number} declared: <#{incident.channel_id}>.{warning}"
        )


def record_decision(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """What was decided, why, the alternatives and who decided."""
    incidents, user = service(context), user_of(body)
    channel = metadata(view).get("channel", "")
    what = value(view, ids.DECISION_INPUT) or ""
    with user_errors(in_channel(incidents.slack, channel, user), f"decision {what}"):
        incidents.change(
            channel,
            user,
            "/incident decision",
            lambda s, i, now: lifecycle.record_decision(
                s,
                i,
                now=now,
                at=now,
                user=user,
                text=what,
                rationale=value(view, ids.RATIONALE_INPUT),
                alternatives=value(view, ids.ALTERNATIVES_INPUT),
                decided_by=value(view, ids.DECIDED_BY_INPUT),
            ),
        )


def hand_over(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """The new commander, who is also invited to the channel."""
    incidents, user = service(context), user_of(body)
    channel = metadata(view).get("channel", "")
    assignee = value(view, ids.USER_INPUT) or ""
    with user_errors(in_channel(incidents.slack, channel, user), "Hand over commander"):
        incidents.change(
            channel,
            user,
            "the Hand over commander button",
            lambda s, i, now: lifecycle.assign_role(
                s, i, now=now, user=user, role="commander", assignee=assignee
            ),
        )
        incidents.slack.invite(channel, [assignee])


def edit_errors(view: dict[str, Any], incidents: IncidentService) -> dict[str, str]:
    editor, zone = TimelineEditor(incidents), metadata(view).get("zone")
    return field_errors(
        view,
        {
            ids.TIME_INPUT: lambda t: editor.parse_at(t, zone),
            ids.TEXT_INPUT: lambda t: check_text(t, "entry"),
        },
    )


def edit_entry(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """A corrected time and text for one timeline entry."""
    incidents, user = service(context), user_of(body)
    editor = TimelineEditor(incidents)
    with user_errors(in_channel(incidents.slack, None, user), "Edit timeline entry"):
        entry = editor.correct(
            int(metadata(view).get("entry", 0)),
            user,
            at=editor.parse_at(value(view, ids.TIME_INPUT) or "", metadata(view).get("zone")),
            text=value(view, ids.TEXT_INPUT) or "",
        )
        incidents.slack.dm(user, f":pencil2: Timeline entry corrected: {entry.text[:200]}")


def item_errors(view: dict[str, Any], incidents: IncidentService) -> dict[str, str]:
    errors = field_errors(view, {ids.TEXT_INPUT: check_item_text})
    raw_due = value(view, ids.DUE_INPUT)
    if raw_due and date.fromisoformat(raw_due) < earliest_today(incidents.now()):
        errors[ids.DUE_INPUT] = "That day is in the past: pick today or later."
    return errors


def add_action_item(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """The "Add action item" modal."""
    incidents, user = service(context), user_of(body)
    channel = metadata(view).get("channel", "")
    text = value(view, ids.TEXT_INPUT) or ""
    raw_due = value(view, ids.DUE_INPUT)
    with user_errors(in_channel(incidents.slack, channel, user), f"action {text}"):
        FollowupService(incidents).add(
            channel,
            user,
            text=text,
            owner=value(view, ids.OWNER_INPUT),
            due=date.fromisoformat(raw_due) if raw_due else None,
            priority=value(view, ids.PRIORITY_INPUT),
            type_=value(view, ids.TYPE_INPUT),
            usage="the Add action item button",
        )


def validating(check: Check) -> Callable[..., None]:
    """An ack that sends field errors back (the modal stays open) or closes the modal."""

    def ack_submission(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        errors = check(view, service(context))
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()

    return ack_submission


def checked(check: Check, work: Callable[..., None]) -> Callable[..., None]:
    """Run `work` only for a submission its ack accepted."""

    @functools.wraps(work)
    def run(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        if not check(view, service(context)):
            work(body, view, context)

    return run


VALIDATED: dict[str, tuple[Check, Callable[..., None]]] = {
    ids.DECLARE_MODAL: (declare_errors, declare),
    ids.TIMELINE_EDIT_MODAL: (edit_errors, edit_entry),
    ids.ACTION_ITEM_MODAL: (item_errors, add_action_item),
    ids.UPDATE_MODAL: (update_errors, post_update),
    ids.RESOLVE_MODAL: (resolve_errors, resolve_incident),
    ids.PUBLIC_UPDATE_MODAL: (public_update_errors, publish_update),
}
UNCHECKED: dict[str, Callable[..., None]] = {
    ids.DECISION_MODAL: record_decision,
    ids.COMMANDER_MODAL: hand_over,
}


def register(app: App) -> None:
    """Every modal's submission."""
    for callback_id, (check, work) in VALIDATED.items():
        app.view(callback_id)(ack=validating(check), lazy=[logged(checked(check, work))])
    for callback_id, work in UNCHECKED.items():
        app.view(callback_id)(ack=acknowledge, lazy=[logged(work)])
