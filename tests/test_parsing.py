"""Typed text is stored neutralised: broadcasts shown, not triggered; people, channels and
links still live; already-escaped text unchanged."""

from __future__ import annotations

import pytest

from bot.errors import IncidentError
from bot.parsing import check_text, neutralise

CASES = {
    "<!channel> <!here|here> <!everyone> <!subteam^S1|@oncall>": (
        "&lt;!channel&gt; &lt;!here|here&gt; &lt;!everyone&gt; &lt;!subteam^S1|@oncall&gt;"
    ),
    "ask <@U123> and <@W1|bob> in <#C1|ops>, see <https://x.io/?a=1&amp;b=2|dash>": (
        "ask <@U123> and <@W1|bob> in <#C1|ops>, see <https://x.io/?a=1&amp;b=2|dash>"
    ),
    "p99 &lt; 200ms &amp; rising": "p99 &lt; 200ms &amp; rising",  # a slash command's text
    "p99 < 200ms & rising > 5%": "p99 &lt; 200ms &amp; rising &gt; 5%",  # a modal's text
    "<javascript:alert(1)> <@U1|<!here>>": (
        "&lt;javascript:alert(1)&gt; &lt;@U1|&lt;!here&gt;&gt;"
    ),
    "@here and @Channel, not mail@here.io": "@\u2060here and @\u2060Channel, not mail@here.io",
}


@pytest.mark.parametrize("typed", CASES)
def test_neutralise_shows_broadcasts_and_keeps_mentions(typed: str) -> None:
    assert neutralise(typed) == CASES[typed]
    assert neutralise(CASES[typed]) == CASES[typed], "applying it twice changes nothing more"


def test_check_text_refuses_control_characters_but_not_newlines_or_tabs() -> None:
    assert check_text(" a\r\nb\tc ", "note") == "a\nb\tc"
    for bad in ("\x00", "\x07", "\x1b", "\x7f", "\x85"):
        with pytest.raises(IncidentError, match=f"U\\+{ord(bad):04X}"):
            check_text(f"a{bad}b", "note")


def test_the_limit_counts_the_text_as_stored() -> None:
    assert check_text("a" * 8 + "&", "title", 13) == "aaaaaaaa&amp;"
    with pytest.raises(IncidentError, match="14 characters once &, < and > are escaped"):
        check_text("a" * 9 + "&", "title", 13)
