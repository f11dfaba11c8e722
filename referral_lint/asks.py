"""What an ask sentence asks the reader for, and when a message only thanks.

The message-parts component finds the sentences that make a request (``parts.py``);
this module judges those sentences further, for the message kind:

- a **thank-you note** thanks for a favour already done ("Thank you so much for
  referring me…") and asks for nothing new: what it "asks" is at most an offer ("I'd
  love to buy you lunch", "let me know if I can return the favour");
- a **favour ask** names something the reader would do: refer, introduce, pass on,
  review, answer, spare a call or advice. A wish to connect and learn ("I'd love to
  connect and learn more about your experience") asks no favour.

Everything here reads plain text and character spans, so parts.py and kinds.py can use it
without an import cycle.
"""

from __future__ import annotations

import re

from referral_lint.safe_regex import SafeRegex, verbose_source
from referral_lint.wording import load_wording

Span = tuple[int, int]

_THANKS_WORDING = load_wording("thanks", ("thanks", "lead_ins", "openings"))
# Any thanks or appreciation: a closing line that thanks, a body that only thanks.
THANKS_RE = re.compile(rf"\b{_THANKS_WORDING.alternation('thanks')}\b", re.IGNORECASE)
# A sentence that opens by thanking: "Thank you for the referral." thanks for a favour done.
THANKING_RE = re.compile(
    rf"(?:{_THANKS_WORDING.alternation('lead_ins')}\s+)?{_THANKS_WORDING.alternation('openings')}\b", re.IGNORECASE
)


def _scan(layout: str) -> SafeRegex:
    """An RE2 regex (linear time, and fast on the alternations below) from a pattern laid out
    over several lines (the patterns spell spaces ``\\s``)."""
    return SafeRegex(verbose_source(layout))


def _found(regex: SafeRegex, text: str, span: Span | None = None) -> bool:
    start, end = span if span is not None else (0, len(text))
    return next(iter(regex.spans(text, start, end)), None) is not None


# Thanks for something the reader has already done: a referral, an intro, a call, advice.
# Not "thanks for your time" or "thanks in advance", which close a request.
_THANKS_FOR_FAVOUR_DONE_LAYOUT = (
    r"""\b(?:thank(?:s|\s+you)?|grateful|thankful|appreciate)\b[^.!?\n]{0,40}?\bfor\s+
    (?:(?:the|your|all\s+(?:the|your)|such\s+(?:a|an))\s+(?:\w+\s+){0,2}?
        (?:referral|intro|introduction|recommendation|reference|call|chat|conversation|coffee|lunch|meeting|talk|session|advice|tips|pointers|guidance|feedback|insights?)\b
      |(?:referring|introducing|recommending|vouching|submitting|putting|passing|forwarding|connecting|speaking|talking|chatting|meeting|sharing)\b)
    |\byour\s+(?:\w+\s+)?(?:referral|intro|introduction|recommendation|reference)\s+(?:is\s+what\s+|was\s+what\s+)?(?:got|landed|led|helped|worked|paid|secured|won|made|did)\b
    |\b(?:because\s+of|thanks\s+to|due\s+to)\s+your\s+(?:\w+\s+)?(?:referral|intro|introduction|recommendation|reference)\b
    |\b(?:after|since|because|when)\s+you\s+(?:referred|introduced|recommended|vouched)\b
    |\bi\s+(?:got|accepted|landed|received|signed|have)\s+(?:the|an|a|my|their|your|this|that)\s+(?:[^.!?\n\s]+\s+){0,4}?(?:job|offer|interview)\b
    |\b(?:couldn't|could\s+not|wouldn't|would\s+not)\s+have\s+(?:done|made|managed)\s+it\s+without\s+(?:you|your)\b"""
)

