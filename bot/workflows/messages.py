"""What workflows show: the checklist message, the timeline line of a run, the one report of
its failed steps."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block

from bot.models import Task
from bot.slack.blocks import clip
from bot.workflows.checklist import checklist_blocks

MARK = {"done": "✓", "failed": "✗"}


def checklist_post(title: str, tasks: Sequence[Task], zone: ZoneInfo) -> tuple[str, list[Block]]:
    text = f"Checklist: {title} ({len(tasks)} tasks)"
    return text, checklist_blocks(title, tasks, zone)


def run_line(workflow: str, trigger: str, outcomes: Sequence[tuple[str, str, str]]) -> str:
    """`Workflow db-sev1 ran (declared): ✓ invite: … · ✗ post: …` for the timeline."""
    failed = sum(1 for _kind, state, _text in outcomes if state == "failed")
    head = f"Workflow `{workflow}` ran ({trigger})" + (
        f", {failed} step(s) failed" if failed else ""
    )
    steps = "\n".join(f"{MARK[state]} {kind}: {text}" for kind, state, text in outcomes)
    return clip(f"{head}\n{steps}", 3000)


def failure_report(workflow: str, failures: Sequence[tuple[int, str, str]]) -> str:
    """The one message in the channel about a run's failed steps (the others ran)."""
    lines = [f":warning: Workflow `{workflow}`: {len(failures)} step(s) failed; the others ran."]
    lines += [f"• step {i + 1} ({kind}): {text}" for i, kind, text in failures]
    return clip("\n".join(lines), 3000)
