"""`incident-bot config check|explain|schema` and start-up on the guided-response sections, as
real processes: every problem with its line and column, a template that tries to leave its
sandbox refused, serve stopped with one line, the dry run naming what would happen."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from bot.configfile import parse
from bot.playbook.load import read_playbook, schema
from bot.playbook.templates import SAMPLE, render
from tests.support.cli import ROOT, run_cli

BAD = """\
incident_types:
  database: {default_severity: sev0, workflows: [db]}
custom_fields:
  region: {kind: select}
  Bad Name: {kind: text}
workflows:
  db:
    trigger: declared
    steps:
      - post: {text: "{{ ''.__class__ }}"}
      - invite: {groups: [general]}
      - frobnicate: {x: 1}
      - remind: {after: soon, text: hi}
  escape:
    trigger: declared
    steps:
      - post: {text: "{{ incident.title.__class__.__mro__ }}"}
"""


def test_config_check_names_line_column_and_problem_of_each(tmp_path: Path) -> None:
    (tmp_path / "incident-bot.yml").write_text(BAD)
    result = run_cli(["config", "check"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "incident-bot.yml line 2 column 14: incident_types.database.default_severity: 'sev0' "
        "is not one of: sev1, sev2, sev3, sev4",
        "incident-bot.yml line 4 column 3: custom_fields.region: a select field needs `options`",
        "incident-bot.yml line 5 column 3: custom_fields: 'Bad Name' is not lowercase, "
        "digits, - and _",
        "incident-bot.yml line 10 column 16: workflows.db.steps[0].post.text: `__class__` is "
        "outside the incident's fields: templates run in a sandbox",
        "incident-bot.yml line 11 column 27: workflows.db.steps[1].invite.groups[0]: 'general' "
        "is not a user group ID (S…)",
        "incident-bot.yml line 12 column 9: workflows.db.steps[2]: a step is one mapping with "
        "one of: invite, assign_role, post, bookmark, checklist, remind, action_item, webhook",
        "incident-bot.yml line 13 column 18: workflows.db.steps[3].remind.after: 'soon' is not "
        "e.g. 30m, 2h, 1d",
        "incident-bot.yml line 17 column 16: workflows.escape.steps[0].post.text: `__mro__` "
        "is outside the incident's fields: templates run in a sandbox",
        "incident-bot: 8 problem(s) in incident-bot.yml",
    ]


def test_serve_refuses_a_bad_config_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "incident-bot.yml").write_text(BAD)
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    result = run_cli(["serve"], tmp_path, **env)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("incident-bot: incident-bot.yml line 2 column 14: incident_types.")
    assert line.endswith("(and 7 more: run `incident-bot config check`)")
    assert not (tmp_path / "x.db").exists(), "nothing started half-configured"


def test_explain_is_a_dry_run_of_the_shipped_example(tmp_path: Path) -> None:
    example = str(ROOT / "incident-bot.example.yml")
    result = run_cli(
        ["config", "explain", example, "--severity", "sev1", "--type", "database"], tmp_path
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "On declared of a sev1 database incident, 2 workflow(s) run:"
    assert "    1. invite members of user group S0DBAONCALL" in lines
    assert "    1. bookmark 'Incident call' → https://meet.example.com/inc-42" in lines
    quiet = run_cli(["config", "explain", example, "--severity", "sev4"], tmp_path)
    assert quiet.stdout.startswith("On declared of a sev4 incident, 0 workflow(s) run:")
    unknown = run_cli(["config", "explain", example, "--type", "network"], tmp_path)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "`network` is not an incident type (types: database, security)"


def test_the_schema_is_the_models_and_validates_the_example(tmp_path: Path) -> None:
    printed = run_cli(["config", "schema"], tmp_path)
    assert json.loads(printed.stdout) == schema()
    document = parse((ROOT / "incident-bot.example.yml").read_text(), "example")
    jsonschema.validate(dict(document.data), schema())
    assert read_playbook(document).workflows


def test_the_sandbox_refuses_at_render_time_too() -> None:
    """Defence in depth: a template that got past the check still can't reach out."""
    try:
        out = render("{{ incident.title.__class__ }}", SAMPLE)
    except Exception as exc:  # the sandbox raises SecurityError or renders nothing
        assert "unsafe" in str(exc) or "access" in str(exc)
    else:
        assert "class" not in out
