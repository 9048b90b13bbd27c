"""Shared Block Kit pieces keep Slack's limits and say what they cut, never cut silently."""

from __future__ import annotations

from slack_sdk.models.blocks import ContextBlock, SectionBlock

from bot.slack.blocks import SECTION_TEXT_MAX, chunked_sections, clip, pack

SLACK_SECTION_TEXT_LIMIT = 3000  # api.slack.com/reference/block-kit/blocks#section


def test_clip_fits_the_limit_and_says_it_cut() -> None:
    assert SECTION_TEXT_MAX == SLACK_SECTION_TEXT_LIMIT
    exact = "x" * SLACK_SECTION_TEXT_LIMIT
    assert clip(exact) == exact
    for length in (3001, 3012, 10_000):
        cut = clip("y" * length)
        assert len(cut) <= SLACK_SECTION_TEXT_LIMIT and cut.endswith("…(cut)")
    assert clip("a" * 200, 150) == "a" * 138 + " …(cut)"
    SectionBlock(text=clip("z" * 5000)).validate_json()  # slack_sdk accepts it


def test_pack_keeps_every_line_in_order_within_the_limit() -> None:
    lines = [(f"line {n} " + "w" * (n % 97), 1) for n in range(400)]
    sections = pack(lines)
    assert all(len(text) <= SLACK_SECTION_TEXT_LIMIT for text, _ in sections)
    assert "\n".join(text for text, _ in sections) == "\n".join(line for line, _ in lines)
    assert sum(weight for _, weight in sections) == 400


def test_chunked_sections_count_what_did_not_fit() -> None:
    lines = [f"{n:03d} " + "v" * 295 for n in range(100)]  # 299 characters: 10 to a section
    blocks = chunked_sections(lines, max_blocks=4)
    assert [type(b) for b in blocks] == [SectionBlock] * 3 + [ContextBlock]
    shown = "\n".join(b.text.text for b in blocks[:3]).splitlines()
    assert shown == lines[: len(shown)]
    assert blocks[3].elements[0].text == f"…and {100 - len(shown)} more"
    assert len(chunked_sections(lines[:5], max_blocks=4)) == 1
