"""What every check kind shares: the parsed message they read (``MessageContext``), the
finding they return, and the one decision of which matches count (``relevant_matches``).

The kinds themselves (forbid, require, limit) are in ``check_kinds/``, one module each;
their findings are in normalised offsets, which ``Linter`` maps to the original text.

spaCy and the rewrites are imported when a message is first checked, not with this module:
the kinds import it, and rule files are validated against the kinds before spaCy loads.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from referral_lint.model import Severity, Suggestion
from referral_lint.positions import CharSpan

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from referral_lint.engine.compiler import DocMatches, Match
    from referral_lint.engine.schema import PatternSpec, RuleSpec
    from referral_lint.model import SuggestSpec
    from referral_lint.parts import MessageParts
    from referral_lint.rewrite import RewriteContext


@dataclass
class Finding:
    """A violation before its offsets are mapped back to the original text."""

    rule: RuleSpec
    severity: Severity
    message: str
    span: CharSpan
    suggestions: tuple[Suggestion, ...]


@dataclass
class MessageContext:
    """One parsed message and everything the checks ask of it."""

    rewrite: RewriteContext
    channel: str
    matches: DocMatches
    #: How many findings a rule may list with suggestions (None: all). Past it a finding carries
    #: none: it is only counted (``Report.omitted``), and building suggestions was most of the
    #: time of a rule matching every word.
    listed_per_rule: int | None = None
    _sentence_words: dict[CharSpan, set[int]] = field(default_factory=dict, init=False, repr=False)
    _scopes: dict[str, list[CharSpan]] = field(default_factory=dict, init=False, repr=False)

    @property
    def text(self) -> str:
        return self.rewrite.text

    @property
    def doc(self) -> Doc:
        return self.rewrite.doc

    @property
    def parts(self) -> MessageParts:
        return self.rewrite.parts

    def sentence_of(self, offset: int) -> CharSpan:
        return self.parts.sentence_at(offset)

    def sentence_words(self, sentence: CharSpan) -> set[int]:
        """The lowercase words of a sentence, as string-store hashes (read once per sentence)."""
        words = self._sentence_words.get(sentence)
        if words is None:
            from referral_lint.token_columns import token_columns

            columns = token_columns(self.doc)
            first, end = bisect_left(columns.starts, sentence[0]), bisect_left(columns.starts, sentence[1])
            words = self._sentence_words[sentence] = set(columns.lowers[first:end])
        return words

    def scope(self, name: str) -> list[CharSpan]:
        """The spans of a rule's scope (worked out once per message)."""
        spans = self._scopes.get(name)
        if spans is None:
            spans = self._scopes[name] = self.parts.scope(name)
        return spans

    def has_part(self, name: str) -> bool:
        value = getattr(self.parts, "asks" if name == "ask" else name)
        return bool(value)


# --- matching, filtered --------------------------------------------------------------


def _passes_options(match: Match, context: MessageContext) -> bool:
    return _sentence_passes(match.pattern, context.sentence_of(match.start), context)


def _sentence_passes(pattern: PatternSpec, sentence: CharSpan, context: MessageContext) -> bool:
    """Whether a match of ``pattern`` in ``sentence`` counts, as the pattern's options say."""
    if pattern.skip_questions and context.text[sentence[1] - 1 : sentence[1]] == "?":
        return False
    if pattern.kinds is not None and context.parts.kind not in pattern.kinds:
        return False
    if pattern.sentence_has or pattern.sentence_lacks:
        words = context.sentence_words(sentence)
        if pattern.sentence_has and words.isdisjoint(_word_hashes(pattern.sentence_has)):
            return False
        if not words.isdisjoint(_word_hashes(pattern.sentence_lacks)):
            return False
    return True


@lru_cache(maxsize=None)
def _word_hashes(words: frozenset[str]) -> frozenset[int]:
    """The string-store hashes of lowercase words, as token LOWER values are."""
    from spacy.strings import hash_string

    return frozenset(hash_string(word.lower()) for word in words)


_SCAN_AT_MOST = 8


class SpanIndex:
    """Spans or matches (possibly overlapping), asked in O(log n) whether any overlaps or
    holds a span: a message of 100,000 characters has thousands of sentences and matches,
    and asking each of them of each other was quadratic."""

    def __init__(self, spans: list[Match] | list[CharSpan]) -> None:
        # A typical message has a handful: scanning them beats sorting (the lint's hot path).
        self._few = spans if len(spans) <= _SCAN_AT_MOST else None
        if self._few is None:
            ordered = sorted((span[0], span[1]) for span in spans)
            self._starts = [start for start, _ in ordered]
            # The largest end among the first i spans (by start), for each i.
            self._ends = list(accumulate((end for _, end in ordered), max))

    def _furthest_end(self, starting_before: int) -> int:
        """The largest end of the spans that start before ``starting_before`` (-1: none)."""
        if self._few is not None:
            return max((span[1] for span in self._few if span[0] < starting_before), default=-1)
        count = bisect_left(self._starts, starting_before)
        return self._ends[count - 1] if count else -1

    def touches(self, span: CharSpan) -> bool:
        """Whether ``span`` overlaps any of the spans."""
        return self._furthest_end(span[1]) > span[0]

    def holds(self, span: CharSpan) -> bool:
        """Whether one of the spans contains all of ``span``."""
        return self._furthest_end(span[0] + 1) >= span[1]


def _judged_by(role: str, rule: RuleSpec) -> tuple[str | None, str | None]:
    """Where a match of the role must lie (a scope name; None: anywhere) and which role's
    matches cancel it (None: nothing): a ``when`` condition reads the whole message and has
    no exceptions; patterns and ``locate`` count within the rule's scope, unless an exception
    overlaps them."""
    if role.startswith("when."):
        return None, None
    return rule.scope, "exceptions"


