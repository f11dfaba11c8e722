"""Running a rule file's ``examples``: what the test suite does for the built-in rules,
and ``referral-lint test-rules DIR`` does for a team's.

A bad example must be flagged by its rule, and when it gives ``fixed``, applying each of
the rule's violations' first suggestion (safe or not) must give that text; a good
example must not be flagged by its rule. Examples are linted with every rule turned on
(the built-in ones and those of the directories given), so a rule's ``when`` conditions
see the rules they name.
"""

from __future__ import annotations

import functools

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from referral_lint.config import Config

if TYPE_CHECKING:
    from referral_lint.engine.schema import Example, RuleSpec
    from referral_lint.linter import Linter

KINDS = ("bad", "good")


@dataclass(frozen=True)
class ExampleCase:
    """One example of one rule: ``kind`` is ``bad`` or ``good``; ``number`` counts from 1 within its kind."""

    rule: RuleSpec
    kind: str
    number: int
    example: Example

    @property
    def name(self) -> str:
        return f"{self.rule.id}-{self.kind}-{self.number}"


def cases(rules: tuple[RuleSpec, ...], kind: str | None = None) -> Iterator[ExampleCase]:
    """Every example of ``rules`` (of one ``kind``, if given), rule by rule, bad before good."""
    for rule in rules:
        for each in KINDS if kind is None else (kind,):
            for number, example in enumerate(rule.bad_examples if each == "bad" else rule.good_examples, 1):
                yield ExampleCase(rule, each, number, example)


def examples_linter(rule_dirs: tuple[Path, ...] = ()) -> Linter:
    """A Linter running every rule: the built-in ones and those in ``rule_dirs``."""
    from referral_lint.engine.loader import load_rules
    from referral_lint.linter import Linter

    every = tuple(rule.id for rule in load_rules(rule_dirs))
    return Linter(Config(select=every, rule_dirs=rule_dirs))


@functools.lru_cache(maxsize=None)
def _selected_alone(rule_id: str, rule_dirs: tuple[Path, ...]) -> Linter:
    from referral_lint.linter import Linter

    return Linter(Config(select=(rule_id,), rule_dirs=rule_dirs))


def problem(linter: Linter, case: ExampleCase) -> str | None:
    """What is wrong with ``case`` (one line), or None when it holds."""
    from referral_lint.fix import apply_fixes

    example, rule = case.example, case.rule
    if rule.when.fails:
        # A rule that runs only when another reported is folded into that rule's diagnostic
        # when both run: its examples are checked with it selected alone.
        linter = _selected_alone(rule.id, linter.config.rule_dirs)
    own = [v for v in linter.lint(example.text, channel=example.channel).violations if v.rule == rule.id]
    if case.kind == "good":
        if own:
            flagged = ", ".join(repr(example.text[v.start : v.end]) for v in own)
            return f"flagged {flagged} in a good example"
        return None
    if not own:
        return "not flagged"
    if example.fixed is not None:
        fixed = apply_fixes(example.text, own, unsafe=True)
        if fixed != example.fixed:
            return f"fixes to {fixed!r}, not the expected {example.fixed!r}"
    return None
