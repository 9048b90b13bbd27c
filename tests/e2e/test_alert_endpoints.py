"""The four alert endpoints over real HTTP: credentials, shapes, sizes, each sender's payload."""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from bot.models import Alert, AlertGroup
from tests.support.alerts import (
    PD_SECRET,
    TOKEN,
    AlertSender,
    counts,
    fixture,
    fixture_json,
    pd_signature,
    settle,
    start_alerting,
    triage_posts,
)

BEARER = ("/hooks/alertmanager", "/hooks/grafana", "/hooks/generic")
FIXTURE_OF = {
    "/hooks/alertmanager": "alertmanager/firing.json",
    "/hooks/grafana": "grafana/firing.json",
    "/hooks/generic": "generic/firing.json",
}
GENERIC = {"title": "x", "status": "firing", "dedup_key": "k"}
NOTHING = {"groups": 0, "alerts": 0, "notifications": 0}


@pytest.fixture
def alerting(make_slack: Any, fake_slack: Any) -> tuple[Any, AlertSender, str]:
    return start_alerting(make_slack, fake_slack)


def test_without_a_token_the_endpoints_do_not_exist(make_slack: Any) -> None:
    slack = make_slack(INCIDENT_PAGERDUTY_SECRET=PD_SECRET)
    sender = AlertSender(slack.url)
    for path in (*BEARER, "/hooks/pagerduty"):
        assert sender.post(path, fixture(FIXTURE_OF.get(path, "generic/firing.json"))).status == 404
    assert counts(slack.deps.db) == NOTHING


@pytest.mark.parametrize("path", BEARER)
def test_bearer_token_good_bad_missing(alerting: Any, path: str) -> None:
    slack, sender, channel = alerting
    body = fixture(FIXTURE_OF[path])
    for token in (None, "", "wrong-token-0123456789", TOKEN + "x", TOKEN[:-1]):
        answer = sender.post(path, body, token=token)
        assert answer.status == 401, (token, answer.text)
        assert "bearer token" in answer.body["error"]
        assert answer.headers.get("www-authenticate", "").startswith("Bearer")
    basic = sender.post(path, body, token=None, headers={"Authorization": f"Basic {TOKEN}"})
    assert basic.status == 401
    assert counts(slack.deps.db) == NOTHING, "a refused request stores nothing"
    good = sender.post(path, body)
    assert good.status == 200 and good.body["outcome"] == "recorded", good.text
    slack.fake.wait_for(lambda f: triage_posts(f, channel))
    assert len(triage_posts(slack.fake, channel)) == 1, "only the good request posted"


def test_pagerduty_signature_from_its_published_example(alerting: Any) -> None:
    slack, sender, _channel = alerting
    raw = fixture("pagerduty/signed-priority-updated.json")
    published = "v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd"
    assert pd_signature(raw) == published, "the fixture is go-pagerduty's body, byte for byte"
    answer = sender.pagerduty(raw, signature=published)
    assert answer.status == 200 and answer.body["outcome"] == "ignored", answer.text
    assert counts(slack.deps.db) == NOTHING  # a priority change opens nothing


def test_pagerduty_signature_bad_missing_rotated_and_replayed(alerting: Any) -> None:
    slack, sender, channel = alerting
    raw = fixture("pagerduty/triggered.json")
    good = pd_signature(raw)
    other = pd_signature(raw, secret="an-older-secret-that-was-rotated-away")
    assert sender.pagerduty(raw, signature=None).status == 401
    assert sender.pagerduty(raw, signature="v1=" + "0" * 64).status == 401
    assert sender.pagerduty(raw, signature=good.replace("v1=", "v0=")).status == 401
    assert sender.pagerduty(raw, signature=other).status == 401
    # A captured signature replayed with a changed body: the body is what is signed.
    tampered = raw.replace(b"A little bump in the road", b"A big bump in the road")
    assert tampered != raw
    replay = sender.pagerduty(tampered, signature=good)
    assert replay.status == 401 and "X-PagerDuty-Signature" in replay.body["error"]
    assert counts(slack.deps.db) == NOTHING
    # During a secret rotation PagerDuty sends one signature per secret, comma-separated.
    rotated = sender.pagerduty(raw, signature=f"{other},{good}")
    assert rotated.status == 200 and rotated.body["outcome"] == "recorded", rotated.text
    assert counts(slack.deps.db) == {"groups": 1, "alerts": 1, "notifications": 1}
    slack.fake.wait_for(lambda f: triage_posts(f, channel))


def test_pagerduty_endpoint_needs_its_secret(make_slack: Any, fake_slack: Any) -> None:
    _slack, sender, _ = start_alerting(make_slack, fake_slack, INCIDENT_PAGERDUTY_SECRET=None)
    answer = sender.pagerduty(fixture("pagerduty/triggered.json"))
    assert answer.status == 404 and "INCIDENT_PAGERDUTY_SECRET" in answer.body["error"]


