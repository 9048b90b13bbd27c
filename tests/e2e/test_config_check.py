"""`incident-bot config check` and start-up checks of INCIDENT_CONFIG, as real processes."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import ROOT, run_cli

BAD = """\
alerts:
  rules:
    - match: {labels: {service: {regex: "(checkout"}}}
      declare: {severity: sev0}
    - triage: {channel: general}
"""


def test_config_check_passes_the_shipped_example(tmp_path: Path) -> None:
    result = run_cli(["config", "check", str(ROOT / "incident-bot.example.yml")], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "OK (4 alert rules, 2 incident types, 3 custom fields, 3 workflows, "
        "3 status page components)" in result.stdout
    )


def test_config_check_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "incident-bot.yml").write_text(BAD)
    result = run_cli(["config", "check"], tmp_path)  # ./incident-bot.yml by default
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("incident-bot.yml line 3: alerts.rules[0].match.labels.service")
    assert (
        lines[1]
        == "incident-bot.yml line 4: alerts.rules[0].declare.severity must be one of sev1-sev4"
    )
    assert lines[2] == (
        "incident-bot.yml line 5: alerts.rules[1].triage.channel must be a channel ID (C…) or #name"
    )
    assert lines[3] == "incident-bot: 3 problem(s) in incident-bot.yml"


def test_config_check_of_a_missing_file(tmp_path: Path) -> None:
    result = run_cli(["config", "check", "nowhere.yml"], tmp_path)
    assert result.returncode == 1
    assert "nowhere.yml line 1: can't be read: No such file or directory" in result.stderr
    assert run_cli(["config", "check"], tmp_path).returncode == 1  # nothing configured


def test_serve_refuses_a_bad_config_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(BAD)
    result = run_cli(
        ["serve"],
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="s",
        INCIDENT_CONFIG="rules.yml",
        DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("incident-bot: rules.yml line 3: alerts.rules[0].match.labels")
    assert lines[0].endswith("(and 2 more: run `incident-bot config check`)")
    assert not (tmp_path / "x.db").exists(), "nothing started half-configured"


def test_short_webhook_token_stops_start_up(tmp_path: Path) -> None:
    result = run_cli(
        ["serve"], tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s",
        INCIDENT_WEBHOOK_TOKEN="short",
    )  # fmt: skip
    assert result.returncode == 2
    assert "INCIDENT_WEBHOOK_TOKEN is malformed: must be at least 16 characters" in result.stderr
