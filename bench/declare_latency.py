"""Declare latency: from the slash command to the channel, the declarer's answer, the pinned
card, the announcement and everything done, with Slack answering every call after 150 ms.

The real app runs under waitress; the Web API and response_url are the test suite's fake
Slack, each call answered `--rtt` seconds after it arrives. Times are when the fake answered;
round trips are the longest chain of calls that each began after the previous one was
answered (the critical path), counting the answer to the declarer (response_url) as one.

    .venv/bin/python bench/declare_latency.py [--declares 10] [--rtt 0.15]

To measure another checkout (the code before a change), copy this file and _common.py into
its bench/ directory and run it there: it imports the code of the checkout it sits in.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from _common import table
from slack_sdk.signature import SignatureVerifier
from waitress.server import create_server

from bot.app import build_app
from bot.config import load_settings
from bot.migrate import upgrade
from bot.web import wsgi_app
from bot.wiring import build_deps
from tests.support.fakeslack import FakeSlack

SECRET = "bench-secret"
MILESTONES = ("channel created", "declarer told", "card pinned", "announced", "all done")


@dataclass(frozen=True)
class Hop:
    """One round trip to Slack: when it was sent and when its answer came."""

    what: str
    start: float
    end: float


class TimedSlack(FakeSlack):
    """The fake, answering every call (and response_url post) `rtt` seconds late."""

    def __init__(self, rtt: float) -> None:
        super().__init__(scopes=None)
        self.rtt = rtt
        self.delay = rtt
        self.replies: list[tuple[str, Hop]] = []

    def receive_response(self, url_id: str, body: bytes) -> tuple[int, str]:
        start = time.time()
        time.sleep(self.rtt)
        answer = super().receive_response(url_id, body)
        self.replies.append((url_id, Hop("reply", start, time.time())))
        return answer


def command(port: int, text: str, response_url: str) -> None:
    import http.client  # stdlib; only the client side of the benchmark needs it

    body = urlencode(
        {
            "command": "/incident",
            "text": text,
            "user_id": "U1",
            "user_name": "u1",
            "channel_id": "C0GENERAL",
            "team_id": "T0TEST",
            "trigger_id": uuid.uuid4().hex,
            "response_url": response_url,
        }
    )
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/slack/events", body, headers)
    assert conn.getresponse().status == 200
    conn.close()


def hops(fake: TimedSlack, number: int, announce: str, url_id: str) -> dict[str, Hop]:
    """The calls one declaration made, by what they did."""
    out: dict[str, Hop] = {}
    with fake.lock:
        calls = list(fake.calls)
        replies = [h for u, h in fake.replies if u == url_id]
    create = next(
        (
            c
            for c in calls
            if c.method == "conversations.create"
            and c.ok
            and c.args["name"].startswith(f"inc-{number}-")
        ),
        None,
    )
    if create is None:
        return out
    channel = create.response["channel"]["id"]
    wanted = {
        "conversations.create": "create",
        "conversations.invite": "invite",
        "pins.add": "pin",
        "chat.getPermalink": "permalink",
        "bookmarks.add": "bookmark",
        "conversations.setTopic": "topic",
    }
    for call in calls:
        hop = Hop(call.method, call.at - fake.rtt, call.at)
        target = call.args.get("channel") or call.args.get("channel_id")
        if call.method == "chat.postMessage" and call.ok:
            if target == channel and "card" not in out:
                out["card"] = hop
            elif target == announce and f"<#{channel}>" in str(call.args.get("text")):
                out["announce"] = hop
        elif call.method in wanted and call.ok and (target == channel or call is create):
            out.setdefault(wanted[call.method], hop)
    if replies:
        out["reply"] = replies[0]
    return out


def depth(found: dict[str, Hop]) -> dict[str, int]:
    """Round trips on the critical path to each hop."""
    memo: dict[str, int] = {}
    ordered = sorted(found.items(), key=lambda kv: kv[1].start)
    for name, hop in ordered:
        before = [memo[n] for n, h in ordered if n in memo and h.end <= hop.start + 0.01]
        memo[name] = 1 + max(before, default=0)
    return memo


def run(declares: int, rtt: float) -> dict[str, list[tuple[float, int]]]:
    fake = TimedSlack(rtt).start()
    announce = fake.add_channel("incidents", members=["UBOT"])
    fake.add_user("U1")
    workdir = Path(tempfile.mkdtemp(prefix="declare-bench-"))
    settings = load_settings(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
        INCIDENT_ANNOUNCE_CHANNEL=announce,
        OPENAI_API_KEY=None,
    )
    deps = build_deps(settings)
    upgrade(deps.db)
    server = create_server(wsgi_app(build_app(deps), deps), host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    port = server.effective_port
    results: dict[str, list[tuple[float, int]]] = {m: [] for m in MILESTONES}
    for n in range(1, declares + 1):
        url_id = f"declare-{n}"
        t0 = time.time()
        command(port, f"declare sev2 Bench incident {n}", fake.response_url(url_id))
        deadline = time.monotonic() + 20
        needed = {"create", "invite", "card", "pin", "bookmark", "topic", "announce", "reply"}
        while needed - set(found := hops(fake, n, announce, url_id)):
            if time.monotonic() > deadline:
                raise SystemExit(f"declare {n} did not finish: has {sorted(found)}")
            time.sleep(0.01)
        time.sleep(rtt * 2)  # nothing else follows
        found = hops(fake, n, announce, url_id)
        trips = depth(found)
        milestone = {
            "channel created": "create",
            "declarer told": "reply",
            "card pinned": "pin",
            "announced": "announce",
        }
        for name, hop in milestone.items():
            results[name].append(((found[hop].end - t0) * 1000, trips[hop]))
        last = max(found, key=lambda k: found[k].end)
        results["all done"].append(((found[last].end - t0) * 1000, max(trips.values())))
    server.close()
    fake.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declares", type=int, default=10)
    parser.add_argument("--rtt", type=float, default=0.15)
    args = parser.parse_args()
    results = run(args.declares, args.rtt)
    rows = []
    for name in MILESTONES:
        values = results[name]
        ms = statistics.median(v for v, _ in values)
        trips = statistics.median(t for _, t in values)
        rows.append([name, f"{ms:.0f}", f"{trips:.0f}"])
    print(f"{args.declares} declares, every Slack call answered after {args.rtt * 1000:.0f} ms")
    print(table(["milestone", "median ms", "round trips"], rows))


if __name__ == "__main__":
    main()
