"""Compiling rule patterns, once per Linter.

Every pattern of every rule goes into one of two shared RE2 sets: word
patterns (phrases, lemma phrases, token patterns) over the encoded tokens of
each sentence (``tokenregex.py``), regexes over the text. A message is scanned
for all rules at once, not once per rule. Token patterns that need a tagger or a
parser go to spaCy's Matcher.

What the sets say first is which pattern matches in which sentence; where, in
tokens, is worked out only for the sentences a check cannot judge without it
(``DocMatches``, and ``checks.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from spacy.errors import MatchPatternError
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from referral_lint.engine.safe_matcher import matcher_pattern
from referral_lint.engine.schema import PatternSpec, RuleSpec
from referral_lint.engine.tokenregex import (
    WORD_CLASSES,
    Codebook,
    CompiledWords,
    PatternSet,
    TokenEncoder,
    TokenPatternTranslator,
    Unsupported,
    WordPattern,
)
from referral_lint.yamlsource import RuleError
from referral_lint.lemmas import lemma_of
from referral_lint.doc import doc_text
from referral_lint.parts import message_parts
from referral_lint.positions import CharSpan
from referral_lint.token_columns import token_columns
from referral_lint.model import SkippedPattern
from referral_lint.normalize import NormalizedText
from referral_lint.pipeline import capabilities
from referral_lint.safe_regex import SafeRegex, compile_regex, search_set

# The roles a pattern plays in its rule.
ROLES = ("patterns", "exceptions", "locate", "when.matches", "when.unless")


class Match(NamedTuple):
    """A pattern's match, as a character span of the normalised text (a tuple: a message makes
    many, and a tuple is the cheapest immutable object to make)."""

    start: int
    end: int
    pattern: PatternSpec


# Where a pattern is in its rule set: (rule index, role, number of the pattern in its role).
PatternRef = tuple[int, str, int]
# A pattern's value (a token pattern, a regex): (rule index, role, pattern number, value number).
ValueRef = tuple[int, str, int, int]


@dataclass(frozen=True)
class CompiledState:
    """A rule set compiled against a pipeline, as data: what the rule cache keeps between
    runs (``referral_lint.engine.rule_cache``), so that a run reads it instead of
    translating every phrase and token pattern again. Patterns are named by where they are
    in the rules (``PatternRef``, ``ValueRef``): the rules themselves are not repeated."""

    words: CompiledWords  # phrases, lemma phrases and token patterns, as RE2 sources
    word_patterns: tuple[PatternRef, ...]  # the pattern of each of ``words``' expressions
    matcher_patterns: tuple[ValueRef, ...]  # token patterns for spaCy's Matcher (tags, dependencies)
    regexes: tuple[ValueRef, ...]
    part_patterns: tuple[PatternRef, ...]  # spans of message parts
    skipped: tuple[SkippedPattern, ...]  # patterns the pipeline cannot run
    sentence_dependent: tuple[tuple[int, str], ...]  # see CompiledRules.sentence_dependent


class CompiledRules:
    """The patterns of a rule set, compiled against one pipeline's vocabulary.

    ``state``: the same rules compiled before, against the same pipeline (from the rule
    cache); without it they are compiled now. Either way the Linter runs what ``state``
    describes, so a report is the same cached or not."""

    def __init__(self, rules: tuple[RuleSpec, ...], nlp: Language, state: CompiledState | None = None) -> None:
        self.rules = rules
        self.state = state = state or _compile(rules, nlp)
        roles = [dict(_patterns_by_role(rule)) for rule in rules]

        def spec(ref: PatternRef | ValueRef) -> tuple[tuple[int, str], PatternSpec]:
            return (ref[0], ref[1]), roles[ref[0]][ref[1]][ref[2]]

        self._word_patterns: list[tuple[tuple[int, str], PatternSpec]] = [spec(ref) for ref in state.word_patterns]
        # What the RE2 set cannot express (tags, dependencies); validated when compiled.
        self._tokens = Matcher(nlp.vocab)
        self._matcher_keys: dict[int, tuple[tuple[int, str], PatternSpec]] = {}
        for ref in state.matcher_patterns:
            slot, pattern = spec(ref)
            key = _matcher_key(rules[ref[0]], ref)
            self._tokens.add(key, [matcher_pattern(list(pattern.values[ref[3]]))])
            self._matcher_keys[nlp.vocab.strings.add(key)] = (slot, pattern)
        self._regex_set: Any = None
        self._regexes: list[tuple[tuple[int, str], PatternSpec, SafeRegex]] = []
        for ref in state.regexes:
            slot, pattern = spec(ref)
            self._regexes.append((slot, pattern, compile_regex(pattern.values[ref[3]], case_sensitive=pattern.case_sensitive)))
        self._part_patterns = [spec(ref) for ref in state.part_patterns]
        self.skipped: dict[str, list[SkippedPattern]] = defaultdict(list)
        for skipped in state.skipped:
            self.skipped[skipped.rule].append(skipped)
        # Slots where a match counts only in some sentences (pattern options): there, whether
        # anything matched is not enough to know whether a match counts.
        self.sentence_dependent: set[tuple[int, str]] = set(state.sentence_dependent)
        self._words = PatternSet(state.words)
        self._encoder = TokenEncoder(Codebook.restored(state.words))

    def find(self, doc: Doc) -> DocMatches:
        """The matches of every pattern in ``doc``, by (rule index, role).

        One RE2 pass per sentence finds which word patterns match in it, and one
        more which regexes match the text; where a word pattern matches is worked
        out only when a check asks, and only in the sentences it asks about: a
        rule that does not apply costs nothing more.
        """
        other: dict[tuple[int, str], list[Match]] = defaultdict(list)
        matches = DocMatches(self, doc, other)
        if len(self._tokens):
            for key, start, end in self._tokens(doc):
                slot, pattern = self._matcher_keys[key]
                matches.add(slot, pattern, start, end)
        for slot, pattern in self._part_patterns:
            for start, end in message_parts(doc).scope(pattern.values[0]):
                other[slot].append(Match(start, end, pattern))
        if self._regexes:
            text = doc_text(doc)
            for number in self._regexes_that_match(text):
                slot, pattern, regex = self._regexes[number]
                for start, end in regex.spans(text):
                    other[slot].append(Match(start, end, pattern))
        return matches

    def _regexes_that_match(self, text: str) -> list[int]:
        """Which regexes match at all: one RE2 pass for all of them, then each one runs only if it matched."""
        if self._regex_set is None:
            self._regex_set = search_set(regex.set_source for _, _, regex in self._regexes)
        # UTF-8 bytes: only which regexes match is asked, not where.
        return sorted(self._regex_set(text.encode("utf-8", "surrogatepass")))


class DocMatches:
    """One Doc's matches by (rule index, role).

    Word patterns are known first by sentence (which pattern matches in which sentence,
    from the RE2 set) and located on the first request for their slot; regexes, message
    parts and spaCy's Matcher give located matches (``other``) from the start.
    """

    def __init__(self, compiled: CompiledRules, doc: Doc, other: dict[tuple[int, str], list[Match]]) -> None:
        self._compiled = compiled
        self._other = other
        self._spans: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (pattern, sentence) -> token spans
        self._parts = parts = message_parts(doc)
        self._sentences = parts.sentences
        columns = token_columns(doc)
        self._token_starts, self._token_ends = columns.starts, columns.ends
        self._encoded = compiled._encoder.encode(doc, parts.sentence_tokens)
        # The word patterns that match, and in which sentences, by slot.
        self._hits: dict[tuple[int, str], list[tuple[int, list[int]]]] = defaultdict(list)
        for number, sentences in sorted(compiled._words.matching(self._encoded).items()):
            self._hits[compiled._word_patterns[number][0]].append((number, sentences))

    def add(self, slot: tuple[int, str], pattern: PatternSpec, start: int, end: int) -> None:
        """A token span (start, end) that spaCy's Matcher found, kept if it stays in one sentence
        (the RE2 set's matches cannot cross one: sentences are encoded one by one)."""
        start_char, end_char = self._token_starts[start], self._token_ends[end - 1]
        # Word patterns match within a sentence: "…I'm José.\nRefer me…" is two thoughts.
        if end_char > self._parts.sentence_at(start_char)[1]:
            return
        self._other[slot].append(Match(start_char, end_char, pattern))

    def sentence_dependent(self, slot: tuple[int, str]) -> bool:
        """Whether a match in the slot counts only in some sentences (pattern options)."""
        return slot in self._compiled.sentence_dependent

    def exists(self, slot: tuple[int, str]) -> bool:
        """Whether the slot has any match, without locating its word patterns' matches."""
        return bool(self._hits.get(slot) or self._other.get(slot))

    def sentence_hits(self, slot: tuple[int, str]) -> Iterator[tuple[PatternSpec, CharSpan]]:
        """The slot's word patterns by the sentences they match in, without locating them:
        (pattern, sentence span), once for every sentence a pattern matches in."""
        patterns, sentences = self._compiled._word_patterns, self._sentences
        for number, sentence_numbers in self._hits.get(slot, ()):
            pattern = patterns[number][1]
            for sentence in sentence_numbers:
                yield pattern, sentences[sentence]

    def other(self, slot: tuple[int, str]) -> list[Match]:
        """The slot's matches from regexes, message parts and spaCy's Matcher (located already)."""
        return self._other.get(slot, [])

    def get(self, slot: tuple[int, str], default: list[Match] | None = None) -> list[Match]:
        found = self.other(slot) + self.word_matches(slot)
        return found if found or default is None else default

    def word_matches(
        self, slot: tuple[int, str], where: Callable[[PatternSpec, CharSpan], bool] | None = None
    ) -> list[Match]:
        """The slot's word pattern matches, located in the sentences ``where`` accepts (all
        of them without it); each pattern is looked for once per sentence and message."""
        located: list[Match] = []
        compiled = self._compiled
        starts, ends, sentences = self._token_starts, self._token_ends, self._sentences
        for number, sentence_numbers in self._hits.get(slot, ()):
            pattern = compiled._word_patterns[number][1]
            for sentence in sentence_numbers:
                if where is not None and not where(pattern, sentences[sentence]):
                    continue
                spans = self._spans.get((number, sentence))
                if spans is None:
                    spans = self._spans[number, sentence] = compiled._words.spans(number, self._encoded, sentence)
                located += [Match(starts[start], ends[end - 1], pattern) for start, end in spans]
        return located

    def slots(self) -> dict[tuple[int, str], list[Match]]:
        """Every slot's matches (for tools and tests)."""
        return {slot: self.get(slot) for slot in {*self._hits, *self._other} if self.get(slot)}

    # Mapping-style access, so a DocMatches reads like the dict it replaces.
    def items(self):  # type: ignore[no-untyped-def]
        return self.slots().items()

    def values(self):  # type: ignore[no-untyped-def]
        return self.slots().values()

    def __getitem__(self, slot: tuple[int, str]) -> list[Match]:
        return self.get(slot)


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


def _matcher_key(rule: RuleSpec, ref: ValueRef) -> str:
    return f"{rule.id}/{ref[1]}/{ref[2]}"


def _compile(rules: tuple[RuleSpec, ...], nlp: Language) -> CompiledState:
    """Translate every pattern of ``rules``: phrases and token patterns into the RE2 word set
    (spaCy's Matcher for what it cannot express), regexes checked."""
    return _Compiler(rules, nlp).state()


class _Compiler:
    """What compiling a rule set collects, pattern by pattern (see ``_compile``)."""

    def __init__(self, rules: tuple[RuleSpec, ...], nlp: Language) -> None:
        self._rules = rules
        self._nlp = nlp
        self._translator = TokenPatternTranslator()
        self._word_expressions: list[WordPattern] = []
        self._word_patterns: list[PatternRef] = []
        self._matcher_patterns: list[ValueRef] = []
        self._regexes: list[ValueRef] = []
        self._part_patterns: list[PatternRef] = []
        self._skipped: list[SkippedPattern] = []
        self._sentence_dependent: list[tuple[int, str]] = []

    def state(self) -> CompiledState:
        available = capabilities(self._nlp)
        for index, rule in enumerate(self._rules):
            for role, patterns in _patterns_by_role(rule):
                if any(p.skip_questions or p.sentence_has or p.sentence_lacks or p.kinds is not None for p in patterns):
                    self._sentence_dependent.append((index, role))
                for number, pattern in enumerate(patterns):
                    missing = pattern.needs - available
                    if missing:
                        self._skipped.append(SkippedPattern(rule.id, tuple(sorted(missing))))
                        continue
                    self._add(rule, (index, role, number), pattern)
        return CompiledState(
            words=CompiledWords.build(self._word_expressions, self._translator.codebook),
            word_patterns=tuple(self._word_patterns),
            matcher_patterns=tuple(self._matcher_patterns),
            regexes=tuple(self._regexes),
            part_patterns=tuple(self._part_patterns),
            skipped=tuple(self._skipped),
            sentence_dependent=tuple(self._sentence_dependent),
        )

    def _add(self, rule: RuleSpec, ref: PatternRef, pattern: PatternSpec) -> None:
        try:
            if pattern.kind in ("phrases", "lemmas"):
                for phrase in pattern.values:
                    self._add_phrase(ref, pattern, phrase)
            elif pattern.kind == "tokens":
                for value, token_pattern in enumerate(pattern.values):
                    self._add_token_pattern(rule, (*ref, value), list(token_pattern))
            elif pattern.kind == "part":
                self._part_patterns.append(ref)
            else:
                for value, expression in enumerate(pattern.values):
                    compile_regex(expression, case_sensitive=pattern.case_sensitive)  # an error, now
                    self._regexes.append((*ref, value))
        except (MatchPatternError, ValueError, TypeError, KeyError, RecursionError) as error:  # deep nesting: re recurses
            raise RuleError(rule.file, pattern.line, pattern.key, f"pattern does not compile: {_spacy_detail(error)}") from None

    def _add_phrase(self, ref: PatternRef, pattern: PatternSpec, phrase: str) -> None:
        doc = self._nlp.make_doc(_normalised(phrase))
        if pattern.kind == "lemmas":
            words = [lemma_of(token.lower_) for token in doc]
            expression = self._translator.words("LEMMA", words)
        else:
            expression = self._translator.words("LOWER", [token.lower_ for token in doc])
        if expression.tokens:
            self._word_expressions.append(expression)
            self._word_patterns.append(ref)

    def _add_token_pattern(self, rule: RuleSpec, ref: ValueRef, token_pattern: list[dict[str, Any]]) -> None:
        # spaCy validates every pattern (less the project's word classes, which spaCy does not know),
        # so errors read the same whichever matcher runs it.
        spacy_pattern = [{key: value for key, value in token.items() if str(key).upper() not in WORD_CLASSES} for token in token_pattern]
        Matcher(self._nlp.vocab, validate=True).add(_matcher_key(rule, ref), [spacy_pattern])
        try:
            expression = self._translator.translate(token_pattern)
        except Unsupported:
            if spacy_pattern != token_pattern:
                raise ValueError(f"{', '.join(WORD_CLASSES)} works only with LOWER, LEMMA, ORTH, the IS_ flags and the operators ?, *, + and {{n,m}}") from None
            matcher_pattern(token_pattern)  # an unsafe pattern is an error now, not at the first lint
            self._matcher_patterns.append(ref)
            return
        self._word_expressions.append(expression)
        self._word_patterns.append(ref[:3])
