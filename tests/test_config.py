"""The metrics settings as an operator writes them."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings


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
