"""A burst of changes in one channel against Slack's real limits (the fake enforces its rate
tiers and chat.postMessage's ~1/s per channel): every change is posted soon after the burst,
merged into fewer messages; nobody is answered with a rate limit or asked to try again; card
and topic end in the final state; a quiet incident's posts are not held up meanwhile."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import select

from bot.models import Incident, Outbox, TimelineEntry
from tests.support.harness import SlackHarness

PEOPLE = ("U1", "U2", "U3")
BURST = 60  # changes
SECONDS = 20.0  # over which they are typed
AFTER = 10.0  # seconds after the burst by which every change is in the channel
QUIET_WITHIN = 2.0  # seconds from typing to posting in the quiet incident


def _script(person: int) -> list[str]:
    """Twenty commands of one person; U1 also flips severity and status (one at a time)."""
    out = []
    for n in range(BURST // len(PEOPLE)):
        if person == 0 and n % 2 == 1:
            out.append(
                f"severity {'sev1' if n % 4 == 1 else 'sev2'}"
                if n % 8 < 4
                else f"status {'identified' if n % 4 == 1 else 'monitoring'}"
            )
        else:
            out.append(f"note burst-{person}-{n} the graphs say something")
    return out


def _type(slack: SlackHarness, user: str, channel: str, lines: list[str], start: float) -> None:
    step = SECONDS / len(lines)
    for n, line in enumerate(lines):
        time.sleep(max(0.0, start + n * step - time.time()))
        assert slack.command(line, user=user, channel=channel).status == 200


def _echo_rows(slack: SlackHarness, incident_channel: str) -> list[Outbox]:
    with slack.deps.db.unit_of_work() as session:
        rows = session.scalars(
            select(Outbox).where(Outbox.kind == "echo", Outbox.channel == incident_channel)
        )
        return list(rows)


def _posted_at(slack: SlackHarness, channel: str) -> dict[int, float]:
    """Outbox row id -> when the fake accepted the post that carried it (its metadata)."""
    out: dict[int, float] = {}
    for call in slack.fake.calls_to("chat.postMessage"):
        if call.ok and call.args.get("channel") == channel:
            payload: dict[str, Any] = (call.args.get("metadata") or {}).get("event_payload", {})
            for row in str(payload.get("rows", "")).split(","):
                if row.isdigit():
                    out.setdefault(int(row), call.at)
    return out


def test_burst_of_changes_is_posted_paced_merged_and_final(slack: SlackHarness) -> None:
    for user in PEOPLE[1:]:
        slack.fake.add_user(user)
    slack.fake.enforce_rate_limits(scale=1.0, post_burst=4)
    busy = slack.declare("Busy incident")
    quiet = slack.declare("Quiet incident")
    for user in PEOPLE[1:]:
        slack.fake.channels[busy].members.add(user)
    slack.forget_replies()

    start = time.time() + 0.5
    typists = [
        threading.Thread(target=_type, args=(slack, user, busy, _script(n), start))
        for n, user in enumerate(PEOPLE)
    ]
    for typist in typists:
        typist.start()
    typed_quiet: list[tuple[str, float]] = []
    for n in range(5):  # meanwhile, someone in a quiet incident
        time.sleep(max(0.0, start + 1.0 + n * 4.0 - time.time()))
        text = f"quiet-{n} all calm here"
        typed_quiet.append((text, time.time()))
        slack.command(f"note {text}", user="U1", channel=quiet)
    for typist in typists:
        typist.join()
    burst_end = time.time()

    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident).where(Incident.channel_id == busy)).one()

    def recorded() -> int:
        with slack.deps.db.unit_of_work() as session:
            return len(
                session.scalars(
                    select(TimelineEntry.id).where(
                        TimelineEntry.incident_id == incident.id, TimelineEntry.kind != "milestone"
                    )
                ).all()
            )

    slack.fake.wait_for(lambda f: recorded() == BURST, timeout=5, what="every change recorded")

    # every change is in the channel within AFTER seconds of the burst, in fewer messages
    rows = _echo_rows(slack, busy)
    assert len(rows) == BURST
    wanted = {r.id for r in rows}
    slack.fake.wait_for(lambda f: wanted <= set(_posted_at(slack, busy)), timeout=AFTER + 5)
    posted = _posted_at(slack, busy)
    late = max(posted[r] for r in wanted) - burst_end
    assert late <= AFTER, f"the last change appeared {late:.1f}s after the burst"
    messages = {posted[r] for r in wanted}
    assert len(messages) < BURST, "changes that queued up are merged"
    limited = slack.fake.rate_limited_calls()
    print(  # shown with -s or on failure: the numbers the README quotes
        f"burst: {BURST} changes in {len(messages)} messages, last {late:.1f}s after the "
        f"burst; 429s to the bot: {[(c.method, c.retry_after) for c in limited]}"
    )

    # nobody was answered with a rate limit or asked to type anything again
    replies = slack.ephemerals()
    assert not [r for r in replies if "try again" in r or "rate-limit" in r], replies
    refused = [c for c in slack.fake.calls_to("chat.postMessage") if c.status == 429]
    assert refused == [], "posts are paced to the channel's limit"

    # card and topic show the final state
    def final_card() -> bool:
        with slack.deps.db.unit_of_work() as session:
            now = session.get(Incident, incident.id)
        assert now is not None
        card = slack.fake.channels[busy].find(now.card_ts or "")
        shown = str(card.get("blocks")) if card else ""
        topic = slack.fake.channels[busy].topic
        return (
            now.severity.upper() in shown
            and f"*Status*\\n{now.status}" in shown
            and topic == f"{now.severity.upper()} · {now.status} · IC <@U1>"
        )

    slack.fake.wait_for(lambda f: final_card(), timeout=AFTER, what="the final card and topic")

    # the quiet incident's notes were posted promptly throughout
    quiet_posts = [c for c in slack.fake.calls_to("chat.postMessage") if c.ok]
    for text, typed in typed_quiet:
        (post,) = [
            c for c in quiet_posts if c.args.get("channel") == quiet and text in c.args["text"]
        ]
        print(f"quiet note posted {post.at - typed:.2f}s after it was typed")
        assert post.at - typed < QUIET_WITHIN, f"{text!r} took {post.at - typed:.1f}s"
    slack.fake.assert_no_violations()
