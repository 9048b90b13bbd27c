"""Running the workflows of one trigger occurrence (the `workflow` outbox sender).

The trigger row is unique per occurrence, and each workflow's run is a `workflow_runs` row
unique per (incident, workflow, occurrence): however many processes, retries and restarts
see the trigger, each workflow runs once. The steps of every matching workflow run at once
(posts to one channel go as one message, for Slack's per-channel limit); each outcome is
recorded as it ends, so a retry after a transient failure does only what is left. A run that
has ended is one timeline entry with every step's outcome; its failed steps are reported in
the channel once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.errors import SlackFailure
from bot.incidents.lifecycle import add_entry
from bot.models import Incident, Outbox, RoleAssignment, WorkflowRun
from bot.outbox import store
from bot.outbox.delivery import Later, Moot
from bot.playbook.load import playbook_for
from bot.playbook.models import PostArgs, Workflow, step_args, step_kind
from bot.playbook.templates import render
from bot.wiring import Deps
from bot.workflows import steps
from bot.workflows.matching import matching, public_fields
from bot.workflows.messages import failure_report, run_line

log = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="workflow-step")
NO_CHANNEL_YET = 2.0
Outcome = tuple[str, str]  # ("done" | "failed", what happened)


def facts_of(incident: Incident, payload: dict[str, Any]) -> dict[str, Any]:
    """What conditions are checked against: the incident as the change left it."""
    facts = payload.get("facts") or {
        "severity": incident.severity,
        "status": incident.status,
        "type": incident.type,
        "fields": incident.fields or {},
    }
    return {**facts, "field": payload.get("field"), "labels": payload.get("labels") or {}}


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def claim_runs(
    session: Session, incident: Incident, flows: list[tuple[str, Workflow]], p: dict, now: datetime
) -> dict[str, WorkflowRun]:
    """Each matching workflow's run for this occurrence: made once (the unique key decides)."""
    for name, _flow in flows:
        session.execute(
            _insert(session)(WorkflowRun)
            .values(
                incident_id=incident.id,
                workflow=name,
                occurrence=p["occurrence"],
                trigger=p["trigger"],
                started_at=now,
                steps={},
            )
            .on_conflict_do_nothing(index_elements=["incident_id", "workflow", "occurrence"])
        )
    names = [name for name, _ in flows]
    runs = session.scalars(
        select(WorkflowRun).where(
            WorkflowRun.incident_id == incident.id,
            WorkflowRun.occurrence == p["occurrence"],
            WorkflowRun.workflow.in_(names),
        )
    ).all()
    return {r.workflow: r for r in runs}


def send_trigger(deps: Deps, row: Outbox, now: datetime) -> str:
    """Run every workflow this trigger occurrence matches; see the module docstring."""
    p = row.payload
    playbook = playbook_for(deps.settings)
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, p["incident"])
        if incident is None:
            raise Moot("incident gone")
        if not incident.channel_id:
            raise Later(NO_CHANNEL_YET, "the incident channel is not made yet")
        flows = matching(playbook, p["trigger"], facts_of(incident, p))
        if not flows:
            return f"{p['trigger']} of incident {incident.number}: no workflow matches"
        runs = claim_runs(session, incident, flows, p, now)
        roles = dict(
            session.execute(
                select(RoleAssignment.role, RoleAssignment.user_id).where(
                    RoleAssignment.incident_id == incident.id
                )
            ).all()
        )
        public = public_fields(incident, roles)
        # Templates say what the trigger saw (a later change has its own turn).
        public.update({k: v for k, v in (p.get("facts") or {}).items() if k in public})
        state = {name: (run.id, dict(run.steps), run.finished_at) for name, run in runs.items()}
    todo = [
        (name, flow, index, step)
        for name, flow in flows
        if state[name][2] is None
        for index, step in enumerate(flow.steps)
        if str(index) not in state[name][1]
    ]
    outcomes, transient = _run_steps(deps, public, p["trigger"], state, todo)
    _record(deps, public, p["trigger"], flows, state, outcomes)
    if transient is not None:
        raise transient  # the row is retried: only the steps without an outcome run again
    return f"{len(flows)} workflow(s) ran for {p['trigger']} of incident {public['number']}"


