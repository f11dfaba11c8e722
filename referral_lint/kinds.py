"""The kind of a message: what it asks the reader for (one of ``model.KINDS``).

Judged from the ask sentences the parts component found, or from the body when nothing is
asked: a referral, an introduction, a call or advice, a follow-up to one's own note, a
thank-you note, a networking note that asks no favour, or other.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from referral_lint.asks import THANKS_RE, is_favour_ask, is_thank_you_note, wishes_to_connect

if TYPE_CHECKING:
    from referral_lint.parts import MessageParts


_FOLLOWUP_RE = re.compile(
    r"""\b(?:follow(?:ing)?[\s-]+up(?:\s+(?:on|about|regarding|again|here|with\s+you)\b|\s*[.,!;:\u2014-]|$)|circl(?:e|ing)\s+back|check(?:ing)?\s+in\b|bump(?:ing)?\s+(?:this|my)
    |(?:my|the)\s+(?:previous|last|earlier|first)\s+(?:message|note|email|e-mail|inmail)
    |(?:wanted|want)\s+to\s+resurface|pop(?:ping)?\s+(?:back\s+)?(?:in|into|up)\b|(?:float|bump|bring)(?:ing)?\s+(?:this|it|my\s+(?:message|note|email))\s+(?:back\s+)?up
    |(?:didn't|did\s+not|don't)\s+want\s+(?:it|this|my\s+(?:message|note|email))\s+to\s+get\s+(?:buried|lost)|in\s+case\s+(?:it|my\s+(?:message|note|email))\s+(?:got|was)\s+(?:buried|lost))""",
    re.IGNORECASE | re.VERBOSE,
)
_REFERRAL_RE = re.compile(
    r"\brefer(?:ral|ring|red)?\b|\bput\s+in\s+a\s+(?:good\s+)?word\b|\b(?:pass|forward)\s+(?:along\s+)?my\s+(?:resume|cv|résumé)",
    re.IGNORECASE,
)
_INTRODUCTION_RE = re.compile(
    r"\bintro(?:duce|ducing|duction)?\b|\bconnect(?:ing)?\s+(?:me|us)\b|\bput(?:ting)?\s+me\s+in\s+touch\b", re.IGNORECASE
)
_JOB_RE = re.compile(r"\b(?:job|role|position|posting|opening|req|requisition|vacancy|hiring)\b", re.IGNORECASE)
_CALL_RE = re.compile(
    r"""\b(?:call|chat|coffee|zoom|meet(?:ing)?|conversation|talk|speak|tips|pointers|guidance)\b|\badvice\b
    |\bpick\s+your\s+brain\b|\blearn\s+(?:more\s+)?(?:about|from)\b|\bquestions?\s+about\b
    |\b\d+\s*(?:-\s*)?(?:min|mins|minutes)\b|\binformational\s+interview\b|\byour\s+(?:time|notes|perspective|thoughts)\b
    |\bhow\s+you\s+(?:made|got|moved|switched)\b|\bwhat(?:'s|\s+is)\s+the\s+best\s+way\b""",
    re.IGNORECASE | re.VERBOSE,
)


def message_kind(text: str, parts: MessageParts) -> str:
    """The kind of request, judged from the asks (or the body when nothing is asked)."""
    asks = " ".join(text[start:end] for start, end in parts.asks)
    body = text[parts.body[0] : parts.body[1]]
    # A follow-up says so up front ("Just following up on my note…"), not in passing later.
    opening = " ".join(text[start:end] for start, end in parts.scope("opening"))
    favour_asks = [ask for ask in parts.asks if is_favour_ask(text, ask)]
    if _FOLLOWUP_RE.search(opening) or (parts.subject and _FOLLOWUP_RE.search(text, *parts.subject)):
        # "Following up to say thank you for the coffee": a thank-you note all the same.
        return "thank-you" if is_thank_you_note(text, parts.body, favour_asks) else "followup"
    if not parts.asks:
        if THANKS_RE.search(body):
            return "thank-you"
        # "I'd like to add you to my network": a connection note that asks nothing, not a job ask.
        return "networking" if wishes_to_connect(body) else "other"
    if is_thank_you_note(text, parts.body, favour_asks):
        return "thank-you"
    if not favour_asks:
        return "networking"  # "I'd love to connect and learn from your experience": no favour asked
    if _REFERRAL_RE.search(asks):
        return "referral"
    if _INTRODUCTION_RE.search(asks):
        return "introduction"
    if _CALL_RE.search(asks):
        return "call-or-advice"
    return "referral" if _REFERRAL_RE.search(body) or _JOB_RE.search(body) else "other"

