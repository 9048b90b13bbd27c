"""Due dates as people type them, counted from the typist's own today, through the running app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.models import ActionItem
from tests.support.harness import SlackHarness

LARA, KIRAN = "U7", "U8"
# Wed 2026-11-25 12:00 in Los Angeles; already Thu 2026-11-26 01:30 in Kolkata.
WEDNESDAY_NOON_IN_LA = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
FORMS = "use YYYY-MM-DD, today, tomorrow, in N days, in N weeks, a weekday (friday: the coming one)"


@pytest.fixture
def app(make_slack: Callable[..., SlackHarness]) -> SlackHarness:
    slack = make_slack()
    slack.fake.add_user(LARA, "lara", tz="America/Los_Angeles")
    slack.fake.add_user(KIRAN, "kiran", tz="Asia/Kolkata")
    slack.clock = lambda: WEDNESDAY_NOON_IN_LA
    return slack


def _items(app: SlackHarness) -> dict[str, ActionItem]:
    with app.deps.db.unit_of_work() as session:
        return {i.text: i for i in session.scalars(select(ActionItem))}


def _add(app: SlackHarness, text: str, user: str, channel: str) -> str:
    """Type `/incident action …` and return the one line the typist got back."""
    app.forget_replies()
    app.command(f"action {text}", user=user, channel=channel)
    (line,) = app.wait_reply()
    return line


def test_every_due_date_form(app: SlackHarness) -> None:
    channel = app.declare("Follow-ups", user=LARA)
    typed = {
        "by date": ("due 2026-12-01", date(2026, 12, 1)),
        "by today": ("due today", date(2026, 11, 25)),
        "by tomorrow": ("due tomorrow", date(2026, 11, 26)),
        "in days": ("due in 3 days", date(2026, 11, 28)),
        "in weeks": ("due in 2 weeks", date(2026, 12, 9)),
        "by friday": ("due friday", date(2026, 11, 27)),
        "by next friday": ("due next friday", date(2026, 12, 4)),
        "by eow": ("due eow", date(2026, 11, 27)),
        "with an owner after": ("due Monday <@U2>", date(2026, 11, 30)),
    }
    for text, (due, _day) in typed.items():
        assert _add(app, f"{text} {due}", LARA, channel).startswith("Added AI-")
    items = _items(app)
    assert {text: items[text].due for text in typed} == {t: d for t, (_, d) in typed.items()}
    assert items["with an owner after"].owner == "U2"
    # The echo names the day, so "next friday" shows which Friday was meant.
    _add(app, "Which Friday due next friday", LARA, channel)
    echo = "Which Friday — no owner yet, due Fri 2026-12-04"
    app.fake.wait_for(lambda f: any(echo in p for p in app.posts(channel)), what=echo)


def test_today_is_the_typists_own_date(app: SlackHarness) -> None:
    channel = app.declare("Follow-ups", user=KIRAN)
    _add(app, "in Kolkata today due today", KIRAN, channel)
    _add(app, "in Kolkata friday due friday", KIRAN, channel)
    items = _items(app)
    assert items["in Kolkata today"].due == date(2026, 11, 26)  # Thursday there already
    assert items["in Kolkata friday"].due == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fix it due next week", f"`next week` is not a due date: {FORMS}"),
        ("Fix it due someday <@U2>", f"`someday` is not a due date: {FORMS}"),
        ("Check the due date logic", f"`date logic` is not a due date: {FORMS}"),
        ("Count what is due", f"`due` needs a date: {FORMS}"),
        ("Fix it due 2026-11-24", "`2026-11-24` is in the past: a due date must be today or later"),
    ],
)
def test_anything_else_after_due_is_refused_never_kept_as_text(
    app: SlackHarness, text: str, expected: str
) -> None:
    channel = app.declare("Follow-ups", user=LARA)
    line = _add(app, text, LARA, channel)
    assert line.startswith(expected) and "\n" not in line
    assert _items(app) == {}


def test_a_text_that_says_due_ends_with_its_due_date(app: SlackHarness) -> None:
    channel = app.declare("Follow-ups", user=LARA)
    _add(app, "Check what is due next friday due tomorrow", LARA, channel)
    (item,) = _items(app).values()
    assert (item.text, item.due) == ("Check what is due next friday", date(2026, 11, 26))
