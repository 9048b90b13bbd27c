"""The pure rules of delivery: how a lane's rows are grouped, and how posts are paced."""

from __future__ import annotations

from bot.models import Outbox
from bot.outbox.delivery import Kind, grouped
from bot.slack.pacing import POST_BURST, Pacer


def _rows(*kinds: str) -> list[Outbox]:
    return [Outbox(id=n, kind=kind, channel="C1") for n, kind in enumerate(kinds, start=1)]


def _send(rows: list[Outbox], now: object) -> str:
    return "sent"


KINDS = {
    "echo": Kind(_send, group="merge", most=3),
    "card": Kind(_send, group="latest", posts=False),
    "announce": Kind(_send),
}


def test_consecutive_echoes_merge_and_cards_collapse_into_one_update() -> None:
    rows = _rows("echo", "echo", "card", "echo", "echo", "echo", "echo", "card", "announce")
    groups = [[r.id for r in group] for group in grouped(rows, KINDS)]
    assert groups == [[1, 2], [3, 8], [4, 5, 6], [7], [9]]


def test_unknown_kinds_go_alone() -> None:
    assert [[r.id for r in g] for g in grouped(_rows("x", "x"), KINDS)] == [[1], [2]]


def test_posts_are_paced_per_channel_with_a_small_burst() -> None:
    now = [0.0]
    pacer = Pacer(clock=lambda: now[0])
    waits = [pacer.take("chat.postMessage", "C1") for _ in range(int(POST_BURST) + 1)]
    assert waits[:-1] == [0.0] * int(POST_BURST) and 0.9 < waits[-1] <= 1.0
    assert pacer.take("chat.postMessage", "C2") == 0.0, "another channel has its own bucket"
    now[0] += 1.0
    assert pacer.take("chat.postMessage", "C1") == 0.0
    assert pacer.take("conversations.invite", "C1") == 0.0, "only paced methods wait"


def test_a_workspace_methods_429_holds_it_until_retry_after() -> None:
    now = [0.0]
    pacer = Pacer(clock=lambda: now[0])
    pacer.block("conversations.setTopic", "C1", 30)
    assert pacer.wait("conversations.setTopic") > 29
    now[0] += 31
    assert pacer.take("conversations.setTopic") == 0.0
