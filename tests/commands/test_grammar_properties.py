"""The `/incident` grammar, by property (Hypothesis): any text either parses to a command whose
parts come back exactly as typed, or is refused with one IncidentError line — never another
exception, never a clause silently swallowed into the text."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.errors import IncidentError
from bot.parsing import parse_due, parse_user, read_time
from handlers.commands.grammar import (
    SUBCOMMANDS,
    parse,
    parse_action,
    parse_declare,
    split_at,
    split_because,
)

NOW = datetime(2026, 11, 27, 8, 10, tzinfo=UTC)
TODAY = date(2026, 11, 27)
ZONES = [ZoneInfo(z) for z in ("UTC", "America/Los_Angeles", "Asia/Kolkata", "Europe/Berlin")]
# Words the grammar gives meaning to, mixed into arbitrary text so examples hit its edges.
TRICKY = [
    "due", "Due", "DUE", "at", "At", "because", "yesterday", "today", "tomorrow", "friday",
    "next", "eow", "in", "a", "3", "days", "weeks", "13:50", "23:59", "24:00", "2026-11-25",
    "2026-02-30", "2026-11-25T13:50+01:00", "<@U2>", "<@U3|carol>", "<@W9>", "@bob", "<#C1|x>",
    "sev1", "sev9", "--private", "--loud", "&lt;", "&amp;", "overdue", "due:", "\n", "\t",
    " ", "é", "🙂", "\u00a0", "\u2028", "\x00", "\x1f",
]  # fmt: skip
words = st.one_of(st.sampled_from(TRICKY), st.text(max_size=8))
texts = st.one_of(st.lists(words, max_size=12).map(" ".join), st.text(max_size=40))
mentions = st.sampled_from(["<@U2>", "<@U3|carol>", "<@W0TEAM9>"])
due_phrases = st.sampled_from(
    ["2026-12-01", "today", "tomorrow", "in 3 days", "in 2 weeks", "in a week", "friday",
     "Friday", "next friday", "next  monday", "eow", "sat", "next Sun"]
)  # fmt: skip
time_phrases = st.sampled_from(
    ["13:50", "0:05", "23:59", "yesterday 23:59", "YESTERDAY 00:00", "2026-11-25 13:50",
     "2026-11-25T13:50", "2026-11-25T13:50+01:00", "2026-11-25T13:50:00Z"]
)  # fmt: skip
_DUE_WORD = re.compile(r"(^|\s)due(\s|$)", re.IGNORECASE)
_ENDS_WITH_MENTION = re.compile(r"<@[UW][A-Z0-9]+(\|[^>]*)?>\s*$")


def one_line(error: IncidentError) -> None:
    assert error.message and len(error.message.splitlines()) == 1, error.message


@given(texts)
@example("note\x00oops")
@example("due")
def test_any_command_text_parses_or_is_refused_in_one_line(text: str) -> None:
    try:
        command = parse(text)
    except IncidentError as exc:
        one_line(exc)
        return
    assert command.name in SUBCOMMANDS
    assert command.rest == command.rest.strip()
    if command.rest:  # the rest is exactly what followed the subcommand word
        assert text.strip().endswith(command.rest)


@given(texts, st.sampled_from(ZONES))
@example("2026-11-25T13:50+25:00", ZONES[0])
@example("yesterday 24:00", ZONES[1])
def test_any_time_is_read_or_refused_naming_the_zone(text: str, zone: ZoneInfo) -> None:
    try:
        typed = read_time(text, NOW, zone)
    except IncidentError as exc:
        one_line(exc)
        assert zone.key in exc.message or "offset" in exc.message
        return
    assert typed.at.tzinfo is not None and typed.at <= NOW + timedelta(minutes=1)


@given(texts)
def test_any_due_date_is_a_day_not_in_the_past_or_one_line_naming_the_forms(text: str) -> None:
    try:
        due = parse_due(text, TODAY)
    except IncidentError as exc:
        one_line(exc)
        assert "YYYY-MM-DD, today, tomorrow" in exc.message or "in the past" in exc.message
        return
    assert due >= TODAY


@given(texts)
def test_any_mention_or_not(text: str) -> None:
    try:
        user = parse_user(text)
    except IncidentError as exc:
        one_line(exc)
        return
    assert re.fullmatch(r"[UW][A-Z0-9]+", user)


@given(time_phrases, texts)
def test_a_typed_time_and_the_text_come_back_exactly(time_phrase: str, text: str) -> None:
    if re.match(r"at\s", text.strip(), re.IGNORECASE):
        text = "x " + text  # a text starting "at …" would itself be a time clause
    raw, rest = split_at(f"at {time_phrase} {text}")
    assert (raw, rest) == (time_phrase, text.strip())
    assert split_at(text) == (None, text)


@given(texts, st.one_of(st.none(), texts))
def test_what_and_why_of_a_decision_come_back_exactly(what: str, why: str | None) -> None:
    what = re.sub(r"(?i)(?<!\S)because(?!\S)", "since", what).strip()  # the one clause word
    typed = what if why is None else f"{what} because {why}"
    assert split_because(typed) == (what, why.strip() or None if why is not None else None)


@given(
    st.lists(st.sampled_from(["sev1", "SEV2", "sev4", "--private"]), max_size=3),
    texts,
)
def test_a_title_comes_back_exactly_after_its_flags(flags: list[str], title: str) -> None:
    if re.match(r"(sev\d+|--)", title.strip(), re.IGNORECASE):
        title = "x " + title  # a title starting with a flag would be read as one
    severity, private, parsed, _type = parse_declare(" ".join([*flags, title]))
    assert parsed == title.strip()
    assert private == ("--private" in flags)
    assert severity == next((f.lower() for f in reversed(flags) if f != "--private"), None)


@given(texts, st.one_of(st.none(), mentions), st.one_of(st.none(), due_phrases), st.booleans())
@example("Fix the due date logic", None, "friday", False)
@example("Ask <@U3> about it", "<@U2>", None, False)
def test_an_action_comes_back_exactly_or_is_refused(
    text: str, owner: str | None, due: str | None, owner_last: bool
) -> None:
    clauses = [f"due {due}"] if due else []
    if owner:
        clauses.insert(len(clauses) if owner_last else 0, owner)
    typed = " ".join([text, *clauses])
    clause_free = not _DUE_WORD.search(text) and not _ENDS_WITH_MENTION.search(text)
    try:
        parsed = parse_action(typed)
        if parsed[2] is not None:
            parse_due(parsed[2], TODAY)
    except IncidentError as exc:
        one_line(exc)
        assert not clause_free, "a text without clause words must never be refused"
        return
    if clause_free:
        assert parsed == (text.strip(), owner, due and " ".join(due.split()))
    else:  # the text itself holds a clause: nothing is lost, whatever it is read as
        said = [parsed[0], parsed[1] or "", f"due {parsed[2]}" if parsed[2] is not None else ""]
        assert sorted(typed.lower().split()) == sorted(" ".join(said).lower().split())


@settings(max_examples=300)
@given(texts)
@example("Check what is due next friday")
def test_a_due_clause_is_never_swallowed_into_the_text(text: str) -> None:
    """If the text says `due`, the last `due` starts a due date: it is read (and then checked
    by parse_due) or refused, never kept as part of the item's text."""
    try:
        item_text, _owner, due = parse_action(f"Fix it {text}")
    except IncidentError as exc:
        one_line(exc)
        return
    if _DUE_WORD.search(text):
        assert due is not None
        assert f"Fix it {text}".strip().startswith(item_text)