def relevant_matches(rule_index: int, role: str, rule: RuleSpec, context: MessageContext) -> list[Match]:
    """The matches of a rule's patterns in ``role`` that count: the one place that decides.

    A match counts when its pattern's options hold in its sentence, it lies in the rule's
    scope, and no exception (itself counting by its own options) overlaps it. Word patterns
    are located only in sentences where a match could count, and exceptions only in
    sentences a counting match touches.
    """
    matches = context.matches
    slot = (rule_index, role)
    if not matches.exists(slot):
        return []
    scope, cancelling_role = _judged_by(role, rule)
    scopes = SpanIndex(context.scope(scope)) if scope is not None else None

    def may_count(pattern: PatternSpec, sentence: CharSpan) -> bool:
        return (scopes is None or scopes.touches(sentence)) and _sentence_passes(pattern, sentence, context)

    found = [match for match in matches.other(slot) if _passes_options(match, context)]
    found += matches.word_matches(slot, may_count)
    if scopes is not None:
        found = [match for match in found if scopes.holds(match)]
    if not found or cancelling_role is None:
        return found
    exceptions_slot = (rule_index, cancelling_role)
    located = SpanIndex(found)

    def may_cancel(pattern: PatternSpec, sentence: CharSpan) -> bool:
        return located.touches(sentence) and _sentence_passes(pattern, sentence, context)

    exceptions = [match for match in matches.other(exceptions_slot) if _passes_options(match, context)]
    exceptions += matches.word_matches(exceptions_slot, may_cancel)
    if not exceptions:
        return found
    cancelling = SpanIndex(exceptions)
    return [match for match in found if not cancelling.touches(match)]


def has_relevant_match(rule_index: int, role: str, rule: RuleSpec, context: MessageContext) -> bool:
    """``bool(relevant_matches(...))``, without locating matches where their sentences tell."""
    matches = context.matches
    slot = (rule_index, role)
    scope, cancelling_role = _judged_by(role, rule)
    exceptions = (rule_index, cancelling_role) if cancelling_role is not None else None
    cannot_cancel = exceptions is None or not matches.exists(exceptions)
    if scope in (None, "message") and not matches.sentence_dependent(slot) and cannot_cancel:
        return matches.exists(slot)  # every match counts
    if _survives_in_its_sentence(slot, exceptions, scope, context):
        return True
    return bool(relevant_matches(rule_index, role, rule, context))


def _survives_in_its_sentence(
    slot: tuple[int, str], exceptions: tuple[int, str] | None, scope: str | None, context: MessageContext
) -> bool:
    """Whether a word pattern of the slot matches in a sentence where its match must count:
    the sentence is wholly in scope, the pattern's options hold there, and no exception
    matched in it (word patterns match within one sentence, so only an exception in the
    same sentence could cancel the match)."""
    matches = context.matches
    blocked = {sentence for _, sentence in matches.sentence_hits(exceptions)} if exceptions else set()
    others = SpanIndex(matches.other(exceptions) if exceptions else [])
    scopes: SpanIndex | None = None
    for pattern, sentence in matches.sentence_hits(slot):
        if sentence in blocked or others.touches(sentence):
            continue
        if scope is not None:
            if scopes is None:
                scopes = SpanIndex(context.scope(scope))
            if not scopes.holds(sentence):
                continue
        if _sentence_passes(pattern, sentence, context):
            return True
    return False


def applies(rule_index: int, rule: RuleSpec, context: MessageContext, failed: set[str]) -> bool:
    """Whether the rule's ``when`` condition holds for this message.

    ``failed``: the rules that reported violations so far (for ``when.fails``).
    """
    when = rule.when
    if when.channels is not None and context.channel not in when.channels:
        return False
    if when.kinds is not None and context.parts.kind not in when.kinds:
        return False
    if when.fails and not all(rule_id in failed for rule_id in when.fails):
        return False
    if when.has and not all(context.has_part(part) for part in when.has):
        return False
    if when.matches and not has_relevant_match(rule_index, "when.matches", rule, context):
        return False
    if when.unless and has_relevant_match(rule_index, "when.unless", rule, context):
        return False
    return True


# --- what the kinds report --------------------------------------------------------------


def voice(rule: RuleSpec, context: MessageContext) -> tuple[Severity, str]:
    """The severity and message of the rule's findings in this kind of message (``by_kind``)."""
    spoken = rule.by_kind.get(context.parts.kind)
    if spoken is None:
        return rule.severity, rule.message
    return spoken.severity, spoken.message or rule.message


def suggestions(specs: tuple[SuggestSpec, ...], context: MessageContext, span: CharSpan) -> tuple[Suggestion, ...]:
    """The suggestions ``specs`` make for ``span`` (those whose rewrite fits the text there)."""
    from referral_lint.rewrite import build_suggestions

    return build_suggestions(specs, context.rewrite, span)


def finding_at(rule: RuleSpec, match: Match, context: MessageContext, *, listed: bool = True) -> Finding:
    """The rule's finding for one match: the pattern's message and suggestions, else the rule's
    (none for a finding past the cap, ``listed=False``)."""
    pattern = match.pattern
    span = (match.start, match.end)
    severity, message = voice(rule, context)
    return Finding(
        rule,
        severity,
        (pattern.message or message).format(match=context.text[match.start : match.end]),
        span,
        suggestions(pattern.suggest or rule.suggest, context, span) if listed else (),
    )
