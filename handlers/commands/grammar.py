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
    *MILESTONES,
}
ANYWHERE = {"declare", "actions", "done", "list", "stats", "help", "subscribe", "unsubscribe"}
SUBCOMMANDS = CHANNEL_ONLY | ANYWHERE

USAGE = {
    "declare": "/incident declare [sev1-4] [--private] TITLE",
    "decision": "/incident decision [at TIME] TEXT [because REASON]",
    "note": "/incident note [at TIME] TEXT",
    "summary": "/incident summary TEXT",
    "impact": "/incident impact TEXT",
    "severity": "/incident severity sev1|sev2|sev3|sev4",
    "status": "/incident status investigating|identified|monitoring|resolved",
    "role": "/incident role commander|scribe|comms @user",
    "milestone": "/incident started|detected|acknowledged|mitigated|resolved [at TIME]",
    "action": "/incident action TEXT [@owner] [due DATE]",
    "actions": "/incident actions [mine|all]",
    "done": "/incident done ACTION-ID",
    "timeline": "/incident timeline",
    "postmortem": "/incident postmortem [TEMPLATE]",
    "list": "/incident list",
    "stats": "/incident stats [7d|30d|90d|all] [sev1-4]",
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
        return USAGE["milestone" if self.name in MILESTONES else self.name]


def parse(text: str) -> Command:
    """Split into subcommand and the rest; unknown subcommands are refused with the list."""
    text = (text or "").strip()
    if not text:
        return Command("help", "")
    head, _, rest = text.partition(" ")
    name = head.lower()
    if name not in SUBCOMMANDS:
        raise IncidentError(
            f"`{head}` is not an /incident subcommand. Try `/incident help`; "
            f"subcommands: {', '.join(sorted(SUBCOMMANDS))}."
        )
    return Command(name, rest.strip())


_AT = re.compile(r"^at\s+(\d{4}-\d{2}-\d{2}[ T]\S+|\S+)(?:\s+|$)", re.IGNORECASE)


def split_at(rest: str) -> tuple[str | None, str]:
    """`at 13:50 text` -> ("13:50", "text"); `at 2026-11-26 13:50 text` keeps the date."""
    match = _AT.match(rest)
    if not match:
        return None, rest
    return match.group(1), rest[match.end() :].strip()


def split_because(text: str) -> tuple[str, str | None]:
    """`roll back because errors spiked` -> ("roll back", "errors spiked")."""
    match = re.search(r"\s+because\s+", text, re.IGNORECASE)
    if not match:
        return text, None
    return text[: match.start()].strip(), text[match.end() :].strip() or None


def parse_declare(rest: str) -> tuple[str | None, bool, str]:
    """`[sevN] [--private] TITLE`, leading flags in any order -> (severity, private, title)."""
    severity: str | None = None
    private = False
    words = rest.split()
    while words:
        word = words[0].lower()
        if re.fullmatch(r"sev\d+", word):
            severity = parse_severity(word)
        elif word == "--private":
            private = True
        elif word.startswith("--"):
            raise IncidentError(f"`{words[0]}` is not an option. Use: {USAGE['declare']}")
        else:
            break
        words.pop(0)
    return severity, private, " ".join(words)


_DUE = re.compile(
    r"\s+due\s+(\d{4}-\d{2}-\d{2}|today|tomorrow|in\s+\d{1,3}\s+(?:days?|weeks?))\s*$",
    re.IGNORECASE,
)
_OWNER = re.compile(r"\s*(<@[UW][A-Z0-9]+(?:\|[^>]*)?>)\s*$")


def parse_action(rest: str) -> tuple[str, str | None, str | None]:
    """`TEXT [@owner] [due DATE]` (owner and due in either order at the end)."""
    text, owner, due = rest.strip(), None, None
    for _ in range(2):
        if due is None and (match := _DUE.search(text)):
            due, text = match.group(1), text[: match.start()].strip()
        elif owner is None and (match := _OWNER.search(text)):
            owner, text = match.group(1), text[: match.start()].strip()
    if due is None and re.search(r"\sdue\s+\S+\s*$", text, re.IGNORECASE):
        bad = text.rsplit(None, 1)[-1]
        raise IncidentError(f"`{bad}` is not a due date: use YYYY-MM-DD, tomorrow, or in N days.")
    return text, owner, due
