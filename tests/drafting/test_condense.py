"""Timelines longer than the context budget are condensed (map-reduce), never truncated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import load_settings
from bot.drafting.ai import DraftFailure, make_client
from bot.drafting.audit import AuditRecord
from bot.drafting.condense import prompt_limit, request_tokens
from bot.drafting.draft import ai_narrative
from bot.drafting.facts import Entry, Facts
from bot.drafting.redact import Redactor
from bot.drafting.render import render_markdown
from tests.support.fake_openai import FakeOpenAI, request_data

T0 = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)


def big_facts(n: int) -> Facts:
    redactor = Redactor()
    timeline = [
        Entry(
            id=i + 1,
            at=T0 + timedelta(seconds=i),
            kind="message",
            text=redactor.text(
                f"entry {i}: shard {i % 17} p99 latency {i % 900}ms; still investigating the "
                f"upstream connection pool (token=tok{i:06d}secret)"
            ),
            author=f"U{i % 5 + 1}",
        )
        for i in range(n)
    ]
    return Facts(
        number=9,
        title="Slow everything",
        severity="sev1",
        status="resolved",
        channel_id="C9",
        channel_name="inc-9-slow-everything",
        private=False,
        commander="U1",
        declared_by="U1",
        milestones={"declared": T0, "resolved": T0 + timedelta(hours=2)},
        durations={"time_to_resolve": 7200},
        roles=[("commander", "U1")],
        timeline=timeline,
        action_items=[],
        redactor=redactor,
    )


def test_a_5000_entry_timeline_is_condensed_and_every_request_fits(fake: FakeOpenAI) -> None:
    budget = 8000
    settings = load_settings(
        OPENAI_API_KEY="k", OPENAI_BASE_URL=fake.url, INCIDENT_AI_CONTEXT_BUDGET=budget
    )
    facts = big_facts(5000)
    audits: list[AuditRecord] = []
    narrative = ai_narrative(facts, settings, make_client(settings), audits)

    names = [b["response_format"]["json_schema"]["name"] for b in fake.requests]
    assert names[-1] == "postmortem_narrative" and set(names[:-1]) == {"timeline_digest"}
    assert len(names) > 10
    limit = prompt_limit(budget)
    assert max(request_tokens(b) for b in fake.requests) <= limit
    # Nothing was dropped: the first round of condensation saw every entry exactly once.
    first_round = [
        item["id"]
        for body in fake.requests
        if body["response_format"]["json_schema"]["name"] == "timeline_digest"
        for item in request_data(body)["timeline"]
        if "id" in item
    ]
    assert sorted(first_round) == list(range(1, 5001))
    cited = {i for claims in narrative.sections.values() for c in claims for i in c.citations}
    assert cited and cited <= facts.entry_ids
    assert narrative.ai_model and "5,000 entries" in narrative.notes[0]
    purposes = {"timeline_digest": "condense", "postmortem_narrative": "draft"}
    assert sorted(a.purpose for a in audits) == sorted(purposes[n] for n in names)
    assert all(a.outcome == "ok" for a in audits)
    # The document still carries the whole timeline, deterministically.
    md = render_markdown(facts, narrative, template="default", generated_at=T0)
    assert md.count("\n- `2026-11-26") == 5000
    assert "was condensed in" in md and "the timeline in this document is complete" in md
    assert "tok000001secret" not in md and "tok000001secret" not in str(fake.requests)


def test_a_budget_too_small_for_one_entry_fails_clearly(fake: FakeOpenAI) -> None:
    settings = load_settings(
        OPENAI_API_KEY="k", OPENAI_BASE_URL=fake.url, INCIDENT_AI_CONTEXT_BUDGET=700
    )
    with pytest.raises(DraftFailure, match="too long"):
        ai_narrative(big_facts(50), settings, make_client(settings), [])
