"""The status page under test: the app with INCIDENT_STATUS_PAGE on and three components, a
plain HTTP reader, and public updates made the way people make them (command, modal)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

from bot.slack import ids
from bot.statuspage.components import Component
from tests.support.harness import SlackHarness

COMPONENTS = """\
status_page:
  components:
    - name: API
      description: The public REST API
    - name: Dashboard
    - Payments
"""
PAGES = ("/status", "/status/feed.atom", "/status/summary.json")


@dataclass
class Answer:
    status: int
    headers: Message  # case-insensitive, as HTTP header names are
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


def get(base: str, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Answer:
    """One HTTP request to the running app, any status."""
    request = urllib.request.Request(base + path, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


def start_status_page(make_slack: Any, tmp_path: Path, **overrides: Any) -> SlackHarness:
    """The app with the status page on, reading COMPONENTS from INCIDENT_CONFIG."""
    config = tmp_path / "incident-bot.yml"
    config.write_text(COMPONENTS)
    settings = {"INCIDENT_STATUS_PAGE": True, "INCIDENT_CONFIG": str(config), **overrides}
    return make_slack(**settings)  # type: ignore[no-any-return]


def opened_views(slack: SlackHarness) -> list[dict[str, Any]]:
    return [
        c.args["view"]
        for c in slack.fake.calls_to("views.open")
        if json.dumps(c.args["view"]).count(ids.PUBLIC_UPDATE_MODAL)
    ]


def first_public_update(
    slack: SlackHarness,
    channel: str,
    *,
    title: str,
    text: str,
    impacts: dict[str, str] | None = None,
    user: str = "U1",
) -> dict[str, Any]:
    """`/incident update --public TEXT`, then the confirmation modal submitted; returns the
    modal as it was opened."""
    before = len(opened_views(slack))
    slack.command(f"update --public {text}", user=user, channel=channel)
    slack.fake.wait_for(lambda f: len(opened_views(slack)) > before, what="the confirmation")
    view = opened_views(slack)[-1]
    values: dict[str, Any] = {ids.PUBLIC_TITLE_INPUT: title, ids.PUBLIC_TEXT_INPUT: text}
    for name, impact in (impacts or {}).items():
        values[f"{ids.COMPONENT_IMPACT_INPUT}:{Component(name).id}"] = impact
    answer = slack.driver.view_submission(ids.PUBLIC_UPDATE_MODAL, values, user=user)
    assert answer.status == 200 and not answer.text, answer.text
    published(slack, channel, text)
    return view  # type: ignore[no-any-return]


def later_public_update(slack: SlackHarness, channel: str, text: str, user: str = "U1") -> None:
    """A later public update: published at once, no modal."""
    slack.command(f"update --public {text}", user=user, channel=channel)
    published(slack, channel, text)


def published(slack: SlackHarness, channel: str, text: str) -> None:
    """Wait for the channel's echo of a public update (it is on the page by then)."""
    slack.fake.wait_for(
        lambda f: any("published on the status page" in p for p in _echoes(slack, channel, text)),
        what=f"the echo of {text!r}",
    )
    slack.idle()


def _echoes(slack: SlackHarness, channel: str, text: str) -> list[str]:
    shown = []
    for call in slack.fake.calls_to("chat.postMessage") + slack.fake.calls_to("chat.update"):
        if call.args.get("channel") == channel and call.ok:
            dumped = json.dumps(call.args)
            if text.split()[0] in dumped:
                shown.append(dumped)
    return shown
