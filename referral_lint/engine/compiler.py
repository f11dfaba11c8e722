"""Compiling rule patterns into spaCy matchers, once per Linter.

Every pattern of every rule goes into one of three shared matchers (phrases
by lowercase form, phrases by lemma, token patterns) or the list of RE2
regexes, so a message is scanned once for all rules, not once per rule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy
import re2

from spacy.errors import MatchPatternError
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from referral_lint.engine.regex import SafeRegex, compile_regex
from referral_lint.engine.schema import PatternSpec, RuleSpec
from referral_lint.engine.tokens import TokenPattern, TokenTable, Unsupported
from referral_lint.engine.yamlsource import RuleError
from referral_lint.message import doc_text, set_lemmas
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
        self._anchored: list[tuple[int, TokenPattern]] = []  # token patterns we match ourselves
        self._anchor_words: dict[str, frozenset[int]] = {}
        # Which anchored patterns a word brings into play (by each pattern's rarest required word).
        self._patterns_by_word: dict[str, dict[int, list[int]]] = {}
        self._unanchored: list[int] = []
        self._indexed: dict[str, numpy.ndarray] = {}
        # Token patterns turned into phrases whose first token must start a sentence.
        self._sentence_start_keys: set[int] = set()
        self._regex_set: Any = None
        self._tokens = Matcher(nlp.vocab, validate=True)  # the rest (tags, dependencies)
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
                for token_pattern in pattern.values:
                    self._add_token_pattern(key, list(token_pattern))
            else:
                for expression in pattern.values:
                    regex = compile_regex(expression, case_sensitive=pattern.case_sensitive)
                    self._regexes.append((slot, pattern, regex))
        except (MatchPatternError, ValueError, TypeError, KeyError) as error:
            problem = str(error).strip().splitlines()
            detail = next((line for line in problem if line.strip() and "[E" not in line), problem[0] if problem else "")
            raise RuleError(rule.file, pattern.line, pattern.key, f"pattern does not compile: {detail.strip()}") from None

    def _add_token_pattern(self, key: str, token_pattern: list[dict[str, Any]]) -> None:
        # spaCy validates every pattern, so errors read the same whichever matcher runs it.
        Matcher(self._nlp.vocab, validate=True).add(key, [token_pattern])
        expanded = _as_phrases(token_pattern)
        if expanded is not None:
            attribute, phrases, at_sentence_start = expanded
            phrase_key = f"{key}#start" if at_sentence_start else key
            self._keys[self._nlp.vocab.strings.add(phrase_key)] = self._keys[self._nlp.vocab.strings[key]]
            if at_sentence_start:
                self._sentence_start_keys.add(self._nlp.vocab.strings[phrase_key])
            matcher = self._lemma if attribute == "LEMMA" else self._lower
            matcher.add(phrase_key, [Doc(self._nlp.vocab, words=words) for words in phrases])
            return
        try:
            pattern = TokenPattern(token_pattern, self._nlp.vocab.strings)
        except Unsupported:
            self._tokens.add(key, [token_pattern])
            return
        number = len(self._anchored)
        self._anchored.append((self._nlp.vocab.strings[key], pattern))
        for column, words in pattern.anchor_words():
            self._anchor_words[column] = self._anchor_words.get(column, frozenset()) | words
        key_anchor = pattern.key_anchor()
        if key_anchor is None:
            self._unanchored.append(number)
            return
        column, words = key_anchor
        by_word = self._patterns_by_word.setdefault(column, {})
        for word in words:
            by_word.setdefault(word, []).append(number)

    def _token_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        matches = list(self._tokens(doc)) if len(self._tokens) else []
        if not self._indexed:
            self._indexed = {
                column: numpy.sort(numpy.fromiter(words, dtype="uint64", count=len(words)))
                for column, words in self._anchor_words.items()
            }
        table = TokenTable(doc, self._indexed)
        candidates = set(self._unanchored)
        for column, by_word in self._patterns_by_word.items():
            for word in table.present(column).intersection(by_word):
                candidates.update(by_word[word])
        for number in sorted(candidates):
            key, pattern = self._anchored[number]
            matches.extend((key, start, end) for start, end in pattern.find(table))
        return matches

    def find(self, doc: Doc) -> dict[tuple[int, str], list[Match]]:
        """Every match of every pattern in ``doc``, grouped by (rule index, role)."""
        found: dict[tuple[int, str], list[Match]] = defaultdict(list)
        keys = self._keys
        sentence_start_keys = self._sentence_start_keys
        for matches in (self._lower(doc), self._lemma(doc), self._token_matches(doc)):
            for key, start, end in matches:
                first = doc[start]
                if key in sentence_start_keys and not first.is_sent_start:
                    continue
                slot, pattern = keys[key]
                last = doc[end - 1]
                found[slot].append(Match(first.idx, last.idx + len(last.text), pattern))
        if self._regexes:
            text = doc_text(doc)
            for number in self._regexes_that_match(text):
                slot, pattern, regex = self._regexes[number]
                for start, end in regex.spans(text):
                    found[slot].append(Match(start, end, pattern))
        return found

    def _regexes_that_match(self, text: str) -> list[int]:
        """Which regexes match at all: one RE2 pass for all of them, then each one runs only if it matched."""
        if self._regex_set is None:
            options = re2.Options()
            options.log_errors = False
            regex_set = re2.Set.SearchSet(options)
            for _, _, regex in self._regexes:
                regex_set.Add(regex.expression if regex.case_sensitive else f"(?i){regex.expression}")
            regex_set.Compile()
            self._regex_set = regex_set
        return sorted(self._regex_set.Match(text) or ())


_EXPANDABLE_ATTRIBUTES = {"LOWER": "LOWER", "LEMMA": "LEMMA"}
_MAX_EXPANSION = 5000


def _as_phrases(token_pattern: list[dict[str, Any]]) -> tuple[str, list[list[str]], bool] | None:
    """A token pattern of word lists as the phrases it matches, for spaCy's fast PhraseMatcher.

    Possible when every token names words of one attribute (LOWER or LEMMA) and is
    required or optional ("?"); IS_SENT_START may sit on a required first token, and
    is checked on each match. Returns (attribute, phrases, first token starts a sentence).
    """
    attribute = None
    choices: list[list[str | None]] = []
    at_sentence_start = False
    for position, token in enumerate(token_pattern):
        operator = token.get("OP")
        if operator not in (None, "?"):
            return None
        keys = set(token) - {"OP"}
        if "IS_SENT_START" in keys:
            if position or operator or token["IS_SENT_START"] is not True:
                return None
            at_sentence_start = True
            keys.discard("IS_SENT_START")
        if len(keys) != 1:
            return None
        name = keys.pop()
        value = token[name]
        if name not in _EXPANDABLE_ATTRIBUTES or attribute not in (None, name):
            return None
        attribute = name
        if isinstance(value, str):
            words: list[str | None] = [value]
        elif isinstance(value, dict) and list(value) == ["IN"] and all(isinstance(w, str) for w in value["IN"]):
            words = list(value["IN"])
        else:
            return None
        choices.append(words + [None] if operator == "?" else words)
    if attribute is None or (at_sentence_start and token_pattern[0].get("OP")):
        return None
    phrases = [[]]
    for words in choices:
        phrases = [phrase + ([word] if word is not None else []) for phrase in phrases for word in words]
        if len(phrases) > _MAX_EXPANSION:
            return None
    return attribute, [phrase for phrase in phrases if phrase], at_sentence_start


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
