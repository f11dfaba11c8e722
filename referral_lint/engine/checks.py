"""The check kinds: forbid, require and limit.

Each check reads the same parsed message (``MessageContext``) and the
matches the compiled patterns found in it, and returns violations in
normalised offsets; ``Linter`` maps them to the original text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.strings import hash_string
from spacy.tokens import Doc

from referral_lint.engine.compiler import DocMatches, Match
from referral_lint.engine.schema import Bound, PatternSpec, RuleSpec
from referral_lint.parts import MessageParts
from referral_lint.positions import CharSpan
from referral_lint.token_columns import token_columns
from referral_lint.model import Applicability, Edit, Severity, Suggestion
from referral_lint.rewrite import RewriteContext, build_suggestions


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


def relevant_matches(rule_index: int, role: str, rule: RuleSpec, context: MessageContext) -> list[Match]:
    """The matches of a rule's patterns in ``role`` that survive scope, options and exceptions.

    Word patterns are located only in sentences where a match could count (touching the
    scope, the pattern's options holding), and exceptions only in sentences a surviving
    match touches: an exception cancels only what it overlaps.
    """
    matches = context.matches
    slot = (rule_index, role)
    if not matches.exists(slot):
        return []
    scopes = SpanIndex(context.scope(rule.scope))

    def may_count(pattern: PatternSpec, sentence: CharSpan) -> bool:
        return scopes.touches(sentence) and _sentence_passes(pattern, sentence, context)

    found = [match for match in matches.other(slot) if _passes_options(match, context)]
    found += matches.word_matches(slot, may_count)
    found = [match for match in found if scopes.holds(match)]
    if not found:
        return []
    exceptions_slot = (rule_index, "exceptions")
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
    """Whether any match of the role survives, as ``relevant_matches`` would say, locating
    matches only when that cannot be told from the sentences they are in."""
    matches = context.matches
    slot = (rule_index, role)
    exceptions = (rule_index, "exceptions")
    if rule.scope == "message" and not matches.sentence_dependent(slot) and not matches.exists(exceptions):
        return matches.exists(slot)  # nothing can cancel a match
    if _survives_in_its_sentence(slot, exceptions, rule, context):
        return True
    return bool(relevant_matches(rule_index, role, rule, context))


def _survives_in_its_sentence(
    slot: tuple[int, str], exceptions: tuple[int, str], rule: RuleSpec, context: MessageContext
) -> bool:
    """Whether a word pattern of the slot matches in a sentence where its match must count:
    the sentence is wholly in scope, the pattern's options hold there, and no exception
    matched in it (word patterns match within one sentence, so only an exception in the
    same sentence could cancel the match)."""
    matches = context.matches
    blocked = {sentence for _, sentence in matches.sentence_hits(exceptions)}
    others = SpanIndex(matches.other(exceptions))
    scopes: SpanIndex | None = None
    for pattern, sentence in matches.sentence_hits(slot):
        if sentence in blocked or others.touches(sentence):
            continue
        if scopes is None:
            scopes = SpanIndex(context.scope(rule.scope))
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
    if when.matches and not _any_passes((rule_index, "when.matches"), context):
        return False
    if when.unless and _any_passes((rule_index, "when.unless"), context):
        return False
    return True


def _any_passes(slot: tuple[int, str], context: MessageContext) -> bool:
    """Whether the slot has a match its options accept; word patterns are judged by the
    sentence they match in, without locating them."""
    matches = context.matches
    if not matches.sentence_dependent(slot):
        return matches.exists(slot)
    if any(_sentence_passes(pattern, sentence, context) for pattern, sentence in matches.sentence_hits(slot)):
        return True
    return any(_passes_options(match, context) for match in matches.other(slot))


# --- the check kinds ----------------------------------------------------------------------


def _message(template: str, **values: object) -> str:
    return template.format(**values)


def check_forbid(rule_index: int, rule: RuleSpec, context: MessageContext) -> list[Finding]:
    matches = sorted(
        relevant_matches(rule_index, "patterns", rule, context), key=lambda m: (m.start, -(m.end - m.start))
    )
    findings: list[Finding] = []
    kept_end = -1  # matches come by start: one overlaps a kept one if it starts before the last kept end
    for match in matches:
        if match.start < kept_end:
            continue
        kept_end = match.end
        findings.append(_finding_at(rule, match, context))
    return findings


def _voice(rule: RuleSpec, context: MessageContext) -> tuple[Severity, str]:
    """The severity and message of the rule's findings in this kind of message (``by_kind``)."""
    voice = rule.by_kind.get(context.parts.kind)
    if voice is None:
        return rule.severity, rule.message
    return voice.severity, voice.message or rule.message


def _finding_at(rule: RuleSpec, match: Match, context: MessageContext) -> Finding:
    pattern = match.pattern
    span = (match.start, match.end)
    matched_text = context.text[match.start : match.end]
    severity, message = _voice(rule, context)
    return Finding(
        rule,
        severity,
        _message(pattern.message or message, match=matched_text),
        span,
        build_suggestions(pattern.suggest or rule.suggest, context.rewrite, span),
    )


def check_require(rule_index: int, rule: RuleSpec, context: MessageContext) -> list[Finding]:
    if has_relevant_match(rule_index, "patterns", rule, context):
        return []
    located = sorted(relevant_matches(rule_index, "locate", rule, context), key=lambda m: m.start)
    if located:
        return [_finding_at(rule, located[0], context)]
    span = _report_span(rule.report_at, context)
    severity, message = _voice(rule, context)
    return [
        Finding(
            rule,
            severity,
            _message(message, match=context.text[span[0] : span[1]]),
            span,
            build_suggestions(rule.suggest, context.rewrite, span),
        )
    ]


def _report_span(locations: tuple[str, ...], context: MessageContext) -> CharSpan:
    """The first of ``locations`` that the message has; the body's first sentence otherwise."""
    parts = context.parts
    body = parts.body_sentences()
    candidates = {
        "ask": parts.asks[0] if parts.asks else None,
        "last-ask": parts.asks[-1] if parts.asks else None,
        "greeting": parts.greeting,
        "body-start": body[0] if body else None,
        "closing": parts.sign_off or parts.closing or (body[-1] if body else None),
        "body": parts.body if parts.body[1] > parts.body[0] else None,
    }
    for location in (*locations, "body-start", "body"):
        span = candidates.get(location)
        if span:
            return span
    return parts.sentences[0] if parts.sentences else (0, 0)


def check_limit(rule_index: int, rule: RuleSpec, context: MessageContext) -> list[Finding]:
    limit = rule.limits.get(context.channel) or rule.limits.get("any")
    if limit is None:
        return []
    region = _measured_region(rule.scope, context)
    if region[1] <= region[0]:
        return []
    value, unit_span = measure(limit.measure, region, context)
    for bound in limit.bounds:
        if bound.kinds is not None and context.parts.kind not in bound.kinds:
            continue
        if bound.max is not None and value > bound.max:
            span = unit_span(bound.max)
            return [_limit_finding(rule, bound, context, span, region, value, limit.measure, over=value - bound.max)]
        if bound.min is not None and value < bound.min:
            body = context.parts.body
            span = body if rule.scope == "message" and body[1] > body[0] else region
            return [_limit_finding(rule, bound, context, span, region, value, limit.measure, under=bound.min - value)]
    return []


def _limit_finding(
    rule: RuleSpec, bound: Bound, context: MessageContext, span: CharSpan, region: CharSpan, value: int, unit: str,
    *, over: int = 0, under: int = 0,
) -> Finding:
    """The violation is reported where the limit is crossed; a suggestion acts on all that was measured."""
    message = _message(
        bound.message or rule.message,
        value=value, min=bound.min, max=bound.max, unit=unit, channel=context.channel, over=over, under=under,
    )
    suggestions = build_suggestions(bound.suggest or rule.suggest, context.rewrite, region)
    if not suggestions:  # the rule's rewrite found nothing to act on (no sentence but the ask to cut)
        suggestions = (_limit_fallback(context, span, unit, over, under),)
    return Finding(rule, bound.severity, message, span, suggestions)


def _limit_fallback(context: MessageContext, span: CharSpan, unit: str, over: int, under: int) -> Suggestion:
    """What every limit violation can say: how much to cut (showing what does not fit) or add."""
    if under:
        return Suggestion(f"Add about {under} {unit}", (), Applicability.DISPLAY)
    edits: tuple[Edit, ...] = ()
    if unit in ("characters", "words"):  # the span is exactly what does not fit
        edits = (Edit(*context.rewrite.source.span_to_original(*span), ""),)
    return Suggestion(f"Cut {over} {unit}", edits, Applicability.DISPLAY)


def _measured_region(scope: str, context: MessageContext) -> CharSpan:
    """What a limit measures: the message as the reader sees it in the body field (without
    the Subject line), or the subject's text after "Subject:", or another part."""
    parts = context.parts
    if scope == "subject":
        if parts.subject is None:
            return (0, 0)
        start, end = parts.subject
        colon = context.text.find(":", start, end) + 1
        while colon < end and context.text[colon].isspace():
            colon += 1
        return colon, end
    if scope != "message":
        spans = context.scope(scope)
        return (spans[0][0], spans[-1][1]) if spans else (0, 0)
    # The subject, when there is one, is the first sentence.
    remaining = parts.sentences[1:] if parts.subject is not None else parts.sentences
    if not remaining:
        return (0, 0)
    return remaining[0][0], remaining[-1][1]


def measure(name: str, region: CharSpan, context: MessageContext) -> tuple[int, Callable[[int], CharSpan]]:
    """A measure of the region, and the span to report when its limit is the given number."""
    start, end = region
    text = context.text
    if name == "characters":
        return end - start, lambda limit: (start + limit, end)
    if name in ("sentences", "questions"):
        units = [s for s in context.parts.sentences if start <= s[0] and s[1] <= end]
        if name == "questions":
            units = [s for s in units if text[s[1] - 1] == "?"]
        return len(units), lambda limit: (units[limit][0], units[-1][1])
    if name == "reading-grade":
        grade, hardest = reading_grade(text, [s for s in context.parts.sentences if start <= s[0] and s[1] <= end])
        return grade, lambda limit: hardest

    # Words as `wc -w` counts them: runs of non-space characters.
    words = _word_count(region, context)

    def from_word(limit: int) -> CharSpan:
        # Splitting off the first ``limit`` words leaves the rest, from word ``limit`` on.
        pieces = text[start:end].split(None, limit)
        return (end - len(pieces[limit]), end) if len(pieces) > limit else (start, end)

    return words, from_word


def _word_count(region: CharSpan, context: MessageContext) -> int:
    """The words in ``region``: for the message as measured (everything but the subject line),
    the whole text's count, which the pipeline took, less the subject's."""
    parts = context.parts
    if region == _measured_region("message", context):
        subject = parts.subject
        return parts.words - (len(context.text[subject[0] : subject[1]].split()) if subject else 0)
    return len(context.text[region[0] : region[1]].split())


_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """An estimate good enough for a readability grade: vowel groups, less a silent final e."""
    word = word.lower()
    count = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


_ALPHA_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def reading_grade(text: str, sentences: list[CharSpan]) -> tuple[int, CharSpan]:
    """The Flesch-Kincaid grade of the sentences, and the sentence that raises it most.

    Grade = 0.39 x words per sentence + 11.8 x syllables per word - 15.59 (Kincaid et al.,
    1975, the formula US readability tools use).
    """
    total_words = total_syllables = 0
    hardest: tuple[float, CharSpan] = (-1.0, sentences[0] if sentences else (0, 0))
    for sentence in sentences:
        words = _ALPHA_WORD.findall(text, *sentence)
        if not words:
            continue
        counted = sum(syllables(word) for word in words)
        total_words += len(words)
        total_syllables += counted
        weight = 0.39 * len(words) + 11.8 * counted / len(words)
        if weight > hardest[0]:
            hardest = (weight, sentence)
    if not total_words:
        return 0, hardest[1]
    grade = 0.39 * total_words / len(sentences) + 11.8 * total_syllables / total_words - 15.59
    return max(0, round(grade)), hardest[1]


CHECKS = {"forbid": check_forbid, "require": check_require, "limit": check_limit}
