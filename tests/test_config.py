"""Settings as the README documents them: defaults, duration words, fallbacks, refusals,
and the metrics settings as an operator writes them."""

from __future__ import annotations

import os

import pytest

from bot.config import ConfigError, load_settings

MINUTE, HOUR, DAY = 60, 3600, 86400


def test_defaults_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith(("INCIDENT_", "SLACK_"))]:
        monkeypatch.delenv(name)
    settings = load_settings()
    # README: 1d, 7d, 1m, 2m; nudges 30m, 60m, off, off; unowned 1h
    assert (
        settings.INCIDENT_REMINDER_BEFORE,
        settings.INCIDENT_REMINDER_OVERDUE_EVERY,
        settings.INCIDENT_REMINDER_SWEEP,
        settings.INCIDENT_REMINDER_CLAIM_TIMEOUT,
    ) == (DAY, 7 * DAY, MINUTE, 2 * MINUTE)
    assert (
        settings.INCIDENT_NUDGE_SEV1,
        settings.INCIDENT_NUDGE_SEV2,
        settings.INCIDENT_NUDGE_SEV3,
        settings.INCIDENT_NUDGE_SEV4,
        settings.INCIDENT_NUDGE_UNOWNED,
    ) == (30 * MINUTE, 60 * MINUTE, 0, 0, HOUR)
    assert settings.SLACK_API_URL == "https://slack.com/api/"
    assert settings.INCIDENT_DIGEST_SCHEDULE == "mon 09:00"


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [("30s", 30), ("45m", 45 * MINUTE), ("2h", 2 * HOUR), ("3d", 3 * DAY), ("1w", 7 * DAY),
     (" 2H ", 2 * HOUR), ("off", 0), ("0", 0)],
)  # fmt: skip
def test_duration_words_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, typed: str, seconds: int
) -> None:
    monkeypatch.setenv("INCIDENT_REMINDER_BEFORE", typed)
    before = load_settings().INCIDENT_REMINDER_BEFORE
    assert before == seconds


def test_digest_goes_to_the_announce_channel_unless_told_otherwise() -> None:
    assert load_settings(INCIDENT_ANNOUNCE_CHANNEL="C1").digest_channel == "C1"
    both = load_settings(INCIDENT_ANNOUNCE_CHANNEL="C1", INCIDENT_DIGEST_CHANNEL="C2")
    assert both.digest_channel == "C2"


def test_api_url_always_ends_with_a_slash() -> None:
    # slack_sdk appends the method name to the base URL: ".../api" + "chat.postMessage" is wrong
    assert load_settings(SLACK_API_URL="http://proxy:8080/api").SLACK_API_URL == (
        "http://proxy:8080/api/"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("INCIDENT_DIGEST_SCHEDULE", "mon 24:00"),
        ("INCIDENT_DIGEST_SCHEDULE", "mon 09:60"),
        ("INCIDENT_DIGEST_SCHEDULE", "someday 09:00"),
        ("INCIDENT_REMINDER_BEFORE", "1 fortnight"),
        ("INCIDENT_TIMEZONE", "Mars/Olympus"),
        ("INCIDENT_REDACT", "emails"),
        ("INCIDENT_CHANNEL_PREFIX", "Incidents!"),
    ],
)
def test_malformed_settings_are_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(**{name: value})
    assert str(refused.value).startswith(f"{name} is malformed: ")


@pytest.mark.parametrize(
    ("value", "listen"),
    [
        ("9100", ("127.0.0.1", 9100)),
        (" 9100 ", ("127.0.0.1", 9100)),
        ("0.0.0.0:9100", ("0.0.0.0", 9100)),
        ("metrics.internal:9100", ("metrics.internal", 9100)),
        ("[::1]:9100", ("::1", 9100)),
        (None, None),
    ],
)
def test_metrics_port_is_a_port_or_host_and_port(
    value: str | None, listen: tuple[str, int] | None
) -> None:
    assert load_settings(INCIDENT_METRICS_PORT=value).metrics_listen == listen


@pytest.mark.parametrize("value", ["", "nine", "0", "65536", "::1:9100", "host:", ":9100", "a b:1"])
def test_a_malformed_metrics_port_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^INCIDENT_METRICS_PORT is malformed: .* PORT or HOST"):
        load_settings(INCIDENT_METRICS_PORT=value)


@pytest.mark.parametrize("value", ["", "short", "x" * 15, "sixteen chars ok", "tökenmitumlauten-1"])
def test_a_weak_or_unsendable_metrics_token_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^INCIDENT_METRICS_TOKEN is malformed: must be at"):
        load_settings(INCIDENT_METRICS_TOKEN=value)


def test_the_metrics_port_must_not_be_the_http_port() -> None:
    settings = load_settings(INCIDENT_METRICS_PORT="0.0.0.0:3000")
    with pytest.raises(ConfigError, match=r"^INCIDENT_METRICS_PORT is the HTTP port 3000"):
        settings.require_metrics_apart(3000)
    settings.require_metrics_apart(8080)
    load_settings(INCIDENT_METRICS_PORT=None).require_metrics_apart(3000)
