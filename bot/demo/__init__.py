"""`incident-bot demo`: the whole story against a local Slack stand-in."""
