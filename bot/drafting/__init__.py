"""Postmortem drafting: deterministic rendering from the database, optional AI narrative.

Modules: templates (where templates and prompts live), facts (what the database says),
redact (scrubbing text before it leaves the process), render (Markdown), ai (the model call),
condense (map-reduce for long timelines), audit (prompt audit rows), draft (the pipeline),
publish (Slack: summary, file or canvas, bookmark; re-running replaces).
"""
