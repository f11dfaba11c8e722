"""Case-insensitive lemmas without a tagger.

The default pipeline has no part-of-speech tagger, so each lowercased word
gets one lemma, chosen from lemminflect's candidates in an order that suits
request messages (verbs first: "thanks" -> "thank", "referring" -> "refer").
Results are cached per word, so a word costs a dictionary lookup after the
first time it is seen.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lemminflect import getAllLemmas

_PREFERRED_CLASSES = ("VERB", "AUX", "NOUN", "ADJ", "ADV", "PROPN")

# Contractions and spellings lemminflect does not know, or knows differently.
_FIXED = {
    "'m": "be",
    "'re": "be",
    "'s": "'s",
    "'ve": "have",
    "'d": "would",
    "'ll": "will",
    "n't": "not",
    "ca": "can",
    "wo": "will",
    "thx": "thank",
    "thanx": "thank",
    "ty": "thank",
    "i": "i",
    "data": "data",
    "news": "news",
    "thanks": "thank",
    "fwd": "forward",
}

# "please" as people type it in a hurry ("pls", "plz", "plese", "pleez"), which lemminflect does
# not know: the rules and the rewrites read these as "please" through the lemma.
_HURRIED_PLEASE = re.compile(r"pl+[eia]*[sz]+e?[sz]?")


@lru_cache(maxsize=65536)
def lemma_of(lower: str) -> str:
    """The lemma of an already lowercased word."""
    fixed = _FIXED.get(lower)
    if fixed is not None:
        return fixed
    if not lower.isalpha() and "-" not in lower:
        return lower
    candidates = getAllLemmas(lower)
    if not candidates and _HURRIED_PLEASE.fullmatch(lower):
        return "please"
    for word_class in _PREFERRED_CLASSES:
        lemmas = candidates.get(word_class)
        if lemmas:
            return lemmas[0]
    return lower
