"""Declaring is a durable process: recorded first, then finished from the record.

The incident and a `declare` outbox row are committed before Slack is asked for anything.
The channel's name is deterministic (prefix, number, title), so whoever finishes the
declaration — the declaring thread, the delivery worker after it, a restarted process or the
sweep — creates the channel or, when Slack says the name is taken, finds it by name and adopts
it if the bot created it and no other incident holds it. Then, in as few round trips as the
dependencies allow: invite and card (with the announcement and topic in their own lanes), pin
and permalink, bookmark. Each step is recorded as it completes; a post whose answer was lost is
looked for by its metadata before it is made again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.errors import SlackFailure
from bot.incidents import announcements, guided, messages, publishing
from bot.incidents.rules import channel_name
from bot.models import Incident, Outbox
from bot.outbox import store
from bot.playbook.load import playbook_for
from bot.slack.calls import UNKNOWN, tagged
from bot.slack.recall import bookmark_titled, channel_named, tagged_posts
from bot.wiring import Deps

log = logging.getLogger(__name__)
NAME_ATTEMPTS = 5
CARD = "card"  # the card post's metadata `what`
TOLD = "told"  # the declarer's DM's
_steps = ThreadPoolExecutor(max_workers=8, thread_name_prefix="declare")


def key(incident_id: int) -> str:
    return f"declare:{incident_id}"


def record(session: Session, incident: Incident, by: str, now: datetime, worker: str) -> None:
    """The declaration's row, held by the declaring thread while it creates the channel (if
    that thread dies, the claim goes stale and someone else finishes)."""
    session.flush()
    payload = {"incident": incident.id, "by": by}
    row = store.row("declare", key(incident.id), key(incident.id), payload, now)
    store.enqueue(session, [{**row, "claimed_at": now, "claimed_by": worker}])


def hand_over(deps: Deps, incident_id: int, *, told: bool, unknown: bool = False) -> None:
    """The declaring thread is done with the row: the delivery worker finishes from here.
    `unknown`: its channel creation got no answer, so the channel is looked for first."""
    now = deps.clock()
    with deps.db.unit_of_work() as session:
        row = session.scalar(select(Outbox).where(Outbox.dedupe_key == key(incident_id)))
        if row is None:
            return
        row.payload = {**row.payload, "told": told, "look_first": unknown}
        row.claimed_at = row.claimed_by = None
        row.due_at = now
    if deps.delivery is not None:
        deps.delivery.kick(key(incident_id))


def abandon(deps: Deps, incident_id: int) -> None:
    """Slack refused the channel for good: the declaration is taken back whole."""
    with deps.db.unit_of_work() as session:
        session.execute(
            update(Outbox)
            .where(Outbox.dedupe_key == key(incident_id))
            .values(sent_at=deps.clock(), last_error="abandoned: no channel")
        )
        # Its timeline entry and role go with it (ON DELETE CASCADE).
        session.execute(delete(Incident).where(Incident.id == incident_id))


def open_channel(deps: Deps, incident_id: int, *, look_first: bool = False) -> Incident:
    """Create the incident's channel (or adopt it, see the module docstring) and record it,
    with its announcement and topic, in one transaction; kick their lanes. `look_first`: an
    earlier attempt may have made it (its answer was lost), so look for it before creating."""
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
    if incident.channel_id:
        return incident
    channel = _create_or_adopt(deps, incident, look_first)
    now = deps.clock()
    with deps.db.unit_of_work() as session:
        session.execute(
            update(Incident)
            .where(Incident.id == incident_id, Incident.channel_id.is_(None))
            .values(channel_id=channel["id"], channel_name=channel["name"])
        )
        incident = session.get(Incident, incident_id, populate_existing=True)
        assert incident is not None and incident.channel_id
        by = incident.declared_by
        announcements.record(session, incident, "declared", by, now)
        publishing.record_topic(session, incident, now)
        # Workflows on `declared` start once there is a channel to work in.
        guided.record_trigger(session, incident, "declared", "declared", now)
    if deps.delivery is not None:
        deps.delivery.kick(incident.announce_channel, incident.channel_id, guided.lane(incident_id))
    return incident


def _create_or_adopt(deps: Deps, incident: Incident, look_first: bool) -> dict[str, Any]:
    slack, prefix = deps.notifier, deps.settings.INCIDENT_CHANNEL_PREFIX
    name = incident.channel_name
    for attempt in range(NAME_ATTEMPTS):
        name = channel_name(prefix, incident.number, incident.title, attempt)
        found = channel_named(slack, name) if look_first else None
        if found is None:
            try:
                return slack.create_channel(name, private=incident.private)
            except SlackFailure as exc:
                if exc.code != "name_taken":
                    raise
            found = channel_named(slack, name)
        if found is not None and _ours(deps, found, incident.id):
            log.info("adopting #%s: created for incident %s earlier", name, incident.number)
            return found
    raise SlackFailure(
        f"{NAME_ATTEMPTS} channel names like #{name} are taken: use a different title.",
        "name_taken",
    )


def _ours(deps: Deps, channel: dict[str, Any], incident_id: int) -> bool:
    """Created by the bot, not archived, and no other incident's channel."""
    if channel.get("creator") != deps.notifier.me() or channel.get("is_archived"):
        return False
    with deps.db.unit_of_work() as session:
        holder = session.scalar(select(Incident.id).where(Incident.channel_id == channel["id"]))
    return holder in (None, incident_id)


