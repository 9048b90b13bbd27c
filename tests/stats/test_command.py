"""`/incident stats` through the command registry and the service, against the Slack fake.

A multi-day incident is replayed with `at TIME` milestones and every duration checked to the
second; the chart goes through the fake's external file-upload flow.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import load_settings
from bot.db import Database
from bot.errors import IncidentError
from bot.incidents.service import IncidentService
from bot.slack.port import Notifier, slack_client
from bot.stats.query import window_stats
from bot.stats.rules import parse_stats_args
from bot.wiring import Deps
from handlers.commands.invocation import Reply
from handlers.commands.table import run
from tests.support.fakeslack import FakeSlack
from tests.support.png import png_size
from tests.support.stats_factory import add_incident

DECLARED = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REPLAY = {
    "started": ("2026-11-20 22:10", None),
    "detected": ("2026-11-20 22:25", ("time_to_detect", 15 * 60)),
    "acknowledged": ("2026-11-20 22:41", ("time_to_acknowledge", 16 * 60)),
    "mitigated": ("2026-11-22 14:03", ("time_to_mitigate", 86400 + 15 * 3600 + 53 * 60)),
    "resolved": ("2026-11-23 08:05", ("time_to_resolve", 2 * 86400 + 9 * 3600 + 55 * 60)),
}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(db: Database) -> Iterator[tuple[IncidentService, FakeSlack, Clock]]:
    fake = FakeSlack().start()
    for uid in ("U1", "U2", "U3"):
        fake.add_user(uid)
    general = fake.add_channel("general")
    settings = load_settings(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=db.url,
        INCIDENT_ANNOUNCE_CHANNEL=general,
    )
    clock = Clock(DECLARED)
    notifier = Notifier(slack_client(fake.bot_token, fake.api_url))
    service = IncidentService(Deps(settings=settings, db=db, notifier=notifier, clock=clock))
    service.general = general  # type: ignore[attr-defined]
    yield service, fake, clock
    fake.stop()


def _run(service: IncidentService, text: str, channel: str, user: str = "U1") -> Reply:
    return run(text, user=user, channel=channel, trigger_id=None, service=service)


def test_replayed_multi_day_incident_durations_to_the_second(
    world: tuple[IncidentService, FakeSlack, Clock],
) -> None:
    service, fake, clock = world
    incident, _problems = service.declare(
        user="U1", title="Replication lag", severity="sev2", private=False
    )
    assert incident.channel_id is not None
    service.slack.invite(incident.channel_id, ["U1"])  # no delivery worker here to invite them
    clock.now = LATER
    for name, (at, _) in REPLAY.items():
        _run(service, f"{name} at {at}", incident.channel_id)
    with service.db.unit_of_work() as session:
        result = window_stats(session, parse_stats_args("7d", LATER))
    sev2 = next(g for g in result.groups if g.label == "sev2")
    assert sev2.incidents == 1
    for _name, (_at, expected) in REPLAY.items():
        if expected is None:
            continue
        key, seconds = expected
        summary = sev2.durations[key]
        assert (summary.n, summary.median, summary.p90, summary.min, summary.max) == (
            1,
            seconds,
            seconds,
            seconds,
            seconds,
        ), key
    reply = _run(service, "stats 7d", service.general, user="U2")  # type: ignore[attr-defined]
    shown = str([b.to_dict() for b in reply.blocks])
    assert "Incident stats · last 7 days" in shown and "SEV2" in shown
    assert "2.4d" in shown and "1.7d" in shown and "15m" in shown and "16m" in shown
    assert "1*" in shown and "too few to compare" in shown
    assert "not enough incidents to tell" in shown  # 1 now, 0 the week before
    assert "Chart sent to you in a direct message" in shown
    (upload,) = fake.calls_to("files.completeUploadExternal")
    dm = fake.channels[upload.args["channel_id"]]
    assert dm.is_im and dm.dm_user == "U2"
    (stored,) = [f for f in fake.files.values() if f.completed]
    width, height = png_size(stored.content or b"")
    assert width >= 800 and height >= 350
    fake.assert_no_violations()


def test_private_incidents_are_counted_without_details(
    world: tuple[IncidentService, FakeSlack, Clock],
) -> None:
    service, _fake, clock = world
    with service.db.unit_of_work() as s:
        add_incident(
            s,
            1,
            declared=DECLARED,
            severity="sev1",
            private=True,
            resolved=DECLARED + timedelta(hours=1),
        )
        add_incident(
            s, 2, declared=DECLARED, severity="sev3", resolved=DECLARED + timedelta(hours=3)
        )
    clock.now = LATER
    reply = _run(service, "stats sev1 30d", service.general, user="U3")  # type: ignore[attr-defined]
    shown = str([b.to_dict() for b in reply.blocks])
    assert "Includes 1 private incident, counted without details" in shown
    assert "Incident 1" not in shown and "inc-1" not in shown
    assert "SEV1* · 1 incident" in shown and "SEV3" not in shown


def test_no_incidents_and_bad_arguments(world: tuple[IncidentService, FakeSlack, Clock]) -> None:
    service, fake, _clock = world
    reply = _run(service, "stats all", service.general)  # type: ignore[attr-defined]
    assert "no incidents" in reply.text
    assert not fake.calls_to("files.completeUploadExternal")
    for bad in ("stats 14d", "stats sev9", "stats 7d 30d"):
        with pytest.raises(IncidentError) as err:
            _run(service, bad, service.general)  # type: ignore[attr-defined]
        assert err.value.message.endswith(
            "Use: `/incident stats [7d|30d|90d|all] [sev1-4] [type:TYPE]`"
        )


def test_comparison_over_enough_incidents(world: tuple[IncidentService, FakeSlack, Clock]) -> None:
    service, _fake, clock = world
    with service.db.unit_of_work() as s:
        for n in range(1, 23):
            declared = LATER - timedelta(days=3 if n <= 11 else 33)
            minutes = 30 if n <= 11 else 60
            add_incident(s, n, declared=declared, resolved=declared + timedelta(minutes=minutes))
    clock.now = LATER
    reply = _run(service, "stats", service.general)  # type: ignore[attr-defined]
    shown = str([b.to_dict() for b in reply.blocks])
    assert "Compared with the previous 30 days* (11 incidents now, 11 before)" in shown
    assert "time to resolve: median 1.0h → 30m (n 11 → 11)" in shown
    assert "time to detect: not enough incidents to tell (n 0 → 0)" in shown
