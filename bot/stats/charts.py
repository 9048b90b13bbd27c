"""PNG charts for `stats` and the weekly digest.

Figures are drawn on matplotlib's Agg canvas directly, never through pyplot: headless, no
global figure state, safe in a threaded server.

Two panels sized for Slack's preview: incidents per week stacked by severity, and the
distribution of time to resolve on a log axis (durations are heavy-tailed) with the median
and p90 marked.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sqlalchemy.orm import Session

from bot.models import SEVERITIES
from bot.stats.query import resolve_times, weekly_counts
from bot.stats.rules import StatsQuery, short_duration, summarize

SEVERITY_COLOURS = {"sev1": "#d62728", "sev2": "#ff7f0e", "sev3": "#e6c229", "sev4": "#9e9e9e"}
TICKS = ((60, "1m"), (600, "10m"), (3600, "1h"), (6 * 3600, "6h"), (86400, "1d"), (604800, "1w"))
FIGSIZE = (10.0, 4.6)  # inches; at DPI 110 about 1100 x 500 px, legible at preview width
DPI = 110
MIN_WEEKS, MAX_WEEKS = 8, 26


def weeks_for(days: int | None) -> int:
    """Weeks shown for a window: at least 8 for context, at most 26 to stay legible."""
    if days is None:
        return MAX_WEEKS
    return max(MIN_WEEKS, min(MAX_WEEKS, math.ceil(days / 7)))


def render_png(
    week_starts: Sequence[datetime],
    counts: dict[str, list[int]],
    resolve_seconds: Sequence[float],
    title: str,
) -> bytes:
    """Both panels as one PNG."""
    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, width_ratios=(1.15, 1))
    figure.suptitle(title, fontsize=14, fontweight="bold")
    _weekly_panel(left, week_starts, counts)
    _resolve_panel(right, resolve_seconds)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _weekly_panel(ax: Axes, week_starts: Sequence[datetime], counts: dict[str, list[int]]) -> None:
    labels = [w.strftime("%d %b") for w in week_starts]
    positions = list(range(len(week_starts)))
    bottom = [0] * len(week_starts)
    for severity in SEVERITIES:
        values = counts.get(severity)
        if not values:
            continue
        ax.bar(
            positions,
            values,
            bottom=bottom,
            color=SEVERITY_COLOURS[severity],
            label=severity.upper(),
            width=0.8,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title("Incidents declared per week (UTC)", fontsize=12)
    step = max(1, len(positions) // 8)
    ax.set_xticks(positions[::step], labels[::step], rotation=45, ha="right", fontsize=10)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="y", labelsize=10)
    if any(bottom):
        ax.legend(fontsize=10, loc="upper left")
    else:
        ax.text(0.5, 0.5, "no incidents", ha="center", transform=ax.transAxes, fontsize=12)


def _resolve_panel(ax: Axes, seconds: Sequence[float]) -> None:
    ax.set_title("Time to resolve (log scale)", fontsize=12)
    values = [max(v, 1.0) for v in seconds]  # a log axis can't show 0 s
    if not values:
        ax.text(0.5, 0.5, "no resolved incidents", ha="center", transform=ax.transAxes, fontsize=12)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    low, high = min(values), max(values)
    if high / low < 2:
        low, high = low / 2, high * 2
    bins = np.geomspace(low, high, num=min(25, max(6, len(values) // 3)) + 1)
    ax.hist(values, bins=bins, color="#4c72b0", alpha=0.85)
    ax.set_xscale("log")
    summary = summarize(seconds)
    ax.axvline(
        max(summary.median or 1, 1),
        color="black",
        linewidth=2,
        label=f"median {short_duration(summary.median)}",
    )
    ax.axvline(
        max(summary.p90 or 1, 1),
        color="#d62728",
        linewidth=2,
        linestyle="--",
        label=f"p90 {short_duration(summary.p90)}",
    )
    ticks = [(t, name) for t, name in TICKS if low / 3 <= t <= high * 3]
    if ticks:
        ax.set_xticks([t for t, _ in ticks], [name for _, name in ticks], fontsize=10)
        ax.minorticks_off()
    ax.set_ylabel("incidents", fontsize=10)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=10, title=f"n = {summary.n}", title_fontsize=10)


ChartData = tuple[list[datetime], dict[str, list[int]], list[float]]


def stats_chart_data(session: Session, query: StatsQuery, now: datetime) -> ChartData:
    """What the `stats` chart shows, read in one go so rendering can happen outside a session."""
    starts, counts = weekly_counts(session, weeks_for(query.days), now, query.severity)
    return starts, counts, resolve_times(session, query)


def stats_chart_png(session: Session, query: StatsQuery, now: datetime, title: str) -> bytes:
    """The `stats` chart for one query's window and severity."""
    return render_png(*stats_chart_data(session, query, now), title)


def weekly_chart_png(session: Session, now: datetime, *, weeks: int = 12) -> bytes:
    """The digest's chart: the last `weeks` weeks, every severity; time to resolve over them."""
    starts, counts = weekly_counts(session, weeks, now)
    query = StatsQuery("all", None, since=starts[0])
    title = f"Incidents, last {weeks} weeks"
    return render_png(starts, counts, resolve_times(session, query), title)
