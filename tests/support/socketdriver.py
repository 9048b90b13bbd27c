"""SocketDriver: SlackDriver's slash commands, events and interactions, sent the way Slack
sends them to an app in Socket Mode: as envelopes on `fake.socket_mode`.

drv = SocketDriver(fake)
r = drv.command("/incident", "help", user="U1")        # an envelope of type slash_commands
assert r.status == 200 and r.elapsed < 3                # acked, and how fast
drv.event(event, event_id=eid, retry_num=1)             # retry_attempt=1, same event_id

The answer is the app's ack: status 200 with the ack's payload as the body, or status 0 when
no ack came within `ack_timeout` seconds (Slack waits 3, then delivers an event again).
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qsl

from tests.support.fakeslack import FakeSlack
from tests.support.fakeslack.socket_mode import EnvelopeType
from tests.support.slackdriver import DriverResponse, SlackDriver

NO_ACK = 0
_CLOCKS = {"perf": time.perf_counter}  # in a dict so freezegun leaves it real


class SocketDriver(SlackDriver):
    """SlackDriver over Socket Mode; signatures play no part there (the app dialled out)."""

    def __init__(self, fake: FakeSlack, ack_timeout: float = 3.0, **kwargs: Any) -> None:
        super().__init__(app_url="socket-mode", signing_secret="", fake=fake, **kwargs)
        self.socket_fake = fake
        self.ack_timeout = ack_timeout
        self.envelope_ids: list[str] = []

    def post(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> DriverResponse:
        """Deliver what SlackDriver would POST as an envelope; wait for the ack."""
        kind, payload = _envelope_of(body, content_type)
        retry = int((headers or {}).get("X-Slack-Retry-Num", 0))
        reason = (headers or {}).get("X-Slack-Retry-Reason", "") if retry else ""
        sm = self.socket_fake.socket_mode
        start = _CLOCKS["perf"]()
        eid = sm.send_envelope(kind, payload, retry_attempt=retry, retry_reason=reason)
        self.envelope_ids.append(eid)
        try:
            ack = sm.wait_for_ack(eid, timeout=self.ack_timeout)
        except AssertionError:
            return DriverResponse(NO_ACK, "", {}, _CLOCKS["perf"]() - start)
        timing = sm.ack(eid)
        elapsed = timing.seconds if timing else _CLOCKS["perf"]() - start
        text = json.dumps(ack["payload"]) if "payload" in ack else ""
        return DriverResponse(200, text, {"envelope_id": eid}, elapsed)


def _envelope_of(body: str, content_type: str) -> tuple[EnvelopeType, dict[str, Any]]:
    """What Slack puts in the envelope for the request SlackDriver built."""
    if content_type == "application/json":
        return "events_api", json.loads(body)
    form = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in form:
        return "interactive", json.loads(form["payload"])
    return "slash_commands", form
