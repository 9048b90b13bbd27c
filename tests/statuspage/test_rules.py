"""The status page's pure rules: impacts, public text from Slack, components in the file."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from bot.configfile import parse
from bot.errors import IncidentError
from bot.statuspage.components import read_components
from bot.statuspage.rules import check_public_text, check_public_title, from_slack, public_id, worst


def test_worst_impact_wins_and_none_is_operational() -> None:
    assert worst([]) == "operational"
    assert worst(["degraded_performance", "major_outage", "partial_outage"]) == "major_outage"
    assert worst(["degraded_performance", "nonsense"]) == "degraded_performance"


def test_slack_text_becomes_what_was_typed() -> None:
    assert from_slack("a &lt;b&gt; &amp; c &amp;lt;") == "a <b> & c &lt;"
    assert from_slack("see <https://status.example.com|our page>") == (
        "see our page (https://status.example.com)"
    )
    assert from_slack("see <https://example.com>") == "see https://example.com"


@pytest.mark.parametrize("text", ["ask <@U123>", "in <#C123|inc-1-db>", "<!here> down"])
def test_people_and_channels_are_refused(text: str) -> None:
    with pytest.raises(IncidentError, match="can't mention people or channels"):
        from_slack(text)


def test_public_text_and_title_checks() -> None:
    assert check_public_text("  two\r\nlines  ") == "two\nlines"
    assert check_public_title("  Card \n payments   slow ") == "Card payments slow"
    with pytest.raises(IncidentError, match="The public title is empty"):
        check_public_title(" \n ")
    with pytest.raises(IncidentError, match="control character"):
        check_public_text("bad \x07 bell")
    with pytest.raises(IncidentError, match="3001 characters"):
        check_public_text("x" * 3001)


def test_public_ids_are_random_and_url_safe() -> None:
    ids = {public_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(len(i) == 12 and i.isalnum() and i.islower() for i in ids)


def test_components_read_with_every_problem_and_its_line() -> None:
    doc = parse(
        "status_page:\n"
        "  components:\n"
        "    - API\n"
        "    - name: Web\n"
        "      description: The website\n"
        "    - name: API\n"
        "    - {name: ''}\n"
        "    - 42\n"
        "  colour: red\n",
        "c.yml",
    )
    components, problems = read_components(doc)
    assert [(c.name, c.description) for c in components] == [("API", None), ("Web", "The website")]
    assert [(p.line, p.message) for p in problems] == [
        (9, "status_page: unknown key `colour`"),
        (6, "component `API` twice"),
        (7, "status_page.components: `name` must be text of 1-100 characters"),
        (8, "status_page.components: each item is a name or {name, description}"),
    ]
    assert (
        components[0].id == read_components(parse("status_page: {components: [API]}", "x"))[0][0].id
    )


@pytest.mark.parametrize(
    "name",
    ["INCIDENT_STATUS_PAGE_LOGO_URL", "INCIDENT_STATUS_PAGE_HOME_URL", "INCIDENT_STATUS_PAGE_URL"],
)
@pytest.mark.parametrize("bad", ["javascript:alert(1)", "example.com", 'https://x.com/"><script>'])
def test_page_links_must_be_http_urls(name: str, bad: str) -> None:
    with pytest.raises(ConfigError, match=f"{name} is malformed: must be an absolute http"):
        load_settings(**{name: bad})
    assert getattr(load_settings(**{name: "https://example.com/"}), name) == "https://example.com"
