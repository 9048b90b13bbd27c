"""/metrics: process counters plus gauges read from the database at scrape time."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.service import Deps
from bot.telemetry import REGISTRY


def exposition(deps: Deps) -> tuple[bytes, str]:
    """Prometheus text format for everything this process knows."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
