"""Events people cause (typing, reacting, editing, pinning, opening App Home), for SlackDriver.

Each helper changes the fake the way Slack would (the message exists, the reaction is on it,
the edit is stored) and then delivers the event, so what the app fetches afterwards agrees with
what it was told.
"""

from __future__ import annotations

import copy
import uuid
from typing import TYPE_CHECKING, Any, Protocol

from . import payloads as p

if TYPE_CHECKING:
    from tests.support.slackdriver import DriverResponse

    from .fake import FakeSlack


class _Sends(Protocol):
    fake: FakeSlack | None
    team_id: str

    def event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> DriverResponse: ...


class PeopleEvents:
    """Convenience senders of common events; mixed into SlackDriver."""

    def message(
        self: _Sends,
        user: str,
        text: str,
        channel: str,
        ts: str | None = None,
        thread_ts: str | None = None,
    ) -> DriverResponse:
        """A person posts a message (stored in the fake) and the app gets `message`."""
        blocks = p.rich_text(text)
        if self.fake is not None:
            ts = self.fake.add_message(channel, user, text, ts, thread_ts, blocks=blocks)
        ts = ts or p.event_ts()
        event = {
            "client_msg_id": str(uuid.uuid4()),
            "type": "message",
            "text": text,
            "user": user,
            "ts": ts,
            "blocks": blocks,
            "team": self.team_id,
            "channel": channel,
            "event_ts": ts,
            "channel_type": p.channel_type(self.fake, channel),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event)

    def reaction_added(
        self: _Sends, user: str, reaction: str, channel: str, ts: str, item_user: str | None = None
    ) -> DriverResponse:
        """A person adds :reaction: to a message."""
        return _reaction(self, "reaction_added", user, reaction, channel, ts, item_user)

    def reaction_removed(
        self: _Sends, user: str, reaction: str, channel: str, ts: str, item_user: str | None = None
    ) -> DriverResponse:
        """A person removes :reaction: from a message."""
        return _reaction(self, "reaction_removed", user, reaction, channel, ts, item_user)

    def message_changed(
        self: _Sends, channel: str, ts: str, text: str, user: str | None = None
    ) -> DriverResponse:
        """A person edits their message."""
        previous = _stored(self.fake, channel, ts, user)
        current = {**previous, "text": text, "blocks": p.rich_text(text)}
        current["edited"] = {"user": previous.get("user"), "ts": p.event_ts()}
        if self.fake is not None and (stored := self.fake.channels[channel].find(ts)):
            with self.fake.lock:
                stored.update(copy.deepcopy(current))
        event = {
            "type": "message",
            "subtype": "message_changed",
            "message": current,
            "previous_message": previous,
            "channel": channel,
            "hidden": True,
            "ts": p.event_ts(),
            "channel_type": p.channel_type(self.fake, channel),
        }
        return self.event(event)

    def message_deleted(self: _Sends, channel: str, ts: str) -> DriverResponse:
        """A message is deleted."""
        previous = _stored(self.fake, channel, ts, None)
        if self.fake is not None and (stored := self.fake.channels[channel].find(ts)):
            with self.fake.lock:
                self.fake.channels[channel].messages.remove(stored)
        event = {
            "type": "message",
            "subtype": "message_deleted",
            "previous_message": previous,
            "channel": channel,
            "hidden": True,
            "deleted_ts": ts,
            "ts": p.event_ts(),
            "channel_type": p.channel_type(self.fake, channel),
        }
        return self.event(event)

    def pin_added(self: _Sends, user: str, channel: str, ts: str) -> DriverResponse:
        """A person pins a message."""
        message = _stored(self.fake, channel, ts, None)
        pins = 1
        if self.fake is not None and channel in self.fake.channels:
            with self.fake.lock:
                ch = self.fake.channels[channel]
                ch.pins.add(ts)
                pins = len(ch.pins)
        message["pinned_to"] = [channel]
        message["permalink"] = f"https://fake.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        created = int(float(p.event_ts()))
        event = {
            "type": "pin_added",
            "user": user,
            "channel_id": channel,
            "item": {
                "type": "message",
                "created": created,
                "created_by": user,
                "channel": channel,
                "message": message,
            },
            "item_user": message.get("user"),
            "pin_count": pins,
            "pinned_info": {"channel": channel, "pinned_by": user, "pinned_ts": created},
        }
        return self.event(event)

    def app_home_opened(self: _Sends, user: str, tab: str = "home") -> DriverResponse:
        """A person opens the app's Home (or Messages) tab."""
        channel = f"D0{user}"
        event: dict[str, Any] = {"type": "app_home_opened", "user": user, "tab": tab}
        if self.fake is not None:
            with self.fake.lock:
                channel = self.fake.dm_with(user).id
                if user in self.fake.home_views and tab == "home":
                    event["view"] = copy.deepcopy(self.fake.home_views[user])
        event["channel"] = channel
        return self.event(event)


def _stored(fake: FakeSlack | None, channel: str, ts: str, user: str | None) -> dict[str, Any]:
    if fake is not None and channel in fake.channels:
        with fake.lock:
            found = fake.channels[channel].find(ts)
            if found is not None:
                return copy.deepcopy(found)
    return {"type": "message", "user": user or "U1", "text": "", "ts": ts}


def _reaction(
    driver: _Sends,
    kind: str,
    user: str,
    reaction: str,
    channel: str,
    ts: str,
    item_user: str | None,
) -> DriverResponse:
    reaction = reaction.strip(":")
    fake = driver.fake
    if fake is not None and channel in fake.channels:
        with fake.lock:
            msg = fake.channels[channel].find(ts)
            if msg is not None:
                item_user = item_user or msg.get("user")
                _apply_reaction(msg, kind, user, reaction)
    event = {
        "type": kind,
        "user": user,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "reaction": reaction,
        "item_user": item_user or "U1",
    }
    return driver.event(event)


def _apply_reaction(msg: dict[str, Any], kind: str, user: str, name: str) -> None:
    reactions = msg.setdefault("reactions", [])
    entry = next((r for r in reactions if r["name"] == name), None)
    if kind == "reaction_added":
        if entry is None:
            entry = {"name": name, "users": [], "count": 0}
            reactions.append(entry)
        if user not in entry["users"]:
            entry["users"].append(user)
    elif entry is not None and user in entry["users"]:
        entry["users"].remove(user)
    if entry is not None:
        entry["count"] = len(entry["users"])
        if not entry["users"]:
            reactions.remove(entry)
    if not reactions:
        del msg["reactions"]
