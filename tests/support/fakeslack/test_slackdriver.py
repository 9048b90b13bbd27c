"""SlackDriver against a real Bolt app (signature check, payload parsing) wired to FakeSlack."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from tests.support.fakeslack import FakeSlack
from tests.support.slackdriver import SlackDriver

SECRET = "driver-test-secret"
SHAPES = Path(__file__).resolve().parents[2] / "fixtures" / "slack" / "event-shapes"
MODAL = {
    "type": "modal",
    "callback_id": "declare_modal",
    "title": {"type": "plain_text", "text": "Declare"},
    "submit": {"type": "plain_text", "text": "Declare"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "title"},
        }
    ],
}


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _bolt_app(fake: FakeSlack, seen: dict[str, list[Any]]) -> App:
    client = WebClient(token=fake.bot_token, base_url=fake.api_url)
    app = App(token=fake.bot_token, signing_secret=SECRET, client=client)

    def keep(kind: str, item: Any) -> None:
        seen.setdefault(kind, []).append(item)

    @app.command("/incident")
    def command(ack: Any, body: dict[str, Any], respond: Any, client: WebClient) -> None:
        ack()
        keep("command", body)
        if body["text"] == "declare":
            client.views_open(trigger_id=body["trigger_id"], view=MODAL)
        respond(f"got {body['text']}")

    @app.view("declare_modal")
    def submitted(ack: Any, view: dict[str, Any]) -> None:
        title = view["state"]["values"]["title"]["title"]["value"]
        if not title.strip():
            ack(response_action="errors", errors={"title": "Give it a title"})
            return
        ack()
        keep("view", view)

    @app.action("sev_button")
    def clicked(ack: Any, body: dict[str, Any]) -> None:
        ack()
        keep("action", body)

    @app.shortcut("add_to_timeline")
    def shortcut(ack: Any, body: dict[str, Any]) -> None:
        ack()
        keep("shortcut", body)

    @app.event("reaction_added")
    def reacted(event: dict[str, Any], request: Any) -> None:
        keep("reaction", (event, request.headers.get("x-slack-retry-num")))

    @app.event("message")
    def message(event: dict[str, Any]) -> None:
        keep("message", event)

    return app


@pytest.fixture
def world() -> Iterator[tuple[FakeSlack, SlackDriver, dict[str, list[Any]]]]:
    with FakeSlack() as fake:
        seen: dict[str, list[Any]] = {}
        handler = SlackRequestHandler(_bolt_app(fake, seen))
        server = make_server("127.0.0.1", 0, handler, handler_class=_Quiet)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        url = f"http://127.0.0.1:{server.server_port}/slack/events"
        yield fake, SlackDriver(url, SECRET, fake=fake), seen
        server.shutdown()
        server.server_close()
        thread.join()


def test_command_is_signed_and_response_url_reaches_the_fake(world: Any) -> None:
    fake, drv, seen = world
    cid = fake.add_channel("incidents")
    answer = drv.command("/incident", "help", user="U2", channel=cid)
    assert answer.status == 200
    fake.wait_for(lambda f: f.responses)
    assert fake.responses == [(answer.response_url_id, {"text": "got help"})]
    body = seen["command"][0]
    assert (body["user_name"], body["channel_name"], body["team_id"]) == (
        "bob",
        "incidents",
        "T0TEST",
    )
    assert drv.command("/incident", "help", secret="forged").status == 401
    assert drv.command("/incident", "help", timestamp=1_000_000_000).status == 401


def test_modal_opened_with_the_trigger_then_submitted(world: Any) -> None:
    fake, drv, seen = world
    drv.command("/incident", "declare", user="U1")
    fake.wait_for(lambda f: f.calls_to("views.open"))
    assert fake.calls_to("views.open")[0].ok
    blank = drv.view_submission("declare_modal", {"title": "  "}, user="U1")
    assert blank.json() == {"response_action": "errors", "errors": {"title": "Give it a title"}}
    done = drv.view_submission("declare_modal", {"title": "DNS outage"}, user="U1")
    assert done.status == 200 and done.text == ""
    view = fake.wait_for(lambda f: seen.get("view"))[0]
    assert view["state"]["values"]["title"]["title"] == {
        "type": "plain_text_input",
        "value": "DNS outage",
    }
    with pytest.raises(AssertionError, match="no input block 'severity'"):
        drv.view_submission("declare_modal", {"severity": "sev1"}, user="U1")
    fake.assert_no_violations()


def test_button_click_and_message_shortcut(world: Any) -> None:
    fake, drv, seen = world
    cid = fake.add_channel("inc-1")
    button = {
        "type": "button",
        "action_id": "sev_button",
        "value": "sev1",
        "text": {"type": "plain_text", "text": "SEV1"},
    }
    blocks = [{"type": "actions", "block_id": "card", "elements": [button]}]
    ts = WebClient(token=fake.bot_token, base_url=fake.api_url).chat_postMessage(
        channel=cid, text="card", blocks=blocks
    )["ts"]
    assert drv.block_action("sev_button", user="U1", channel=cid, message_ts=ts).status == 200
    body = fake.wait_for(lambda f: seen.get("action"))[0]
    assert body["actions"][0]["value"] == "sev1" and body["actions"][0]["block_id"] == "card"
    assert body["message"]["blocks"] == blocks and body["container"]["message_ts"] == ts
    with pytest.raises(AssertionError, match="no element with action_id 'nope'"):
        drv.block_action("nope", user="U1", channel=cid, message_ts=ts)
    typed = drv.message("U2", "the db is on fire", cid)
    assert typed.status == 200
    said = fake.wait_for(lambda f: seen.get("message"))[0]
    drv.message_shortcut("add_to_timeline", cid, said["ts"], user="U1")
    shortcut = fake.wait_for(lambda f: seen.get("shortcut"))[0]
    assert shortcut["message"]["text"] == "the db is on fire"


def test_events_update_the_fake_and_carry_retry_headers(world: Any) -> None:
    fake, drv, seen = world
    cid = fake.add_channel("inc-1")
    ts = fake.add_message(cid, "U2", "keep me")
    drv.reaction_added("U1", "pushpin", cid, ts)
    drv.reaction_added("U1", ":pushpin:", cid, ts)  # the same person again: one reaction
    event, retry = fake.wait_for(lambda f: seen.get("reaction"))[0]
    assert (event["item"], event["item_user"], retry) == (
        {"type": "message", "channel": cid, "ts": ts},
        "U2",
        None,
    )
    assert fake.channels[cid].find(ts)["reactions"] == [
        {"name": "pushpin", "users": ["U1"], "count": 1}
    ]
    retried = drv.event(event, retry_num=1)
    assert retried.status == 200
    assert fake.wait_for(lambda f: [r for r in seen["reaction"] if r[1] == ["1"]])


def _outside(payload: Any, shape: Any, path: str = "") -> list[str]:
    """Keys of payload that the Slack shape does not have (app-made subtrees skipped)."""
    if isinstance(payload, list) and isinstance(shape, list) and shape:
        union: dict[str, Any] = {}
        for item in shape:
            if isinstance(item, dict):
                union.update(item)
        return [p for item in payload for p in _outside(item, union or shape[0], path + "[]")]
    if not isinstance(payload, dict) or not isinstance(shape, dict):
        return []
    extra = []
    for key, value in payload.items():
        if key in ("blocks", "values"):
            continue
        if key not in shape:
            extra.append(f"{path}.{key}")
        else:
            extra.extend(_outside(value, shape[key], f"{path}.{key}"))
    return extra


def test_payloads_follow_slacks_shapes(world: Any) -> None:
    fake, drv, _seen = world
    cid = fake.add_channel("inc-1")
    ts = drv.message("U2", "hello", cid).payload["event"]["ts"]
    sent = {
        "slash-commands__SlashCommandPayload": drv.command(
            "/incident", "help", channel=cid
        ).payload,
        "MessagePayload": drv.message("U1", "again", cid).payload,
        "ReactionAddedPayload": drv.reaction_added("U1", "eyes", cid, ts).payload,
        "ReactionRemovedPayload": drv.reaction_removed("U1", "eyes", cid, ts).payload,
        "PinAddedPayload": drv.pin_added("U1", cid, ts).payload,
        "MessageChangedPayload": drv.message_changed(cid, ts, "hello!").payload,
        "AppHomeOpenedPayload": drv.app_home_opened("U1").payload,
        "interactive-components__MessageShortcutPayload": drv.message_shortcut(
            "add_to_timeline", cid, ts
        ).payload,
        "views__ViewSubmissionPayload": drv.view_submission("declare_modal", {}).payload,
        "interactive-components__BlockActionPayload": drv.block_action(
            "sev_button", "sev1", channel=cid, message_ts="1.000001"
        ).payload,
        "MessageDeletedPayload": drv.message_deleted(cid, ts).payload,
    }
    for name, payload in sent.items():
        shape = json.loads((SHAPES / f"{name}.json").read_text())
        if "event" in payload:  # the envelope's extra keys come from the newest event shape
            shape = {**json.loads((SHAPES / "ReactionAddedPayload.json").read_text()), **shape}
        assert _outside(payload, shape) == [], name
    assert fake.channels[cid].find(ts) is None  # deleted
