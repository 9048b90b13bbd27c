"""The resolved post says how each duration was measured, never `0s` beside `unknown`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.harness import SlackHarness

DECLARED = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def _resolve(slack: SlackHarness, channel: str) -> str:
    # U4 (dave) is in UTC; what fixed it comes second in the post
    slack.command("resolved Restarted the search nodes", user="U4", channel=channel)
    slack.fake.wait_for(lambda f: any("resolved." in p for p in slack.posts(channel)))
    post = next(p for p in slack.posts(channel) if "resolved." in p)
    return post[post.index(":white_check_mark:") :]  # after the milestone's own line


def test_resolved_with_no_milestones_says_what_was_not_recorded(slack: SlackHarness) -> None:
    slack.clock = lambda: DECLARED
    channel = slack.declare("Search is slow", user="U4")
    slack.clock = lambda: DECLARED + timedelta(minutes=41)
    post = _resolve(slack, channel)
    assert post.splitlines()[1:] == [
        "*Resolution:* Restarted the search nodes",
        "• Time to detect: not recorded (no detected time)",
        "• Time to acknowledge: not recorded (no acknowledged time)",
        "• Time to mitigate: not recorded (no mitigated time)",
        "• Time to resolve: 41m from declaration — start not recorded",
        "_A milestone set later, like `/incident started at 13:05`, corrects these._",
    ]
    slack.fake.wait_for(lambda f: any("resolved:" in p for p in slack.posts(slack.announce)))
    announced = next(p for p in slack.posts(slack.announce) if "resolved:" in p)
    assert announced.endswith(
        "Time to resolve: 41m (from declaration, start not recorded) · not recorded: detect, "
        "acknowledge, mitigate"
    )


def test_a_detection_typed_without_a_start_is_not_a_zero_time_to_detect(
    slack: SlackHarness,
) -> None:
    slack.clock = lambda: DECLARED
    channel = slack.declare("Search is slow", user="U4")
    for text in ("detected at 08:00", "acknowledged at 08:05", "mitigated at 08:30"):
        before = len(slack.posts(channel))
        slack.clock = lambda: DECLARED + timedelta(minutes=40)
        slack.command(text, user="U4", channel=channel)
        slack.fake.wait_for(lambda f, n=before: len(slack.posts(channel)) > n)
    post = _resolve(slack, channel)
    assert "0s" not in post and "unknown" not in post
    assert post.splitlines()[2:6] == [
        "• Time to detect: not known — start not recorded",
        "• Time to acknowledge: 5m",
        "• Time to mitigate: 30m from declaration — start not recorded",
        "• Time to resolve: 40m from declaration — start not recorded",
    ]
