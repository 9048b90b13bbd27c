"""Reminders, nudges and digests: planned once, sent once, retried or reported on failure."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from freezegun import freeze_time

from bot.clock import utcnow
from bot.db import Database
from bot.followups.service import FollowupService
from bot.incidents import lifecycle as incidents
from bot.incidents.service import IncidentService
from bot.outbox.store import claim
from bot.scheduling.cadence import digest_moment, reminder_due
from bot.scheduling.runner import plan, run_due, start_background
from bot.wiring import Deps
from tests.support.fakeslack import FakeSlack
from tests.support.scheduling import (
    add_item,
    dms,
    make_deps,
    open_incident,
    outbox_rows,
    posts_in,
    utc,
)

NOW = utc(2026, 11, 23, 12, 0)  # a Monday
DUE = date(2026, 11, 26)  # Thursday: before-reminder Wed 09:00 UTC, overdue from Fri 09:00
BEFORE_AT = utc(2026, 11, 25, 9, 0)
OVERDUE_AT = utc(2026, 11, 27, 9, 0)
FAR = date(2027, 1, 15)


@pytest.fixture
def deps(db: Database, fake: FakeSlack) -> Deps:
    """Nudges off, so each reminder test sees only reminders."""
    return make_deps(db, fake, NOW, **QUIET)


QUIET = {
    "INCIDENT_NUDGE_SEV1": "off",
    "INCIDENT_NUDGE_SEV2": "off",
    "INCIDENT_NUDGE_UNOWNED": "off",
}


# --- pure rules ---------------------------------------------------------------------------
def test_reminder_cadence() -> None:
    zone = ZoneInfo("UTC")
    rule = {"created_at": NOW, "zone": zone, "before": 86400, "overdue_every": 7 * 86400}
    assert reminder_due(due=DUE, has_owner=True, now=BEFORE_AT - timedelta(1e-3), **rule) is None
    before = reminder_due(due=DUE, has_owner=True, now=BEFORE_AT, **rule)
    assert before is not None and (before.stage, before.due_at) == ("before", BEFORE_AT)
    late = reminder_due(due=DUE, has_owner=True, now=OVERDUE_AT + timedelta(days=20), **rule)
    assert late is not None and late.suffix == "overdue:2026-11-26:2"
    assert late.due_at == OVERDUE_AT + timedelta(days=14)
    created_late = {**rule, "created_at": BEFORE_AT + timedelta(hours=1)}
    assert reminder_due(due=DUE, has_owner=True, now=BEFORE_AT, **created_late) is None
    unowned = reminder_due(due=None, has_owner=False, now=NOW + timedelta(days=1), **rule)
    assert unowned is not None and unowned.stage == "assign"


def test_digest_trigger_and_moment_keep_local_time_across_dst() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    trigger = CronTrigger(day_of_week="mon", hour=9, minute=0, timezone=berlin)
    fire = trigger.get_next_fire_time(None, datetime(2026, 10, 20, tzinfo=berlin))
    fires = []
    for _ in range(3):
        fires.append(fire)
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert [f.astimezone(berlin).hour for f in fires] == [9, 9, 9]
    assert [f.utcoffset() for f in fires] == [timedelta(hours=1)] * 3  # after DST ended
    assert digest_moment(utc(2026, 10, 21), berlin, "mon", fires[0].timetz()) == utc(
        2026, 10, 19, 7
    )


# --- reminders ----------------------------------------------------------------------------
def test_before_and_overdue_reminders_are_sent_once_each(deps: Deps, fake: FakeSlack) -> None:
    incident = open_incident(deps.db, fake, NOW)
    add_item(deps.db, incident, now=NOW, due=DUE)
    assert run_due(deps, BEFORE_AT - timedelta(minutes=1)) == []
    assert run_due(deps, BEFORE_AT) == ["reminder before AI-1 to U2"]
    assert run_due(deps, BEFORE_AT + timedelta(hours=1)) == []
    assert run_due(deps, OVERDUE_AT + timedelta(minutes=5)) == ["reminder overdue AI-1 to U2"]
    assert run_due(deps, OVERDUE_AT + timedelta(days=3)) == []
    assert run_due(deps, OVERDUE_AT + timedelta(days=7)) == ["reminder overdue AI-1 to U2"]
    sent = dms(fake)
    assert len(sent) == 3
    blocks = sent[0].args["blocks"]
    action_ids = {e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]}
    assert {"action_done", "action_snooze", "action_reassign"} <= action_ids
    fake.assert_no_violations()


def test_reminder_due_during_downtime_is_sent_once_after_restart(
    db: Database, fake: FakeSlack
) -> None:
    before_crash = make_deps(db, fake, NOW, **QUIET)
    incident = open_incident(db, fake, NOW)
    add_item(db, incident, now=NOW, due=DUE)
    assert run_due(before_crash, NOW) == []
    # Down from Monday until three weeks later; a fresh process (new engine, new worker id).
    restarted = make_deps(Database(db.url), fake, NOW, **QUIET)
    later = OVERDUE_AT + timedelta(days=15)
    try:
        assert run_due(restarted, later, worker="restarted") == ["reminder overdue AI-1 to U2"]
        assert run_due(restarted, later + timedelta(minutes=1), worker="restarted") == []
    finally:
        restarted.db.dispose()
    assert len(dms(fake)) == 1


def test_planned_reminder_survives_a_crash_before_sending(db: Database, fake: FakeSlack) -> None:
    deps = make_deps(db, fake, NOW, **QUIET)
    incident = open_incident(db, fake, NOW)
    add_item(db, incident, now=NOW, due=DUE)
    assert plan(deps, BEFORE_AT) == 1  # planned, then the process died before its sweep
    assert run_due(deps, OVERDUE_AT - timedelta(hours=1)) == ["reminder before AI-1 to U2"]
    assert len(dms(fake)) == 1


def test_a_claim_of_a_killed_sender_is_retried_after_the_timeout(
    db: Database, fake: FakeSlack
) -> None:
    deps = make_deps(db, fake, NOW, INCIDENT_REMINDER_CLAIM_TIMEOUT="10m", **QUIET)
    incident = open_incident(deps.db, fake, NOW)
    add_item(deps.db, incident, now=NOW, due=DUE)
    plan(deps, BEFORE_AT)
    [claimed] = claim(deps.db, now=BEFORE_AT, worker="killed", claim_timeout=600)
    assert claimed.claimed_by == "killed"
    assert run_due(deps, BEFORE_AT + timedelta(minutes=9)) == []  # claim still fresh
    assert run_due(deps, BEFORE_AT + timedelta(minutes=10, seconds=1)) == [
        "reminder before AI-1 to U2"
    ]
    assert run_due(deps, BEFORE_AT + timedelta(minutes=30)) == []
    assert len(dms(fake)) == 1


def test_closed_or_reassigned_items_get_no_stale_reminder(deps: Deps, fake: FakeSlack) -> None:
    incident = open_incident(deps.db, fake, NOW)
    add_item(deps.db, incident, now=NOW, due=DUE, status="done")
    add_item(deps.db, incident, now=NOW, due=DUE, owner=None)
    assert run_due(deps, BEFORE_AT) == ["reminder assign-before AI-2 to U1"]
    assert "has no owner" in dms(fake)[0].args["text"]
    add_item(deps.db, incident, now=NOW, due=DUE)
    plan(deps, BEFORE_AT)  # planned, then re-dated and reassigned before the sweep
    followups = FollowupService(IncidentService(deps))
    followups.redate("U1", 3, DUE + timedelta(days=14))
    sent = run_due(deps, BEFORE_AT + timedelta(minutes=1))
    assert sent == [f"1 timeline change(s) posted in {incident.channel_id}"]  # the re-date
    assert [r.last_error for r in outbox_rows(deps.db, "reminder")][
        -1
    ] == "skipped: due date changed"


def test_background_scheduler_sends_and_stops(db: Database, fake: FakeSlack) -> None:
    deps = make_deps(db, fake, NOW, INCIDENT_REMINDER_SWEEP="1s", INCIDENT_NUDGE_UNOWNED="off")
    deps.clock = utcnow
    incident = open_incident(db, fake, utcnow() - timedelta(hours=2), severity="sev1")
    stop = start_background(deps)
    try:
        fake.wait_for(lambda f: posts_in(f, incident.channel_id), timeout=10)
    finally:
        stop()
    assert "quiet for" in posts_in(fake, incident.channel_id)[0].args["text"]


# --- Slack failures -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "error"),
    [
        ("conversations.open", "user_not_found"),
        ("conversations.open", "cannot_dm_bot"),
        ("chat.postMessage", "messages_tab_disabled"),
    ],
)
def test_undeliverable_dm_is_reported_not_marked_sent(
    deps: Deps, fake: FakeSlack, method: str, error: str
) -> None:
    incident = open_incident(deps.db, fake, NOW)
    add_item(deps.db, incident, now=NOW, due=DUE)
    fake.fail(method, error, times=1)
    assert run_due(deps, BEFORE_AT) == []
    [row] = outbox_rows(deps.db, "reminder")
    assert row.sent_at is None and row.failed and row.last_error == error
    [report] = [p for p in posts_in(fake, incident.channel_id) if "Couldn't DM" in p.args["text"]]
    assert "<@U2>" in report.args["text"] and "<@U1>" in report.args["text"]
    assert run_due(deps, BEFORE_AT + timedelta(days=1)) == []  # never retried, never sent


@pytest.mark.parametrize("fault", ["rate_limit", "server_error", "fail"])
def test_transient_failures_are_retried_with_backoff(
    deps: Deps, fake: FakeSlack, fault: str
) -> None:
    incident = open_incident(deps.db, fake, NOW)
    add_item(deps.db, incident, now=NOW, due=DUE)
    if fault == "rate_limit":
        fake.rate_limit("chat.postMessage", retry_after=30, times=1)
    elif fault == "server_error":
        fake.server_error("chat.postMessage", status=500, times=1)
    else:
        fake.fail("chat.postMessage", "internal_error", times=1)
    assert run_due(deps, BEFORE_AT) == []
    [row] = outbox_rows(deps.db, "reminder")
    attempts = 0 if fault == "rate_limit" else 1  # a 429 is no failure: it never gives up
    assert (row.sent_at, row.failed, row.attempts, row.claimed_at) == (None, False, attempts, None)
    wait = 30 if fault == "rate_limit" else 60
    assert row.due_at == BEFORE_AT + timedelta(seconds=wait)
    assert run_due(deps, BEFORE_AT + timedelta(seconds=wait - 1)) == []
    assert run_due(deps, BEFORE_AT + timedelta(seconds=wait)) == ["reminder before AI-1 to U2"]
    assert len(dms(fake)) == 1


def test_persistent_failure_gives_up_after_max_attempts(deps: Deps, fake: FakeSlack) -> None:
    incident = open_incident(deps.db, fake, NOW)
    add_item(deps.db, incident, now=NOW, due=DUE)
    fake.server_error("chat.postMessage", status=503, times=5)
    moment = BEFORE_AT
    for _ in range(6):
        run_due(deps, moment)
        moment += timedelta(hours=2)
    [row] = outbox_rows(deps.db, "reminder")
    assert row.failed and row.sent_at is None and row.attempts == 5


def test_nudge_to_a_vanished_channel_fails_without_crashing(db: Database, fake: FakeSlack) -> None:
    deps = make_deps(db, fake, NOW)
    incident = open_incident(deps.db, fake, NOW, severity="sev1")
    fake.fail("chat.postMessage", "channel_not_found", times=1)
    assert run_due(deps, NOW + timedelta(minutes=31)) == []
    [row] = outbox_rows(deps.db, "nudge")
    assert row.failed and row.sent_at is None and row.channel == incident.channel_id


# --- nudges -------------------------------------------------------------------------------
def test_quiet_incidents_are_nudged_once_per_silence(db: Database, fake: FakeSlack) -> None:
    deps = make_deps(db, fake, NOW, INCIDENT_NUDGE_UNOWNED="off")
    sev1 = open_incident(deps.db, fake, NOW, number=1, severity="sev1")
    open_incident(deps.db, fake, NOW, number=3, severity="sev3")
    with deps.db.unit_of_work() as session:  # someone took command: no unowned nudge
        incident = incidents.by_number(session, 1)
        incidents.assign_role(
            session, incident, now=NOW, user="U1", role="commander", assignee="U2"
        )
    assert run_due(deps, NOW + timedelta(minutes=29)) == []
    assert run_due(deps, NOW + timedelta(minutes=30)) == ["nudge quiet incident 1"]
    assert run_due(deps, NOW + timedelta(minutes=59)) == []
    with deps.db.unit_of_work() as session:
        incident = incidents.by_number(session, 1)
        later = NOW + timedelta(minutes=60)
        incidents.record_note(session, incident, now=later, at=later, user="U2", text="update")
    assert run_due(deps, NOW + timedelta(minutes=89)) == []
    assert run_due(deps, NOW + timedelta(minutes=90)) == ["nudge quiet incident 1"]
    [first, _] = posts_in(fake, sev1.channel_id)[-2:]
    assert "<@U2>" in first.args["text"] and "quiet for 30m" in first.args["text"]


def test_unowned_incident_gets_one_nudge(db: Database, fake: FakeSlack) -> None:
    deps = make_deps(db, fake, NOW)
    incident = open_incident(deps.db, fake, NOW, severity="sev3")
    assert run_due(deps, NOW + timedelta(minutes=59)) == []
    assert run_due(deps, NOW + timedelta(hours=1)) == ["nudge unowned incident 1"]
    assert run_due(deps, NOW + timedelta(hours=5)) == []
    [post] = posts_in(fake, incident.channel_id)
    assert "no commander change and no milestone" in post.args["text"]


# --- the weekly digest --------------------------------------------------------------------
def test_digest_fires_once_a_week_across_dst_in_berlin(db: Database, fake: FakeSlack) -> None:
    channel = fake.add_channel("incident-digest")
    deps = make_deps(
        db, fake, NOW, INCIDENT_TIMEZONE="Europe/Berlin", INCIDENT_DIGEST_CHANNEL=channel, **QUIET
    )
    deps.clock = utcnow
    start = utc(2026, 10, 18, 12)  # DST ends in Berlin on Sunday 2026-10-25
    incident = open_incident(db, fake, start, severity="sev4")
    add_item(db, incident, now=start, due=date(2026, 10, 20), text="Overdue thing")
    with freeze_time(start) as frozen:
        while deps.clock() < utc(2026, 11, 8, 12):
            run_due(deps)  # the clock is the real one, frozen and moved an hour at a time
            frozen.tick(timedelta(hours=1))
    rows = outbox_rows(db, "digest")
    assert [r.due_at for r in rows] == [
        utc(2026, 10, 19, 7),
        utc(2026, 10, 26, 8),
        utc(2026, 11, 2, 8),
    ]
    assert [r.dedupe_key.rsplit(":", 1)[1] for r in rows] == ["2026-W43", "2026-W44", "2026-W45"]
    assert all(r.sent_at is not None for r in rows)
    posted = posts_in(fake, channel)
    assert len(posted) == 3
    assert "Overdue thing" in str(posted[1].args["blocks"]) and "overdue" in str(posted[1].args)


def test_long_digest_is_split_within_block_kit_limits(deps: Deps, fake: FakeSlack) -> None:
    channel = fake.add_channel("incident-digest")
    deps.settings = deps.settings.model_copy(update={"INCIDENT_DIGEST_CHANNEL": channel})
    incident = open_incident(deps.db, fake, NOW, severity="sev4")
    for n in range(600):
        owner = f"U{n % 7}"
        add_item(deps.db, incident, now=NOW, owner=owner, due=FAR, text=f"item {n} " + "x" * 380)
    sent = run_due(deps, utc(2026, 11, 30, 9, 5))
    assert any(s.startswith("digest 2026-W49") for s in sent)
    posted = posts_in(fake, channel)
    assert len(posted) > 1
    text = ""
    for post in posted:
        blocks = post.args["blocks"]
        assert len(blocks) <= 50
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
                text += block["text"]["text"]
            elif block["type"] == "context":
                text += str(block)
    shown = sum(f"item {n} " in text for n in range(600))
    assert shown == 600 or f"{600 - shown} more action items not shown" in text
    fake.assert_no_violations()


def test_a_slow_sweep_hands_back_what_it_cannot_send_in_time(db: Database, fake: FakeSlack) -> None:
    deps = make_deps(db, fake, NOW, INCIDENT_REMINDER_CLAIM_TIMEOUT="1s", **QUIET)
    incident = open_incident(db, fake, NOW)
    for _ in range(3):
        add_item(db, incident, now=NOW, due=DUE)
    fake.delay = 0.3  # each DM takes two calls: 0.6 s, more than half the claim timeout
    assert len(run_due(deps, BEFORE_AT)) == 1
    rows = outbox_rows(db, "reminder")
    assert [r.sent_at is not None for r in rows] == [True, False, False]
    assert all(r.claimed_at is None for r in rows[1:])
    assert len(run_due(deps, BEFORE_AT)) == 1
    assert len(run_due(deps, BEFORE_AT)) == 1
    assert len(dms(fake)) == 3
