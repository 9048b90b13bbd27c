"""Unexpected failures are logged whole, with a reference, and the app serves on."""

from __future__ import annotations

import logging
import time

import pytest

from bot.slack import ids
from tests.support.harness import SlackHarness


def _logged(caplog: pytest.LogCaptureFixture, needle: str) -> logging.LogRecord:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(needle in r.message for r in caplog.records):
        time.sleep(0.05)
    (record,) = [r for r in caplog.records if needle in r.message]
    return record


def test_a_failing_listener_is_logged_with_its_traceback(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    # A button's work runs after the ack: a malformed click (no option) fails after the 200.
    assert slack.driver.block_action(ids.CARD_SEVERITY).status == 200
    record = _logged(caplog, "unexpected error in change_state")
    assert "ref=" in record.message and record.exc_info and record.exc_info[0] is KeyError
    # An event's work runs before its ack: a malformed event (no channel) is not acked, so
    # Slack would deliver it again.
    assert slack.driver.event({"type": "member_joined_channel", "user": "U7"}).status == 500
    record = _logged(caplog, "unhandled error ref=")
    assert record.exc_info and record.exc_info[0] is KeyError
    assert slack.command("help").status == 200  # and it serves on
    slack.fake.wait_for(lambda f: any("/incident declare" in t for t in slack.ephemerals()))


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
