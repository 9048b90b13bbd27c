"""Timeline pagination: every entry on exactly one page, the latest page full."""

from __future__ import annotations

import math

import pytest

from bot.timeline.pages import PAGE_SIZE, page_window


@pytest.mark.parametrize("total", [0, 1, 19, 20, 21, 40, 2001])
def test_pages_cover_every_entry_once_and_latest_is_full(total: int) -> None:
    pages = max(1, math.ceil(total / PAGE_SIZE))
    seen: list[int] = []
    for page in range(1, pages + 1):
        offset, limit = page_window(total, page)
        assert 0 <= limit <= PAGE_SIZE
        seen += range(offset, offset + limit)
    assert seen == list(range(total))
    assert page_window(total, pages)[1] == min(total, PAGE_SIZE)


def test_two_thousand_and_one_entries() -> None:
    assert page_window(2001, 101) == (1981, 20)
    assert page_window(2001, 1) == (0, 1)
