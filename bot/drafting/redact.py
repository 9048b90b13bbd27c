"""Scrub secrets (and optionally e-mails and IPs) from text before it leaves the process."""

# Hand-written rules, modelled on the plugin regexes of Yelp's detect-secrets and on gitleaks.
# detect-secrets itself was evaluated and not added: it runs every plugin and filter per line
# (about 0.04 MB/s on chat lines here, against a 5 MB/s budget), reports findings rather than
# spans to replace, misses shapes we need (glued keys, presigned URLs, prose passwords) and pulls
# in requests. tests/drafting/test_redaction_corpus.py pins recall and false positives.

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_Check = Callable[[re.Match[str], str], bool]


@dataclass(frozen=True)
class Rule:
    """A detector; see the field comments. Matches become `[REDACTED:label]`."""

    label: str
    pattern: re.Pattern[str]
    hints: tuple[str, ...] = ()  # lower-case literals; one must occur for the rule to run
    run: int = 0  # and a run of this many token characters (hint-less rules need only the run)
    lower: bool = False  # match the lower-cased text (IGNORECASE is slow in `re`)
    keep: bool = False  # keep group 1 and redact only the value (the last group)
    edge: bool = False  # the character before the match must not be a letter or digit
    check: _Check | None = None  # may veto a match, given the original text


# Values that are words, not secrets: "password: expired", "the secret is in vault".
_STOP_WORDS = """a an the this that it its our your their my of to in on at for from with by via
    under and or not no yes is was be been being now still also too only just same different set
    unset see stored saved kept managed shared known unknown visible hardcoded hard-coded required
    ask optional missing empty blank none null nil true false ok okay off fine good bad right
    wrong correct incorrect valid invalid expired expiring rotated rotating revoked reset changed
    use updated regenerated deleted removed leaked compromised weak strong long short working
    using broken locked unlocked used needed available gone fixed cached ignored accepted rejected
    enabled disabled there here what why how who where when should supposed case-sensitive
    redacted n/a tbd todo rotation check"""
_STOP = frozenset(_STOP_WORDS.split())
# Digits with letters, or a capital after a lower-case letter: a token, not an English word.
_MIXED = re.compile(r"\d.*[A-Za-z]|[A-Za-z].*\d|[a-z]\S*[A-Z]")


def _value(m: re.Match[str], text: str) -> str:
    return text[m.start(m.re.groups) : m.end(m.re.groups)]


def _not_placeholder(m: re.Match[str], text: str) -> bool:
    """False for `true`, `expired`, `${VAR}`, `***`, URLs and other values that are not secrets."""
    bare = _value(m, text).strip("\"'`\\").rstrip(".,!?:)")
    if not bare or bare.lower() in _STOP or set(bare) <= {"*", "x", "X", "."}:
        return False
    return not bare.startswith(("$", "{{", "%(", "<")) and "://" not in bare


# Names about a secret, not holding one (TOKEN_TYPE, SECRET_ARN); keys that are ids (cache_key).
_ABOUT = re.compile(
    r"[_.-](?:type|method|mode|arn|id|name|ttl|expiry|expires|url|uri|endpoint|path|file|length"
    r"|size|count|version|format|header|policy|provider|region|prefix|rotation|enabled)$"
)
_ID_KEY = re.compile(r"(?:public|pub|cache|idempotency|partition|sort|primary|foreign|routing"
                     r"|object|dedupe?|shard|group|lookup|hash|index|s3)[_.-]?$")  # fmt: skip


def _assignment(m: re.Match[str], text: str) -> bool:
    """A name glued to a word (`dbPass=`, `APIKEY:`) needs a capital (not `bypass=`, `monkey:`)."""
    at, low = m.start(), m.string
    glued = at and low[at - 1].isalpha() and low.startswith(("key", "pass", "pwd"), at)
    glued = glued and not low.startswith(("passw", "passp"), at)
    if (glued and not text[at].isupper()) or _ABOUT.search(m.group(1).rstrip(" \t:=\"'\\")):
        return False
    if low.startswith(("_key", ".key", "-key", "key"), at) and _ID_KEY.search(low[:at]):
        return False
    return _not_placeholder(m, text)


