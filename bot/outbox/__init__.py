"""Durable messages: recorded with the change, delivered from the record."""