def _run_steps(
    deps: Deps,
    public: dict[str, Any],
    trigger: str,
    state: dict[str, tuple[int, dict, Any]],
    todo: list[tuple[str, Workflow, int, Any]],
) -> tuple[dict[tuple[str, int], Outcome], SlackFailure | None]:
    """Every step at once; posts to one channel together."""
    jobs: dict[tuple[str, int], Callable[[], str]] = {}
    posts: dict[str, list[tuple[str, int, str]]] = {}
    for name, _flow, index, step in todo:
        ctx = steps.StepContext(deps, public, name, state[name][0], index, trigger)
        kind, args = step_kind(step), step_args(step)
        if isinstance(args, PostArgs):
            channel = args.channel or public["channel_id"]
            posts.setdefault(channel, []).append((name, index, render(args.text, public)))
        else:
            jobs[(name, index)] = lambda f=steps.RUN[kind], c=ctx, a=args: f(c, a)
    group_jobs = {channel: _poster(deps, channel, items) for channel, items in posts.items()}
    futures = {key: _pool.submit(job) for key, job in jobs.items()}
    group_futures = {channel: _pool.submit(job) for channel, job in group_jobs.items()}
    outcomes: dict[tuple[str, int], Outcome] = {}
    transient: SlackFailure | None = None
    for key, future in futures.items():
        outcome, failure = _outcome(future, key)
        if failure is not None:
            transient = transient or failure
        elif outcome is not None:
            outcomes[key] = outcome
    for channel, future in group_futures.items():
        outcome, failure = _outcome(future, (f"posts in {channel}", 0))
        for name, index, _text in posts[channel]:
            if failure is not None:
                transient = transient or failure
            elif outcome is not None:
                outcomes[(name, index)] = outcome
    return outcomes, transient


def _poster(deps: Deps, channel: str, items: list[tuple[str, int, str]]) -> Callable[[], str]:
    def post() -> str:
        text = "\n\n".join(text for _n, _i, text in items)
        steps._call(f"post in <#{channel}>", lambda: deps.notifier.post(channel, text))
        return f"posted in <#{channel}>"

    return post


def _outcome(future: Any, key: tuple[str, int]) -> tuple[Outcome | None, SlackFailure | None]:
    try:
        return ("done", str(future.result())), None
    except steps.StepFailed as exc:
        return ("failed", str(exc)), None
    except SlackFailure as exc:
        log.warning("workflow step %s: %s; retried later", key, exc.code)
        return None, exc
    except Exception as exc:  # a bug in one step must not stop the others
        log.exception("workflow step %s failed", key)
        return ("failed", f"unexpected error ({type(exc).__name__})"), None


def _record(
    deps: Deps,
    public: dict[str, Any],
    trigger: str,
    flows: list[tuple[str, Workflow]],
    state: dict[str, tuple[int, dict, Any]],
    outcomes: dict[tuple[str, int], Outcome],
) -> None:
    """Each step's outcome; a finished run's timeline entry and its one failure report."""
    now = deps.clock()
    reports: list[dict[str, Any]] = []
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, public["id"])
        assert incident is not None
        for name, flow in flows:
            run = session.get(WorkflowRun, state[name][0], with_for_update=True)
            if run is None or run.finished_at is not None:
                continue
            done = dict(run.steps)
            for (workflow, index), (result, text) in outcomes.items():
                if workflow == name:
                    done[str(index)] = [step_kind(flow.steps[index]), result, text]
            run.steps = done
            if len(done) < len(flow.steps):
                continue
            run.finished_at = now
            ordered = [tuple(done[str(i)]) for i in range(len(flow.steps))]
            add_entry(
                session,
                incident,
                at=now,
                kind="note",
                text=run_line(name, trigger, ordered),  # type: ignore[arg-type]
                author=None,
                now=now,
                source="workflow",
            )
            failures = [(i, k, t) for i, (k, state_, t) in enumerate(ordered) if state_ == "failed"]
            if failures:
                # Recorded with the run's end, so it is said once, and surely.
                payload = {"incident": incident.id, "text": failure_report(name, failures)}
                channel = incident.channel_id
                row = store.row("workflow_report", f"wfreport:{run.id}", channel, payload, now)
                reports.append(row)
        store.enqueue(session, reports)
    if reports and deps.delivery is not None:
        deps.delivery.kick(public["channel_id"])