def _mixed(m: re.Match[str], text: str) -> bool:
    """The value has digits and letters, or a capital after a lower-case letter: not a word."""
    return _MIXED.search(_value(m, text)) is not None


def _decoded_text(value: str) -> str | None:
    """The base64 decoding of value when it is mostly printable text (so not random bytes)."""
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    printable = sum(32 <= b < 127 for b in raw)
    return raw.decode("latin-1") if raw and printable >= 0.9 * len(raw) else None


def _random_40(m: re.Match[str], _text: str) -> bool:
    """A bare AWS secret key: upper, lower and digits, high entropy, not base64 of text."""
    v = m.group(0)
    entropy = -sum(n / 40 * math.log2(n / 40) for n in Counter(v).values())
    classes = any(c.isupper() for c in v) and any(c.islower() for c in v)
    return classes and any(c.isdigit() for c in v) and entropy >= 4.0 and not _decoded_text(v)


def _basic(m: re.Match[str], text: str) -> bool:
    value = _value(m, text)
    decoded = _decoded_text(value)
    return (decoded is not None and ":" in decoded) or (len(value) >= 16 and _mixed(m, text))


# Generic `name = value` forms (env, YAML, JSON, shell, connection strings), on lower-case text.
# Every branch starts with a literal, so that `re` can skip ahead to the possible first letters.
_NAME = (
    r"(?:pass(?:word|wd|phrase)|pass(?![a-z])|pwd(?![a-z])|secret(?![a-z])|token(?![a-z])"
    r"|api[_-]?key|_key(?![a-z])|\.key(?![a-z])|-key(?![a-z])|key(?<=[a-z]key)(?![a-z])"
    r"|credentials?(?![a-z])|auth(?<![a-z]auth)(?![a-z])|dsn(?<![a-z]dsn)(?![a-z]))"
)
# A bare value ends at whitespace, `,`, `;`, quotes, or an `&` that starts the next `name=`.
_VALUE = (
    r"""(\\"[^"\n]*?\\"|"[^"\n]+"|'[^'\n]+'|\{[^}\n]*\}"""
    r"""|[^\s,;&"'<>]+(?:&(?![\w.-]+=)[^\s,;&"'<>]*)*)"""
)
# Prose: "the password is hunter2", "password for the bastion was: x", "--password x".
_PROSE_VERB = (
    r"(?:\s+(?:for|of|on)(?:\s+[\w.@/-]+){1,4}?)?\s+(?:is now|was changed to|was reset to"
    r"|was set to|changed to|set to|is|was)\s*:?\s+"
)
_PROSE_NAMES = ("pass(?:word|wd|phrase)?", "pwd?", "secret", "token", "api key")
_PROSE = (
    "(" + "|".join(name + _PROSE_VERB for name in _PROSE_NAMES)
    + r"|--(?:password|pass|token|secret|api-key)\s+)"
    + r"""("[^"\n]+"|'[^'\n]+'|`[^`\n]+`|[^\s,;"'`]+)"""
)  # fmt: skip
_AWS_IDS = "akia asia abia acca agpa aida aroa anpa anva aipa a3t"
_AWS_ID = r"(?:A3T[A-Z0-9]|A[KS]IA|A[BC]CA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Z0-9])"
_SLACK = r"xox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{10,}"
_AZURE = r"(?<![\w~.-])[\w~.-]{3}\dQ~[\w~.-]{31,34}(?![\w~.-])"
_GITLAB = "glpat- gldt- glrt- glft- glsoat- glcbt- glptt- gloas- glimt- gr1348941"
# Token shapes with a fixed prefix: (label, hints, regex). Each must start a token (`edge`) but
# may be glued to other text by `_`, `-`, `=` or `/` (`prod_AKIA…_backup`).
_TOKENS = [
    ("slack-token", "xox xapp-", _SLACK),
    ("aws-access-key", _AWS_IDS, _AWS_ID),
    ("github-token", "ghp_ gho_ ghu_ ghs_ ghr_", r"gh[pousr]_[A-Za-z0-9]{30,}"),
    ("github-token", "github_pat_", r"github_pat_[A-Za-z0-9_]{20,}"),
    ("gitlab-token", _GITLAB, r"(?:gl(?:pat|dt|rt|ft|soat|cbt|ptt|oas|imt)-|GR1348941)[\w-]{20,}"),
    ("npm-token", "npm_", r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])"),
    ("pypi-token", "pypi-age", r"pypi-AgE[\w-]{50,}"),
    ("stripe-key", "k_live_ k_test_", r"[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}"),
    ("stripe-key", "whsec_", r"whsec_[A-Za-z0-9]{24,}"),
    ("sendgrid-key", "sg.", r"SG\.[\w-]{22}\.[\w-]{43}"),
    ("google-api-key", "aiza", r"AIza[\w-]{35}"),
    ("google-oauth", "gocspx- ya29.", r"GOCSPX-[\w-]{28}|ya29\.[\w-]{30,}"),
    ("openai-key", "sk-", r"sk-(?:proj-|svcacct-)?[\w-]{20,}"),
    ("jwt", "eyj", r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}"),
    ("azure-secret", "q~", _AZURE),  # Azure AD client secret: 3 characters, a digit, `Q~`, 31-34
]
_PRIVATE_KEY = (
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?"
    r"(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\Z)"
)
# AWS and GCS presigned URLs, Azure SAS tokens, CloudFront signed URLs.
_PRESIGNED = (
    r"((?:x-amz-(?:signature|credential|security-token)|x-goog-(?:signature|credential)|sig"
    r"|signature)=)([^&\s#\"'<>|]+)"
)
_WEBHOOK = r"https://hooks\.slack\.com/(services|workflows|triggers)/[A-Za-z0-9/_-]+"
_AWS_SECRET = r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
_BEARER = r"((?:bearer|authorization:\s*token)\s+)([a-z0-9._~+/=-]{8,})"
_BASIC = r"(basic\s+)([a-z0-9+/]{8,}={0,2})(?![a-z0-9+/=])"
_ASSIGNMENT = rf"""({_NAME}[\w.-]*\\?["']?\s*[:=]\s*)(?!(?:bearer|basic|token)\s){_VALUE}"""
_NAMES = "pass|pwd|secret|token|key|auth|credential|dsn"


