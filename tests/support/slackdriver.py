"""SlackDriver: what Slack sends an app, signed, over real HTTP (stdlib only).

drv = SlackDriver(app_url, signing_secret, fake=fake)
r = drv.command("/incident", "declare sev2 Checkout down", user="U1", channel=cid)
assert r.status == 200
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.support.fakeslack import FakeSlack, lookup
from tests.support.fakeslack import payloads as p
from tests.support.fakeslack.events import PeopleEvents

_CLOCKS = {"perf": time.perf_counter}  # in a dict so freezegun leaves it real


@dataclass
class DriverResponse:
    """The app's HTTP answer, plus the ids the driver put in the request."""

    status: int
    text: str
    headers: dict[str, str]
    elapsed: float
    response_url_id: str | None = None
    trigger_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.text)


class SlackDriver(PeopleEvents):
    """Sends slash commands, events and interactions to an app the way Slack does.

    Event helpers (message, reaction_added, reaction_removed, message_changed, message_deleted,
    pin_added, app_home_opened) come from PeopleEvents and keep the fake in step.
    """

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        fake: FakeSlack | None = None,
        team_id: str = "T0TEST",
        api_app_id: str = "A0FAKEAPP1",
        team_domain: str = "fake",
        timeout: float = 10.0,
    ) -> None:
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.fake = fake
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.team_domain = team_domain
        self.timeout = timeout
        self._ids = itertools.count(1)

    # ---- transport -------------------------------------------------------------------------
    def post(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> DriverResponse:
        """POST a body signed with v0 (X-Slack-Request-Timestamp + X-Slack-Signature)."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        verifier = SignatureVerifier(secret if secret is not None else self.signing_secret)
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(headers or {}),
        }
        request = urllib.request.Request(self.app_url, body.encode(), sent, method="POST")
        start = _CLOCKS["perf"]()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                status, raw, got = answer.status, answer.read(), dict(answer.headers)
        except urllib.error.HTTPError as err:
            status, raw, got = err.code, err.read(), dict(err.headers)
        elapsed = _CLOCKS["perf"]() - start
        return DriverResponse(status, raw.decode("utf-8", "replace"), got, elapsed)

    def _form(self, fields: dict[str, Any], **send: Any) -> DriverResponse:
        return self.post(urlencode(fields), "application/x-www-form-urlencoded", **send)

    def _interaction(self, payload: dict[str, Any], **send: Any) -> DriverResponse:
        answer = self._form({"payload": json.dumps(payload)}, **send)
        answer.payload = payload
        answer.trigger_id = payload.get("trigger_id")
        return answer

    def _response_url(self, kind: str) -> tuple[str, str]:
        url_id = f"{kind}-{next(self._ids)}"
        if self.fake is not None:
            return url_id, self.fake.response_url(url_id)
        return url_id, f"https://hooks.slack.com/{kind}/{self.team_id}/{url_id}"

    def _trigger(self, user: str, view_id: str | None = None) -> str:
        if self.fake is not None:
            return self.fake.new_trigger_id(user=user, view_id=view_id)
        return f"{int(time.time())}.{self.team_id}.{next(self._ids):08x}"

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": self.team_domain}

    def _bot_user(self) -> str:
        return self.fake.bot_user_id if self.fake else "UBOT"

    # ---- slash commands --------------------------------------------------------------------
    def command(
        self,
        command: str,
        text: str = "",
        user: str = "U1",
        channel: str = "C0GENERAL",
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> DriverResponse:
        """A slash command as a signed form POST; response_url points at the fake."""
        url_id, response_url = self._response_url("commands")
        trigger_id = self._trigger(user)
        fields = {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel,
            "channel_name": p.channel_name(self.fake, channel),
            "user_id": user,
            "user_name": p.user_obj(self.fake, user, self.team_id)["name"],
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        answer = self._form(fields, secret=secret, timestamp=timestamp)
        answer.response_url_id, answer.trigger_id, answer.payload = url_id, trigger_id, fields
        return answer

    # ---- events ----------------------------------------------------------------------------
    def event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> DriverResponse:
        """One Events API event in its event_callback envelope (a Slack retry if retry_num)."""
        body = p.envelope(dict(event), self.team_id, self.api_app_id, self._bot_user(), event_id)
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        answer = self.post(json.dumps(body), "application/json", headers=headers)
        answer.payload = body
        return answer

    def url_verification(self, challenge: str = "challenge-token") -> DriverResponse:
        body = {"token": "fake-verification-token", "challenge": challenge}
        return self.post(json.dumps({**body, "type": "url_verification"}), "application/json")

    # ---- interactions ----------------------------------------------------------------------
    def block_action(
        self,
        action_id: str,
        value: str | None = None,
        user: str = "U1",
        channel: str | None = None,
        message_ts: str | None = None,
        view: dict[str, Any] | str | None = None,
        block_id: str | None = None,
        selected_option: dict[str, Any] | str | None = None,
        picked: dict[str, str] | None = None,
        checked: list[str] | None = None,
    ) -> DriverResponse:
        """A click (or selection) on an element of a message or of a view; `picked` is a user
        or date pick ({"selected_user": U} or {"selected_date": D}); `checked` the option
        values of a checkboxes element ticked after the click.

        With the fake, the element is looked up in the stored message/view: its block_id, type
        and value fill the action, and an action_id the user could not see is an error.
        """
        view_obj = lookup.view(self.fake, view) if view is not None else None
        message = lookup.message(self.fake, channel, message_ts) if channel and message_ts else None
        blocks = (view_obj or message or {}).get("blocks") or []
        found_block, element = p.find_element(blocks, action_id)
        if blocks and element is None:
            raise AssertionError(f"no element with action_id {action_id!r} in {blocks}")
        trigger_id = self._trigger(user, view_obj["id"] if view_obj else None)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": p.user_obj(self.fake, user, self.team_id),
            "api_app_id": self.api_app_id,
            "token": "fake-verification-token",
            "trigger_id": trigger_id,
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
        }
        url_id = None
        if view_obj is not None:
            payload["container"] = {"type": "view", "view_id": view_obj["id"]}
            payload["view"] = view_obj
        else:
            cid = channel or "C0GENERAL"
            url_id, response_url = self._response_url("actions")
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": cid,
                "is_ephemeral": message is None,
            }
            payload["channel"] = {"id": cid, "name": p.channel_name(self.fake, cid)}
            payload["message"] = message or {"type": "message", "ts": message_ts, "text": ""}
            payload["response_url"] = response_url
        payload["actions"] = [
            p.action_obj(
                action_id,
                block_id or found_block or "",
                element,
                value,
                selected_option,
                picked,
                checked,
            )
        ]
        answer = self._interaction(payload)
        answer.response_url_id = url_id
        return answer

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, Any],
        user: str = "U1",
        private_metadata: str | None = None,
        view_id: str | None = None,
    ) -> DriverResponse:
        """Submit the modal the app opened with this callback_id (or view_id).

        `values` is {block_id: {action_id: state_value}} as Slack sends it, or shorthand
        {block_id: plain value} when the fake knows the view.
        """
        stored = lookup.find_view(self.fake, callback_id, user, view_id)
        view = (
            dict(stored)
            if stored
            else lookup.blank_view(callback_id, self.team_id, self.api_app_id)
        )
        view["state"] = {"values": p.view_state(stored, values)}
        if private_metadata is not None:
            view["private_metadata"] = private_metadata
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": p.user_obj(self.fake, user, self.team_id),
            "api_app_id": self.api_app_id,
            "token": "fake-verification-token",
            "trigger_id": self._trigger(user, view["id"]),
            "view": view,
            "enterprise": None,
            "is_enterprise_install": False,
        }
        return self._interaction(payload)

    def message_shortcut(
        self,
        callback_id: str,
        channel: str,
        message_ts: str,
        user: str = "U1",
        message: dict[str, Any] | None = None,
    ) -> DriverResponse:
        """A message shortcut ("Add to incident timeline") run on one message."""
        message = message or lookup.message(self.fake, channel, message_ts)
        url_id, response_url = self._response_url("shortcuts")
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "trigger_id": self._trigger(user),
            "message_ts": message_ts,
            "response_url": response_url,
            "message": message or {"type": "message", "ts": message_ts, "text": ""},
            "team": self._team(),
            "user": p.user_obj(self.fake, user, self.team_id, username=False),
            "channel": {"id": channel, "name": p.channel_name(self.fake, channel)},
            "token": "fake-verification-token",
            "action_ts": p.event_ts(),
            "enterprise": None,
            "is_enterprise_install": False,
        }
        answer = self._interaction(payload)
        answer.response_url_id = url_id
        return answer
