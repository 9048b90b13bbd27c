"""Posting a draft to Slack: summary message, the Markdown as a file (or a canvas), a bookmark.

Re-running replaces the previous draft: the old summary and file are deleted (a canvas is edited
in place) and the bookmark is edited, so the channel never collects stale drafts. The draft is
stored first; Slack is called after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.db import Database
from bot.drafting.draft import Draft
from bot.errors import SlackFailure
from bot.models import Incident, Postmortem
from bot.parsing import neutralise
from bot.slack.port import Notifier

log = logging.getLogger(__name__)
BOOKMARK_TITLE = "Postmortem draft"


@dataclass
class Published:
    message_ts: str
    link: str
    file_id: str | None = None
    canvas_id: str | None = None
    bookmark_id: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _Previous:
    message_ts: str | None = None
    file_id: str | None = None
    canvas_id: str | None = None
    bookmark_id: str | None = None


def _row(session: Session, incident_id: int) -> Postmortem | None:
    return session.scalar(select(Postmortem).where(Postmortem.incident_id == incident_id))


def store(db: Database, draft: Draft, now: datetime) -> _Previous:
    """Upsert the incident's one Postmortem row with the new Markdown; return the old Slack ids."""
    with db.unit_of_work() as session:
        # Lock the incident so two concurrent runs don't both insert the one row.
        session.execute(
            select(Incident.id).where(Incident.id == draft.incident_id).with_for_update()
        )
        row = _row(session, draft.incident_id)
        if row is None:
            row = Postmortem(incident_id=draft.incident_id, created_at=now)
            session.add(row)
            previous = _Previous()
        else:
            previous = _Previous(row.message_ts, row.file_id, row.canvas_id, row.bookmark_id)
        row.template = draft.template
        row.markdown = draft.markdown
        row.ai_used = draft.ai_model is not None
        row.fallback_reason = (draft.fallback_reason or "")[:300] or None
        row.updated_at = now
    return previous


def publish(
    db: Database, notifier: Notifier, settings: Settings, draft: Draft, now: datetime
) -> Published:
    """Post the draft to its incident channel, replacing any previous one."""
    previous = store(db, draft, now)
    channel = draft.channel_id
    title = f"Postmortem draft — incident {draft.number}: {draft.title}"[:250]
    notes: list[str] = []
    canvas_id = None
    if settings.INCIDENT_POSTMORTEM_CANVAS:
        canvas_id = _canvas(notifier, channel, title, draft.markdown, previous.canvas_id, notes)
    text = _summary_text(draft, as_canvas=canvas_id is not None)
    ts = notifier.post(channel, text, _summary_blocks(draft, text, notes))
    file_id = None
    if canvas_id is None:
        file_id = notifier.upload_file(
            channel,
            f"postmortem-incident-{draft.number}.md",
            draft.markdown,
            title=title,
            thread_ts=ts,
        )
    link = _link(notifier, channel, ts, canvas_id or file_id)
    bookmark_id = _bookmark(notifier, channel, link, previous.bookmark_id)
    _forget(notifier, channel, previous)
    with db.unit_of_work() as session:
        row = _row(session, draft.incident_id)
        assert row is not None
        row.message_ts, row.file_id, row.canvas_id = ts, file_id, canvas_id
        row.bookmark_id = bookmark_id
    return Published(ts, link, file_id, canvas_id, bookmark_id, notes)


def _canvas(
    notifier: Notifier,
    channel: str,
    title: str,
    markdown: str,
    previous: str | None,
    notes: list[str],
) -> str | None:
    """Edit the previous canvas or create one; None (and a note) when Slack won't."""
    if previous:
        try:
            notifier.edit_canvas(previous, markdown)
            return previous
        except SlackFailure:
            log.info("previous postmortem canvas %s is gone; creating a new one", previous)
    try:
        return notifier.create_canvas(channel, title, markdown)
    except SlackFailure as exc:
        code = exc.code
        notes.append(f"Couldn't create a canvas (`{code}`), so the draft is attached as a file.")
        return None


def _summary_text(draft: Draft, *, as_canvas: bool) -> str:
    how = (
        f"AI-assisted (`{draft.ai_model}`), claims cite timeline entries"
        if draft.ai_model
        else "deterministic, from the timeline"
    )
    where = "canvas" if as_canvas else "Markdown file in the thread"
    return (
        f":memo: *Postmortem draft for incident {draft.number}* ({how}; template "
        f"`{draft.template}`)\n>{neutralise(draft.summary)}\nThe full draft is in the "
        f"{where} and bookmarked at the top of the channel. Run `/incident postmortem` again to "
        "replace it."
    )


def _summary_blocks(draft: Draft, text: str, notes: list[str]) -> list[SectionBlock | ContextBlock]:
    body: list[SectionBlock | ContextBlock] = [SectionBlock(text=MarkdownTextObject(text=text))]
    lines = [f":warning: {draft.fallback_reason}"] if draft.fallback_reason else []
    lines += notes
    if draft.redacted:  # "nothing redacted" belongs in the prompt audit, not in the draft
        lines.append(f"Scrubbed before leaving incident-bot: {draft.redactions}.")
    if lines:
        body.append(ContextBlock(elements=[MarkdownTextObject(text=line) for line in lines[:10]]))
    return body


def _link(notifier: Notifier, channel: str, ts: str, file_id: str | None) -> str:
    if file_id:
        try:
            return notifier.file_permalink(file_id)
        except (SlackFailure, KeyError):
            log.warning("no permalink for postmortem file %s; linking the message", file_id)
    return notifier.permalink(channel, ts)


def _bookmark(notifier: Notifier, channel: str, link: str, previous: str | None) -> str | None:
    if previous:
        try:
            notifier.edit_bookmark(channel, previous, BOOKMARK_TITLE, link)
            return previous
        except SlackFailure:
            log.info("postmortem bookmark %s is gone; adding a new one", previous)
    try:
        return notifier.bookmark(channel, BOOKMARK_TITLE, link)
    except SlackFailure:
        log.warning("could not bookmark the postmortem in %s", channel)
        return None


def _forget(notifier: Notifier, channel: str, previous: _Previous) -> None:
    """Delete the previous draft's message and file once the new one is up (a canvas is
    edited in place instead)."""
    try:
        if previous.file_id:
            notifier.delete_file(previous.file_id)
        if previous.message_ts:
            notifier.delete_message(channel, previous.message_ts)
    except SlackFailure:
        log.warning("could not remove the previous postmortem draft in %s", channel)