def _kw(label: str, hints: str, rx: str, check: _Check | None, edge: bool = True) -> Rule:
    """A rule on the lower-cased text that keeps group 1 (`password=`) and redacts the value."""
    h = tuple(hints.split("|"))
    return Rule(label, re.compile(rx), h, lower=True, keep=True, edge=edge, check=check)


SECRET_RULES: list[Rule] = [
    Rule("private-key", re.compile(_PRIVATE_KEY, re.DOTALL), ("private key",)),
    # The password may hold `@` and `:`: the userinfo ends at the last `@` before the path.
    Rule("url-credentials", re.compile(r"(://)([^\s/:<>|]*:[^\s/]*)(?=@)"), ("://",), keep=True),
    Rule("slack-webhook", re.compile(_WEBHOOK), ("hooks.slack.com",)),
    _kw("presigned-url", "sig=|signature=|x-amz-|x-goog-", _PRESIGNED, None),
    *(Rule(label, re.compile(rx), tuple(h.split()), run=15, edge=True) for label, h, rx in _TOKENS),
    Rule("twilio-key", re.compile(r"(?:AC|SK)[0-9a-f]{32}(?![A-Za-z0-9])"), run=34, edge=True),
    _kw("bearer-token", "bearer|token", _BEARER, _mixed),
    _kw("basic-auth", "basic", _BASIC, _basic),
    # Unlabelled AWS secret access keys; _random_40 rejects SHAs, paths and encoded text.
    Rule("aws-secret-key", re.compile(_AWS_SECRET), run=40, check=_random_40),
    # env, YAML, JSON, shell, connection strings: DB_PASS=…, "db_password": "…", Pwd=…;
    _kw("secret", _NAMES, _ASSIGNMENT, _assignment, edge=False),
    _kw("password", "pass|pwd|pw |secret|token|api key", _PROSE, _not_placeholder),
]

