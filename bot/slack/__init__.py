"""Outgoing Slack: the port, ids, shared Block Kit pieces, modal helpers."""
