"""Unexpected failures after the ack are logged whole, with a reference, and the app serves on."""

from __future__ import annotations

import logging
import time

import pytest

from tests.support.harness import SlackHarness


def test_a_failing_listener_is_logged_with_its_traceback(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="handlers")
    # A malformed event (no channel) makes the listener fail after Slack got its 200.
    response = slack.driver.event({"type": "member_joined_channel", "user": "U7"})
    assert response.status == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not caplog.records:
        time.sleep(0.05)
    (record,) = [r for r in caplog.records if "unexpected error in member_joined" in r.message]
    assert "ref=" in record.message and record.exc_info and record.exc_info[0] is KeyError
    assert slack.command("help").status == 200
    assert "/incident declare" in slack.wait_reply()[-1]  # and it serves on


def test_healthz_says_503_when_the_database_does_not_answer(slack: SlackHarness) -> None:
    import urllib.error
    import urllib.request

    from bot.db import Database

    with urllib.request.urlopen(f"{slack.url}/healthz") as ok:
        assert ok.status == 200
    healthy = slack.deps.db
    slack.deps.db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(f"{slack.url}/healthz")
        assert failed.value.code == 503
    finally:
        slack.deps.db.dispose()
        slack.deps.db = healthy
