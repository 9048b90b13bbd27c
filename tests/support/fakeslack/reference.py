"""Slack's published method reference (copied into tests/fixtures/slack) and checks against it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "slack"

# The error the real method answers when this argument is missing, if the method lists it.
_MISSING_ARG_ERRORS = {
    "channel": "channel_not_found",
    "channel_id": "channel_not_found",
    "users": "no_user",
    "user": "user_not_found",
    "user_id": "user_not_found",
    "name": "invalid_name_required",
    "ts": "message_not_found",
    "timestamp": "no_item_specified",
    "message_ts": "message_not_found",
    "trigger_id": "invalid_trigger_id",
    "view_id": "not_found",
    "file": "file_not_found",
    "files": "file_not_found",
    "canvas_id": "canvas_not_found",
    "email": "users_not_found",
    "text": "no_text",
    "bookmark_id": "not_found",
}
# slack_sdk adds team_id to every call of a client built with team_id (Bolt's context client
# does, for org-wide installs), and Slack accepts it; the token may come as a form field.
_ALWAYS_ACCEPTED = frozenset({"token", "team_id"})
_KIND_PREFIXES = {"public": "channels:", "private": "groups:", "im": "im:", "mpim": "mpim:"}


@dataclass(frozen=True)
class MethodRef:
    """What the reference says about one Web API method."""

    name: str
    args: dict[str, dict[str, Any]]
    arg_groups: tuple[dict[str, Any], ...]
    errors: frozenset[str]
    bot_scopes: tuple[str, ...]
    json_input_supported: bool

    @property
    def required(self) -> list[str]:
        return [a for a, spec in self.args.items() if spec.get("required") and a != "token"]

    def error_for_missing(self, arg: str) -> str:
        """The error Slack answers when `arg` is missing, as close as the reference allows."""
        code = _MISSING_ARG_ERRORS.get(arg)
        if code and code in self.errors:
            return code
        return "invalid_arguments"

    def scopes_for(self, kind: str | None) -> list[str]:
        """Bot scopes any one of which allows the call on a conversation of this kind."""
        if kind is None:
            return list(self.bot_scopes)
        own = _KIND_PREFIXES[kind]
        others = [p for k, p in _KIND_PREFIXES.items() if k != kind]
        fitting = [
            s for s in self.bot_scopes if s.startswith(own) or not s.startswith(tuple(others))
        ]
        return fitting or list(self.bot_scopes)


@cache
def common_errors() -> frozenset[str]:
    data = json.loads((FIXTURES / "methods" / "_common_errors.json").read_text())
    return frozenset(data.get("errors", data))


@cache
def method_refs() -> dict[str, MethodRef]:
    """Every method whose reference was copied into the fixtures, by name."""
    meta = json.loads((FIXTURES / "method_meta.json").read_text())
    refs: dict[str, MethodRef] = {}
    for path in sorted((FIXTURES / "methods").glob("*.json")):
        if path.name.startswith("_"):
            continue
        data = json.loads(path.read_text())
        extra = meta.get(data["name"], {})
        refs[data["name"]] = MethodRef(
            name=data["name"],
            args=data.get("args") or {},
            arg_groups=tuple(data.get("arg_groups") or ()),
            errors=frozenset(data.get("errors") or ()) | common_errors(),
            bot_scopes=tuple(extra.get("bot_scopes") or ()),
            json_input_supported=bool(extra.get("json_input_supported", True)),
        )
    return refs


@dataclass(frozen=True)
class ArgCheck:
    """Outcome of checking one call's arguments: violations to record, and an error to answer."""

    violations: tuple[str, ...]
    error: str | None


def check_args(ref: MethodRef, args: dict[str, Any]) -> ArgCheck:
    """Missing required args, args the method does not take, and broken argument groups."""
    present = {k for k, v in args.items() if v not in (None, "")}
    problems: list[str] = []
    error: str | None = None
    for arg in ref.required:
        if arg not in present:
            problems.append(f"{ref.name}: missing required argument `{arg}`")
            error = error or ref.error_for_missing(arg)
    for arg in sorted(set(args) - set(ref.args) - _ALWAYS_ACCEPTED):
        problems.append(f"{ref.name}: argument `{arg}` is not in the method reference")
    for group in ref.arg_groups:
        names = group["args"]
        given = [a for a in names if a in present]
        if group.get("required", True) and not given:
            problems.append(f"{ref.name}: needs one of {names} ({group.get('desc', '')})")
            error = error or _group_error(ref, names)
        if group.get("mutually_exclusive") and len(given) > 1:
            problems.append(f"{ref.name}: {given} are mutually exclusive")
            error = error or _group_error(ref, names, conflict=True)
    return ArgCheck(tuple(problems), error)


def _group_error(ref: MethodRef, names: list[str], conflict: bool = False) -> str:
    if "text" in names:
        if conflict:
            return "markdown_text_conflict"
        # attachments/blocks without fallback text is accepted by Slack (a violation only)
        return "no_text"
    return ref.error_for_missing(names[0])


def message_fallback_problem(ref: MethodRef, args: dict[str, Any]) -> str | None:
    """Blocks/attachments with no top-level text: accepted, but notifications show nothing."""
    has_content = bool(args.get("blocks") or args.get("attachments"))
    has_text = bool(args.get("text") or args.get("markdown_text"))
    if has_content and not has_text:
        return f"{ref.name}: blocks/attachments without top-level `text` (notification fallback)"
    return None
