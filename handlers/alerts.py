"""Alert triage: the triage message's buttons and their modals (bot.alerts does the work).

In a module of its own rather than in actions.py and views.py: one feature's listeners in
one place, acked at once and worked after like every other listener.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext

from bot.alerts.service import AlertService
from bot.models import TITLE_MAX
from bot.parsing import check_text
from bot.slack import ids
from bot.slack.modals import metadata, value
from handlers.reply import acknowledge, field_errors, in_channel, logged, service, user_errors
from handlers.reply import user_id as user_of
from handlers.views import checked, validating


def _alerts(context: BoltContext) -> AlertService:
    return AlertService(context["deps"])


def _group(action: dict[str, Any]) -> int:
    return int(action.get("value") or 0)


def _say(body: dict[str, Any], context: BoltContext) -> Callable[[str], Any]:
    channel = (body.get("channel") or {}).get("id")
    return in_channel(service(context).slack, channel, user_of(body))


def declare_pressed(body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    """Declare incident: the declare modal, prefilled from the alerts."""
    user = user_of(body)
    with user_errors(_say(body, context), "Declare incident"):
        view = _alerts(context).declare_modal(_group(action), user)
        service(context).slack.open_view(body["trigger_id"], view)


def attach_pressed(body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    """Attach to incident: a modal with the open incidents this person may see."""
    user = user_of(body)
    with user_errors(_say(body, context), "Attach to incident"):
        view = _alerts(context).attach_modal(_group(action), user)
        service(context).slack.open_view(body["trigger_id"], view)


def ignore_pressed(body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    """Ignore: the message says who decided nobody needs to act."""
    with user_errors(_say(body, context), "Ignore"):
        _alerts(context).ignore(_group(action), user_of(body))


def declare_errors(view: dict[str, Any], _service: Any) -> dict[str, str]:
    return field_errors(view, {ids.TITLE_INPUT: lambda t: check_text(t, "title", TITLE_MAX)})


def declare_submitted(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """Declare from the modal; the declarer gets the channel link by DM."""
    slack, user = service(context).slack, user_of(body)
    title = value(view, ids.TITLE_INPUT) or ""
    with user_errors(lambda line: slack.dm(user, line), f"declare {title}"):
        incident, problems = _alerts(context).declare(
            int(metadata(view).get("group", 0)),
            user,
            title=title,
            severity=value(view, ids.SEVERITY_INPUT) or "sev3",
            private="private" in (value(view, ids.PRIVATE_INPUT) or []),
        )
        warning = f" :warning: {' '.join(problems)}" if problems else ""
        slack.dm(user, f"Incident {incident.number} declared: <#{incident.channel_id}>.{warning}")


def attach_submitted(body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """Attach to the chosen incident (its members only)."""
    slack, user = service(context).slack, user_of(body)
    with user_errors(lambda line: slack.dm(user, line), "Attach to incident"):
        incident = _alerts(context).attach(
            int(metadata(view).get("group", 0)), int(value(view, ids.INCIDENT_INPUT) or 0), user
        )
        slack.dm(user, f"Alerts attached to incident {incident.number}: <#{incident.channel_id}>.")


BUTTONS: dict[str, Callable[..., None]] = {
    ids.ALERT_DECLARE: declare_pressed,
    ids.ALERT_ATTACH: attach_pressed,
    ids.ALERT_IGNORE: ignore_pressed,
}


def register(app: App) -> None:
    """The triage buttons and the two modals."""
    for action_id, work in BUTTONS.items():
        app.action(action_id)(ack=acknowledge, lazy=[logged(work)])
    app.view(ids.ALERT_DECLARE_MODAL)(
        ack=validating(declare_errors), lazy=[logged(checked(declare_errors, declare_submitted))]
    )
    app.view(ids.ALERT_ATTACH_MODAL)(ack=acknowledge, lazy=[logged(attach_submitted)])
