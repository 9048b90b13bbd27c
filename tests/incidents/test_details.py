"""Summary and impact beyond Slack's channel: the export (JSON, CSV) and the weekly digest."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.db import Database
from bot.drafting.draft import write_draft
from bot.models import Incident
from bot.overview.digest import build_report
from bot.overview.digest_messages import digest_messages
from tests.support.drafting import T0, build_incident
from tests.support.stats_factory import add_incident

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _seed(db: Database) -> None:
    with db.unit_of_work() as s:
        public = add_incident(s, 1, declared=NOW - timedelta(days=1))
        public.summary, public.impact = "Logins fail", "Nobody can sign in"
        secret = add_incident(s, 2, declared=NOW - timedelta(days=2), private=True)
        secret.summary, secret.impact = "Key leaked in a log", "Customer data may be exposed"
        add_incident(s, 3, declared=NOW - timedelta(days=3))


def _export(
    db: Database, fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    monkeypatch.setenv("DATABASE_URL", db.url)
    assert main(["export", "all", "--format", fmt]) == 0
    return capsys.readouterr().out


def test_export_carries_summary_and_impact(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(db)
    rows = json.loads(_export(db, "json", monkeypatch, capsys))
    assert [(r["summary"], r["impact"]) for r in rows] == [
        ("Logins fail", "Nobody can sign in"),
        ("Key leaked in a log", "Customer data may be exposed"),
        (None, None),
    ]
    table = list(csv.DictReader(io.StringIO(_export(db, "csv", monkeypatch, capsys))))
    assert [(r["summary"], r["impact"]) for r in table] == [
        ("Logins fail", "Nobody can sign in"),
        ("Key leaked in a log", "Customer data may be exposed"),
        ("", ""),
    ]


def test_digest_shows_summary_and_impact_of_public_incidents_only(db: Database) -> None:
    _seed(db)
    with db.unit_of_work() as session:
        report = build_report(session, ZoneInfo("UTC"), now=NOW, week_end=NOW)
    text = json.dumps([[b.to_dict() for b in blocks] for _t, blocks in digest_messages(report)])
    assert "*Summary:* Logins fail" in text and "*Customer impact:* Nobody can sign in" in text
    assert "Key leaked" not in text and "Customer data" not in text
    assert text.count("*Summary:*") == 1


def test_postmortem_header_states_summary_and_impact_when_set(db: Database) -> None:
    incident_id = build_incident(db)
    md = write_draft(db, load_settings(), incident_id, template="default", now=T0).markdown
    assert "(as stated)" not in md, "no row for what nobody stated"
    with db.unit_of_work() as s:
        incident = s.get(Incident, incident_id)
        assert incident is not None
        incident.summary = "Checkout | payments fail"
        incident.impact = "EU shoppers can't pay"
    md = write_draft(db, load_settings(), incident_id, template="default", now=T0).markdown
    header = md.split("## Summary")[0]
    assert "| Summary (as stated) | Checkout \\| payments fail |" in header
    assert "| Customer impact (as stated) | EU shoppers can't pay |" in header
