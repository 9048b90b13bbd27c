"""The status page through HTTP: `/incident update --public`, its confirmation modal, later
updates without it, the final "Resolved" update, /status and the incident page, 304s."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.slack import ids
from bot.status_models import StatusIncident, StatusUpdate
from tests.support.harness import SlackHarness
from tests.support.statuspage import (
    PAGES,
    first_public_update,
    get,
    later_public_update,
    opened_views,
    published,
    start_status_page,
)


def _visible(html: str) -> str:
    """The page's text without tags and scripts, spaces collapsed."""
    html = re.sub(r"<(script|style)>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_first_public_update_confirms_then_later_ones_post_and_resolution_closes(
    make_slack: Any, tmp_path: Path
) -> None:
    slack = start_status_page(make_slack, tmp_path)
    assert "All systems operational" in get(slack.url, "/status").text
    channel = slack.declare("Acme Corp ledger db-7 failover broke checkout")
    view = first_public_update(
        slack,
        channel,
        title="Card payments fail for some customers",
        text="We are investigating failed card payments.",
        impacts={"Payments": "major_outage", "API": "degraded_performance"},
    )
    modal = json.dumps(view)
    assert "Acme Corp" not in modal, "the public title is not prefilled from the internal one"
    title_input = next(b for b in view["blocks"] if b.get("block_id") == ids.PUBLIC_TITLE_INPUT)
    assert "initial_value" not in title_input["element"] and not title_input.get("optional")
    assert "We are investigating failed card payments." in modal  # the text, as it will show
    for shown in ("API", "Dashboard", "Payments", "Major outage", "Degraded performance"):
        assert shown in modal
    assert "Everything in this form will be public" in modal

    page = _visible(get(slack.url, "/status").text)
    assert "Major outage" in page  # the overall status: the worst current impact
    assert "Card payments fail for some customers" in page
    assert "We are investigating failed card payments." in page
    assert re.search(r"Payments Major outage", page) and re.search(r"Dashboard Operational", page)

    later_public_update(slack, channel, "A fix is rolling out.")
    assert len(opened_views(slack)) == 1, "later public updates post without the modal"
    html = get(slack.url, "/status").text
    assert html.index("A fix is rolling out.") < html.index("We are investigating"), "newest first"

    public_id = re.search(r'href="/status/incidents/([a-z0-9]+)"', html).group(1)
    detail = get(slack.url, f"/status/incidents/{public_id}")
    assert detail.status == 200
    assert "Card payments fail for some customers" in detail.text
    assert re.search(
        r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">[^<]+ UTC</time>', detail.text
    )

    slack.command("resolved the fix was rolled back", channel=channel)
    slack.fake.wait_for(
        lambda f: not get(slack.url, "/status/summary.json").json()["incidents"], what="resolved"
    )
    page = _visible(get(slack.url, "/status").text)
    assert "All systems operational" in page and "No ongoing incidents." in page
    resolved = page[page.index("Resolved in the last 14 days") :]
    assert "Card payments fail for some customers" in resolved
    detail = _visible(get(slack.url, f"/status/incidents/{public_id}").text)
    assert detail.index("Resolved") < detail.index("A fix is rolling out."), "final update first"
    assert "This incident has been resolved." in detail
    slack.fake.assert_no_violations()


def test_an_incident_without_public_updates_resolves_without_any(
    make_slack: Any, tmp_path: Path
) -> None:
    slack = start_status_page(make_slack, tmp_path)
    channel = slack.declare("Quiet internal thing")
    slack.command("resolved the fix was rolled back", channel=channel)
    slack.fake.wait_for(lambda f: any("1 resolved" in p for p in slack.posts(slack.announce)))
    summary = get(slack.url, "/status/summary.json").json()
    assert summary["incidents"] == [] and "Quiet" not in get(slack.url, "/status").text


def test_public_updates_refused_clearly(make_slack: Any, tmp_path: Path) -> None:
    slack = start_status_page(make_slack, tmp_path)
    private = slack.declare("Secret thing", flags="--private")
    public = slack.declare("Open thing")
    done = slack.declare("Done thing")
    slack.command("resolved the fix was rolled back", channel=done)
    slack.fake.wait_for(lambda f: any("3 resolved" in p for p in slack.posts(slack.announce)))
    slack.forget_replies()
    typed = [
        (private, "update --public Payments are failing"),
        (public, "update --public"),
        (public, "update --public Ask <@U2> for details"),
        (public, "update --loud Payments are failing"),
        (slack.announce, "update --public Payments are failing"),
        (done, "update --public Payments are failing"),
    ]
    for n, (channel, text) in enumerate(typed, start=1):
        slack.command(text, channel=channel)
        slack.wait_reply(n)
    replies = slack.ephemerals()
    assert replies[0] == (
        "Incident 1 is private: nothing about it is published on the status page. "
        "Nothing was published."
    )
    assert replies[1] == "Missing text. Use: `/incident update [--public] TEXT`"
    assert "can't mention people or channels (`<@U2>`)" in replies[2]
    assert replies[3] == "`--loud` is not an option. Use: /incident update [--public] TEXT"
    assert "incident channel" in replies[4]
    assert replies[5] == (
        "Incident 3 is resolved: it takes no more public updates. Nothing was published."
    )
    assert opened_views(slack) == []
    assert get(slack.url, "/status/summary.json").json()["incidents"] == []


