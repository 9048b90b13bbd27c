"""Alerts: notifications from Alertmanager, Grafana, PagerDuty and any webhook, grouped,
routed by the rules in INCIDENT_CONFIG, triaged in Slack or turned into incidents."""
