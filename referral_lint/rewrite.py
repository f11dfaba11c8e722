"""Suggestion builders: the edits behind each ``suggest`` entry of a rule.

Builders work on the normalised text (character spans) and the parsed Doc;
``build_suggestions`` maps their edits back to the original string. A
builder returns None when its rewrite does not fit the sentence at hand, and
the suggestion is then left out rather than offered broken.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc

from referral_lint.parts import MessageParts
from referral_lint.positions import CharSpan
from referral_lint.model import Applicability, Edit, Suggestion, SuggestSpec
from referral_lint.normalize import NormalizedText
from referral_lint.word_forms import present_participle

# A draft's own edit, in normalised offsets: (start, end, replacement).
RawEdit = tuple[int, int, str]

# Words before an order that soften it, by lemma ("pls", "plz" and "plese" have the lemma "please").
_LEADING_SOFTENERS = frozenset({"please", "kindly", "just", "simply"})
# Urgency is dropped when an order becomes a question: rushing words wherever they stand in the
# clause ("send my CV ASAP to…"), a deadline at its end ("…to your recruiter today").
_URGENCY = re.compile(
    r""",?\s+(?:asap|a\.s\.a\.p\.?|as\s+soon\s+as\s+possible|right\s+away|right\s+now|immediately|urgently
    |straight\s+away|at\s+once|at\s+the\s+earliest|without\s+delay)\b(?=\W|$)
    |,?\s+(?:today|tonight|by\s+tomorrow|this\s+week)$""",
    re.IGNORECASE | re.VERBOSE,
)
# Where the order's clause ends and another begins: a semicolon or a dash, or a comma before a
# new subject ("Send me the link, I really need this"). What follows becomes its own sentence,
# so the question does not end "…, I really need this?".
_NEXT_CLAUSE = re.compile(
    r"""\s*;\s*|\s+[-\u2013\u2014]+\s+|\s*[\u2013\u2014]\s*
    |,\s+(?=(?:i|we|they|he|she|you)\b|(?:it|that|this|there)(?:'s|\u2019s|\s+is|\s+was|'ll|\s+will)\b)""",
    re.IGNORECASE | re.VERBOSE,
)
_TERMINAL_PUNCTUATION = ".!?"


@dataclass
class RewriteContext:
    """What a builder may read: the text, its parse and its parts."""

    source: NormalizedText
    doc: Doc
    parts: MessageParts

    @property
    def text(self) -> str:
        return self.source.text

    def sentence_of(self, offset: int) -> CharSpan:
        return self.parts.sentence_at(offset)


def build_suggestions(
    specs: tuple[SuggestSpec, ...], context: RewriteContext, span: CharSpan
) -> tuple[Suggestion, ...]:
    suggestions = []
    for spec in specs:
        built = _BUILDERS[spec.action](spec, context, span)
        if built is None:
            continue
        description, edits = built
        original_edits = tuple(
            Edit(*context.source.span_to_original(start, end), replacement) for start, end, replacement in edits
        )
        applicability = spec.applicability
        if applicability is Applicability.SAFE and _is_deletion(spec) and not leaves_whole_sentence(context, span):
            applicability = Applicability.UNSAFE  # "what the salary range is" -> "what the is": the writer must look
        suggestions.append(Suggestion(spec.description or description, original_edits, applicability))
    return tuple(suggestions)


# --- replace and delete ------------------------------------------------------------


def _replace(spec: SuggestSpec, context: RewriteContext, span: CharSpan) -> tuple[str, list[RawEdit]] | None:
    if not spec.argument:
        return _delete(spec, context, span)
    start, end = span
    replacement = _match_case(context.text[start:end], spec.argument, context.sentence_of(start)[0] == start)
    return f'Replace with "{replacement}"', [(start, end, replacement)]


def _match_case(original: str, replacement: str, sentence_start: bool) -> str:
    if original[:1].isupper() and (sentence_start or original[1:2].islower()):
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _is_deletion(spec: SuggestSpec) -> bool:
    return spec.action == "delete" or (spec.action == "replace" and not spec.argument)


# Words a sentence cannot end on: what is left before a deletion at the end of a sentence
# ("Please send me the salary range." -> "Please send me the.") must not end on one.
_DANGLING = frozenset(
    "a an the my your our their his her its to for of with by at in on from about into than as and or but nor "
    "is are was were be been am very so such".split()
)
_WORD = re.compile(r"[\w']+")


def leaves_whole_sentence(context: RewriteContext, span: CharSpan) -> bool:
    """Whether deleting ``span`` (as ``_delete`` does) leaves its sentence whole.

    Yes for a phrase that opens the sentence and is set off by punctuation ("ASAP, could
    you…"), one set off by commas on both sides, and one that ends the sentence or a
    clause after a word a sentence can end on ("…for the Data Engineer role ASAP."); no
    for anything in the middle of a clause ("what the salary range is"), where only the
    writer can tell.
    """
    text = context.text
    start, end = span
    sentence_start, sentence_end = context.sentence_of(start)
    if sentence_end <= sentence_start:  # between sentences
        sentence_start, sentence_end = start, end
    before = text[sentence_start:start].rstrip()
    after = text[end:max(end, sentence_end)].strip()
    if not _WORD.search(before):  # the sentence opens with it
        return after[:1] in (",", ";", ":")
    if before.endswith(",") and after.startswith(","):
        return True
    if not after or after[0] in _TERMINAL_PUNCTUATION + ",;:":  # it ends the sentence or a clause
        return _WORD.findall(before)[-1].lower() not in _DANGLING
    return False


def _delete(spec: SuggestSpec, context: RewriteContext, span: CharSpan) -> tuple[str, list[RawEdit]] | None:
    text = context.text
    start, end = span
    removed = text[start:end]
    sentence_start, _ = context.sentence_of(start)
    if start == sentence_start:
        # "ASAP, could you…" -> "Could you…"
        stop = end
        while stop < len(text) and text[stop] in ", ;:":
            stop += 1
        following = text[stop : stop + 1]
        if following.isalpha():
            return f'Remove "{removed}"', [(start, stop + 1, following.upper())]
        return f'Remove "{removed}"', [(start, stop, "")]
    before = text[start - 2 : start]
    after = text[end : end + 1]
    if before == ", " and after == ",":
        # "Could you, as soon as possible, refer me" -> "Could you refer me"
        return f'Remove "{removed}"', [(start - 2, end + 1, "")]
    if before.endswith(" ") or before.endswith(","):
        lead = start - 1
        if text[lead - 1 : lead] == "," and (after in _TERMINAL_PUNCTUATION or after == ","):
            lead -= 1
        return f'Remove "{removed}"', [(lead, end, "")]
    return f'Remove "{removed}"', [(start, end, "")]


# --- sentence rewrites ---------------------------------------------------------------


def _rewrite(spec: SuggestSpec, context: RewriteContext, span: CharSpan) -> tuple[str, list[RawEdit]] | None:
    return REWRITE_BUILDERS[spec.argument](context, span)


@dataclass(frozen=True)
class _OrderClause:
    """The rest of an order's clause from its verb on, to be asked as a question."""

    words: str  # without end punctuation, trailing "please" or urgency
    sentence_end: int  # the question replaces the sentence up to here...
    following: str  # ...and this follows it: " I really need this." or ""


def _order_clause(context: RewriteContext, start: int) -> _OrderClause:
    """The order's clause from ``start`` (just after its verb) on, and the sentence after it."""
    _, sentence_end = context.sentence_of(start)
    sentence_rest = context.text[start:sentence_end].rstrip()
    following = ""
    next_clause = _NEXT_CLAUSE.search(sentence_rest)
    if next_clause and next_clause.end() < len(sentence_rest):
        clause, rest = sentence_rest[: next_clause.start()], sentence_rest[next_clause.end() :]
        if rest[-1] not in _TERMINAL_PUNCTUATION:
            rest += "."
        following = " " + rest[0].upper() + rest[1:]
    else:
        clause = sentence_rest
    clause = clause.rstrip(_TERMINAL_PUNCTUATION + " ")
    clause = re.sub(r",?\s*\bplease\b\s*$", "", clause, flags=re.IGNORECASE)
    return _OrderClause(_URGENCY.sub("", clause).strip(), sentence_end, following)


_REQUEST_VERBS = (
    "refer|send|forward|pass|introduce|connect|submit|recommend|share|put|tell|give|get|schedule|arrange"
    "|set|reply|respond|review|hire|contact|let|make|ask|mention|flag|check|look|call|email|help|ensure"
)
_COORDINATED_VERB = re.compile(rf"\b(and|or)\s+(?:(?:please|also|then)\s+)?({_REQUEST_VERBS})\b", re.IGNORECASE)


def _inflect_coordinated(match: re.Match[str]) -> str:
    forms = present_participle(match.group(2).lower())
    return f"{match.group(1)} {forms[0]}" if forms else match.group(0)


def polite_request(context: RewriteContext, span: CharSpan) -> tuple[str, list[RawEdit]] | None:
    """"Please refer me to Sam." -> "Would you be open to referring me to Sam?"."""
    return _imperative_as_question(context, span, willing=False)


def willing_request(context: RewriteContext, span: CharSpan) -> tuple[str, list[RawEdit]] | None:
    """"Please send my resume to Sam today." -> "Would you be willing to send my resume to Sam?"."""
    return _imperative_as_question(context, span, willing=True)


def _starts_sentence(text: str, offset: int) -> bool:
    """Whether ``offset`` begins a sentence as a reader sees it ("Hi Lee, refer me" does not)."""
    before = text[:offset].rstrip()
    if not before or "\n" in text[len(before) : offset]:
        return True
    return not (before[-1].isalnum() or before[-1] in ",;:-\u2013\u2014(")


def _imperative_as_question(context: RewriteContext, span: CharSpan, *, willing: bool) -> tuple[str, list[RawEdit]] | None:
    tokens = [t for t in context.doc.char_span(span[0], span[1], alignment_mode="expand") or [] if not t.is_punct]
    while tokens and tokens[0].lemma_ in _LEADING_SOFTENERS:
        tokens.pop(0)
    if not tokens:
        return None
    verb = tokens[0]
    base = verb.lemma_ if verb.lemma_.isalpha() else verb.lower_  # "fwd" -> "forward"
    clause = _order_clause(context, verb.idx + len(verb.text))
    opener = "Would" if _starts_sentence(context.text, span[0]) else "would"
    rest = clause.words
    if willing:
        question = f"{opener} you be willing to {base}{' ' + rest if rest else ''}?"
    else:
        inflected = present_participle(base)
        if not inflected:
            return None
        # "…this week and tell them…" -> "…and telling them…": keep the verbs parallel.
        rest = _COORDINATED_VERB.sub(_inflect_coordinated, rest)
        question = f"{opener} you be open to {inflected[0]}{' ' + rest if rest else ''}?"
    return f'Ask instead: "{question}{clause.following}"', [(span[0], clause.sentence_end, question + clause.following)]


_MODAL_WORDS = frozenset({"to", "must", "should", "gotta", "ta", "need", "have"})


def ability_question(context: RewriteContext, span: CharSpan) -> tuple[str, list[RawEdit]] | None:
    """"You need to send it." -> "Would you be able to send it?"; mid-sentence, "it would help if you could"."""
    start, _ = span
    tokens = list(context.doc.char_span(span[0], span[1], alignment_mode="expand") or [])
    modal_end = max((t.idx + len(t.text) for t in tokens if t.lower_ in _MODAL_WORDS), default=None)
    if modal_end is None:
        return None
    if context.sentence_of(start)[0] == start:
        clause = _order_clause(context, modal_end)
        question = f"Would you be able to {clause.words}?"
        return f'Ask instead: "{question}{clause.following}"', [(start, clause.sentence_end, question + clause.following)]
    replacement = "it would help if you could"
    return f'Replace with "{replacement}"', [(start, modal_end, replacement)]


def drop_sentence(context: RewriteContext, span: CharSpan) -> tuple[str, list[RawEdit]] | None:
    start, end = context.sentence_of(span[0])
    text = context.text
    while end < len(text) and text[end] == " ":
        end += 1
    return f'Remove the sentence "{text[start:end].strip()}"', [(start, end, "")]


def cut_sentence(context: RewriteContext, span: CharSpan) -> tuple[str, list[RawEdit]] | None:
    """Remove the longest body sentence that is not the ask (the likeliest filler)."""
    parts = context.parts
    keep = set(parts.asks)
    candidates = [s for s in parts.body_sentences() if s not in keep and s != parts.closing]
    if not candidates:
        return None
    longest = max(candidates, key=lambda s: s[1] - s[0])
    return drop_sentence(context, longest)


_SPLIT_POINTS = re.compile(r",\s+(?:and|but|so|which|because)\s+|;\s+")


def split_sentence(context: RewriteContext, span: CharSpan) -> tuple[str, list[RawEdit]] | None:
    """Split a long sentence at the joint nearest its middle: ", and", ", but", "; "…"""
    start, end = context.sentence_of(span[0])
    text = context.text
    middle = (start + end) // 2
    joints = list(_SPLIT_POINTS.finditer(text, start, end))
    if not joints:
        return None
    joint = min(joints, key=lambda match: abs(match.start() - middle))
    following = joint.end()
    word = text[following : following + 1].upper()
    replacement = ". " + word
    return "Split the sentence in two", [(joint.start(), following + 1, replacement)]


def sentence_case(context: RewriteContext, span: CharSpan) -> tuple[str, list[RawEdit]] | None:
    """"REFERRAL REQUEST URGENT" -> "Referral request urgent"."""
    start, end = span
    original = context.text[start:end]
    lowered = original[:1].upper() + original[1:].lower()
    if lowered == original:
        return None
    return f'Write it in sentence case: "{lowered}"', [(start, end, lowered)]


# One builder for each name in ``rule_schema.REWRITES`` (the tests hold the two in step).
REWRITE_BUILDERS: dict[str, Callable[[RewriteContext, CharSpan], tuple[str, list[RawEdit]] | None]] = {
    "polite-request": polite_request,
    "willing-request": willing_request,
    "ability-question": ability_question,
    "drop-sentence": drop_sentence,
    "cut-sentence": cut_sentence,
    "split-sentence": split_sentence,
    "sentence-case": sentence_case,
}


# --- insertions ----------------------------------------------------------------------


def _insert(spec: SuggestSpec, context: RewriteContext, span: CharSpan) -> tuple[str, list[RawEdit]] | None:
    text = spec.argument.strip()
    position, before_text = _anchor(spec.at or "end-of-body", context)
    if spec.argument.endswith("\n"):
        insertion = spec.argument  # a line of its own (a greeting, a subject line)
    elif not before_text:
        insertion = f" {text}"
    else:
        if not _starts_sentence(context.text, position) and not text.startswith(("I ", "<")):
            text = text[:1].lower() + text[1:]  # "Hi Dana, we met at…" continues the greeting's line
        following = context.text[position : position + 1]
        if following.islower() and text.endswith(tuple(_TERMINAL_PUNCTUATION)):
            # What the inserted sentence now stands before begins a sentence: "Hi Ana, would
            # you…" -> "Hi Ana, we met at <…>. Would you…", not "…<…>. would you…".
            return f'Add "{text}"', [(position, position + 1, f"{text} {following.upper()}")]
        insertion = f"{text} "
    return f'Add "{text}"', [(position, position, insertion)]


def _anchor(anchor: str, context: RewriteContext) -> tuple[int, bool]:
    """Where an insertion goes, and whether it goes before the text there (else after)."""
    parts = context.parts
    body_sentences = parts.body_sentences()
    if anchor == "start":
        # The top of the message, below a Subject line if there is one.
        following = [s for s in parts.sentences if parts.subject is None or s[0] >= parts.subject[1]]
        if parts.subject and not following:
            return len(context.text), True
        return (following[0][0] if following else 0), True
    if anchor == "after-greeting":
        if body_sentences:
            return body_sentences[0][0], True
        return parts.body[0], True
    if anchor == "after-ask" and parts.asks:
        return parts.asks[-1][1], False
    if anchor == "before-closing" and parts.closing and body_sentences:
        before = [s for s in body_sentences if s[1] <= parts.closing[0]]
        if before:
            return before[-1][1], False
    if body_sentences:
        return body_sentences[-1][1], False
    return parts.body[1], False


_BUILDERS: dict[str, Callable[[SuggestSpec, RewriteContext, CharSpan], tuple[str, list[RawEdit]] | None]] = {
    "replace": _replace,
    "delete": _delete,
    "rewrite": _rewrite,
    "insert": _insert,
}

__all__ = ["RewriteContext", "build_suggestions"]
