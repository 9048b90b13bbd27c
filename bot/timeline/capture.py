"""Capture: messages people choose to keep become timeline entries, once, and stay in sync."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import SlackFailure
from bot.incidents import lifecycle as incidents
from bot.models import Incident, TimelineEntry, TimelineRevision
from bot.parsing import neutralise, without_controls
from bot.slack.port import Notifier

log = logging.getLogger(__name__)
BOT_SUBTYPES = ("bot_message",)
SKIPPED_SUBTYPES = ("channel_join", "channel_leave", "channel_topic", "channel_purpose")


@dataclass(frozen=True)
class KeptMessage:
    """What the timeline keeps of a Slack message."""

    channel: str
    ts: str
    text: str
    author: str | None
    thread_ts: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    from_bot: bool = False

    @property
    def at(self) -> datetime:
        """A message's ts is its original time (seconds since the epoch)."""
        return datetime.fromtimestamp(float(self.ts), UTC)


def kept_message(channel: str, message: dict[str, Any]) -> KeptMessage | None:
    """Read a Slack message object; None for what is not a person's (or bot's) message."""
    ts = message.get("ts")
    if not ts or message.get("subtype") in (*SKIPPED_SUBTYPES, "tombstone"):
        return None
    thread_ts = message.get("thread_ts")
    return KeptMessage(
        channel=channel,
        ts=str(ts),
        text=str(message.get("text") or ""),
        author=message.get("user") or message.get("bot_id"),
        thread_ts=str(thread_ts) if thread_ts and thread_ts != ts else None,
        files=[file_note(f) for f in message.get("files") or []],
        from_bot=bool(message.get("bot_id")) or message.get("subtype") in BOT_SUBTYPES,
    )


def file_note(file: dict[str, Any]) -> dict[str, Any]:
    """The few facts of a file worth keeping with the entry (never the content)."""
    keys = ("id", "name", "title", "mimetype", "filetype", "permalink")
    return {k: file[k] for k in keys if file.get(k)}


def entry_text(message: KeptMessage) -> str:
    """The message text, plus a note of its files and images, as the timeline stores it:
    control characters dropped, broadcasts neutralised (it will be posted again)."""
    text = message.text.strip()
    if message.files:
        names = ", ".join(f.get("title") or f.get("name") or "file" for f in message.files)
        text = f"{text}\n:paperclip: {names}" if text else f":paperclip: {names}"
    return neutralise(without_controls(text)).strip() or "_(no text)_"


def fetch_message(slack: Notifier, channel: str, ts: str) -> dict[str, Any] | None:
    """The message with this ts, top-level or a thread reply; None if gone or unreadable."""
    window = {"latest": ts, "oldest": ts, "inclusive": True}
    try:
        found = slack.call("conversations.history", channel=channel, limit=1, **window)
        for message in found.get("messages") or []:
            if message.get("ts") == ts:
                return dict(message)
        # Not top-level: a thread reply is found through its thread.
        found = slack.call("conversations.replies", channel=channel, ts=ts, limit=2, **window)
    except SlackFailure as exc:
        if exc.transient:
            raise  # not "unreadable": the caller fails, and Slack's retry of the event reads it
        log.info("can't read message %s in %s: %s", ts, channel, exc.code)
        return None
    return next((dict(m) for m in found.get("messages") or [] if m.get("ts") == ts), None)


def insert_entry(
    session: Session,
    incident: Incident,
    message: KeptMessage,
    *,
    source: str,
    by: str,
    permalink: str | None,
    now: datetime,
) -> TimelineEntry:
    """Add the message to the timeline; the unique (incident, message_ts) refuses a second."""
    entry = incidents.add_entry(
        session,
        incident,
        at=message.at,
        kind="message",
        text=entry_text(message),
        author=message.author,
        now=now,
        source=source,
        message_channel=message.channel,
        message_ts=message.ts,
        thread_ts=message.thread_ts,
        permalink=permalink,
        files=message.files,
    )
    session.flush()  # the unique constraint speaks here, inside the caller's transaction
    # Who kept it, and how: the message's author is the entry's author.
    record_revision(session, entry, reason=f"captured by {source}", by=by, now=now)
    return entry


def captured(session: Session, channel: str, ts: str) -> list[TimelineEntry]:
    """Entries kept from this message (normally at most one)."""
    return list(
        session.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.message_channel == channel, TimelineEntry.message_ts == ts)
            .with_for_update()
        )
    )


def follow_edit(
    session: Session, channel: str, message: dict[str, Any], now: datetime
) -> list[TimelineEntry]:
    """An edited message in Slack: entries follow, the earlier text stays as a revision."""
    kept = kept_message(channel, message)
    if kept is None:
        return []
    changed = []
    for entry in captured(session, channel, kept.ts):
        text = entry_text(kept)
        if entry.text == text:
            continue  # e.g. a thread reply changed the parent's reply count
        editor = (message.get("edited") or {}).get("user") or kept.author
        record_revision(session, entry, reason="edited in Slack", by=editor, now=now)
        entry.text, entry.files, entry.edited_at = text, kept.files, now
        changed.append(entry)
    return changed


def follow_delete(session: Session, channel: str, ts: str, now: datetime) -> list[TimelineEntry]:
    """A deleted message stays on the timeline, struck through: history is not rewritten."""
    changed = []
    for entry in captured(session, channel, ts):
        if not entry.deleted:
            record_revision(session, entry, reason="deleted in Slack", by=None, now=now)
            entry.deleted, entry.edited_at = True, now
            changed.append(entry)
    return changed


def restore(session: Session, channel: str, ts: str, by: str, now: datetime) -> bool:
    """Someone explicitly keeps a message that was removed: put it back, recorded."""
    restored = False
    for entry in captured(session, channel, ts):
        if entry.removed:
            record_revision(session, entry, reason="restored", by=by, now=now)
            entry.removed, entry.edited_at, restored = False, now, True
    return restored


def record_revision(
    session: Session, entry: TimelineEntry, *, reason: str, by: str | None, now: datetime
) -> None:
    """Keep the entry's text and time as they were before a change (`reason` says which)."""
    session.add(
        TimelineRevision(
            entry=entry,
            changed_at=now,
            changed_by=by,
            reason=reason,
            old_text=entry.text,
            old_at=entry.at,
        )
    )
