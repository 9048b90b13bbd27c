"""FakeSlack through slack_sdk's real WebClient: shapes, errors, faults, checks, files."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from tests.support.fakeslack import FakeSlack


def error_of(call: Callable[[], Any]) -> str:
    with pytest.raises(SlackApiError) as caught:
        call()
    return str(caught.value.response["error"])


def test_auth(fake: FakeSlack, client: WebClient) -> None:
    assert client.auth_test()["user_id"] == "UBOT"
    wrong = WebClient(token="xoxb-wrong", base_url=fake.api_url)
    assert error_of(wrong.auth_test) == "invalid_auth"


def test_create_channel_shape_and_name_rules(fake: FakeSlack, client: WebClient) -> None:
    channel = client.conversations_create(name="inc-1-checkout")["channel"]
    assert channel["id"].startswith("C") and channel["name"] == "inc-1-checkout"
    for key in ("is_channel", "is_private", "created", "creator", "is_archived", "is_member"):
        assert key in channel
    assert channel["is_member"] is True and channel["creator"] == "UBOT"
    assert error_of(lambda: client.conversations_create(name="inc-1-checkout")) == "name_taken"
    assert error_of(lambda: client.conversations_create(name="Inc 2")) == "invalid_name_specials"
    assert error_of(lambda: client.conversations_create(name="x" * 81)) == "invalid_name_maxlength"
    private = client.conversations_create(name="inc-3", is_private=True)["channel"]
    assert private["is_private"] is True and fake.channels[private["id"]].is_private
    fake.assert_no_violations()


def test_invite_semantics(fake: FakeSlack, client: WebClient) -> None:
    cid = client.conversations_create(name="inc-1")["channel"]["id"]
    client.conversations_invite(channel=cid, users="U1,U2")
    assert {"U1", "U2", "UBOT"} <= fake.channels[cid].members
    client.conversations_invite(channel=cid, users="U1,U3")  # several: the present one is fine
    assert error_of(lambda: client.conversations_invite(channel=cid, users="U1")) == (
        "already_in_channel"
    )
    assert error_of(lambda: client.conversations_invite(channel=cid, users="U404")) == (
        "user_not_found"
    )
    assert error_of(lambda: client.conversations_invite(channel="C404", users="U1")) == (
        "channel_not_found"
    )
    secret = fake.add_channel("secret", is_private=True, bot_is_member=False)
    assert error_of(lambda: client.conversations_invite(channel=secret, users="U1")) == (
        "not_in_channel"
    )


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_message_rules(fake: FakeSlack, client: WebClient) -> None:
    announce = fake.add_channel("incidents", bot_is_member=False)
    posted = client.chat_postMessage(channel="#incidents", text="Incident 1 declared")
    assert posted["channel"] == announce and posted["message"]["bot_id"] == "BBOT"
    assert fake.messages(announce)[-1]["text"] == "Incident 1 declared"
    dm = client.chat_postMessage(channel="U2", text="your action item is due")["channel"]
    assert dm.startswith("D") and fake.channels[dm].dm_user == "U2"
    secret = fake.add_channel("secret", is_private=True, bot_is_member=False)
    assert error_of(lambda: client.chat_postMessage(channel=secret, text="x")) == "not_in_channel"
    assert error_of(lambda: client.chat_postMessage(channel="C404", text="x")) == (
        "channel_not_found"
    )
    assert error_of(lambda: client.chat_postMessage(channel=announce)) == "no_text"
    assert fake.violations == [
        "chat.postMessage: needs one of ['attachments', 'blocks', 'text',"
        " 'markdown_text'] (" + _group_desc() + ")"
    ]


def _group_desc() -> str:
    from tests.support.fakeslack.reference import method_refs

    return method_refs()["chat.postMessage"].arg_groups[0]["desc"]


def test_public_channel_needs_chat_write_public_to_post_uninvited() -> None:
    with FakeSlack(scopes=["chat:write"]) as fake:
        client = WebClient(token=fake.bot_token, base_url=fake.api_url)
        cid = fake.add_channel("incidents", bot_is_member=False)
        assert error_of(lambda: client.chat_postMessage(channel=cid, text="x")) == "not_in_channel"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_block_limits_are_errors_and_violations(fake: FakeSlack, client: WebClient) -> None:
    cid = fake.add_channel("incidents")
    divider = {"type": "divider"}
    long_section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    assert error_of(
        lambda: client.chat_postMessage(channel=cid, text="t", blocks=[divider] * 51)
    ) == ("invalid_blocks")
    assert error_of(
        lambda: client.chat_postMessage(channel=cid, text="t", blocks=[long_section])
    ) == ("invalid_blocks")
    assert (
        error_of(lambda: client.chat_postMessage(channel=cid, text="x" * 40_001)) == "msg_too_long"
    )
    assert len(fake.violations) == 3 and "51 blocks" in fake.violations[0]
    client.chat_postMessage(channel=cid, blocks=[divider])  # accepted, but no fallback text
    assert "without top-level `text`" in fake.violations[-1]
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "T"},
        "blocks": [divider] * 101,
    }
    trigger = fake.new_trigger_id(user="U1")
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=view)) == "invalid_arguments"
    assert "101 blocks" in fake.violations[-1]


def test_update_ephemeral_permalink_pins_reactions(fake: FakeSlack, client: WebClient) -> None:
    cid = fake.add_channel("inc-1", members=["U1"])
    ts = client.chat_postMessage(channel=cid, text="card")["ts"]
    client.chat_update(channel=cid, ts=ts, text="card v2")
    assert fake.channels[cid].find(ts)["text"] == "card v2"
    typed = fake.add_message(cid, "U1", "db is down")
    assert error_of(lambda: client.chat_update(channel=cid, ts=typed, text="x")) == (
        "cant_update_message"
    )
    assert error_of(lambda: client.chat_update(channel=cid, ts="1.2", text="x")) == (
        "message_not_found"
    )
    client.chat_postEphemeral(channel=cid, user="U1", text="only you")
    assert fake.ephemerals[-1]["user"] == "U1"
    assert error_of(lambda: client.chat_postEphemeral(channel=cid, user="U2", text="x")) == (
        "user_not_in_channel"
    )
    link = client.chat_getPermalink(channel=cid, message_ts=typed)["permalink"]
    assert link == f"https://fake.slack.com/archives/{cid}/p{typed.replace('.', '')}"
    client.pins_add(channel=cid, timestamp=ts)
    assert ts in fake.channels[cid].pins
    assert error_of(lambda: client.pins_add(channel=cid, timestamp=ts)) == "already_pinned"
    assert error_of(lambda: client.pins_add(channel=cid, timestamp="1.2")) == "message_not_found"
    client.chat_delete(channel=cid, ts=ts)
    assert fake.channels[cid].find(ts) is None and ts not in fake.channels[cid].pins
    fake.assert_no_violations()


def test_reference_violations(fake: FakeSlack, client: WebClient) -> None:
    assert error_of(lambda: client.api_call("chat.scheduleMessage", params={"channel": "C1"})) == (
        "unknown_method"
    )
    cid = fake.add_channel("inc-1")
    client.chat_postMessage(channel=cid, text="x", colour="red")
    client.api_call("conversations.info", json={"channel": cid})
    assert error_of(lambda: client.users_info(user="U404")) == "user_not_found"
    assert fake.violations == [
        "chat.scheduleMessage: not a method the fake knows (unknown_method)",
        "chat.postMessage: argument `colour` is not in the method reference",
        "conversations.info: sent as JSON but the method takes form data only",
    ]
    with pytest.raises(AssertionError, match="colour"):
        fake.assert_no_violations()


def test_missing_scope_follows_the_manifest(fake: FakeSlack, client: WebClient) -> None:
    cid = fake.add_channel("inc-1")
    ts = client.chat_postMessage(channel=cid, text="x")["ts"]
    with pytest.raises(SlackApiError) as caught:
        client.reactions_add(channel=cid, timestamp=ts, name="white_check_mark")
    assert caught.value.response["needed"] == "reactions:write"
    with FakeSlack(scopes={"channels:manage"}) as narrow:
        other = WebClient(token=narrow.bot_token, base_url=narrow.api_url)
        other.conversations_create(name="public-ok")
        assert (
            error_of(lambda: other.conversations_create(name="p", is_private=True))
            == "missing_scope"
        )


def test_rate_limit_and_server_error(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit("auth.test", retry_after=7)
    request = urllib.request.Request(
        fake.api_url + "auth.test", data=b"", headers={"Authorization": f"Bearer {fake.bot_token}"}
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 429 and caught.value.headers["Retry-After"] == "7"
    assert json.loads(caught.value.read()) == {"ok": False, "error": "ratelimited"}
    fake.rate_limit("auth.test", retry_after=0)
    fake.server_error("users.info", status=503)
    patient = WebClient(token=fake.bot_token, base_url=fake.api_url)
    patient.retry_handlers.extend(
        [RateLimitErrorRetryHandler(max_retry_count=1), ServerErrorRetryHandler(max_retry_count=1)]
    )
    assert patient.auth_test()["ok"] and patient.users_info(user="U1")["ok"]
    assert [c.status for c in fake.calls] == [429, 429, 200, 503, 200]
    fake.server_error("auth.test")
    with pytest.raises(SlackApiError) as plain:
        client.auth_test()
    assert plain.value.response.status_code == 500


def test_fail_delay_and_wait_for(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("conversations.create", error="restricted_action", times=2)
    fake.fail("auth.test", times=0)  # nothing to fail
    for _ in range(2):
        assert error_of(lambda: client.conversations_create(name="a")) == "restricted_action"
    assert client.conversations_create(name="a")["ok"] and client.auth_test()["ok"]
    fake.delay = 0.2
    started = time.perf_counter()
    client.auth_test()
    assert time.perf_counter() - started >= 0.2
    fake.delay = 0.0
    threading.Timer(0.05, lambda: client.auth_test()).start()
    assert fake.wait_for(lambda f: len(f.calls_to("auth.test")) == 3, timeout=2)
    with pytest.raises(AssertionError, match=r"(?s)timed out .* never\n.*auth.test"):
        fake.wait_for(lambda f: False, timeout=0.05, what="never")


def test_concurrent_posts_get_distinct_increasing_ts(fake: FakeSlack) -> None:
    cid = fake.add_channel("inc-1")
    clients = [WebClient(token=fake.bot_token, base_url=fake.api_url) for _ in range(10)]
    threads = [
        threading.Thread(
            target=lambda c=c: [c.chat_postMessage(channel=cid, text="x") for _ in range(3)]
        )
        for c in clients
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stamps = [m["ts"] for m in fake.messages(cid)]
    assert len(stamps) == 30 and len(set(stamps)) == 30 and stamps == sorted(stamps)


def test_response_urls_are_recorded(fake: FakeSlack) -> None:
    body = json.dumps({"response_type": "ephemeral", "text": "done"}).encode()
    request = urllib.request.Request(
        fake.response_url("commands-1"), data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200
    assert fake.responses == [("commands-1", {"response_type": "ephemeral", "text": "done"})]


def test_message_ts_follow_a_frozen_clock(fake: FakeSlack, client: WebClient) -> None:
    from freezegun import freeze_time

    cid = fake.add_channel("inc-1")
    with freeze_time("2026-01-05 10:00:00"):
        typed = fake.add_message(cid, "U1", "at ten")
        posted = client.chat_postMessage(channel=cid, text="also at ten")["ts"]
    assert (typed, posted) == ("1767607200.000000", "1767607200.000001")