_EMAIL = r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"
EMAIL_RULE = Rule("email", re.compile(_EMAIL), ("@",))
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV6 = (
    r"(?<![:\w])(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}(?![:\w])"
    r"|(?<![:\w])(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}:){0,5}[0-9a-fA-F]{1,4}(?![:\w])"
)
IP_RULES: list[Rule] = [
    Rule("ip", re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\d.]*\d)"), (".",)),
    Rule("ip", re.compile(_IPV6), (":",)),
]
# Bytes that can be part of a token map to "a", others to a space: `b"a" * n in
# text.encode().translate(_RUNS)` tells cheaply whether the text holds an n-character token.
_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"
_RUNS = bytes(97 if b in _B64 + b"_.~-" else 32 for b in range(256))
_B64_RUNS = bytes(97 if b in _B64 else 32 for b in range(256))  # for tokens without a prefix
_SHORTEST_TOKEN = 15


def _lower(text: str) -> str:
    """text.lower() with the same length, so match positions carry over to text."""
    lower = text.lower()
    if len(lower) != len(text):
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lower


def _literals(hints: Iterable[str]) -> re.Pattern[str]:
    """Hint literals grouped by first character (faster than a flat `|`), for findall."""
    by_first: dict[str, list[str]] = {}
    for hint in sorted(set(hints), key=lambda h: (-len(h), h)):
        by_first.setdefault(hint[0], []).append(re.escape(hint[1:]))
    branches = [f"{re.escape(c)}(?:{'|'.join(rest)})" for c, rest in sorted(by_first.items())]
    return re.compile("|".join(branches) or "(?!)")


class Redactor:
    """Applies the configured rules and counts what it removed, by kind."""

    def __init__(self, kinds: Iterable[str] = ("secrets",)) -> None:
        kinds = set(kinds) | {"secrets"}  # secrets are always scrubbed
        extra = ([EMAIL_RULE] if "emails" in kinds else []) + (IP_RULES if "ips" in kinds else [])
        self.rules: list[Rule] = [*SECRET_RULES, *extra]
        self.counts: Counter[str] = Counter()
        # Keywords are looked for in every text; token prefixes only next to a long token.
        hints = {h for rule in self.rules for h in rule.hints}
        self._words = _literals(h for rule in self.rules if not rule.run for h in rule.hints)
        self._prefixes = _literals(h for rule in self.rules if rule.run for h in rule.hints)
        self._by_hint = {h: {i for i, r in enumerate(self.rules) if h in r.hints} for h in hints}
        self._by_run = [(b"a" * r.run, i) for i, r in enumerate(self.rules) if not r.hints]

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        lower = _lower(text)
        todo = self._hits(self._words, lower)
        raw = text.encode("utf-8", "ignore")
        if b"a" * _SHORTEST_TOKEN in raw.translate(_RUNS):
            todo |= self._hits(self._prefixes, lower)
            runs = raw.translate(_B64_RUNS)
            todo.update(i for run, i in self._by_run if run in runs)
        for i in sorted(todo):
            rule = self.rules[i]
            changed = self._apply(rule, text, lower if rule.lower else text)
            if changed is not None:
                text, lower = changed, _lower(changed)
        return text

    def _hits(self, literals: re.Pattern[str], lower: str) -> set[int]:
        """Indexes of the rules whose hints occur in lower."""
        return {i for hint in literals.findall(lower) for i in self._by_hint[hint]}

    def _apply(self, rule: Rule, text: str, subject: str) -> str | None:
        """text with rule's matches (found in subject, same positions) replaced; None if none."""
        pieces: list[str] = []
        last = 0
        for m in rule.pattern.finditer(subject):
            start = m.start()
            vetoed = rule.check is not None and not rule.check(m, text)
            if vetoed or (rule.edge and start and text[start - 1].isalnum()):
                continue
            keep = text[start : m.end(1)] if rule.keep else ""
            pieces += (text[last:start], keep, f"[REDACTED:{rule.label}]")
            last = m.end()
            self.counts[rule.label] += 1
        return "".join([*pieces, text[last:]]) if pieces else None

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
