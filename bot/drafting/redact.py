"""Scrub secrets (and optionally e-mails and IPs) from text before it leaves the process."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

# (label, pattern, replacement builder). Order matters: whole blocks and URLs first, then
# specific token shapes, then the generic `key=value` catch-all.
_Rule = tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]]


def _whole(label: str) -> Callable[[re.Match[str]], str]:
    return lambda _m: f"[REDACTED:{label}]"


def _keep_prefix(label: str) -> Callable[[re.Match[str]], str]:
    return lambda m: f"{m.group(1)}[REDACTED:{label}]"


SECRET_RULES: list[_Rule] = [
    (
        "private-key",
        re.compile(
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY"
            r"( BLOCK)?-----|\Z)",
            re.DOTALL,
        ),
        _whole("private-key"),
    ),
    (
        "url-credentials",
        re.compile(r"\b([a-z][a-z0-9+.-]{1,20}://)[^\s/@:<>|]*:[^\s/@<>|]+@", re.IGNORECASE),
        lambda m: f"{m.group(1)}[REDACTED:url-credentials]@",
    ),
    (
        "slack-webhook",
        re.compile(r"https://hooks\.slack\.com/(services|workflows|triggers)/[A-Za-z0-9/_-]+"),
        _whole("slack-webhook"),
    ),
    ("slack-token", re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{10,}"), _whole("slack-token")),
    ("slack-token", re.compile(r"\bxapp-\d-[A-Za-z0-9-]{10,}"), _whole("slack-token")),
    (
        "aws-access-key",
        re.compile(r"\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"),
        _whole("aws-access-key"),
    ),
    (
        "github-token",
        re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})"),
        _whole("github-token"),
    ),
    ("openai-key", re.compile(r"\bsk-(proj-|svcacct-)?[A-Za-z0-9_-]{20,}"), _whole("openai-key")),
    ("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}"), _whole("google-api-key")),
    ("stripe-key", re.compile(r"\b[rs]k_(live|test)_[A-Za-z0-9]{16,}"), _whole("stripe-key")),
    (
        "jwt",
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        _whole("jwt"),
    ),
    (
        "bearer-token",
        re.compile(r"\b((?:bearer|basic|token)\s+)[A-Za-z0-9._~+/=-]{12,}", re.IGNORECASE),
        _keep_prefix("bearer-token"),
    ),
    (
        "secret",
        re.compile(
            r"""(\b[\w.-]*(?:api[_-]?key|apikey|token|secret|password|passwd|pwd|passphrase|"""
            r"""access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth)"""
            r"""["']?\s*[:=]\s*)("[^"\n]+"|'[^'\n]+'|[^\s,;&"'<>]+)""",
            re.IGNORECASE,
        ),
        _keep_prefix("secret"),
    ),
]

EMAIL_RULE: _Rule = (
    "email",
    re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"),
    _whole("email"),
)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IP_RULES: list[_Rule] = [
    ("ip", re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\d.]*\d)"), _whole("ip")),
    (
        "ip",
        re.compile(
            r"(?<![:\w])(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}(?![:\w])"
            r"|(?<![:\w])(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}:){0,5}[0-9a-fA-F]{1,4}"
            r"(?![:\w])"
        ),
        _whole("ip"),
    ),
]


# Cheap lower-case substrings without which a rule cannot match: most timeline text contains
# none, so it skips the regexes (10,000 entries redact in well under a second).
HINTS: dict[str, tuple[str, ...]] = {
    "private-key": ("private key",),
    "url-credentials": ("://",),
    "slack-webhook": ("hooks.slack.com",),
    "slack-token": ("xox", "xapp-"),
    "aws-access-key": ("akia", "asia", "agpa", "aida", "aroa", "anpa", "anva", "aipa"),
    "github-token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "openai-key": ("sk-",),
    "google-api-key": ("aiza",),
    "stripe-key": ("k_live_", "k_test_"),
    "jwt": ("eyj",),
    "bearer-token": ("bearer", "basic", "token"),
    "secret": ("key", "token", "secret", "passw", "pwd", "passphrase", "credential", "auth"),
    "email": ("@",),
    "ip": (".", ":"),
}


class Redactor:
    """Applies the configured rules and counts what it removed, by kind."""

    def __init__(self, kinds: Iterable[str] = ("secrets",)) -> None:
        kinds = set(kinds) | {"secrets"}  # secrets are always scrubbed
        self.rules: list[_Rule] = list(SECRET_RULES)
        if "emails" in kinds:
            self.rules.append(EMAIL_RULE)
        if "ips" in kinds:
            self.rules.extend(IP_RULES)
        self.counts: Counter[str] = Counter()
        self._hints = {
            label: re.compile("|".join(re.escape(h) for h in HINTS[label]))
            for label, _p, _r in self.rules
        }
        self._any_hint = re.compile("|".join(p.pattern for p in self._hints.values()))

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        lower = text.lower()
        if not self._any_hint.search(lower):
            return text
        for label, pattern, replace in self.rules:
            if not self._hints[label].search(lower):
                continue
            text, n = pattern.subn(replace, text)
            if n:
                self.counts[label] += n
        return text

    def text(self, text: str) -> str:
        """Like calling the redactor, typed for a str that is never None."""
        return self(text) or ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        """`3 redactions (2 slack-token, 1 email)` or `nothing redacted`."""
        if not self.total:
            return "nothing redacted"
        parts = ", ".join(f"{n} {label}" for label, n in sorted(self.counts.items()))
        return f"{self.total} redaction{'s' if self.total != 1 else ''} ({parts})"