# The writer offering something back, which is not a request: "I'd love to buy you lunch",
# "let me know if I can ever return the favour", "happy to help your team in return".
_OFFER_LAYOUT = (
    r"""\b(?:buy|treat|take)\s+you\s+(?:out|to|a|an|lunch|dinner|coffee|drinks?)\b
    |\breturn\s+the\s+favou?r\b|\bpay\s+it\s+forward\b
    |\b(?:if|whenever|anything)\b[^.!?\n]{0,30}\bi\s+can\s+(?:ever\s+)?(?:do|help|return|repay)\b
    |\bkeep\s+you\s+(?:posted|updated|in\s+the\s+loop)\b"""
)

_THANKS_FOR_FAVOUR_DONE = _scan(_THANKS_FOR_FAVOUR_DONE_LAYOUT)
# An ask sentence that asks nothing new: it offers something back, or thanks for a favour done.
_OFFER_OR_THANKS = _scan(f"{_OFFER_LAYOUT}|{_THANKS_FOR_FAVOUR_DONE_LAYOUT}")

# A wish to connect or learn, which asks no favour by itself: "I'd love to connect and learn
# more about your experience", "your background is the perspective I was hoping to learn from".
_NETWORKING_WISH = _scan(
    r"""\b(?:connect|connecting|learn|learning|follow\s+(?:your|along)|stay\s+in\s+touch|keep\s+in\s+touch|be\s+in\s+touch
    |expand(?:ing)?\s+my\s+network|add\s+you\s+to\s+my\s+(?:\w+\s+)?network|exploring)\b""",
)
# What the reader would do for a favour: refer, introduce, pass on, review, answer, meet, advise.
_FAVOUR = _scan(
    r"""\b(?:refer(?:ral|ring|red)?|recommend(?:ation|ing)?|introduc(?:e|ing|tion)|intro|vouch|put\s+(?:me|in\s+a)|connect(?:ing)?\s+(?:me|us)\s+(?:with|to)
    |pass|passing|forward|forwarding|share|sharing|send|review|look\s+(?:at|over)|feedback|advice|advise|tips|pointers|guidance|insights?
    |call|chat|coffee|meet|meeting|talk|speak|discuss(?:ing)?|minutes|zoom|hop\s+on|jump\s+on|office\s+hours
    |hiring|interview|consider|help|answer|reply|respond|get\s+back|know\s+(?:if|whether)
    |let\s+me\s+know|update|hear\s+(?:back|from\s+you))\b""",
)
# A request made as one (a question or a polite form), not an order: in a thank-you note, an
# order ("now make sure they call me") is demanding-phrasing's to report, and the note stays one.
_POLITE_REQUEST = _scan(
    r"""\?\s*$|\b(?:would|could|can|will|might)\s+(?:you|it\s+be\s+possible)\b|\bany\s+chance\b|\b(?:wondering|hoping)\b
    |\bi(?:'d|\s+would)\s+(?:(?:really|so|also|be)\s+){0,2}(?:love|appreciate|grateful|like|interested)\b|\bif\s+you\s+could\b""",
)


def thanks_for_favour_done(text: str) -> bool:
    """Whether ``text`` thanks the reader for something they already did."""
    return _found(_THANKS_FOR_FAVOUR_DONE, text)


def is_favour_ask(text: str, sentence: Span) -> bool:
    """Whether an ask sentence asks the reader a favour: not an offer, not thanks for one done,
    not only a wish to connect or learn."""
    if _found(_OFFER_OR_THANKS, text, sentence):
        return False
    return _found(_FAVOUR, text, sentence) or not _found(_NETWORKING_WISH, text, sentence)


def wishes_to_connect(text: str) -> bool:
    """Whether ``text`` says the writer wishes to connect, learn or stay in touch."""
    return _found(_NETWORKING_WISH, text)


def is_thank_you_note(text: str, body: Span, favour_asks: list[Span]) -> bool:
    """A note thanking for a favour done that asks no new favour as a request.

    ``favour_asks``: the ask sentences that ask a favour (``is_favour_ask``)."""
    if any(_found(_POLITE_REQUEST, text, ask) for ask in favour_asks):
        return False
    return thanks_for_favour_done(text[body[0] : body[1]])
