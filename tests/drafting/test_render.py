"""Deterministic postmortems: templates, export --format md, redaction rules."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.db import Database
from bot.drafting import templates
from bot.drafting.draft import write_draft
from bot.drafting.redact import Redactor
from bot.errors import IncidentError
from bot.incidents import lifecycle as incidents
from bot.slack.people import Person, remember
from tests.support.drafting import T0, build_incident


def test_export_md_prints_the_deterministic_draft(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    build_incident(db, ["Error rate 40% on checkout", "token=abc123secretvalue seen in logs"])
    with db.unit_of_work() as session:  # what Slack once said about U1 (U2: nothing)
        remember(session, [Person("U1", "Europe/Berlin", "Alice Archer")], T0)
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-used")  # export never calls a model
    assert main(["export", "7", "--format", "md"]) == 0
    md = capsys.readouterr().out

    assert md.startswith("# Postmortem: Checkout returns 500s (incident 7)\n")
    for heading in (
        "## Summary", "## Impact", "## Root causes", "## Trigger", "## Detection",
        "## Resolution", "## Key decisions", "### What went well", "### What went wrong",
        "### Where we got lucky", "## Action items", "## Timeline (UTC)", "## Durations",
    ):  # fmt: skip
        assert f"\n{heading}\n" in md
    assert "<@" not in md  # a Markdown file renders no Slack mention: names, else the id
    assert (
        "SEV2 incident 7 “Checkout returns 500s” was declared 2026-11-26 13:00 UTC by "
        "Alice Archer." in md
    )
    assert "It was resolved 2026-11-26 13:30 UTC, 50m after it started." in md
    assert "Detected 2026-11-26 12:52 UTC, 12m after it started." in md
    assert "- **Roll back deploy 42** — 2026-11-26 13:05 UTC, decided by Alice Archer[^" in md
    assert "  - Rationale: errors began with it\n  - Alternatives considered: hotfix\n" in md
    assert "| AI-1 | Add a canary stage | U2 | 2026-12-03 | open |" in md
    assert (
        "| Time to mitigate | 29m |" in md
        and "| Time to acknowledge | not recorded (no acknowledged time) |" in md
    )
    assert "> ✏️ **To fill in:** Why it happened" in md
    assert "abc123secretvalue" not in md and "token=[REDACTED:secret]" in md
    assert "1 redaction (1 secret)" in md
    lines = [line for line in md.splitlines() if line.startswith("- `2026-")]
    assert [line[3:22] for line in lines] == sorted(line[3:22] for line in lines)
    assert len(lines) == 8


def test_export_md_of_several_incidents(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    build_incident(db)
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("INCIDENT_POSTMORTEM_TEMPLATE", "short")
    assert main(["export", "all", "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith("# Incident 7: Checkout returns 500s (SEV2)")


def test_a_team_adds_a_template_by_dropping_a_file(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "postmortem_templates"
    folder.mkdir()
    (folder / "retro.md.j2").write_text(
        "# Retro {{ incident.number }}\n{% for e in timeline %}{{ e.id }};{% endfor %}\n"
        "{{ sections.summary.claims[0].text }}\n"
    )
    monkeypatch.chdir(tmp_path)
    assert templates.available() == ["default", "retro", "short"]
    incident_id = build_incident(db)
    draft = write_draft(
        db, load_settings(), incident_id, template="retro", now=T0 + timedelta(hours=1)
    )
    assert draft.markdown.startswith("# Retro 7\n") and "SEV2 incident 7" in draft.markdown


def test_unknown_template_lists_the_available_ones() -> None:
    with pytest.raises(IncidentError) as caught:
        templates.resolve("fancy", "default")
    assert caught.value.message == (
        "There is no postmortem template `fancy`. Available: default, short. "
        "Add one as postmortem_templates/<name>.md.j2."
    )
    assert templates.resolve(None, "short") == "short"
    assert "data" in templates.prompt("system")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("xoxb-1234567890-abcdefghij", "[REDACTED:slack-token]"),
        ("xapp-1-A0123456789-abcdef", "[REDACTED:slack-token]"),
        ("https://hooks.slack.com/services/T000/B000/XXXXXXXX", "[REDACTED:slack-webhook]"),
        ("AKIAIOSFODNN7EXAMPLE", "[REDACTED:aws-access-key]"),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG",
            "aws_secret_access_key = [REDACTED:secret]",
        ),
        ("ghp_" + "x" * 36, "[REDACTED:github-token]"),
        ("github_pat_" + "y" * 30, "[REDACTED:github-token]"),
        ("sk-" + "z" * 48, "[REDACTED:openai-key]"),
        (
            "Authorization: Bearer abc.def-ghi_jkl012",
            "Authorization: Bearer [REDACTED:bearer-token]",
        ),
        ('{"password": "p@ss w0rd"}', '{"password": [REDACTED:secret]}'),
        ("redis://:s3cr3t@cache:6379", "redis://[REDACTED:url-credentials]@cache:6379"),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----",
            "[REDACTED:private-key]",
        ),
        ("rolled back 4.2.1 at 13:50, p99 250ms", "rolled back 4.2.1 at 13:50, p99 250ms"),
        ("the token expired; password reset page", "the token expired; password reset page"),
    ],
)
def test_secrets_are_redacted(text: str, expected: str) -> None:
    assert Redactor()(text) == expected


def test_emails_and_ips_only_when_asked() -> None:
    text = "paged ops@example.com about 192.168.10.4 and 2001:db8::8a2e:370:7334"
    assert Redactor({"secrets"})(text) == text
    redactor = Redactor({"secrets", "emails", "ips"})
    assert redactor(text) == "paged [REDACTED:email] about [REDACTED:ip] and [REDACTED:ip]"
    assert redactor.summary() == "3 redactions (1 email, 2 ip)"
    assert (
        Redactor({"ips"})("version 10.2.3.4.5 and 999.1.1.1") == "version 10.2.3.4.5 and 999.1.1.1"
    )


def test_deleted_messages_keep_their_place_but_not_their_text(db: Database) -> None:
    from bot.models import Incident

    incident_id = build_incident(db)
    with db.unit_of_work() as s:
        inc = s.get(Incident, incident_id)
        assert inc is not None
        incidents.add_entry(
            s, inc, at=T0 + timedelta(minutes=2), kind="message", text="regret this message",
            author="U3", now=T0, message_ts="1764162120.000100", deleted=True, source="reaction",
        )  # fmt: skip
    md = write_draft(db, load_settings(), incident_id, template="default", now=T0).markdown
    assert "message · U3 — _(message deleted in Slack)_" in md
    assert "regret this message" not in md


def _table(md: str, after: str) -> list[list[str]]:
    """The first Markdown table after the line `after`: rows of cells, `\\|` unescaped."""
    lines = f"\n{md}".split(f"\n{after}\n", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([c.strip().replace("\\|", "|") for c in cells])
    return [r for r in rows if "".join(r).strip("-")]  # drop the |---| line and | | |


def test_header_and_durations_show_each_duration_under_its_own_name(db: Database) -> None:
    incident_id = build_incident(db)
    md = write_draft(db, load_settings(), incident_id, template="default", now=T0).markdown
    # build_incident: started 12:40, detected 12:52, declared 13:00, mitigated 13:09,
    # resolved 13:30 UTC; never acknowledged.
    header = dict(_table(md, "# Postmortem: Checkout returns 500s (incident 7)"))
    assert header["Time to resolve"] == "50m"
    assert header["Severity"] == "SEV2" and header["Declared by"] == "U1"  # nobody's name known
    assert dict(_table(md, "## Durations")[1:]) == {
        "Started": "2026-11-26 12:40 UTC",
        "Detected": "2026-11-26 12:52 UTC",
        "Declared": "2026-11-26 13:00 UTC",
        "Acknowledged": "not recorded",
        "Mitigated": "2026-11-26 13:09 UTC",
        "Resolved": "2026-11-26 13:30 UTC",
    }
    assert dict(_table(md, "| Duration | Value |")) == {
        "Time to detect": "12m",
        "Time to acknowledge": "not recorded (no acknowledged time)",
        "Time to mitigate": "29m",
        "Time to resolve": "50m",
    }


def test_action_item_text_with_pipes_stays_in_its_cell(db: Database) -> None:
    from bot.models import ActionItem

    incident_id = build_incident(db)
    text = "Alert when p99 | error rate > 5% (see `a|b`)"
    with db.unit_of_work() as s:
        s.add(
            ActionItem(
                incident_id=incident_id, text=text, owner=None, created_by="U1", created_at=T0
            )
        )
    md = write_draft(db, load_settings(), incident_id, template="default", now=T0).markdown
    rows = _table(md, "## Action items")
    assert rows[0] == ["ID", "Action", "Owner", "Due", "Status"]
    assert [len(r) for r in rows] == [5, 5, 5]
    assert [r[1:] for r in rows[1:]] == [
        ["Add a canary stage", "U2", "2026-12-03", "open"],
        [text, "—", "—", "open"],
    ]
