"""Slack's markup made readable for a Markdown document, and citations made footnotes.

A postmortem file is read outside Slack, where `<@U123>` is noise: people become their names
(users.info, or what the table `people` remembers; the bare id when nobody knows), channels
their `#name`, links Markdown links. Citations become numbered footnotes (`[^1]`) that point
into the timeline appendix, instead of "(rests on timeline #1, #12)" after every sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC

from bot.drafting.facts import Entry, Facts

TIMELINE_ANCHOR = "#timeline-utc"  # the slug GitHub, GitLab and most renderers give the heading
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_SUBTEAM = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|@?([^>]*))?>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>\s]+)(?:\|([^>]*))?>")
FOOTNOTE_TEXT_MAX = 160


def mentioned(text: str | None) -> set[str]:
    """User ids mentioned in Slack markup."""
    return {m.group(1) for m in _USER.finditer(text or "")}


def people_in(facts: Facts) -> list[str]:
    """Everyone a postmortem names: roles, authors, deciders, owners, and mentions in text."""
    found: list[str | None] = [facts.declared_by, facts.commander]
    found += [user for _role, user in facts.roles]
    for e in facts.timeline:
        found += [e.author, e.decided_by]
        found += sorted(mentioned(e.text) | mentioned(e.rationale) | mentioned(e.alternatives))
    for a in facts.action_items:
        found += [a.owner, *sorted(mentioned(a.text))]
    return [u for u in dict.fromkeys(found) if u]


class Readable:
    """Slack markup to Markdown, with the names we know."""

    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        self.names = dict(names or {})

    def person(self, user: str | None) -> str:
        """A person's name, or their id when nobody told us; `—` for nobody."""
        if not user:
            return "—"
        return self.names.get(user) or user

    def text(self, text: str | None) -> str | None:
        if text is None:
            return None
        text = _USER.sub(lambda m: self.names.get(m.group(1)) or m.group(2) or m.group(1), text)
        text = _CHANNEL.sub(lambda m: f"#{m.group(2) or m.group(1)}", text)
        text = _SPECIAL.sub(lambda m: f"@{m.group(1)}", text)
        text = _SUBTEAM.sub(lambda m: f"@{m.group(2) or m.group(1)}", text)
        text = _DATE.sub(lambda m: m.group(1), text)
        text = _LINK.sub(lambda m: _link(m.group(1), m.group(2)), text)
        # Slack escapes exactly these three in message text
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _link(url: str, label: str | None) -> str:
    return f"[{label}]({url})" if label else url


class Footnotes:
    """Numbered in the order the draft first cites an entry; one footnote per entry."""

    def __init__(self, timeline: Iterable[Entry], readable: Readable) -> None:
        self.entries = {e.id: e for e in timeline}
        self.readable = readable
        self.order: list[int] = []

    def refs(self, ids: Iterable[int]) -> str:
        """`[^1][^2]` for these timeline entries (unknown ids are not cited)."""
        out = []
        for entry_id in dict.fromkeys(ids):
            if entry_id not in self.entries:
                continue
            if entry_id not in self.order:
                self.order.append(entry_id)
            out.append(f"[^{self.order.index(entry_id) + 1}]")
        return "".join(out)

    def definitions(self) -> list[str]:
        """`[^1]: [Timeline #12](#timeline-utc) — 2026-11-26 13:05 UTC, decision by Alice: …`."""
        lines = []
        for n, entry_id in enumerate(self.order, start=1):
            e = self.entries[entry_id]
            who = f" by {self.readable.person(e.author)}" if e.author else ""
            said = "(message deleted in Slack)" if e.deleted else self._short(e.text)
            stamp = e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            lines.append(
                f"[^{n}]: [Timeline #{e.id}]({TIMELINE_ANCHOR}) — {stamp}, {e.kind}{who}: {said}"
            )
        return lines

    def _short(self, text: str) -> str:
        flat = " ".join((self.readable.text(text) or "").split())
        return flat if len(flat) <= FOOTNOTE_TEXT_MAX else flat[: FOOTNOTE_TEXT_MAX - 1] + "…"
