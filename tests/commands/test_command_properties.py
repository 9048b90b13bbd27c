"""The same property through our whole command path (the table of interpreters, use cases, the
database on SQLite and PostgreSQL, Slack answered by FakeSlack): whatever is typed in an incident
channel is done or refused in one IncidentError line, and stored text is exactly what was typed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.db import Database
from bot.errors import IncidentError
from bot.incidents.service import IncidentService
from bot.models import ActionItem, Incident, TimelineEntry
from bot.parsing import parse_due
from bot.wiring import Deps
from handlers.commands.grammar import SUBCOMMANDS
from handlers.commands.table import run
from tests.commands.test_grammar_properties import due_phrases, one_line, texts
from tests.support.fakeslack import FakeSlack
from tests.support.scheduling import make_deps, open_incident

NOW = datetime(2026, 11, 27, 8, 10, tzinfo=UTC)
# stats draws charts and postmortem renders documents: slow, and tested on their own
LIGHT = sorted(SUBCOMMANDS - {"stats", "postmortem"})
THROUGH_THE_APP = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# What the text check refuses: C0 and C1 control characters but tab, newline and CR.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_AT_CLAUSE = re.compile(r"at(\s|$)", re.IGNORECASE)
_TOKEN = re.compile(r"(<[@#][A-Z0-9]+(?:\|[^<>]*)?>)")
_ESCAPE = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BROADCAST = re.compile(r"(?i)(?<![\w@])@(channel|here|everyone)\b")


def _as_slack_sends(text: str) -> str:
    """Text as it reaches the app: Slack escapes &, < and > outside its tokens, and sends
    no carriage returns; a bare @here is a broadcast, which stored text defuses on purpose."""
    parts = _TOKEN.split(text.replace("\r\n", "\n").replace("\r", "\n"))
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"[&<>]", lambda m: _ESCAPE[m.group()], parts[i])
    return _BROADCAST.sub(r"@ \1", "".join(parts))


@pytest.fixture
def deps(db: Database, fake: FakeSlack) -> Deps:
    return make_deps(db, fake, NOW)


@pytest.fixture
def channel(deps: Deps, fake: FakeSlack) -> str:
    return open_incident(deps.db, fake, NOW).channel_id


def _type(deps: Deps, channel: str, text: str) -> None:
    run(text, user="U1", channel=channel, trigger_id=None, service=IncidentService(deps))


def _plain(text: str) -> str:
    """A text no clause can claim (it doesn't start with `at …`, and says no `because`), as
    Slack sends it."""
    text = _as_slack_sends(re.sub(r"(?i)(?<!\S)because(?!\S)", "since", text))
    return "x " + text if _AT_CLAUSE.match(text.strip()) else text


@THROUGH_THE_APP
@given(st.sampled_from(LIGHT), texts)
@example(name="acknowledged", rest="0\r0")  # found by Hypothesis: an error quoting a line break
@example(name="note", rest="PostgreSQL can't store \x00")  # and a NUL (psycopg DataError)
def test_anything_typed_in_an_incident_channel_is_done_or_refused_in_one_line(
    deps: Deps, channel: str, name: str, rest: str
) -> None:
    try:
        _type(deps, channel, f"{name} {rest}")
    except IncidentError as exc:  # anything else fails the test
        one_line(exc)


@THROUGH_THE_APP
@given(texts.map(_plain), st.one_of(st.none(), texts.map(_as_slack_sends)))
@example(text="", why="")  # found by Hypothesis: "decision because" stored "because"
def test_notes_and_decisions_are_stored_exactly_as_typed(
    deps: Deps, channel: str, text: str, why: str | None
) -> None:
    command = f"decision {text} because {why}" if why is not None else f"note {text}"
    try:
        _type(deps, channel, command)
    except IncidentError as exc:
        one_line(exc)
        assert not text.strip() or _CONTROL.search(command), exc.message
        return
    with deps.db.unit_of_work() as session:
        entry = session.scalars(select(TimelineEntry).order_by(TimelineEntry.id.desc())).first()
        assert entry is not None and entry.text == text.strip()
        assert entry.rationale == ((why or "").strip() or None)


@THROUGH_THE_APP
@given(
    texts.map(_plain),
    st.one_of(st.none(), st.sampled_from(["<@U2>", "<@U3|carol>"])),
    st.one_of(st.none(), due_phrases),
)
def test_action_items_are_stored_exactly_as_typed(
    deps: Deps, channel: str, text: str, owner: str | None, due: str | None
) -> None:
    command = " ".join(["action", text, owner or "", f"due {due}" if due else ""])
    try:
        _type(deps, channel, command)
    except IncidentError as exc:
        one_line(exc)
        says_a_clause = re.search(r"(?i)(^|\s)due(\s|$)|<@[UW][A-Z0-9]+[^>]*>\s*$", text)
        bare_at = re.search(r"(?:^|\s)@[\w.\-]+\s*$", text.strip())
        assert not text.strip() or _CONTROL.search(command) or says_a_clause or bare_at
        return
    with deps.db.unit_of_work() as session:
        item = session.scalars(select(ActionItem).order_by(ActionItem.id.desc())).first()
        incident = session.scalars(select(Incident)).one()
        assert item is not None and item.incident_id == incident.id
        if re.search(r"(?i)(^|\s)due(\s|$)|<@[UW][A-Z0-9]+[^>]*>\s*$", text):
            return  # the text held a clause of its own: the grammar tests say what becomes of it
        assert item.text == text.strip()
        assert item.owner == (owner[2:4] if owner else None)
        assert item.due == (parse_due(due, date(2026, 11, 27)) if due else None)
