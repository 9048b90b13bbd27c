"""Durations and counts: rules, queries, messages, charts, /metrics."""
