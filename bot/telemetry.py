"""Process-local Prometheus instruments (events this process saw).

Gauges that must agree across replicas (open incidents, open action items) are computed
from the database at scrape time in bot.metrics, not kept here.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

SLACK_API_ERRORS = Counter(
    "incident_bot_slack_api_errors",
    "Slack Web API calls that failed, by method and Slack error code.",
    ["method", "error"],
    registry=REGISTRY,
)
COMMAND_LATENCY = Histogram(
    "incident_bot_command_duration_seconds",
    "Time to handle an /incident subcommand, from receipt to the last reply.",
    ["subcommand"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
REMINDERS_SENT = Counter(
    "incident_bot_reminders_sent",
    "Action-item reminders, nudges and digests delivered to Slack, by kind.",
    ["kind"],
    registry=REGISTRY,
)
WORK_QUEUE_DEPTH = Gauge(
    "incident_bot_work_queue_depth",
    "Work after acks (listener work) queued and not yet started in this process.",
    registry=REGISTRY,
)
WORK_QUEUE_OLDEST = Gauge(
    "incident_bot_work_queue_oldest_seconds",
    "How long the oldest queued work item of this process has waited to start.",
    registry=REGISTRY,
)
WORK_QUEUE_REFUSED = Counter(
    "incident_bot_work_refused",
    "Requests acked but refused because the work queue was full (INCIDENT_WORK_QUEUE_MAX).",
    registry=REGISTRY,
)
