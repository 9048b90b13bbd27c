"""The demo's guided response: the shipped incident-bot.example.yml in force (its webhook
pointed at the stand-in), a sev1 database incident whose workflows invite the DBA on-call
group, post, bookmark and add a checklist; bob ticks a task from Slack."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from bot.app import dispatch
from bot.slack import ids

if TYPE_CHECKING:
    from bot.demo.story import DemoRun

EXAMPLE = Path(__file__).resolve().parents[2] / "incident-bot.example.yml"
EXAMPLE_HOOK = "https://hooks.example.com/incident-bot"


def demo_config(workdir: Path, hook_url: str) -> str | None:
    """The example config with its webhook sent to the stand-in; None when not shipped (an
    installed wheel without the repository)."""
    if not EXAMPLE.exists():
        return None
    path = workdir / "incident-bot.yml"
    path.write_text(EXAMPLE.read_text().replace(EXAMPLE_HOOK, hook_url))
    return str(path)


def tick(demo: DemoRun, user: str, channel: str, ts: str, option: int) -> None:
    """A person ticks a checklist box: Slack sends the app a signed block action."""
    message = demo.slack.posted[ts]
    blocks = (
        message["blocks"] if isinstance(message["blocks"], list) else json.loads(message["blocks"])
    )
    block = next(b for b in blocks if b.get("block_id", "").startswith(ids.TASK_TICK))
    chosen = block["elements"][0]["options"][option]
    who = demo.slack.readable(f"<@{user}>")
    print(f"\n» {who} ticks ☑ {chosen['text']['text']}")
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "team_id": "T0DEMO"},
        "team": {"id": "T0DEMO"},
        "api_app_id": "A0DEMO",
        "trigger_id": f"demo.tick.{time.time()}",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "channel": {"id": channel},
        "message": {"ts": ts, "text": message.get("text", "")},
        "response_url": demo.slack.response_url("tick"),
        "actions": [
            {
                "type": "checkboxes",
                "action_id": ids.TASK_TICK,
                "block_id": block["block_id"],
                "selected_options": [chosen],
                "action_ts": str(time.time()),
            }
        ],
    }
    body = "payload=" + quote(json.dumps(payload), safe="")
    dispatch(demo.app, body, demo.headers(body))
    demo.settle()


def guided_story(demo: DemoRun, alice: str, bob: str) -> None:
    """Section 7 of the demo."""
    demo.say("── 7. Guided response (incident-bot.example.yml) ──────────")
    demo.say(
        "(a sev1 database incident: the example's workflows invite the DBA on-call user group,\n"
        " post, bookmark the runbook and a call link, add a checklist and call a webhook.)"
    )
    demo.command(alice, demo.announce, "declare sev1 type:database Primary database is read-only")
    channel = demo.channel_of(2)
    demo.settle()
    checklist = next(
        ts for ts, args in demo.slack.posted.items()
        if str(args.get("text", "")).startswith("Checklist")
    )  # fmt: skip
    tick(demo, bob, channel, checklist, 0)
    demo.command(bob, channel, "tasks")
    demo.command(alice, channel, "set region mars")
