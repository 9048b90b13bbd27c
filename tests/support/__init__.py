"""Shared fakes and helpers (fake Slack, fake model, databases)."""
