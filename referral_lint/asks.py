"""What an ask sentence asks the reader for, and when a message only thanks.

The message-parts component finds the sentences that make a request (``message.py``);
this module judges those sentences further, for the message kind:

- a **thank-you note** thanks for a favour already done ("Thank you so much for
  referring me…") and asks for nothing new: what it "asks" is at most an offer ("I'd
  love to buy you lunch", "let me know if I can return the favour");
- a **favour ask** names something the reader would do: refer, introduce, pass on,
  review, answer, spare a call or advice. A wish to connect and learn ("I'd love to
  connect and learn more about your experience") asks no favour.

Everything here reads plain text and character spans, so message.py can use it
without an import cycle.
"""

from __future__ import annotations

import re

Span = tuple[int, int]

# Thanks for something the reader has already done: a referral, an intro, a call, advice.
# Not "thanks for your time" or "thanks in advance", which close a request.
_THANKS_FOR_FAVOUR_DONE = re.compile(
    r"""\b(?:thank(?:s|\s+you)?|grateful|thankful|appreciate)\b[^.!?\n]{0,40}?\bfor\s+
    (?:(?:the|your|all\s+(?:the|your)|such\s+(?:a|an))\s+(?:\w+\s+){0,2}?
        (?:referral|intro|introduction|recommendation|reference|call|chat|conversation|advice|tips|pointers|help|support|guidance|feedback|insights?)\b
      |(?:referring|introducing|recommending|vouching|submitting|putting|passing|forwarding|connecting|speaking|talking|chatting|meeting|sharing)\b)
    |\byour\s+(?:\w+\s+)?(?:referral|intro|introduction|recommendation|reference)\s+(?:is\s+what\s+|was\s+what\s+)?(?:got|landed|led|helped|worked|paid|secured|won|made|did)\b
    |\b(?:because\s+of|thanks\s+to|due\s+to)\s+your\s+(?:\w+\s+)?(?:referral|intro|introduction|recommendation|reference)\b
    |\b(?:after|since|because|when)\s+you\s+(?:referred|introduced|recommended|vouched)\b
    |\bi\s+(?:got|accepted|landed|received|signed|have)\s+(?:the|an|a|my)\s+(?:[^.!?\n\s]+\s+){0,4}?(?:job|offer|interview)\b""",
    re.IGNORECASE | re.VERBOSE,
)

# The writer offering something back, which is not a request: "I'd love to buy you lunch",
# "let me know if I can ever return the favour", "happy to help your team in return".
_OFFER = re.compile(
    r"""\b(?:buy|treat|take)\s+you\s+(?:out|to|a|an|lunch|dinner|coffee|drinks?)\b
    |\breturn\s+the\s+favou?r\b|\bpay\s+it\s+forward\b
    |\b(?:if|whenever|anything)\b[^.!?\n]{0,30}\bi\s+can\s+(?:ever\s+)?(?:do|help|return|repay)\b
    |\bkeep\s+you\s+(?:posted|updated|in\s+the\s+loop)\b""",
    re.IGNORECASE | re.VERBOSE,
)

# A wish to connect or learn, which asks no favour by itself: "I'd love to connect and learn
# more about your experience", "your background is the perspective I was hoping to learn from".
_NETWORKING_WISH = re.compile(
    r"""\b(?:connect|connecting|learn|learning|follow\s+(?:your|along)|stay\s+in\s+touch|keep\s+in\s+touch|be\s+in\s+touch
    |expand(?:ing)?\s+my\s+network|add\s+you\s+to\s+my\s+network|exploring)\b""",
    re.IGNORECASE | re.VERBOSE,
)
# What the reader would do for a favour: refer, introduce, pass on, review, answer, meet, advise.
_FAVOUR = re.compile(
    r"""\b(?:refer(?:ral|ring|red)?|recommend(?:ation|ing)?|introduc(?:e|ing|tion)|intro|vouch|put\s+(?:me|in\s+a)|connect\s+(?:me|us)\s+with
    |pass|passing|forward|forwarding|share|sharing|send|review|look\s+(?:at|over)|feedback|advice|advise|tips|pointers|guidance|insights?
    |call|chat|coffee|meet|meeting|talk|speak|minutes|zoom|hop\s+on|jump\s+on|office\s+hours
    |hiring|interview|consider|help|answer|reply|respond|get\s+back|know\s+(?:if|whether)
    |let\s+me\s+know|update|hear\s+(?:back|from\s+you))\b""",
    re.IGNORECASE | re.VERBOSE,
)
# A request made as one (a question or a polite form), not an order: in a thank-you note, an
# order ("now make sure they call me") is demanding-phrasing's to report, and the note stays one.
_POLITE_REQUEST = re.compile(
    r"""\?\s*$|\b(?:would|could|can|will|might)\s+(?:you|it\s+be\s+possible)\b|\bany\s+chance\b|\b(?:wondering|hoping)\b
    |\bi(?:'d|\s+would)\s+(?:(?:really|so|also|be)\s+){0,2}(?:love|appreciate|grateful|like)\b|\bif\s+you\s+could\b""",
    re.IGNORECASE | re.VERBOSE,
)


def thanks_for_favour_done(text: str) -> bool:
    """Whether ``text`` thanks the reader for something they already did."""
    return _THANKS_FOR_FAVOUR_DONE.search(text) is not None


def is_offer(text: str, sentence: Span) -> bool:
    """Whether an ask sentence offers something back rather than asking for something."""
    return _OFFER.search(text, *sentence) is not None


def is_favour_ask(text: str, sentence: Span) -> bool:
    """Whether an ask sentence asks the reader a favour: not an offer, not thanks for one done,
    not only a wish to connect or learn."""
    piece = text[sentence[0] : sentence[1]]
    if is_offer(text, sentence) or thanks_for_favour_done(piece):
        return False
    return _FAVOUR.search(piece) is not None or _NETWORKING_WISH.search(piece) is None


def is_thank_you_note(text: str, body: Span, asks: list[Span]) -> bool:
    """A note thanking for a favour done that asks no new favour as a request."""
    if not thanks_for_favour_done(text[body[0] : body[1]]):
        return False
    return not any(
        is_favour_ask(text, ask) and _POLITE_REQUEST.search(text, *ask) for ask in asks
    )