def test_the_confirmation_needs_a_public_title(make_slack: Any, tmp_path: Path) -> None:
    slack = start_status_page(make_slack, tmp_path)
    channel = slack.declare("Checkout down")
    slack.command("update --public Checking payments", channel=channel)
    slack.fake.wait_for(lambda f: opened_views(slack), what="the confirmation")
    values = {ids.PUBLIC_TITLE_INPUT: "   ", ids.PUBLIC_TEXT_INPUT: "Checking payments"}
    answer = slack.driver.view_submission(ids.PUBLIC_UPDATE_MODAL, values)
    assert answer.json() == {
        "response_action": "errors",
        "errors": {ids.PUBLIC_TITLE_INPUT: "The public title is empty."},
    }
    slack.idle()
    assert get(slack.url, "/status/summary.json").json()["incidents"] == []


def test_typed_markup_is_shown_as_text(make_slack: Any, tmp_path: Path) -> None:
    slack = start_status_page(make_slack, tmp_path)
    channel = slack.declare("Checkout down")
    script = "<script>alert(1)</script> & <b>bold</b>"
    first_public_update(slack, channel, title=f"Title {script}", text=f"Text {script}")
    html = get(slack.url, "/status").text
    assert "<script>alert(1)" not in html and "<b>bold" not in html
    assert "Text &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "Title &lt;script&gt;" in html
    feed = get(slack.url, "/status/feed.atom").text
    assert "<script>" not in feed and "Text &lt;script&gt;" in feed
    assert (
        get(slack.url, "/status/summary.json").json()["incidents"][0]["name"] == f"Title {script}"
    )


def test_cache_headers_etag_and_conditional_get(make_slack: Any, tmp_path: Path) -> None:
    slack = start_status_page(make_slack, tmp_path)
    channel = slack.declare("Checkout down")
    first_public_update(slack, channel, title="Payments degraded", text="Looking into it.")
    tags = {}
    for path in PAGES:
        answer = get(slack.url, path)
        assert answer.status == 200, path
        assert answer.headers["Cache-Control"] == "public, max-age=30, must-revalidate"
        tag = answer.headers["ETag"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', tag)
        again = get(slack.url, path, {"If-None-Match": tag})
        assert (again.status, again.body, again.headers["ETag"]) == (304, b"", tag), path
        assert get(slack.url, path, {"If-None-Match": f'"other", W/{tag}'}).status == 304
        assert get(slack.url, path, {"If-None-Match": '"other"'}).status == 200
        head = get(slack.url, path, method="HEAD")
        assert (head.status, head.body, head.headers["ETag"]) == (200, b"", tag)
        tags[path] = tag
    later_public_update(slack, channel, "Fixed the config.")  # publishing invalidates
    for path in PAGES:
        answer = get(slack.url, path, {"If-None-Match": tags[path]})
        assert answer.status == 200 and "Fixed the config." in answer.text, path
    assert get(slack.url, "/status", method="POST").status == 405
    assert get(slack.url, "/status/incidents/nosuchid").status == 404
    assert get(slack.url, "/status/nothing-here").status == 404
    html = get(slack.url, "/status").headers
    assert "script-src 'sha256-" in html["Content-Security-Policy"]
    assert html["Content-Type"] == "text/html; charset=utf-8"


def test_off_unless_enabled(make_slack: Any, tmp_path: Path) -> None:
    slack = make_slack()
    for path in (*PAGES, "/status/incidents/abc"):
        assert get(slack.url, path).status == 404, path
    assert get(slack.url, "/healthz").status == 200


def test_page_title_logo_and_link_home(make_slack: Any, tmp_path: Path) -> None:
    slack = start_status_page(
        make_slack,
        tmp_path,
        INCIDENT_STATUS_PAGE_TITLE="Acme status",
        INCIDENT_STATUS_PAGE_LOGO_URL="https://acme.example/logo.svg",
        INCIDENT_STATUS_PAGE_HOME_URL="https://acme.example",
        INCIDENT_STATUS_PAGE_URL="https://status.acme.example/status",
    )
    html = get(slack.url, "/status").text
    assert "<title>Acme status</title>" in html
    assert '<img src="https://acme.example/logo.svg"' in html
    assert '<a href="https://acme.example">Back to our website</a>' in html
    summary = get(slack.url, "/status/summary.json").json()
    assert summary["page"]["name"] == "Acme status"
    assert summary["page"]["url"] == "https://status.acme.example/status"


def test_resolved_incidents_stay_listed_for_14_days(make_slack: Any, tmp_path: Path) -> None:
    slack = start_status_page(make_slack, tmp_path)
    declared = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)
    slack.clock = lambda: declared
    channel = slack.declare("Internal: queue backlog")
    first_public_update(slack, channel, title="Emails delayed", text="Emails are delayed.")
    slack.clock = lambda: declared + timedelta(hours=1)
    slack.command("resolved the fix was rolled back", channel=channel)
    slack.fake.wait_for(
        lambda f: not get(slack.url, "/status/summary.json").json()["incidents"], what="resolved"
    )
    html = get(slack.url, "/status").text
    assert 'Resolved <time datetime="2026-11-02T10:05:00Z">2026-11-02 10:05 UTC</time>' in html
    public_id = re.search(r'href="/status/incidents/([a-z0-9]+)"', html).group(1)
    for days, listed in ((13, True), (14, True), (15, False)):
        slack.clock = lambda d=days: declared + timedelta(days=d)
        html = get(slack.url, "/status").text
        assert ("Emails delayed" in html) is listed, f"{days} days later"
    assert "No incidents in the last 14 days." in html
    assert "Emails are delayed." in get(slack.url, f"/status/incidents/{public_id}").text


