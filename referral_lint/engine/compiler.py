"""Compiling rule patterns into spaCy matchers, once per Linter.

Every pattern of every rule goes into one of three shared matchers (phrases
by lowercase form, phrases by lemma, token patterns) or the list of RE2
regexes, so a message is scanned once for all rules, not once per rule.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import re2

from spacy.errors import MatchPatternError
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from referral_lint.engine.regex import SafeRegex, compile_regex
from referral_lint.engine.schema import PatternSpec, RuleSpec
from referral_lint.engine.tokens import TokenPattern, TokenTable, Unsupported
from referral_lint.engine.yamlsource import RuleError
from referral_lint.lemmas import lemma_of
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
        # Token patterns we match ourselves, by the (rule index, role) slot they serve.
        self._anchored: dict[tuple[int, str], list[tuple[int, TokenPattern]]] = {}
        self._anchor_words: dict[str, frozenset[int]] = {}
        # Token patterns turned into phrases, with what each match must still satisfy.
        self._phrase_checks: dict[int, _PhraseVariant] = {}
        self._regex_set: Any = None
        self._tokens = Matcher(nlp.vocab, validate=True)  # the rest (tags, dependencies)
        self._regexes: list[tuple[tuple[int, str], PatternSpec, SafeRegex]] = []
        self._part_patterns: list[tuple[tuple[int, str], PatternSpec]] = []  # spans of message parts
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
            elif pattern.kind == "part":
                self._part_patterns.append((slot, pattern))
            else:
                for expression in pattern.values:
                    regex = compile_regex(expression, case_sensitive=pattern.case_sensitive)
                    self._regexes.append((slot, pattern, regex))
        except (MatchPatternError, ValueError, TypeError, KeyError) as error:
            raise RuleError(rule.file, pattern.line, pattern.key, f"pattern does not compile: {_spacy_detail(error)}") from None

    def _add_token_pattern(self, key: str, token_pattern: list[dict[str, Any]]) -> None:
        # spaCy validates every pattern, so errors read the same whichever matcher runs it.
        Matcher(self._nlp.vocab, validate=True).add(key, [token_pattern])
        variants = _as_phrases(token_pattern)
        if variants is not None:
            slot = self._keys[self._nlp.vocab.strings[key]]
            for variant in variants:
                # Unique per variant: two token lists of one pattern must not share checks.
                variant_key = f"{key}#{len(self._keys)}"
                variant_hash = self._nlp.vocab.strings.add(variant_key)
                self._keys[variant_hash] = slot
                if variant.lower_checks or variant.at_sentence_start:
                    self._phrase_checks[variant_hash] = variant
                matcher = self._lemma if variant.attribute == "LEMMA" else self._lower
                docs = [Doc(self._nlp.vocab, words=words) for words in variant.phrases]
                if variant.attribute == "LEMMA":
                    for doc in docs:
                        for token in doc:
                            token.lemma_ = token.text
                matcher.add(variant_key, docs)
            return
        try:
            pattern = TokenPattern(token_pattern, self._nlp.vocab.strings)
        except Unsupported:
            self._tokens.add(key, [token_pattern])
            return
        slot = self._keys[self._nlp.vocab.strings[key]][0]
        self._anchored.setdefault(slot, []).append((self._nlp.vocab.strings[key], pattern))
        for column, words in pattern.anchor_words():
            self._anchor_words[column] = self._anchor_words.get(column, frozenset()) | words

    def find(self, doc: Doc) -> DocMatches:
        """The matches of every pattern in ``doc``, by (rule index, role).

        Phrases, message parts and regexes are matched at once (in C, for all rules);
        token patterns, which run in Python, only when a check asks for their slot:
        a rule that does not apply, or exceptions of a rule with nothing to except,
        cost nothing.
        """
        found: dict[tuple[int, str], list[Match]] = defaultdict(list)
        matches = DocMatches(self, doc, found)
        for key, start, end in (*self._lower(doc), *self._lemma(doc), *(self._tokens(doc) if len(self._tokens) else ())):
            matches.add(key, start, end)
        for slot, pattern in self._part_patterns:
            for start, end in doc._.parts.scope(pattern.values[0]):
                found[slot].append(Match(start, end, pattern))
        if self._regexes:
            text = doc_text(doc)
            for number in self._regexes_that_match(text):
                slot, pattern, regex = self._regexes[number]
                for start, end in regex.spans(text):
                    found[slot].append(Match(start, end, pattern))
        return matches

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


_MAX_EXPANSION = 5000
_MAX_OPTIONAL = 4


class DocMatches:
    """One Doc's matches by (rule index, role); token patterns are run on first request."""

    def __init__(self, compiled: CompiledRules, doc: Doc, found: dict[tuple[int, str], list[Match]]) -> None:
        self._compiled = compiled
        self._doc = doc
        self._found = found
        self._table: TokenTable | None = None
        self._done: set[tuple[int, str]] = set()
        self._sentences = doc._.parts.sentences
        self._sentence_starts = [start for start, _ in self._sentences]

    def add(self, key: int, start: int, end: int) -> None:
        """A matcher's (key, start token, end token), kept if it holds and stays in one sentence."""
        compiled, doc = self._compiled, self._doc
        variant = compiled._phrase_checks.get(key)
        if variant is not None and not variant.holds(doc, start):
            return
        slot, pattern = compiled._keys[key]
        first, last = doc[start], doc[end - 1]
        start_char, end_char = first.idx, last.idx + len(last.text)
        # Word patterns match within a sentence: "…I'm José.\nRefer me…" is two thoughts.
        sentence = bisect_right(self._sentence_starts, start_char) - 1
        if sentence >= 0 and end_char > self._sentences[sentence][1]:
            return
        self._found[slot].append(Match(start_char, end_char, pattern))

    def get(self, slot: tuple[int, str], default: list[Match] | None = None) -> list[Match]:
        if slot not in self._done:
            self._done.add(slot)
            patterns = self._compiled._anchored.get(slot)
            if patterns:
                if self._table is None:
                    self._table = TokenTable(self._doc, self._compiled._anchor_words)
                # An exception matters only where it overlaps what it would cancel.
                near = self._token_spans(slot[0]) if slot[1] == "exceptions" else None
                for key, pattern in patterns:
                    for start, end in pattern.find(self._table, near):
                        self.add(key, start, end)
        found = self._found.get(slot)
        return found if found is not None else ([] if default is None else default)

    def _token_spans(self, rule_index: int) -> list[tuple[int, int]]:
        """The token spans of a rule's pattern and locate matches."""
        spans = []
        for role in ("patterns", "locate"):
            for match in self.get((rule_index, role)):
                span = self._doc.char_span(match.start, match.end, alignment_mode="expand")
                if span is not None:
                    spans.append((span.start, span.end))
        return spans

    def slots(self) -> dict[tuple[int, str], list[Match]]:
        """Every slot's matches, token patterns included (for tools and tests)."""
        for slot in self._compiled._anchored:
            self.get(slot)
        return dict(self._found)

    # Mapping-style access, so a DocMatches reads like the dict it replaces.
    def items(self):  # type: ignore[no-untyped-def]
        return self.slots().items()

    def values(self):  # type: ignore[no-untyped-def]
        return self.slots().values()

    def __getitem__(self, slot: tuple[int, str]) -> list[Match]:
        return self.get(slot)


