#!/usr/bin/env python3
"""Lint time of the worst input shapes as they grow to the 100,000-character cap (issue 15).

Linear shapes take about four times as long for four times the length; the quadratic
ones this guards against took minutes at the cap (100,000 "?" about 20 minutes).

    .venv/bin/python bench/bench_shapes.py [--sizes 6250,25000,100000]

The "fuzzy" rows lint with one more rule: the costliest FUZZY pattern a rule file may hold
(16 FUZZY words matching in 4 ways from a word; the test suite's WORST_FUZZY_RULE), which
runs in spaCy's Matcher. The "open ops" rows lint with 200 more rules whose token patterns
repeat words without bound (``A* w A+ B*``, on the RE2 path), over one sentence of words
they all match. The "every word" row lints with one rule found on every word (the test
suite's EVERY_X_RULE): 50,000 violations at the cap, of which 1,000 are listed with their
suggestions and the rest counted.

Numbers are reported, never asserted.
"""
from __future__ import annotations

import argparse
import time

SHAPES = {
    "?": lambda n: "?" * n,
    "emoji": lambda n: "😀" * n,
    "brackets": lambda n: ("([{<" * n)[:n],
    "pushy sentences": lambda n: ("Refer me ASAP. " * n)[:n],
    "pushy lines": lambda n: ("Refer me\n" * n)[:n],
    "dots": lambda n: (". " * n)[:n],
    "underscores": lambda n: "_" * n,
    "one long url": lambda n: ("http://x.co/" * n)[:n],
    "words": lambda n: ("word " * n)[:n],
}
FUZZY_SHAPES = {
    "fuzzy: 35-letter": lambda n: (("a" * 35 + " ") * n)[:n],
    "fuzzy: 1-letter": lambda n: ("x " * n)[:n],
}


def _linter_with_test_rule(name: str, **config):
    """A linter with one more rule, kept in the tests (test_safety.NAME), so the two stay one."""
    import sys
    import tempfile
    from pathlib import Path

    from referral_lint import Config
    from referral_lint.linter import Linter

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import test_safety

    text = getattr(test_safety, name)
    rule_id = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:"))
    rules = Path(tempfile.mkdtemp(prefix="bench-rule-"))
    (rules / f"{rule_id}.yaml").write_text(text, encoding="utf-8")
    return Linter(Config(rule_dirs=(rules,), **config))


def _fuzzy_linter():
    """The built-in rules and the worst FUZZY rule."""
    return _linter_with_test_rule("WORST_FUZZY_RULE")


EVERY_WORD_SHAPES = {"every word": lambda n: ("x " * n)[:n]}


OPEN_OPS_RULES = 200


def _open_ops_text(n: int) -> str:
    """Seeded words: each rule's own two, and a common one (as often as a quarter of theirs)."""
    import random

    rng = random.Random(15)
    words = [f"{kind}{number}" for kind in ("w", "end") for number in range(OPEN_OPS_RULES)] + ["word"] * (OPEN_OPS_RULES // 2)
    return " ".join(rng.choice(words) for _ in range(n // 5))[:n].strip()


OPEN_OPS_SHAPES = {"open ops: 200 rules": _open_ops_text}


def _open_ops_linter():
    """The built-in rules and 200 rules of open-ended token patterns."""
    import tempfile
    from pathlib import Path

    from referral_lint import Config
    from referral_lint.linter import Linter

    rules = Path(tempfile.mkdtemp(prefix="bench-open-ops-"))
    for number in range(OPEN_OPS_RULES):
        (rules / f"open-ops-{number}.yaml").write_text(
            f"id: open-ops-{number}\nsummary: Runs of words\nseverity: info\ncheck: forbid\nwhy: A benchmark.\n"
            f"message: Found.\nsuggest: {{delete: true}}\npatterns:\n  - tokens: [[{{IS_ALPHA: true, OP: '*'}}, "
            f"{{LOWER: w{number}}}, {{IS_ALPHA: true, OP: '+'}}, {{LOWER: end{number}, OP: '*'}}]]\n"
            f"examples:\n  bad: ['a w{number} b']\n  good: ['Thanks.']\n",
            encoding="utf-8",
        )
    return Linter(Config(rule_dirs=(rules,)))


def _row(name, linter, make, sizes) -> None:
    timings = []
    for size in sizes:
        text = make(size)
        started = time.perf_counter()
        linter.lint(text)
        timings.append(time.perf_counter() - started)
    print(f"{name:<18}" + "".join(f"{seconds:>12.2f}" for seconds in timings), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="6250,25000,100000", help="comma-separated lengths in characters")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]

    from referral_lint.linter import Linter

    linter = Linter()
    linter.lint("Hi Dana, would you be open to referring me? Thanks!")  # warm up
    print(f"{'shape':<18}" + "".join(f"{size:>12,}" for size in sizes) + "   (seconds)")
    for name, make in SHAPES.items():
        _row(name, linter, make, sizes)
    fuzzy = _fuzzy_linter()
    for name, make in FUZZY_SHAPES.items():
        _row(name, fuzzy, make, sizes)
    open_ops = _open_ops_linter()
    for name, make in OPEN_OPS_SHAPES.items():
        _row(name, open_ops, make, sizes)
    every_word = _linter_with_test_rule("EVERY_X_RULE", select=("open-ops",))
    for name, make in EVERY_WORD_SHAPES.items():
        _row(name, every_word, make, sizes)


if __name__ == "__main__":
    main()
