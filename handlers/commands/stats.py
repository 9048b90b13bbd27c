"""`/incident stats [7d|30d|90d|all] [sev1-4]`: honest incident metrics, with a chart.

Privacy: statistics never name an incident, so private incidents are counted for everyone,
without details (no number, title or channel appears anywhere in the answer or the chart);
the answer says how many of the counted incidents were private. Every viewer therefore sees
the same numbers, which also match /metrics.
"""

from __future__ import annotations

import logging

from bot.errors import SlackFailure
from bot.stats import charts
from bot.stats import messages as stats_blocks
from bot.stats.query import comparison, window_stats
from bot.stats.rules import parse_stats_args
from bot.stats.sources import milestone_sources, sources_line
from handlers.commands.invocation import Invocation, Reply

log = logging.getLogger(__name__)


def stats(inv: Invocation) -> Reply:
    """Answer with the tables ephemerally; the chart goes to the typist's DM with the bot."""
    now = inv.service.now()
    query = parse_stats_args(inv.command.rest, now)
    zone = inv.service.settings.zone
    with inv.service.db.unit_of_work() as session:
        result = window_stats(session, query)
        cmp = comparison(session, query, result) if result.overall.incidents else None
        sourced = sources_line(milestone_sources(session, query))
        chart_data = (
            charts.stats_chart_data(session, query, now) if result.overall.incidents else None
        )
    # Render after the transaction: on SQLite it holds the write lock.
    text, body = stats_blocks.stats_blocks(
        query, result.groups, result.private, cmp, now, zone, sourced
    )
    if chart_data is not None:
        png = charts.render_png(*chart_data, stats_blocks.title(query))
        body = [*body, *stats_blocks.chart_note(_send_chart(inv, png, text))]
    return Reply(text, body)


def _send_chart(inv: Invocation, png: bytes, text: str) -> str:
    """Files can't be ephemeral, so the chart goes to a DM; a failure is reported, not fatal."""
    slack = inv.service.slack
    try:
        dm = slack.call("conversations.open", users=inv.user)["channel"]["id"]
        slack.upload_file(dm, "incident-stats.png", png, title=text[:200])
    except SlackFailure as exc:
        log.warning("stats chart upload failed: %s", exc.message)
        return f"The chart couldn't be sent: {exc.message}"
    return "Chart sent to you in a direct message."