@dataclass(frozen=True)
class _PhraseVariant:
    """A token pattern (or one choice of its optional tokens) as phrases for a PhraseMatcher.

    ``attribute`` is the matcher's (LOWER or LEMMA). A pattern mixing both is matched
    by lemma, and ``lower_checks`` holds the exact words its LOWER tokens allow.
    """

    attribute: str
    phrases: list[list[str]]
    lower_checks: tuple[tuple[int, frozenset[str]], ...] = ()
    at_sentence_start: bool = False

    def holds(self, doc: Doc, start: int) -> bool:
        if self.at_sentence_start and not doc[start].is_sent_start:
            return False
        return all(doc[start + offset].lower_ in words for offset, words in self.lower_checks)


def _as_phrases(token_pattern: list[dict[str, Any]]) -> list[_PhraseVariant] | None:
    """A token pattern made of word lists, as phrases for spaCy's fast PhraseMatcher.

    Possible when every token names words (LOWER or LEMMA: a string or an IN list) and
    is required or optional ("?"), with at most IS_SENT_START: true on a required first
    token. Anything else returns None and runs in the token matcher.
    """
    tokens: list[tuple[str, list[str], bool]] = []
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
        if name not in ("LOWER", "LEMMA"):
            return None
        if isinstance(value, str):
            words = [value]
        elif isinstance(value, dict) and list(value) == ["IN"] and all(isinstance(w, str) for w in value["IN"]):
            words = list(value["IN"])
        else:
            return None
        tokens.append((name, words, operator == "?"))
    if not tokens:
        return None
    attributes = {name for name, _, _ in tokens}
    optional = [index for index, (_, _, is_optional) in enumerate(tokens) if is_optional]
    if len(optional) > _MAX_OPTIONAL:
        return None
    variants = []
    for mask in range(1 << len(optional)):
        dropped = {index for bit, index in enumerate(optional) if mask >> bit & 1}
        kept = [token for index, token in enumerate(tokens) if index not in dropped]
        if not kept:
            continue
        if at_sentence_start and 0 in dropped:
            return None
        if len(attributes) == 1:
            attribute = attributes.pop() if len(attributes) == 1 else "LOWER"
            attributes.add(attribute)
            choices = [words for _, words, _ in kept]
            checks: tuple[tuple[int, frozenset[str]], ...] = ()
        else:
            attribute = "LEMMA"
            choices = [
                words if name == "LEMMA" else sorted({lemma_of(word.lower()) for word in words})
                for name, words, _ in kept
            ]
            checks = tuple(
                (offset, frozenset(words)) for offset, (name, words, _) in enumerate(kept) if name == "LOWER"
            )
        phrases: list[list[str]] = [[]]
        for words in choices:
            phrases = [phrase + [word] for phrase in phrases for word in words]
            if len(phrases) > _MAX_EXPANSION:
                return None
        variants.append(_PhraseVariant(attribute, phrases, checks, at_sentence_start))
    return variants


def _spacy_detail(error: Exception) -> str:
    """spaCy's explanation of a bad pattern, on one line: "- [pattern -> 0 -> LOWR] Extra inputs…"."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    details = [line.lstrip("- ") for line in lines if line.startswith("- [")]
    return "; ".join(details) if details else (lines[0] if lines else type(error).__name__)


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
