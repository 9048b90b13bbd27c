"""Postmortem drafting bench: deterministic render time and prompt size by timeline length.

Run: .venv/bin/python bench/postmortem.py [--sizes 100,1000,10000]
Builds a SQLite incident per size (notes, decisions, status changes), then times the
deterministic draft (load from the database + redact + render) and measures the prompt that
would be sent to a model (characters, estimated tokens, and whether it needs condensing under
the default INCIDENT_AI_CONTEXT_BUDGET).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import load_settings
from bot.db import Database
from bot.drafting import templates
from bot.drafting.ai import wrap
from bot.drafting.condense import estimate_tokens, prompt_limit
from bot.drafting.draft import prompt_header, prompt_items
from bot.drafting.facts import gather
from bot.drafting.redact import Redactor
from bot.drafting.render import render_incident
from bot.incidents import lifecycle as incidents
from bot.migrate import upgrade
from bot.models import Incident

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def build(db: Database, number: int, entries: int) -> int:
    with db.unit_of_work() as s:
        inc = incidents.declare(
            s,
            now=T0,
            number=number,
            title=f"Bench incident with {entries} entries",
            severity="sev1",
            private=False,
            channel_id=f"CB{number}",
            channel_name=f"inc-{number}-bench",
            declared_by="U1",
        )
        for i in range(entries - 1):
            at = T0 + timedelta(seconds=10 * i)
            if i % 50 == 7:
                incidents.record_decision(
                    s, inc, now=at, at=at, user="U2", text=f"Fail over shard {i % 13}",
                    rationale="primary is saturating its disk", alternatives="wait it out",
                )  # fmt: skip
            else:
                incidents.record_note(
                    s, inc, now=at, at=at, user=f"U{i % 4 + 1}",
                    text=f"p99 latency on shard {i % 13} is {200 + i % 700}ms; checked the pool "
                    f"metrics and the upstream dashboards (host db-{i % 13}.internal)",
                )  # fmt: skip
        s.flush()
        return inc.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,10000")
    sizes = [int(x) for x in parser.parse_args().sizes.split(",")]
    settings = load_settings()
    budget = settings.INCIDENT_AI_CONTEXT_BUDGET
    system, instructions = templates.prompt("system"), templates.prompt("draft")
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        upgrade(db)
        print(f"{'entries':>8} {'render s':>9} {'md chars':>9} {'prompt chars':>13} "
              f"{'~tokens':>8} {'fits budget':>12}")  # fmt: skip
        for number, size in enumerate(sizes, start=1):
            incident_id = build(db, number, size)
            with db.unit_of_work() as s:
                incident = s.get(Incident, incident_id)
                assert incident is not None
                started = time.perf_counter()
                markdown = render_incident(s, incident, settings, now=T0)
                elapsed = time.perf_counter() - started
                facts = gather(s, incident, Redactor(settings.redact))
            payload = {"incident": prompt_header(facts), "timeline": prompt_items(facts)}
            prompt = system + wrap(instructions, payload)
            tokens = estimate_tokens(prompt)
            fits = "yes" if tokens <= prompt_limit(budget) else "condensed"
            print(f"{size:>8} {elapsed:>9.3f} {len(markdown):>9,} {len(prompt):>13,} "
                  f"{tokens:>8,} {fits:>12}")  # fmt: skip
        print(f"(tokens estimated at 3 chars/token; budget {budget:,} tokens, "
              f"prompt limit {prompt_limit(budget):,})")  # fmt: skip
        db.dispose()


if __name__ == "__main__":
    main()
