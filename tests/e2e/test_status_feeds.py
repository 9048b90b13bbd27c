"""/status/summary.json against a JSON Schema of Statuspage's summary.json, and
/status/feed.atom as Atom 1.0: well-formed, required elements, unique ids, RFC 3339 dates."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from tests.support.harness import SlackHarness
from tests.support.statuspage import (
    first_public_update,
    get,
    later_public_update,
    start_status_page,
)

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "fixtures/statuspage/summary.schema.json").read_text()
)
A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


@pytest.fixture
def busy(make_slack: Any, tmp_path: Path) -> SlackHarness:
    """One ongoing incident (two public updates, two components), one resolved (two updates:
    its own and the final one), one without public updates."""
    slack = start_status_page(make_slack, tmp_path)
    ongoing = slack.declare("Internal: db-7 failover")
    first_public_update(
        slack,
        ongoing,
        title="Payments failing",
        text="Investigating failed payments.",
        impacts={"Payments": "partial_outage", "API": "degraded_performance"},
    )
    slack.change("status identified", ongoing)  # recorded before the next public update
    later_public_update(slack, ongoing, "Cause found: a bad config push.")
    done = slack.declare("Internal: cdn purge")
    first_public_update(slack, done, title="Dashboard slow", text="Dashboard loads slowly.")
    slack.command("resolved the fix was rolled back", channel=done)
    slack.fake.wait_for(
        lambda f: "Dashboard slow: Resolved" in get(slack.url, "/status/feed.atom").text
    )
    slack.declare("Internal only, never public")
    return slack


def test_summary_json_has_statuspage_shape(busy: SlackHarness) -> None:
    answer = get(busy.url, "/status/summary.json")
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    summary = answer.json()
    jsonschema.Draft202012Validator(SCHEMA).validate(summary)
    assert summary["status"] == {"indicator": "major", "description": "Partial outage"}
    states = {c["name"]: c["status"] for c in summary["components"]}
    assert states == {
        "API": "degraded_performance",
        "Dashboard": "operational",
        "Payments": "partial_outage",
    }
    [incident] = summary["incidents"]  # unresolved only, as Statuspage's summary
    assert (incident["name"], incident["status"], incident["impact"]) == (
        "Payments failing",
        "identified",
        "major",
    )
    bodies = [u["body"] for u in incident["incident_updates"]]
    assert bodies == ["Cause found: a bad config push.", "Investigating failed payments."]
    assert [u["status"] for u in incident["incident_updates"]] == ["identified", "investigating"]
    for url in (summary["page"]["url"], incident["shortlink"]):
        assert urlparse(url).scheme == "http" and urlparse(url).netloc
    assert get(busy.url, urlparse(incident["shortlink"]).path).status == 200
    broken = {**incident}
    del broken["incident_updates"]
    with pytest.raises(jsonschema.ValidationError):  # the schema does check the shape
        jsonschema.Draft202012Validator(SCHEMA).validate({**summary, "incidents": [broken]})


def test_atom_feed_is_valid_with_one_entry_per_public_update(busy: SlackHarness) -> None:
    answer = get(busy.url, "/status/feed.atom")
    assert answer.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(answer.body)  # well-formed, or this raises
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{A}{name}") is not None, f"feed lacks <{name}>"
    assert feed.find(f"{A}author/{A}name").text
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links["self"].endswith("/status/feed.atom") and links["alternate"].endswith("/status")
    entries = feed.findall(f"{A}entry")
    assert len(entries) == 4  # 2 + 1 + its final "Resolved"; none of the never-public one
    ids = [feed.find(f"{A}id").text] + [e.find(f"{A}id").text for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
    stamps = [feed.find(f"{A}updated").text]
    for entry in entries:
        for name in ("title", "updated", "content"):
            assert entry.find(f"{A}{name}") is not None, f"entry lacks <{name}>"
        assert entry.find(f"{A}link").get("rel") == "alternate"
        stamps += [entry.find(f"{A}updated").text, entry.find(f"{A}published").text]
    for stamp in stamps:
        assert RFC3339.fullmatch(stamp), stamp
        assert datetime.fromisoformat(stamp).tzinfo is not None
    titles = [e.find(f"{A}title").text for e in entries]
    assert titles[0] == "Dashboard slow: Resolved"
    assert "Payments failing: Identified" in titles
    assert "Internal" not in answer.text
