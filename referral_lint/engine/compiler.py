"""Compiling rule patterns into spaCy matchers, once per Linter.

Every pattern of every rule goes into one of three shared matchers (phrases
by lowercase form, phrases by lemma, token patterns) or the list of RE2
regexes, so a message is scanned once for all rules, not once per rule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from spacy.errors import MatchPatternError
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from referral_lint.engine.regex import SafeRegex, compile_regex
from referral_lint.engine.schema import PatternSpec, RuleSpec
from referral_lint.engine.yamlsource import RuleError
from referral_lint.message import set_lemmas
from referral_lint.model import SkippedPattern
from referral_lint.normalize import NormalizedText
from referral_lint.pipeline import capabilities

# The roles a pattern plays in its rule.
ROLES = ("patterns", "exceptions", "locate", "when.matches", "when.unless")


@dataclass(frozen=True)
class Match:
    """A pattern's match, as a character span of the normalised text."""

    start: int
    end: int
    pattern: PatternSpec


class CompiledRules:
    """The patterns of a rule set, compiled against one pipeline's vocabulary."""

    def __init__(self, rules: tuple[RuleSpec, ...], nlp: Language) -> None:
        self.rules = rules
        self._nlp = nlp
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._tokens = Matcher(nlp.vocab, validate=True)
        self._regexes: list[tuple[tuple[int, str], PatternSpec, SafeRegex]] = []
        self._keys: dict[int, tuple[tuple[int, str], PatternSpec]] = {}
        self.skipped: dict[str, list[SkippedPattern]] = defaultdict(list)
        available = capabilities(nlp)
        for index, rule in enumerate(rules):
            for role, patterns in _patterns_by_role(rule):
                for number, pattern in enumerate(patterns):
                    missing = pattern.needs - available
                    if missing:
                        self.skipped[rule.id].append(SkippedPattern(rule.id, tuple(sorted(missing))))
                        continue
                    self._add(rule, (index, role), number, pattern)

    def _add(self, rule: RuleSpec, slot: tuple[int, str], number: int, pattern: PatternSpec) -> None:
        key = f"{rule.id}/{slot[1]}/{number}"
        self._keys[self._nlp.vocab.strings.add(key)] = (slot, pattern)
        try:
            if pattern.kind == "phrases":
                self._lower.add(key, [self._nlp.make_doc(_normalised(p)) for p in pattern.values])
            elif pattern.kind == "lemmas":
                self._lemma.add(key, [set_lemmas(self._nlp.make_doc(_normalised(p))) for p in pattern.values])
            elif pattern.kind == "tokens":
                self._tokens.add(key, [list(p) for p in pattern.values])
            else:
                for expression in pattern.values:
                    regex = compile_regex(expression, case_sensitive=pattern.case_sensitive)
                    self._regexes.append((slot, pattern, regex))
        except (MatchPatternError, ValueError, TypeError, KeyError) as error:
            problem = str(error).strip().splitlines()
            detail = next((line for line in problem if line.strip() and "[E" not in line), problem[0] if problem else "")
            raise RuleError(rule.file, pattern.line, pattern.key, f"pattern does not compile: {detail.strip()}") from None

    def find(self, doc: Doc) -> dict[tuple[int, str], list[Match]]:
        """Every match of every pattern in ``doc``, grouped by (rule index, role)."""
        found: dict[tuple[int, str], list[Match]] = defaultdict(list)
        keys = self._keys
        for matcher in (self._lower, self._lemma, self._tokens):
            for key, start, end in matcher(doc):
                slot, pattern = keys[key]
                last = doc[end - 1]
                found[slot].append(Match(doc[start].idx, last.idx + len(last.text), pattern))
        text = doc.text
        for slot, pattern, regex in self._regexes:
            for start, end in regex.spans(text):
                found[slot].append(Match(start, end, pattern))
        return found


def _patterns_by_role(rule: RuleSpec) -> list[tuple[str, tuple[PatternSpec, ...]]]:
    return [
        ("patterns", rule.patterns),
        ("exceptions", rule.exceptions),
        ("locate", rule.locate),
        ("when.matches", rule.when.matches),
        ("when.unless", rule.when.unless),
    ]


def _normalised(phrase: str) -> str:
    return NormalizedText.from_original(phrase).text
