"""`incident-bot export all --format csv`: one row per incident, milestones and durations."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import main
from bot.db import Database
from bot.incidents.lifecycle import add_entry
from bot.models import Incident
from tests.support.drafting import T0, build_incident
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


# OWASP "CSV Injection": a cell starting with = + - @ tab or carriage return runs as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_csv_cells_never_run_as_formulas(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    titles = [f'{start}HYPERLINK("http://evil")' for start in FORMULA_STARTS]
    titles += ["Checkout down", "a-b=c"]
    with db.unit_of_work() as s:
        for number, title in enumerate(titles, start=1):
            add_incident(s, number, declared=D).title = title
    rows = _export(db, monkeypatch, capsys)
    assert [r["title"] for r in rows] == ["'" + t for t in titles[:-2]] + titles[-2:]
    assert all(r["commander"] == "" for r in rows)  # None is an empty cell, not "None"


# SPEC.md, "Command line": the keys every exported incident has, copied here by hand so that
# renaming a field in bot/export.py breaks this test rather than the people who read exports.
SPEC_INCIDENT_KEYS = {
    "number", "title", "severity", "status", "channel_id", "channel_name", "private",
    "commander", "started_at", "detected_at", "declared_at", "acknowledged_at", "mitigated_at",
    "resolved_at", "time_to_detect", "time_to_acknowledge", "time_to_mitigate",
    "time_to_resolve", "timeline", "action_items",
}  # fmt: skip
SPEC_ENTRY_KEYS = {"id", "at", "kind", "text", "author"}
SPEC_DECISION_KEYS = SPEC_ENTRY_KEYS | {"rationale", "alternatives"}
SPEC_MESSAGE_KEYS = SPEC_ENTRY_KEYS | {"permalink", "deleted"}
SPEC_ACTION_ITEM_KEYS = {"id", "text", "owner", "due", "status"}
SPEC_KINDS = {"decision", "note", "message", "status", "severity", "role", "milestone", "action"}


def test_json_export_has_specs_fields_and_values(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    incident_id = build_incident(db, ["error rate 40%"])
    with db.unit_of_work() as s:
        incident = s.get(Incident, incident_id)
        assert incident is not None
        add_entry(
            s, incident, at=T0 + timedelta(minutes=3), kind="message", text="graphs attached",
            author="U3", now=T0, message_ts="1764162180.000100", source="reaction",
            permalink="https://acme.slack.com/archives/CINC7/p1764162180000100",
        )  # fmt: skip
    monkeypatch.setenv("DATABASE_URL", db.url)
    assert main(["export", "all", "--format", "json"]) == 0
    (exported,) = json.loads(capsys.readouterr().out)

    assert exported.keys() >= SPEC_INCIDENT_KEYS, SPEC_INCIDENT_KEYS - exported.keys()
    assert (exported["number"], exported["severity"], exported["status"]) == (7, "sev2", "resolved")
    assert (exported["channel_id"], exported["private"], exported["commander"]) == (
        "CINC7",
        False,
        "U1",
    )
    # build_incident: declared 13:00, started 12:40, detected 12:52, mitigated 13:09,
    # resolved 13:30 UTC on 2026-11-26; never acknowledged.
    assert exported["started_at"] == "2026-11-26T12:40:00Z"
    assert exported["declared_at"] == "2026-11-26T13:00:00Z"
    assert exported["resolved_at"] == "2026-11-26T13:30:00Z"
    assert exported["acknowledged_at"] is None
    assert (exported["time_to_detect"], exported["time_to_acknowledge"]) == (12 * 60, None)
    assert (exported["time_to_mitigate"], exported["time_to_resolve"]) == (29 * 60, 50 * 60)

    timeline = exported["timeline"]
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)
    for entry in timeline:
        assert entry.keys() >= SPEC_ENTRY_KEYS and entry["kind"] in SPEC_KINDS
    (decision,) = [e for e in timeline if e["kind"] == "decision"]
    assert decision.keys() >= SPEC_DECISION_KEYS
    assert (decision["text"], decision["rationale"], decision["alternatives"]) == (
        "Roll back deploy 42",
        "errors began with it",
        "hotfix",
    )
    (message,) = [e for e in timeline if e["kind"] == "message"]
    assert message.keys() >= SPEC_MESSAGE_KEYS
    assert (message["author"], message["deleted"]) == ("U3", False)
    assert message["permalink"].endswith("/p1764162180000100")
    (item,) = exported["action_items"]
    assert item.keys() >= SPEC_ACTION_ITEM_KEYS
    assert (item["text"], item["owner"], item["due"], item["status"]) == (
        "Add a canary stage",
        "U2",
        "2026-12-03",
        "open",
    )
