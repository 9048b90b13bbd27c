"""Giving an alert group its incident: declared by a rule or a person, or attached to one.

The incident itself is declared by IncidentService.declare (channel, card, announcement);
a claim on the group, taken first with one conditional UPDATE, keeps it to one incident when
two people press Declare at once or two replicas run the same rule.
"""

from __future__ import annotations

import logging
import uuid

from bot.alerts import linking
from bot.errors import IncidentError
from bot.incidents.service import IncidentService
from bot.models import AlertGroup, Incident
from bot.wiring import Deps

log = logging.getLogger(__name__)
_BOT_USERS: dict[str, str] = {}


def bot_user(deps: Deps) -> str:
    """The bot's own user id (auth.test, asked once per token): commander of incidents a rule
    declares without naming one."""
    token = deps.notifier.client.token or ""
    if token not in _BOT_USERS:
        _BOT_USERS[token] = str(deps.notifier.call("auth.test")["user_id"])
    return _BOT_USERS[token]


def _claim_or_refuse(deps: Deps, group_id: int, worker: str) -> None:
    with deps.db.unit_of_work() as session:
        if linking.claim(session, group_id, worker, deps.clock()):
            return
        linking.refuse_if_linked(session, linking.group_for_update(session, group_id))
    raise IncidentError("Someone is declaring an incident for these alerts right now.")


def _refresh(service: IncidentService, incident_id: int) -> Incident:
    """The card shows the milestones the alerts set."""
    with service.db.unit_of_work() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
    service.refresh_card(incident)
    return incident


def declare(
    deps: Deps,
    group_id: int,
    *,
    user: str,
    title: str,
    severity: str,
    private: bool,
    by: str | None,
    incident_type: str | None = None,
) -> tuple[Incident, list[str]]:
    """Declare an incident for the group and link them; `by` pressed the button (if anyone)."""
    worker = f"declare:{uuid.uuid4().hex[:12]}"
    _claim_or_refuse(deps, group_id, worker)
    service = IncidentService(deps)
    try:
        incident, problems = service.declare(
            user=user, title=title, severity=severity, private=private, incident_type=incident_type
        )
    except Exception:
        with deps.db.unit_of_work() as session:
            linking.release(session, group_id, worker)
        raise
    with deps.db.unit_of_work() as session:
        linking.link(session, group_id, incident.id, deps.clock(), by=by)
    return _refresh(service, incident.id), problems


def auto_declare(deps: Deps, group_id: int) -> Incident | None:
    """A rule said declare: do it once (a concurrent or earlier declare wins)."""
    with deps.db.unit_of_work() as session:
        group = session.get(AlertGroup, group_id)
        if group is None or group.incident_id is not None or group.action != "declare":
            return None
        user = group.commander or None
        title, severity, private = group.incident_title, group.severity, group.private
        incident_type = group.incident_type
    try:
        incident, problems = declare(
            deps,
            group_id,
            user=user or bot_user(deps),
            title=title,
            severity=severity,
            private=private,
            by=None,
            incident_type=incident_type,
        )
    except IncidentError as exc:
        log.info("alert group %s: not declared: %s", group_id, exc.message)
        return None
    if problems:
        log.warning("incident %s from alerts: %s", incident.number, " ".join(problems))
    return incident


def attach(deps: Deps, group_id: int, incident_id: int, user: str) -> Incident:
    """Attach the group to an open incident the person may change."""
    worker = f"attach:{uuid.uuid4().hex[:12]}"
    _claim_or_refuse(deps, group_id, worker)
    try:
        with deps.db.unit_of_work() as session:
            incident = session.get(Incident, incident_id)
            if incident is None or not incident.is_open:
                raise IncidentError("That incident is resolved or gone; pick an open one.")
            linking.link(session, group_id, incident_id, deps.clock(), by=user)
    except Exception:
        with deps.db.unit_of_work() as session:
            linking.release(session, group_id, worker)
        raise
    return _refresh(IncidentService(deps), incident_id)
