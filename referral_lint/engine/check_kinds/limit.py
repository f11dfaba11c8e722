"""``check: limit``: a violation when a measure of the message (characters, words, sentences,
questions, reading grade) is outside the bounds set for its channel."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from referral_lint.engine.check_kinds import CheckKind
from referral_lint.engine.checks import Finding, suggestions
from referral_lint.model import Applicability, Edit, Suggestion

if TYPE_CHECKING:
    from referral_lint.engine.checks import MessageContext
    from referral_lint.engine.schema import Bound, RuleSpec
    from referral_lint.positions import CharSpan

MEASURES = ("characters", "words", "sentences", "questions", "reading-grade")


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
    message = (bound.message or rule.message).format(
        value=value, min=bound.min, max=bound.max, unit=unit, channel=context.channel, over=over, under=under,
    )
    offered = suggestions(bound.suggest or rule.suggest, context, region)
    if not offered:  # the rule's rewrite found nothing to act on (no sentence but the ask to cut)
        offered = (_limit_fallback(context, span, unit, over, under),)
    return Finding(rule, bound.severity, message, span, offered)


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


KIND = CheckKind(
    name="limit",
    description="a violation when a measure is outside the channel's bounds",
    message_fields=frozenset({"value", "min", "max", "unit", "channel", "over", "under"}),
    schema={
        "required": ["limits"],
        "properties": {"by_kind": {"not": {}, "errorMessage": "a limit rule sets severities in its limits"}},
    },
    check=check_limit,
)
