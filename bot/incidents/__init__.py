"""Incidents: lifecycle rules and use cases, card, announcements, modals."""
