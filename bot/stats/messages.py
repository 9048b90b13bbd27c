"""Block Kit for `/incident stats`: a table per severity, sample sizes beside every number."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.slack.blocks import plural
from bot.stats.rules import (
    MIN_SAMPLE,
    Comparison,
    GroupStats,
    StatsQuery,
    Summary,
    short_duration,
)

ROW_NAMES = {
    "time_to_detect": "detect",
    "time_to_acknowledge": "acknowledge",
    "time_to_mitigate": "mitigate",
    "time_to_resolve": "resolve",
}
WINDOW_NAMES = {
    "7d": "last 7 days",
    "30d": "last 30 days",
    "90d": "last 90 days",
    "all": "all time",
}
METHOD_NOTE = (
    "Time to detect = started→detected, acknowledge = detected→acknowledged, mitigate = "
    "started→mitigated, resolve = started→resolved (unset started/detected count as declared). "
    "n = incidents with that end milestone set; the others are left out, never counted as zero. "
    f"p90 by linear interpolation between closest ranks. `*` = fewer than {MIN_SAMPLE}: "
    "too few to compare."
)


def title(query: StatsQuery) -> str:
    """`Incident stats · last 30 days · SEV2`."""
    parts = ["Incident stats", WINDOW_NAMES[query.window]]
    if query.severity:
        parts.append(query.severity.upper())
    if query.incident_type:
        parts.append(f"type {query.incident_type}")
    return " · ".join(parts)


def _n(summary: Summary) -> str:
    return f"{summary.n}{'*' if summary.too_small else ' '}"


def table(group: GroupStats) -> str:
    """A monospaced table: one row per duration, n first, then median, p90, mean, min, max."""
    lines = [f"{'':<12}{'n':>6} {'median':>7} {'p90':>7} {'mean':>7} {'min':>7} {'max':>7}"]
    for name, label in ROW_NAMES.items():
        s = group.durations.get(name, Summary(0))
        numbers = (s.median, s.p90, s.mean, s.min, s.max)
        lines.append(
            f"{label:<12}{_n(s):>6} " + " ".join(f"{short_duration(v):>7}" for v in numbers)
        )
    return "```\n" + "\n".join(lines) + "\n```"


def _group_section(group: GroupStats) -> SectionBlock:
    name = "All severities" if group.label == "overall" else group.label.upper()
    return SectionBlock(
        text=MarkdownTextObject(
            text=f"*{name}* · {plural(group.incidents, 'incident')}\n{table(group)}"
        )
    )


def comparison_text(query: StatsQuery, cmp: Comparison) -> str:
    """Medians now against the previous window, only where both samples hold ≥ MIN_SAMPLE."""
    head = f"*Compared with the previous {query.days} days*"
    counts = f"{plural(cmp.incidents_now, 'incident')} now, {cmp.incidents_before} before"
    if not cmp.comparable:
        return (
            f"{head}: not enough incidents to tell ({counts}; "
            f"each window needs at least {MIN_SAMPLE})."
        )
    lines = [f"{head} ({counts}):"]
    for change in cmp.changes:
        label = "time to " + ROW_NAMES[change.name]
        sizes = f"n {change.before.n} → {change.now.n}"
        if change.comparable:
            before, now = short_duration(change.before.median), short_duration(change.now.median)
            lines.append(f"• {label}: median {before} → {now} ({sizes})")
        else:
            lines.append(f"• {label}: not enough incidents to tell ({sizes})")
    lines.append("_Medians of small samples move by chance: a change is a prompt to look._")
    return "\n".join(lines)


def stats_blocks(
    query: StatsQuery,
    groups: list[GroupStats],
    private: int,
    cmp: Comparison | None,
    now: datetime,
    zone: ZoneInfo,
    sourced: str | None = None,
) -> tuple[str, list[Block]]:
    """Fallback text and blocks for one `stats` answer; `sourced` says which milestones
    came from alerts (bot.stats.sources)."""
    overall = next(g for g in groups if g.label == "overall")
    since = "the first incident" if query.since is None else _day(query.since, zone)
    blocks: list[Block] = [
        HeaderBlock(text=title(query)),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Incidents declared from {since} to {_day(now, zone)} ({zone.key})."
                )
            ]
        ),
    ]
    if overall.incidents == 0:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="No incidents in this window.")))
        return f"{title(query)}: no incidents.", blocks
    shown = [g for g in groups if g.label != "overall"]
    if len(shown) > 1 or not shown:
        shown.append(overall)
    blocks += [_group_section(g) for g in shown]
    if private:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f":lock: Includes {private} private incident"
                        f"{'' if private == 1 else 's'}, counted without details."
                    )
                ]
            )
        )
    if cmp is not None:
        blocks += [
            DividerBlock(),
            SectionBlock(text=MarkdownTextObject(text=comparison_text(query, cmp))),
        ]
    if sourced:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=sourced)]))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=METHOD_NOTE)]))
    resolve = overall.durations["time_to_resolve"]
    text = (
        f"{title(query)}: {plural(overall.incidents, 'incident')}; median time to resolve "
        f"{short_duration(resolve.median)} (n={resolve.n})."
    )
    return text, blocks


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d")


def chart_note(note: str) -> list[Block]:
    """One context line saying where the chart went (or why it didn't)."""
    return [ContextBlock(elements=[MarkdownTextObject(text=f":bar_chart: {note}")])]
