"""Workflows from INCIDENT_CONFIG: on a trigger, when conditions hold, run steps (invite,
assign a role, post, bookmark, checklist, remind, action item, webhook), once per trigger
occurrence, each outcome on the timeline."""
