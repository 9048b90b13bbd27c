"""Fitting a timeline into the model's context budget: map-reduce condensation, never truncation.

Tokens are estimated conservatively (3 characters per token). When the whole timeline fits, it is
sent as is. Otherwise it is cut into chunks that each fit, every chunk is condensed into events
that cite the entries they summarise, and the events replace the timeline; repeated until it fits.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from bot.drafting import templates
from bot.drafting.ai import DIGEST_SCHEMA, Call, DraftFailure, encode, parse_digest, wrap

CHARS_PER_TOKEN = 3
MAX_ROUNDS = 5
MAX_REQUESTS = 400  # a bound on cost and time; beyond it the deterministic draft is posted
PARALLEL = 4


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def prompt_limit(budget_tokens: int) -> int:
    """Tokens a request's messages may use: the budget minus room for the answer."""
    return budget_tokens - min(4096, budget_tokens // 4)


def _ids(item: dict[str, Any]) -> set[int]:
    return set(item["cites"]) if "cites" in item else {item["id"]}


def _size(items: list[dict[str, Any]]) -> int:
    return sum(len(encode(i)) + 1 for i in items)


def chunks(items: list[dict[str, Any]], room_chars: int) -> list[list[dict[str, Any]]]:
    """Consecutive runs of items whose encoded size fits `room_chars`."""
    out: list[list[dict[str, Any]]] = [[]]
    used = 0
    for item in items:
        size = len(encode(item)) + 1
        if size > room_chars:
            raise DraftFailure(
                f"too long: timeline entry {sorted(_ids(item))[0]} alone exceeds "
                "INCIDENT_AI_CONTEXT_BUDGET"
            )
        if used + size > room_chars and out[-1]:
            out.append([])
            used = 0
        out[-1].append(item)
        used += size
    return out


def fit(
    items: list[dict[str, Any]],
    header: dict[str, Any],
    *,
    budget_tokens: int,
    overhead_chars: int,
    call: Call,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Items that fit beside `overhead_chars` within the budget, and notes on what was done."""
    limit_chars = prompt_limit(budget_tokens) * CHARS_PER_TOKEN
    if overhead_chars + _size(items) <= limit_chars:
        return items, []
    system = templates.prompt("system")
    instructions = templates.prompt("condense")
    original, requests, rounds = len(items), 0, 0
    while overhead_chars + _size(items) > limit_chars:
        rounds += 1
        if rounds > MAX_ROUNDS:
            raise DraftFailure("too long: the timeline could not be condensed within the budget")
        skeleton = wrap(instructions, {"incident": header, "part": "00/00", "timeline": []})
        room = limit_chars - len(system) - len(skeleton) - 64
        if room <= 0:
            raise DraftFailure("too long: INCIDENT_AI_CONTEXT_BUDGET is too small for the prompt")
        parts = chunks(items, room)
        if requests + len(parts) > MAX_REQUESTS:
            raise DraftFailure(
                f"too long: condensing would take more than {MAX_REQUESTS} model requests"
            )
        before = _size(items)
        items = _condense(parts, header, system, instructions, call)
        requests += len(parts)
        if _size(items) >= before:
            raise DraftFailure("too long: condensing the timeline did not make it shorter")
    note = (
        f"The timeline ({original:,} entries) was longer than the model's context budget, so it "
        f"was condensed in {rounds} round{'s' if rounds > 1 else ''} ({requests} requests) before "
        "drafting; the timeline in this document is complete."
    )
    return items, [note]


def _condense(
    parts: list[list[dict[str, Any]]],
    header: dict[str, Any],
    system: str,
    instructions: str,
    call: Call,
) -> list[dict[str, Any]]:
    def one(index: int) -> list[dict[str, Any]]:
        part = parts[index]
        allowed = set().union(*(_ids(i) for i in part))
        payload = {"incident": header, "part": f"{index + 1}/{len(parts)}", "timeline": part}
        user = wrap(instructions, payload)
        digest = call("condense", system, user, "timeline_digest", DIGEST_SCHEMA, parse_digest)
        events = []
        for event in digest.events:
            cites = sorted({c for c in event.cites if c in allowed})
            if cites:  # an event resting on nothing real is dropped here
                events.append({"at": event.at[:40], "text": event.text[:2000], "cites": cites})
        return events

    # The first failure ends the run: pending chunks are cancelled, not sent.
    results: list[list[dict[str, Any]]] = [[] for _ in parts]
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(parts))) as pool:
        futures = {pool.submit(one, index): index for index in range(len(parts))}
        try:
            for future in as_completed(futures):
                results[futures[future]] = future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return [event for events in results for event in events]


def request_tokens(body: dict[str, Any]) -> int:
    """Estimated prompt tokens of a recorded Chat Completions request body (tests, bench)."""
    return estimate_tokens("".join(m["content"] for m in body["messages"]))
