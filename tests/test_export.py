"""`incident-bot export all --format csv`: one row per incident, milestones and durations."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import main
from bot.db import Database
from tests.support.stats_factory import add_incident

D = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)


def _export(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> list[dict[str, str]]:
    monkeypatch.setenv("DATABASE_URL", db.url)
    assert main(["export", "all", "--format", "csv", *args]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def _seed(db: Database) -> None:
    with db.unit_of_work() as s:
        add_incident(
            s,
            1,
            declared=D,
            severity="sev2",
            started=datetime(2026, 11, 20, 22, 10, tzinfo=UTC),
            detected=datetime(2026, 11, 20, 22, 25, tzinfo=UTC),
            acknowledged=datetime(2026, 11, 20, 22, 41, tzinfo=UTC),
            mitigated=datetime(2026, 11, 22, 14, 3, tzinfo=UTC),
            resolved=datetime(2026, 11, 23, 8, 5, tzinfo=UTC),
        )
        inc = add_incident(s, 2, declared=D + timedelta(days=2), private=True)
        inc.title = 'Payments "EU", down\nagain'
        add_incident(s, 3, declared=D + timedelta(days=5), severity="sev1")


def test_csv_has_one_row_per_incident_with_milestones_and_exact_durations(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(db)
    rows = _export(db, monkeypatch, capsys)
    assert [r["number"] for r in rows] == ["1", "2", "3"]
    first = rows[0]
    assert first["started_at"] == "2026-11-20T22:10:00Z"
    assert first["resolved_at"] == "2026-11-23T08:05:00Z"
    assert (first["time_to_detect"], first["time_to_acknowledge"]) == ("900", "960")
    assert first["time_to_mitigate"] == str(86400 + 15 * 3600 + 53 * 60)
    assert first["time_to_resolve"] == str(2 * 86400 + 9 * 3600 + 55 * 60)
    second = rows[1]
    assert second["title"] == 'Payments "EU", down\nagain'  # quoting survives a round trip
    assert second["private"] == "true" and second["severity"] == "sev3"
    # missing milestones are empty, never zero
    assert second["resolved_at"] == "" and second["time_to_resolve"] == ""
    assert second["time_to_detect"] == ""
    for column in ("declared_at", "acknowledged_at", "mitigated_at", "time_to_mitigate"):
        assert column in first


def test_since_and_until_select_by_declared_day_inclusive(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(db)
    rows = _export(db, monkeypatch, capsys, "--since", "2026-11-22", "--until", "2026-11-22")
    assert [r["number"] for r in rows] == ["2"]
    rows = _export(db, monkeypatch, capsys, "--since", "2026-11-21")
    assert [r["number"] for r in rows] == ["2", "3"]
    rows = _export(db, monkeypatch, capsys, "--until", "2026-11-20")
    assert [r["number"] for r in rows] == ["1"]


def test_empty_export_is_just_the_header(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _export(db, monkeypatch, capsys) == []


def test_csv_cells_never_run_as_formulas() -> None:
    from bot.export import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("Checkout down") == "Checkout down"
    assert _cell(None) == "" and _cell(42) == 42
