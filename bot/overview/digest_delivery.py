"""The digest's parts (messages, then the chart file) and sending them from the outbox.

Parts are rendered when the digest is planned and stored in its outbox row, so every retry
sends the same thing; progress is saved after each part, so a retry continues, not repeats.
Each message part carries its row and part number as metadata, so a part whose answer was
lost is found in the channel rather than posted twice (a lost file upload is uploaded again).
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.models import Outbox
from bot.outbox import store
from bot.overview.digest import DigestReport
from bot.overview.digest_messages import digest_messages
from bot.slack.calls import retag
from bot.slack.recall import tagged_posts
from bot.stats.charts import weekly_chart_png
from bot.stats.query import weekly_counts
from bot.wiring import Deps


def render_parts(session: Session, report: DigestReport) -> list[dict[str, Any]]:
    """Messages (each within Block Kit limits) followed by the incidents chart."""
    parts: list[dict[str, Any]] = [
        {"type": "message", "text": text, "blocks": [b.to_dict() for b in body]}
        for text, body in digest_messages(report)
    ]
    return parts + chart_parts(session, report)


def chart_parts(session: Session, report: DigestReport) -> list[dict[str, Any]]:
    """The incidents chart of the last 12 weeks as a file part; none when they had no incidents.

    The last bar is the week that just ended.
    """
    ended = report.week_end - timedelta(days=1)
    if not weekly_counts(session, 12, ended)[1]:
        return []
    png = weekly_chart_png(session, ended)
    return [file_part("incidents-12-weeks.png", png, f"Incidents, last 12 weeks ({report.week})")]


def file_part(filename: str, content: bytes, title: str, comment: str | None = None) -> dict:
    """A digest part that uploads a file (content stored base64 in the outbox row)."""
    return {
        "type": "file",
        "filename": filename,
        "title": title,
        "comment": comment,
        "content_b64": base64.b64encode(content).decode(),
    }


def send_digest(deps: Deps, row: Outbox, now: datetime) -> str:
    """Send the parts still unsent, in order, saving progress after each."""
    payload = dict(row.payload)
    parts: list[dict[str, Any]] = payload["parts"]
    channel = row.channel or ""
    start = int(payload.get("sent_parts", 0))
    if row.attempted_at is not None and start < len(parts):
        # An earlier attempt lost its answer: parts Slack shows are not posted again.
        shown = [
            int(post.payload.get("part", -1))
            for post in tagged_posts(deps.notifier, channel, row.attempted_at)
            if row.id in post.rows
        ]
        start = max([start, *(n + 1 for n in shown)])
    for index in range(start, len(parts)):
        part = parts[index]
        retag(part=str(index))
        if part.get("type") == "file":
            deps.notifier.upload_file(
                channel,
                part["filename"],
                base64.b64decode(part["content_b64"]),
                title=part["title"],
                initial_comment=part.get("comment"),
            )
        else:
            deps.notifier.post(channel, part["text"], Block.parse_all(part["blocks"]))
        payload["sent_parts"] = index + 1
        store.save_progress(deps.db, row.id, payload)
    return f"digest {payload.get('week')} to {channel} ({len(parts)} parts)"
