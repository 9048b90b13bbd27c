"""The `/incident` grammar: text in, a parsed command out (pure, no Slack, no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import IncidentError
from bot.incidents.rules import parse_severity
from bot.models import MILESTONES

CHANNEL_ONLY = {
    "decision",
    "note",
    "severity",
    "status",
    "role",
    "action",
    "timeline",
    "postmortem",
    "summary",
    "impact",
    "update",
    "type",
    "set",
    "tasks",
    *MILESTONES,
}
ANYWHERE = {"declare", "actions", "done", "list", "stats", "help", "subscribe", "unsubscribe"}
SUBCOMMANDS = CHANNEL_ONLY | ANYWHERE

USAGE = {
    "declare": "/incident declare [sev1-4] [type:TYPE] [--private] TITLE",
    "type": "/incident type TYPE",
    "set": "/incident set FIELD VALUE",
    "tasks": "/incident tasks",
    "decision": "/incident decision [at TIME] TEXT [because REASON]",
    "note": "/incident note [at TIME] TEXT",
    "summary": "/incident summary TEXT",
    "impact": "/incident impact TEXT",
    "update": "/incident update [--public] TEXT",
    "severity": "/incident severity sev1|sev2|sev3|sev4",
    "status": "/incident status investigating|identified|monitoring|resolved",
    "role": "/incident role commander|scribe|comms @user",
    "milestone": "/incident started|detected|acknowledged|mitigated|resolved [at TIME]",
    "resolved": "/incident resolved [at TIME] [WHAT FIXED IT]",
    "action": "/incident action TEXT [@owner] [due DATE]",
    "actions": "/incident actions [mine|all]",
    "done": "/incident done AI-N",
    "timeline": "/incident timeline",
    "postmortem": "/incident postmortem [TEMPLATE]",
    "list": "/incident list [type:TYPE]",
    "stats": "/incident stats [7d|30d|90d|all] [sev1-4] [type:TYPE]",
    "subscribe": "/incident subscribe [NUMBER]",
    "unsubscribe": "/incident unsubscribe [NUMBER]",
    "help": "/incident help",
}


@dataclass
class Command:
    """A parsed `/incident` invocation: the subcommand and its raw argument text."""

    name: str
    rest: str

    @property
    def usage(self) -> str:
        """The right form of this subcommand, for error messages."""
        if self.name in MILESTONES and self.name != "resolved":
            return USAGE["milestone"]
        return USAGE[self.name]


def parse(text: str) -> Command:
    """Split into subcommand and the rest; unknown subcommands are refused with the list."""
    text = (text or "").strip()
    if not text:
        return Command("help", "")
    head, rest = [*text.split(None, 1), ""][:2]
    name = head.lower()
    if name not in SUBCOMMANDS:
        raise IncidentError(
            f"`{head}` is not an /incident subcommand. Try `/incident help`; "
            f"subcommands: {', '.join(sorted(SUBCOMMANDS))}."
        )
    return Command(name, rest.strip())


_AT = re.compile(r"^at\s+((?:yesterday\s+|\d{4}-\d{2}-\d{2}[ T])\S+|\S+)(?:\s+|$)", re.IGNORECASE)


def split_at(rest: str) -> tuple[str | None, str]:
    """`at 13:50 text` -> ("13:50", "text"); `at 2026-11-26 13:50 text` and
    `at yesterday 23:50 text` keep the day."""
    match = _AT.match(rest)
    if not match:
        return None, rest
    return match.group(1), rest[match.end() :].strip()


def split_because(text: str) -> tuple[str, str | None]:
    """`roll back because errors spiked` -> ("roll back", "errors spiked"); the first word
    `because` starts the reason, even as the first word (then nothing was said to be decided)."""
    match = re.search(r"(?:^|\s+)because(?:\s+|$)", text, re.IGNORECASE)
    if not match:
        return text, None
    return text[: match.start()].strip(), text[match.end() :].strip() or None


def parse_declare(rest: str) -> tuple[str | None, bool, str, str | None]:
    """`[sevN] [type:TYPE] [--private] TITLE`, leading flags in any order ->
    (severity, private, title, type). The title is kept exactly as typed (ends trimmed)."""
    severity: str | None = None
    kind: str | None = None
    private = False
    title = rest.strip()
    while match := re.match(r"(\S+)(?:\s+|$)", title):
        word = match.group(1).lower()
        if re.fullmatch(r"sev\d+", word):
            severity = parse_severity(word)
        elif word.startswith("type:") and kind is None:
            kind = word.removeprefix("type:")
            if not kind:
                raise IncidentError(f"Missing type after `type:`. Use: {USAGE['declare']}")
        elif word == "--private":
            private = True
        elif word.startswith("--"):
            raise IncidentError(f"`{match.group(1)}` is not an option. Use: {USAGE['declare']}")
        else:
            break
        title = title[match.end() :]
    return severity, private, title, kind


_DUE = re.compile(r"(?:^|\s)due(?=\s|$)", re.IGNORECASE)
_OWNER = re.compile(r"\s*(<@[UW][A-Z0-9]+(?:\|[^>]*)?>)\s*$")


def parse_action(rest: str) -> tuple[str, str | None, str | None]:
    """`TEXT [@owner] [due DATE]`, owner and due in either order at the end.

    The last word `due` starts the due date: whatever follows it (up to the owner) is the
    date, checked by bot.parsing.parse_due, and never becomes part of the text. A text that
    itself says "due" ends with a due date, or comes from the Add action item button.
    """
    text, owner, due = rest.strip(), None, None
    if match := _OWNER.search(text):
        owner, text = match.group(1), text[: match.start()].strip()
    found = list(_DUE.finditer(text))
    if found:
        last = found[-1]
        due, text = " ".join(text[last.end() :].split()), text[: last.start()].strip()
        if owner is None and (match := _OWNER.search(text)):
            owner, text = match.group(1), text[: match.start()].strip()
    return text, owner, due


def parse_update(rest: str) -> tuple[bool, str]:
    """`[--public] TEXT` -> (public, text); any other leading `--option` is refused."""
    text = rest.strip()
    public = False
    while match := re.match(r"(--\S+)(?:\s+|$)", text):
        if match.group(1).lower() != "--public":
            raise IncidentError(f"`{match.group(1)}` is not an option. Use: {USAGE['update']}")
        public, text = True, text[match.end() :]
    return public, text.strip()
