"""Redaction against a corpus: no planted secret survives, look-alikes almost never change."""

from __future__ import annotations

import pytest

from bot.drafting.redact import Redactor
from tests.drafting.redaction_corpus import PLANTED, Planted
from tests.drafting.redaction_lookalikes import LOOKALIKES, Lookalike

FRAGMENT = 8
MAX_FALSE_POSITIVE_RATE = 0.02


def survives(planted: Planted, scrubbed: str) -> bool:
    """The secret, or any 8-character piece of it, is still in the scrubbed text."""
    secret = planted.secret
    if secret in scrubbed:
        return True
    pieces = (secret[i : i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1))
    return any(piece in scrubbed for piece in pieces)


def misses(planted: list[Planted]) -> list[tuple[Planted, str]]:
    redactor = Redactor()
    scrubbed = [(p, redactor.text(p.sentence)) for p in planted]
    return [(p, text) for p, text in scrubbed if survives(p, text)]


def false_positives(lookalikes: list[Lookalike]) -> list[tuple[Lookalike, str]]:
    redactor = Redactor()
    changed = [(la, redactor.text(la.sentence)) for la in lookalikes]
    return [(la, text) for la, text in changed if text != la.sentence]


def test_the_corpus_is_big_enough() -> None:
    assert len(PLANTED) >= 200 and len(LOOKALIKES) >= 200
    assert len({p.family for p in PLANTED}) >= 20
    assert all(p.secret in p.sentence for p in PLANTED)


def test_no_planted_secret_survives() -> None:
    missed = misses(PLANTED)
    report = "\n".join(f"[{p.family}] {text!r}" for p, text in missed[:10])
    assert not missed, f"{len(missed)}/{len(PLANTED)} secrets survived, first ones:\n{report}"


def test_look_alikes_are_left_alone() -> None:
    changed = false_positives(LOOKALIKES)
    report = "\n".join(f"[{la.kind}] {text!r}" for la, text in changed[:10])
    rate = len(changed) / len(LOOKALIKES)
    assert rate < MAX_FALSE_POSITIVE_RATE, f"{len(changed)} false positives:\n{report}"


def test_counts_name_the_kinds_that_were_scrubbed() -> None:
    redactor = Redactor()
    redactor.text("prod_AKIAIOSFODNN7EXAMPLE_backup and the password is hunter2")
    assert redactor.counts == {"aws-access-key": 1, "password": 1}
    assert redactor.summary() == "2 redactions (1 aws-access-key, 1 password)"


# GitHub's token formats (github.blog, "Behind GitHub's new authentication token formats"):
# ghp_ personal, gho_ OAuth, ghu_ user-to-server, ghs_ server-to-server, ghr_ refresh, each
# followed by 36 letters and digits; fine-grained personal tokens are github_pat_ + 22 + _ + 59.
GITHUB_TOKENS = [
    *(prefix + "aZ09" * 9 for prefix in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    "github_pat_" + "11AAAAAAA0aZ09aZ09aZ09" + "_" + "aZ09bY18" * 7 + "cX2",
]


@pytest.mark.parametrize("token", GITHUB_TOKENS)
def test_every_kind_of_github_token_is_caught(token: str) -> None:
    redactor = Redactor()
    scrubbed = redactor.text(f"the deploy job echoed {token} into its log")
    assert scrubbed == "the deploy job echoed [REDACTED:github-token] into its log"
    assert redactor.counts == {"github-token": 1}
