"""Redaction bench: recall on planted secrets, false positives on look-alikes, throughput.

Run: .venv/bin/python bench/redaction.py [--mb 20] [--chat-per-sentence 4] [--runs 3]
Scrubs the corpus of tests/drafting (planted secrets and look-alikes) with Redactor(), then
times it over about 20 MB of chat: every corpus sentence plus N ordinary chat lines per corpus
sentence, repeated, each line redacted on its own as gather() does per timeline entry.
Prints the best of --runs runs.
"""

from __future__ import annotations

import argparse
import time

from _common import table

from bot.drafting.redact import Redactor
from tests.drafting.redaction_corpus import PLANTED
from tests.drafting.redaction_lookalikes import LOOKALIKES, NORMAL_CHAT
from tests.drafting.test_redaction_corpus import false_positives, misses


def chat_lines(megabytes: float, chat_per_sentence: int) -> list[str]:
    """Corpus sentences interleaved with ordinary chat, repeated to about `megabytes` MB."""
    corpus = [p.sentence for p in PLANTED] + [la.sentence for la in LOOKALIKES]
    block: list[str] = []
    for i, sentence in enumerate(corpus):
        block.append(sentence)
        for j in range(chat_per_sentence):
            block.append(NORMAL_CHAT[(i * chat_per_sentence + j) % len(NORMAL_CHAT)])
    size = sum(len(line.encode()) for line in block)
    return block * max(1, round(megabytes * 1e6 / size))


def throughput(lines: list[str], runs: int) -> tuple[float, float]:
    """(MB, best seconds) for redacting every line with a fresh Redactor per run."""
    size = sum(len(line.encode()) for line in lines) / 1e6
    best = float("inf")
    for _ in range(runs):
        redactor = Redactor()
        started = time.perf_counter()
        for line in lines:
            redactor(line)
        best = min(best, time.perf_counter() - started)
    return size, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--chat-per-sentence", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    missed = misses(PLANTED)
    changed = false_positives(LOOKALIKES)
    size, seconds = throughput(chat_lines(args.mb, args.chat_per_sentence), args.runs)
    caught = len(PLANTED) - len(missed)
    rows: list[list[object]] = [
        ["secrets caught", f"{caught}/{len(PLANTED)}"],
        [
            "false positives",
            f"{len(changed)}/{len(LOOKALIKES)} ({len(changed) / len(LOOKALIKES):.1%})",
        ],
        ["chat scrubbed", f"{size:.1f} MB in {seconds:.2f} s"],
        ["throughput", f"{size / seconds:.1f} MB/s"],
    ]
    print(table(["redaction", "result"], rows))
    for planted, text in missed[:10]:
        print(f"missed [{planted.family}]: {text!r}")
    for lookalike, text in changed[:10]:
        print(f"false positive [{lookalike.kind}]: {text!r}")


if __name__ == "__main__":
    main()
