"""Comms: keeping people who are not in the channel (subscribers) or who just joined it
(catch-up) informed."""
