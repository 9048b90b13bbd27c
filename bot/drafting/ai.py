"""The model call: structured output over Chat Completions, checked before anything is believed.

Any failure raises DraftFailure with one line for people; the caller posts the deterministic
draft with that line instead.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import openai
from openai import OpenAI
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.config import Settings
from bot.drafting.audit import AuditRecord

log = logging.getLogger(__name__)
MAX_RETRIES = 2  # the SDK's own retries (429 honouring retry-after, 5xx, timeouts), bounded
OPEN, CLOSE = "<incident_data>", "</incident_data>"

NARRATIVE_KEYS = (
    "summary",
    "impact",
    "root_causes",
    "trigger",
    "detection",
    "resolution",
    "went_well",
    "went_wrong",
    "got_lucky",
)
CLAIM_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["text", "citations"],
    "properties": {
        "text": {"type": "string"},
        "citations": {"type": "array", "items": {"type": "integer"}},
    },
}
NARRATIVE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": list(NARRATIVE_KEYS),
    "properties": {key: {"type": "array", "items": CLAIM_SCHEMA} for key in NARRATIVE_KEYS},
}
DIGEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["events"],
    "properties": {
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["at", "text", "cites"],
                "properties": {
                    "at": {"type": "string"},
                    "text": {"type": "string"},
                    "cites": {"type": "array", "items": {"type": "integer"}},
                },
            },
        }
    },
}


class DraftFailure(Exception):
    """The model could not give a usable draft; `reason` is one line for the channel."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ClaimOut(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    text: str
    citations: list[int]


class NarrativeOut(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    summary: list[ClaimOut]
    impact: list[ClaimOut]
    root_causes: list[ClaimOut]
    trigger: list[ClaimOut]
    detection: list[ClaimOut]
    resolution: list[ClaimOut]
    went_well: list[ClaimOut]
    went_wrong: list[ClaimOut]
    got_lucky: list[ClaimOut]


class EventOut(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    at: str
    text: str
    cites: list[int]


class DigestOut(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    events: list[EventOut]


def make_client(settings: Settings, *, max_retries: int = MAX_RETRIES) -> OpenAI:
    """The OpenAI SDK client for OPENAI_API_KEY / OPENAI_BASE_URL with our timeout."""
    return OpenAI(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL or None,
        timeout=settings.INCIDENT_AI_TIMEOUT,
        max_retries=max_retries,
    )


_MENTION = re.compile(r"<([@#!])([A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>\s]+)(?:\|([^>]*))?>")


def plain(text: str | None) -> str | None:
    """Slack markup to plain text: `<@U1>` → `@U1`, `<url|label>` → `label (url)`."""
    if text is None:
        return None
    text = _MENTION.sub(lambda m: f"{m.group(1)}{m.group(3) or m.group(2)}", text)
    return _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)


def encode(payload: Any) -> str:
    """JSON for the prompt, with `<` and `>` escaped so data can never close its delimiter."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def wrap(instructions: str, payload: Any) -> str:
    return f"{instructions}\n\n{OPEN}\n{encode(payload)}\n{CLOSE}"


Call = Callable[[str, str, str, str, dict[str, Any], Callable[[dict[str, Any]], Any]], Any]


def caller(
    client: OpenAI, settings: Settings, audits: list[AuditRecord], redactions: dict[str, int]
) -> Call:
    """A function (purpose, system, user, schema name, schema, check) → check(answer), audited.

    `check` validates the parsed answer and raises DraftFailure; the audit row records the outcome.
    """

    def call(
        purpose: str,
        system: str,
        user: str,
        name: str,
        schema: dict[str, Any],
        check: Callable[[dict[str, Any]], Any],
    ) -> Any:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        record = AuditRecord(
            sent_at=datetime.now(UTC),
            model=settings.INCIDENT_AI_MODEL,
            endpoint=str(client.base_url),
            purpose=purpose,
            prompt=json.dumps(messages, ensure_ascii=False),
            redactions=redactions,
        )
        audits.append(record)
        try:
            checked = check(_complete(client, settings, messages, name, schema))
        except DraftFailure as exc:
            record.outcome = exc.reason.split(":")[0][:40]
            raise
        record.outcome = "ok"
        return checked

    return call


def _complete(
    client: OpenAI,
    settings: Settings,
    messages: list[dict[str, str]],
    name: str,
    schema: dict[str, Any],
) -> dict[str, Any]:
    timeout = settings.INCIDENT_AI_TIMEOUT
    try:
        response = client.chat.completions.create(
            model=settings.INCIDENT_AI_MODEL,
            messages=messages,  # type: ignore[arg-type]
            response_format={
                "type": "json_schema",
                "json_schema": {"name": name, "strict": True, "schema": schema},
            },
        )
    except openai.APITimeoutError:
        raise DraftFailure(
            f"timeout: the model endpoint did not answer within {timeout:g}s"
        ) from None
    except openai.RateLimitError:
        raise DraftFailure(
            "rate limited: the model endpoint answered 429 (rate limit or quota)"
        ) from None
    except openai.APIStatusError as exc:
        kind = "server error" if exc.status_code >= 500 else "refused"
        raise DraftFailure(f"{kind}: the model endpoint answered HTTP {exc.status_code}") from None
    except openai.APIConnectionError:
        raise DraftFailure("unreachable: could not connect to the model endpoint") from None
    except openai.OpenAIError as exc:
        log.warning("model call failed: %r", exc)
        raise DraftFailure(f"error: the model call failed ({type(exc).__name__})") from None
    if not response.choices:
        raise DraftFailure("invalid output: the model returned no answer")
    choice = response.choices[0]
    if getattr(choice.message, "refusal", None):
        raise DraftFailure("refusal: the model declined to write the draft")
    if choice.finish_reason == "length":
        raise DraftFailure("invalid output: the model's answer was cut off (too long)")
    if choice.finish_reason == "content_filter":
        raise DraftFailure("refusal: the endpoint's content filter stopped the answer")
    try:
        data = json.loads(choice.message.content or "")
    except json.JSONDecodeError:
        raise DraftFailure("invalid output: the model's answer was not valid JSON") from None
    if not isinstance(data, dict):
        raise DraftFailure("invalid output: the model's answer was not a JSON object")
    return data


def parse_narrative(data: dict[str, Any]) -> NarrativeOut:
    try:
        return NarrativeOut.model_validate(data)
    except ValidationError:
        raise DraftFailure("invalid output: the model's answer did not match the schema") from None


def parse_digest(data: dict[str, Any]) -> DigestOut:
    try:
        return DigestOut.model_validate(data)
    except ValidationError:
        raise DraftFailure("invalid output: a condensed part did not match the schema") from None


def _shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def check_output(texts: list[str], system_prompt: str, max_chars: int = 2000) -> None:
    """Refuse output that leaks the system prompt, crosses the data delimiters, or runs on."""
    secret = _shingles(system_prompt)
    for text in texts:
        if len(text) > max_chars:
            raise DraftFailure("invalid output: a claim was implausibly long")
        if OPEN in text or CLOSE in text or _shingles(text) & secret:
            raise DraftFailure("invalid output: the model's answer failed the output checks")
