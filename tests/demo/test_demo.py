"""`incident-bot demo` (the README's first command) runs the whole story with no configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_runs_the_lifecycle_with_no_configuration(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for seen in (
        "channel #inc-1-checkout-returns-500s-for-eu-customers created",
        "message pinned in #inc-1-checkout-returns-500s-for-eu-customers",
        "SEV2* incident 1 declared by @alice",
        "Decision:* Roll back release 4.2",
        "`bogus` is not a status",
        "Incident 1 resolved.",
        # keeping everyone informed (issue 13)
        "in #incidents, in the thread under the announcement and also sent to the channel",
        "Incident 1 escalated sev2 → sev1 by @alice",
        "Update on incident 1* from @alice",
        "announcement edited in place in #incidents",
        "in DM to @carol",
        "Catching up on incident 1: Checkout returns 500s",
        "*Resolution:* Rolled back release 4.2; the EU pods came back healthy",
        "What fixed it, as recorded at resolve: Rolled back release 4.2",
        "Time to detect: 10m",
        "# Postmortem: Checkout returns 500s for EU customers",
        "Action item AI-1 from incident 1 is due soon.",
        "| Declared by | Alice Archer |",  # names, not <@U…>, in the postmortem file
        "by Alice Archer: Roll back release 4.2, because errors began with its deploy.[^",
        "[^1]: [Timeline #",
        "`someday` is not a due date: use YYYY-MM-DD",
        "1 incident declared, 1 resolved",
        "Weekly incident digest",
        "Incident stats · all time",
        '"time_to_detect": 600',
        # guided response, from incident-bot.example.yml
        "Incident 1 can't be resolved yet: set `region` first",
        "Write the postmortem of incident 1",
        "*Type:* database — Databases, replication, storage",
        "user group S0DBAONCALL: @dana, @erin",
        "@dana, @erin invited to #inc-2-primary-database-is-read-only",
        "bookmark 'Database runbook' added",
        "[webhook] POST /hook (signed): declared of incident 2, workflow sev1-call",
        "☑ Check replication lag on the primary",
        "✓ Check replication lag on the primary — @bob",
        "(2 of 3 open)",
    ):
        assert seen in out, f"demo output lacks {seen!r}"
    assert "Traceback" not in out + result.stderr
    assert "Grafana: checkout-api p99 latency" in out
    assert "▏ " in out and "<@U" not in "".join(x for x in out.splitlines() if "▏ " in x)
