"""The postmortem file is a document people edit outside Slack: names, footnotes, AI-n."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from bot.drafting.render import render_incident
from bot.models import Incident
from tests.support.harness import SlackHarness


def _history(slack: SlackHarness) -> str:
    channel = slack.declare("Checkout returns 500s")  # by U1, Alice Archer
    for text in (
        "role scribe <@U2|bob>",
        "note paged <@U3|carol>, she owns the load balancer",
        "decision Roll back deploy 42 because errors began with it",
        "action Add a canary stage <@U2> due tomorrow",
        "mitigated",
        "resolved Rolled back deploy 42",  # bare `resolved` asks what fixed it in a modal
    ):
        slack.change(text, channel)
    return channel


def _markdown(slack: SlackHarness, channel: str) -> tuple[str, str]:
    slack.command("postmortem", channel=channel)
    slack.fake.wait_for(lambda f: f.calls_to("files.completeUploadExternal"), timeout=20)
    (complete,) = slack.fake.calls_to("files.completeUploadExternal")
    posts = slack.fake.calls_to("chat.postMessage")
    summary = next(c for c in posts if "Postmortem draft for" in str(c.args))
    content = slack.fake.files[complete.response["files"][0]["id"]].content.decode()
    return content, json.dumps(summary.args)


def test_the_markdown_names_people_cites_with_footnotes_and_numbers_items_ai_n(
    slack: SlackHarness,
) -> None:
    md, summary = _markdown(slack, _history(slack))
    assert "<@U" not in md  # Slack renders mentions; a Markdown file does not
    assert "| Declared by | Alice Archer |" in md and "| Scribe | Bob Baker |" in md
    assert "paged Carol Chen, she owns the load balancer" in md
    assert "| AI-1 | Add a canary stage | Bob Baker |" in md
    assert "Action item AI-1: Add a canary stage — Bob Baker, due" in md  # the timeline too
    # Citations: numbered footnotes into the timeline appendix, not "(rests on …)".
    assert "rests on timeline" not in md
    refs = re.findall(r"\[\^(\d+)\](?!:)", md)
    definitions = re.findall(r"^\[\^(\d+)\]: \[Timeline #\d+\]\(#timeline-utc\) — ", md, re.M)
    assert refs and sorted(set(refs), key=int) == definitions == [
        str(n) for n in range(1, len(definitions) + 1)
    ]
    assert "\n## Timeline (UTC)\n" in md
    # The decision before mitigation is the fix on record: no "what actually fixed it?" prompt.
    resolution = md.split("## Resolution")[1].split("## Key decisions")[0]
    assert "by Alice Archer: Roll back deploy 42, because errors began with it.[^" in resolution
    assert "What actually fixed it" not in md
    # Nothing was scrubbed: the draft doesn't say so (the prompt audit would).
    assert "nothing redacted" not in md and "nothing redacted" not in summary
    assert "<@U1>" in summary  # in Slack a mention renders: kept there


def test_export_names_people_as_slack_last_said(slack: SlackHarness) -> None:
    channel = _history(slack)
    _markdown(slack, channel)  # looks everyone up and remembers them
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
        md = render_incident(session, incident, slack.settings)
    assert "<@U" not in md and "| AI-1 | Add a canary stage | Bob Baker |" in md
    assert "| Declared by | Alice Archer |" in md and "paged Carol Chen" in md