def finish(deps: Deps, row: Outbox, now: datetime) -> str:
    """The `declare` outbox sender: every step not done yet, independent ones at once."""
    progress = dict(row.payload)
    look_first = bool(progress.get("look_first")) or row.attempted_at is not None
    incident = open_channel(deps, progress["incident"], look_first=look_first)
    channel = incident.channel_id or ""
    # Attempted before (its answer lost, or its process killed): look in Slack before posting
    # the card or adding the bookmark again.
    checked = row.attempted_at is not None
    try:
        phase: dict[str, Callable[[], Any]] = {}
        if not progress.get("invited"):
            phase["invited"] = lambda: _invite(deps, incident)
        if not incident.card_ts:
            phase["card"] = lambda: _post_card(deps, row, incident, checked)
        if not progress.get("told"):
            phase["told"] = lambda: _tell_declarer(deps, row, incident, checked)
        done = _at_once(phase, progress)
        if "card" in done:
            incident.card_ts = done["card"]
        if incident.card_ts and not progress.get("pinned"):
            pin_and_link: dict[str, Callable[[], Any]] = {
                "pinned": lambda: deps.notifier.pin(channel, incident.card_ts or ""),
                "link": lambda: deps.notifier.permalink(channel, incident.card_ts or ""),
            }
            _at_once(pin_and_link, progress)
        if progress.get("link") and not progress.get("bookmarked"):
            _bookmark(deps, incident, progress["link"], checked)
            progress["bookmarked"] = True
    finally:
        store.save_progress(deps.db, row.id, progress)
    return f"incident {incident.number} set up in #{incident.channel_name}"


def _at_once(steps: dict[str, Callable[[], Any]], progress: dict[str, Any]) -> dict[str, Any]:
    """Run independent Slack calls concurrently and note each that succeeded in `progress`
    (its result, or True); the first failure is raised once all have ended."""
    futures = {name: _steps.submit(copy_context().run, step) for name, step in steps.items()}
    results: dict[str, Any] = {}
    failure: BaseException | None = None
    for name, future in futures.items():
        try:
            results[name] = future.result()
            progress[name] = True if results[name] is None else results[name]
        except BaseException as exc:
            failure = failure or exc
    if failure is not None:
        raise failure
    return results


def _invite(deps: Deps, incident: Incident) -> None:
    """The declarer into the channel; a refusal for good is logged, not fatal."""
    try:
        deps.notifier.invite(incident.channel_id or "", [incident.declared_by])
    except SlackFailure as exc:
        if exc.code in UNKNOWN or exc.code == "ratelimited":
            raise
        log.warning("could not invite the declarer of incident %s: %s", incident.number, exc.code)


def _post_card(deps: Deps, row: Outbox, incident: Incident, checked: bool) -> str:
    """Post the card (tagged with this row), unless an earlier attempt already did."""
    channel = incident.channel_id or ""
    ts = None
    if checked:
        since = row.attempted_at or deps.clock()
        posts = tagged_posts(deps.notifier, channel, since)
        ts = next((p.ts for p in posts if row.id in p.rows and p.payload.get("what") == CARD), None)
    if ts is None:
        with deps.db.unit_of_work() as session:
            fresh = session.get(Incident, incident.id)
            assert fresh is not None
            guide = guided.guided_lines(session, fresh, playbook_for(deps.settings))
            text, blocks = (
                messages.card_text(fresh),
                messages.incident_card(fresh, deps.settings.zone, guide),
            )
        with tagged([row.id], what=CARD):
            ts = deps.notifier.post(channel, text, blocks)
    with deps.db.unit_of_work() as session:
        session.execute(update(Incident).where(Incident.id == incident.id).values(card_ts=ts))
    return ts


def _bookmark(deps: Deps, incident: Incident, link: str, checked: bool) -> None:
    channel, title = incident.channel_id or "", f"Incident {incident.number} card"
    if checked and bookmark_titled(deps.notifier, channel, title):
        return
    try:
        deps.notifier.bookmark(channel, title, link)
    except SlackFailure as exc:
        if exc.code in UNKNOWN or exc.code == "ratelimited":
            raise
        log.warning("could not bookmark the card of incident %s: %s", incident.number, exc.code)


def _tell_declarer(deps: Deps, row: Outbox, incident: Incident, checked: bool) -> None:
    """The declarer's reply was lost with the process that declared: say it by DM (once)."""
    text = f"Incident {incident.number} declared: <#{incident.channel_id}>. You are the commander."
    try:
        if checked:
            since = row.attempted_at or deps.clock()
            posts = tagged_posts(deps.notifier, incident.declared_by, since)
            if any(row.id in p.rows and p.payload.get("what") == TOLD for p in posts):
                return
        with tagged([row.id], what=TOLD):
            deps.notifier.dm(incident.declared_by, text)
    except SlackFailure as exc:
        log.warning("could not tell the declarer of incident %s: %s", incident.number, exc.code)
