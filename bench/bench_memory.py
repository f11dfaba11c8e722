#!/usr/bin/env python3
"""Memory of a long-running process fed new words forever (issue 15).

Lints messages made of words never seen before (a seeded stream) and prints, every
``--every`` messages, the distinct words so far, the strings spaCy's vocabulary keeps,
the cells of its two hash tables (strings, lexemes) and the process's resident memory
(RSS, not the peak): the figures should stop growing once the bounds are reached
(pipeline.MAX_KEPT_STRINGS, lemmas.MAX_KEPT_LEMMAS, the token encoder's records, and
the tables' rebuilds in vocab_tables.py).

    .venv/bin/python bench/bench_memory.py [--words 400000] [--every 1000] [--through lsp]

``--through lsp`` lints each message as a document of its own on the language server's
lint thread (its session, after its start-up ``gc.freeze()``); ``--through web`` as the
web server's service. The worst garbage-collector pause per generation is printed at the end.

Numbers are reported, never asserted.
"""
from __future__ import annotations

import argparse
import random
import string
import time
from pathlib import Path

WORDS_PER_MESSAGE = 50


def resident_mb() -> float:
    """The process's resident set size now (Linux /proc; 0 elsewhere)."""
    status = Path("/proc/self/status")
    if not status.exists():
        return 0.0
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fresh_messages(seed: int):
    """Messages of new words (distinct with overwhelming likelihood: 8-12 random letters)."""
    rng = random.Random(seed)
    letters = string.ascii_lowercase
    while True:
        words = ("".join(rng.choices(letters, k=rng.randint(8, 12))) for _ in range(WORDS_PER_MESSAGE))
        yield "Hi Dana, " + " ".join(words) + ". Thank you for your time!"


def linting_through(front_end: str, freeze: bool):
    """A function linting one text as ``front_end`` does (the Linter itself, the language
    server's lint thread after its start-up freeze, or the web server's service), and the
    spaCy vocabulary it uses."""
    import gc

    if front_end == "lsp":
        from referral_lint.lsp import ReferralLintServer

        server = ReferralLintServer()
        server._lint_now("Hi Dana, thanks!")  # the session and its Linter, as the warm-up builds them
        if freeze:
            server._settle()
        counter = iter(range(1 << 62))
        (linter,) = server._session.linters.values()
        # Each message as a document of its own, as an editor opens one after another.
        return lambda text: server._lint_now(text, "plaintext", f"file:///tmp/bench-memory/draft-{next(counter)}.txt"), linter.nlp.vocab
    if front_end == "web":
        from referral_lint.web.service import LintService

        service = LintService(isolated=True)
        service.warm_up()
        if freeze:
            gc.collect()
            gc.freeze()
        return lambda text: service.lint_json(text, None), service.linter.nlp.vocab
    from referral_lint.linter import Linter

    linter = Linter()
    return linter.lint, linter.nlp.vocab


class CollectionPauses:
    """The garbage collector's pauses, by generation (gc.callbacks)."""

    def __init__(self) -> None:
        import gc

        self.worst = [0.0, 0.0, 0.0]
        self.count = [0, 0, 0]
        self._started = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            generation = info["generation"]
            self.count[generation] += 1
            self.worst[generation] = max(self.worst[generation], time.perf_counter() - self._started)

    def __str__(self) -> str:
        return ", ".join(
            f"generation {generation}: {count:,} collections, worst {worst * 1000:.1f} ms"
            for generation, (count, worst) in enumerate(zip(self.count, self.worst))
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=400_000, help="distinct words to feed (default 400,000)")
    parser.add_argument("--every", type=int, default=1000, help="report every N messages")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--through", choices=("linter", "lsp", "web"), default="linter",
                        help="lint as the Linter, the language server's lint thread or the web service does")
    parser.add_argument("--no-freeze", action="store_true", help="lsp, web: no gc.freeze() after start-up")
    parser.add_argument("--unbounded", action="store_true", help="lift the bounds, to see what they save")
    parser.add_argument("--no-table-rebuilds", action="store_true", help="never rebuild spaCy's tables (as before vocab_tables.py)")
    parser.add_argument("--bounds", type=int, help="lower every bound to N words past start-up, to reach them sooner")
    options = parser.parse_args()

    from referral_lint import lemmas, pipeline
    from referral_lint.engine import tokenregex
    from referral_lint.vocab_tables import lexeme_index

    if options.no_table_rebuilds:
        pipeline.keep_indexes_compact = lambda vocab: None
    if options.unbounded:
        pipeline.MAX_KEPT_STRINGS = lemmas.MAX_KEPT_LEMMAS = tokenregex._MAX_CACHED_WORDS = 1 << 62

    if options.bounds:  # the word tables take their bounds when they are made
        lemmas.MAX_KEPT_LEMMAS = tokenregex._MAX_CACHED_WORDS = options.bounds
    lint, vocab = linting_through(options.through, freeze=not options.no_freeze)
    if options.bounds:
        pipeline.MAX_KEPT_STRINGS = len(vocab.strings) + options.bounds
    pauses = CollectionPauses()
    messages = options.words // WORDS_PER_MESSAGE
    print(f"through {options.through}, RSS {resident_mb():.0f} MB after start-up")
    print(f"{'messages':>9} {'words':>9} {'strings':>9} {'str cells':>10} {'lex cells':>10} {'RSS MB':>8} {'msg/s':>7}")
    started = last = time.perf_counter()
    for number, text in enumerate(fresh_messages(options.seed), start=1):
        lint(text)
        if number % options.every == 0 or number == messages:
            now = time.perf_counter()
            rate = options.every / (now - last) if number % options.every == 0 else 0
            last = now
            print(
                f"{number:>9,} {number * WORDS_PER_MESSAGE:>9,} {len(vocab.strings):>9,}"
                f" {vocab.strings._map.capacity:>10,} {lexeme_index(vocab).capacity:>10,}"
                f" {resident_mb():>8.0f} {rate:>7.0f}",
                flush=True,
            )
        if number >= messages:
            break
    print(f"{time.perf_counter() - started:.1f} s; collector pauses: {pauses}")
    import gc

    collecting = time.perf_counter()
    gc.collect()
    print(f"a full collection now: {(time.perf_counter() - collecting) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