@pytest.mark.parametrize(
    ("path", "body", "needle"),
    [
        ("/hooks/alertmanager", b"{not json", "malformed JSON"),
        ("/hooks/alertmanager", b"\xff\xfe", "malformed JSON"),
        ("/hooks/alertmanager", b"[]", "must be a JSON object"),
        ("/hooks/alertmanager", {"version": "3"}, '`version` must be "4"'),
        ("/hooks/alertmanager", {"version": "4", "status": "firing"}, "`groupKey` is missing"),
        ("/hooks/grafana", {"groupKey": "k", "status": "firing", "alerts": {}}, "`alerts` must"),
        ("/hooks/generic", {"title": "x", "status": "burning", "dedup_key": "k"}, "`status`"),
        ("/hooks/generic", {"title": "x", "status": "firing"}, "`dedup_key` is missing"),
        ("/hooks/generic", {**GENERIC, "started_at": "soon"}, "RFC 3339"),
        ("/hooks/generic", {**GENERIC, "labels": {"a": []}}, "`labels.a`"),
    ],
)  # fmt: skip
def test_wrong_payloads_get_400_with_one_line(
    alerting: Any, path: str, body: Any, needle: str
) -> None:
    slack, sender, _ = alerting
    answer = sender.post(path, body)
    assert answer.status == 400, answer.text
    assert needle in answer.body["error"] and "\n" not in answer.body["error"]
    assert counts(slack.deps.db) == NOTHING


def test_wrong_pagerduty_payload_gets_400(alerting: Any) -> None:
    _slack, sender, _ = alerting
    raw = json.dumps({"event": {"id": "E1"}}).encode()
    answer = sender.pagerduty(raw)
    assert answer.status == 400 and "`event.event_type` is missing" in answer.body["error"]


def test_bodies_over_one_mebibyte_get_413(alerting: Any) -> None:
    slack, sender, _ = alerting
    parts = urlsplit(slack.url)
    # A Content-Length over the limit is refused from the headers alone, before any body is
    # read. (Sending the body too races the server's close: the client may see a reset.)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as raw:
        raw.sendall(
            b"POST /hooks/generic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {TOKEN}\r\nContent-Length: {1024 * 1024 + 1}\r\n\r\n".encode()
        )
        status_line = raw.makefile("rb").readline()
    assert status_line.split()[1] == b"413", status_line
    # Without a Content-Length (chunked), the limit holds while reading.
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    chunks = (b"x" * 65536 for _ in range(20))
    conn.request(
        "POST",
        "/hooks/generic",
        body=chunks,
        headers={"Authorization": f"Bearer {TOKEN}", "Transfer-Encoding": "chunked"},
        encode_chunked=True,
    )
    assert conn.getresponse().status == 413
    conn.close()
    just_under = fixture_json("generic/firing.json")
    just_under["labels"] = {"padding": "x" * (1024 * 1024 - 400)}
    assert sender.generic(just_under).status == 200
    assert counts(slack.deps.db)["notifications"] == 1


def test_other_methods_and_paths(alerting: Any) -> None:
    _slack, sender, _ = alerting
    assert sender.post("/hooks/alertmanager", b"", method="GET").status == 405
    assert sender.post("/hooks/nagios", fixture("generic/firing.json")).status == 404


def test_each_sender_payload_is_grouped_and_triaged(alerting: Any) -> None:
    slack, sender, channel = alerting
    assert sender.alertmanager(fixture("alertmanager/firing.json")).status == 200
    assert sender.grafana(fixture("grafana/firing.json")).status == 200
    assert sender.pagerduty(fixture("pagerduty/triggered.json")).status == 200
    assert sender.generic(fixture("generic/firing.json")).status == 200
    settle(slack.deps.db)
    with slack.deps.db.unit_of_work() as session:
        groups = {g.source: g for g in session.scalars(select(AlertGroup))}
        alerts = {
            g: session.scalars(select(Alert).where(Alert.group_id == groups[g].id)).all()
            for g in groups
        }
    assert set(groups) == {"alertmanager", "grafana", "pagerduty", "generic"}
    assert groups["alertmanager"].group_key == '{}:{alertname="HighLatency", service="checkout"}'
    assert groups["alertmanager"].title == "Checkout p99 latency above 2s"
    assert sorted(a.fingerprint for a in alerts["alertmanager"]) == [
        "3891241782562ca1",
        "6633c604e1f00732",
    ]
    assert groups["grafana"].group_key == "org1/{}:{}"
    assert sorted(a.name for a in alerts["grafana"]) == ["High CPU usage", "High memory usage"]
    assert groups["pagerduty"].group_key == "PGR0VU2"
    assert (
        groups["pagerduty"].pager_service == "API Service"
        and groups["pagerduty"].pager_urgency == "high"
    )
    assert groups["generic"].group_key == "disk-db-3" and groups["generic"].severity == "sev2"
    assert all(g.status == "firing" for g in groups.values())
    slack.fake.wait_for(lambda f: len(triage_posts(f, channel)) == 4, timeout=15)
    texts = " ".join(c.args["text"] for c in triage_posts(slack.fake, channel))
    for title in (
        "Checkout p99 latency above 2s",
        "A little bump in the road",
        "Disk almost full on db-3",
    ):
        assert title in texts
    slack.fake.assert_no_violations()
