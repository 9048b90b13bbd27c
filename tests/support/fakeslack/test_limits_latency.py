"""FakeSlack's rate limits (enforce_rate_limits), slow answers (slow) and lost answers
(drop_answer), through slack_sdk's real WebClient."""

from __future__ import annotations

import http.client
import threading
import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from tests.support.fakeslack import FakeSlack
from tests.support.fakeslack.ratelimits import METHOD_TIERS, RateLimiter
from tests.support.fakeslack.reference import method_refs


def limited(call: object) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.response.status_code == 429
    assert caught.value.response.data == {"ok": False, "error": "ratelimited"}
    return caught.value


def test_every_method_the_fake_knows_has_a_tier() -> None:
    assert set(method_refs()) <= set(METHOD_TIERS)
    assert (METHOD_TIERS["conversations.setTopic"], METHOD_TIERS["chat.update"]) == (2, 3)
    assert (METHOD_TIERS["views.open"], METHOD_TIERS["chat.postMessage"]) == (4, 5)


def test_rate_limits_are_off_by_default(fake: FakeSlack, client: WebClient) -> None:
    cid = fake.add_channel("inc-1")
    for i in range(25):
        client.conversations_setTopic(channel=cid, topic=f"t{i}")
        client.chat_postMessage(channel=cid, text=f"m{i}")
    assert fake.rate_limited_calls() == [] and {c.status for c in fake.calls} == {200}


def test_tier_2_allows_a_minute_in_a_burst_then_429s() -> None:
    with FakeSlack(rate_limits=True) as fake:
        client = WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=5)
        cid = fake.add_channel("inc-1")
        ts = client.chat_postMessage(channel=cid, text="card")["ts"]
        for i in range(20):
            client.conversations_setTopic(channel=cid, topic=f"t{i}")
        error = limited(lambda: client.conversations_setTopic(channel=cid, topic="one more"))
        assert 1 <= int(error.response.headers["Retry-After"]) <= 3  # 20/min: one per 3 s
        assert fake.channels[cid].topic == "t19"  # the limited call did nothing
        for i in range(20):  # tier 3, and a bucket of its own
            client.chat_update(channel=cid, ts=ts, text=f"v{i}")
        (hit,) = fake.rate_limited_calls()
        assert (hit.method, hit.channel, hit.retry_after) == (
            "conversations.setTopic",
            cid,
            int(error.response.headers["Retry-After"]),
        )
        assert fake.calls[-21].status == 429 and fake.calls[-21].error == "ratelimited"


def test_post_message_is_limited_per_channel(fake: FakeSlack, client: WebClient) -> None:
    fake.enforce_rate_limits(post_burst=3)
    first, second = fake.add_channel("inc-1"), fake.add_channel("inc-2")
    for channel in (first, "#inc-1", first):  # a name counts against the channel it names
        client.chat_postMessage(channel=channel, text="x")
    error = limited(lambda: client.chat_postMessage(channel=first, text="4th"))
    assert error.response.headers["Retry-After"] == "1"
    client.chat_postMessage(channel=second, text="other channel")
    assert [(r.method, r.channel) for r in fake.rate_limited_calls()] == [
        ("chat.postMessage", first)
    ]
    time.sleep(1.1)  # one message per second per channel
    client.chat_postMessage(channel=first, text="a second later")
    fake.stop_enforcing_rate_limits()
    for _ in range(5):
        client.chat_postMessage(channel=first, text="unlimited again")


def test_scale_speeds_refills_and_retry_after_follows_it(fake: FakeSlack) -> None:
    fake.enforce_rate_limits(scale=30, tiers={"conversations.setTopic": 1})
    patient = WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=5)
    patient.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    cid = fake.add_channel("inc-1")
    started = time.monotonic()
    patient.conversations_setTopic(channel=cid, topic="one")
    patient.conversations_setTopic(channel=cid, topic="two")  # 1/min at 30x: 2 s, then retried
    assert time.monotonic() - started >= 2
    assert [c.status for c in fake.calls] == [200, 429, 200]
    assert fake.rate_limited_calls()[0].retry_after == 2
    clock = [0.0]
    unscaled = RateLimiter(tiers={"pins.add": 1}, clock=lambda: clock[0])
    assert unscaled.take("pins.add", None) is None and unscaled.take("pins.add", None) == 60
    clock[0] = 59.5
    assert unscaled.take("pins.add", None) == 1
    clock[0] = 60.0
    assert unscaled.take("pins.add", None) is None and unscaled.take("no.such", None) is None


def test_slow_answers_after_the_work_without_blocking_others(
    fake: FakeSlack, client: WebClient
) -> None:
    cid = fake.add_channel("inc-1")
    ts = client.chat_postMessage(channel=cid, text="v1")["ts"]
    fake.slow("chat.update", 1.0)
    answered: list[float] = []
    started = time.monotonic()

    def update() -> None:
        client.chat_update(channel=cid, ts=ts, text="v2")
        answered.append(time.monotonic() - started)

    worker = threading.Thread(target=update)
    worker.start()
    fake.wait_for(lambda f: f.channels[cid].find(ts)["text"] == "v2", timeout=0.8)
    assert client.auth_test()["ok"] and not answered  # other calls go on meanwhile
    worker.join()
    assert answered[0] >= 1.0
    impatient = WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=0.3)
    impatient.retry_handlers.clear()
    with pytest.raises(TimeoutError):
        impatient.chat_update(channel=cid, ts=ts, text="v3")
    assert fake.channels[cid].find(ts)["text"] == "v3"  # done although the client gave up
    fake.slow("chat.update", 0)
    started = time.monotonic()
    client.chat_update(channel=cid, ts=ts, text="v4")
    assert time.monotonic() - started < 0.5


def test_drop_answer_does_the_work_but_never_answers(fake: FakeSlack) -> None:
    cid = fake.add_channel("inc-1")
    bare = WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=5, retry_handlers=[])
    fake.drop_answer("chat.postMessage")
    with pytest.raises(http.client.RemoteDisconnected):
        bare.chat_postMessage(channel=cid, text="lost answer")
    assert [m["text"] for m in fake.messages(cid)] == ["lost answer"]
    (call,) = fake.calls
    assert call.dropped and call.ok and "(answer dropped)" in fake.dump()
    bare.chat_postMessage(channel=cid, text="answered")  # only `times` calls lose answers
    # slack_sdk's default WebClient retries connection errors once: the post is duplicated
    default = WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=5)
    fake.drop_answer("*", times=1)
    assert default.chat_postMessage(channel=cid, text="twice")["ok"]
    assert [m["text"] for m in fake.messages(cid)][-2:] == ["twice", "twice"]
    assert [c.dropped for c in fake.calls] == [True, False, True, False]