def test_a_publish_by_another_replica_shows_within_a_second(
    make_slack: Any, tmp_path: Path
) -> None:
    slack = start_status_page(make_slack, tmp_path)
    channel = slack.declare("Checkout down")
    first_public_update(slack, channel, title="Payments degraded", text="Looking into it.")
    tag = get(slack.url, "/status").headers["ETag"]
    with slack.deps.db.unit_of_work() as session:  # as another `serve` process commits it
        public = session.scalars(select(StatusIncident)).one()
        at = datetime.now(UTC)
        body = "Written by another replica."
        session.add(
            StatusUpdate(incident=public, public_id="a" * 32, at=at, status="identified", body=body)
        )
    started = time.monotonic()
    slack.fake.wait_for(lambda f: body in get(slack.url, "/status").text, what="the new update")
    assert time.monotonic() - started < 2.0
    assert get(slack.url, "/status", {"If-None-Match": tag}).status == 200


def _update_modal(slack: SlackHarness, channel: str) -> dict[str, Any]:
    def opened() -> list[Any]:
        calls = slack.fake.calls_to("views.open")
        return [c.args["view"] for c in calls if c.args["view"]["callback_id"] == ids.UPDATE_MODAL]

    before = len(opened())
    slack.command("update", channel=channel)
    slack.fake.wait_for(lambda f: len(opened()) > before, what="the update modal")
    return opened()[-1]


def test_the_update_modal_publishes_once_the_incident_is_public(
    make_slack: Any, tmp_path: Path
) -> None:
    slack = start_status_page(make_slack, tmp_path)
    channel = slack.declare("Acme ledger db-7 failover")
    private = slack.declare("Secret thing", flags="--private")
    assert ids.PUBLIC_INPUT not in json.dumps(_update_modal(slack, private)), "private: no offer"
    before = json.dumps(_update_modal(slack, channel))
    assert ids.PUBLIC_INPUT not in before and "/incident update --public TEXT" in before
    first_public_update(slack, channel, title="Card payments fail", text="Investigating.")
    view = _update_modal(slack, channel)
    assert ids.PUBLIC_INPUT in json.dumps(view), "public now: the box is offered"
    ticked = {"type": "checkboxes", "selected_options": [{"value": "public"}]}
    values = {
        ids.UPDATE_INPUT: {
            ids.UPDATE_INPUT: {"type": "plain_text_input", "value": "A fix is out."}
        },
        ids.PUBLIC_INPUT: {ids.PUBLIC_INPUT: ticked},
    }
    answer = slack.driver.view_submission(
        ids.UPDATE_MODAL, values, private_metadata=view["private_metadata"]
    )
    assert answer.status == 200 and not answer.text, answer.text
    published(slack, channel, "A fix is out.")
    assert "A fix is out." in get(slack.url, "/status").text
    plain = {
        ids.UPDATE_INPUT: {
            ids.UPDATE_INPUT: {"type": "plain_text_input", "value": "Internal only."}
        }
    }
    slack.driver.view_submission(ids.UPDATE_MODAL, plain, private_metadata=view["private_metadata"])
    slack.fake.wait_for(
        lambda f: any("Internal only." in str(c.args) for c in f.calls_to("chat.postMessage"))
    )
    slack.idle()
    assert "Internal only." not in get(slack.url, "/status").text, "unticked: not public"
