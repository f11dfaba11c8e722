"""Case-insensitive lemmas without a tagger.

The default pipeline has no part-of-speech tagger, so each lowercased word
gets one lemma, chosen from lemminflect's candidates in an order that suits
request messages (verbs first: "thanks" -> "thank", "referring" -> "refer").
Results are cached per word, so a word costs a dictionary lookup after the
first time it is seen. The ``referral_lemmas`` component sets them on a Doc.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy
from spacy.attrs import LEMMA
from spacy.language import Language
from spacy.tokens import Doc

from referral_lint.token_columns import token_columns
from referral_lint.word_forms import cached_table
from referral_lint.word_table import WordTable

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
    known = _known_lemmas().get(lower)
    return known if known is not None else _unknown_word_lemma(lower)


@lru_cache(maxsize=65536)
def is_bare_verb(lower: str) -> bool:
    """Whether lemminflect knows ``lower`` as a verb whose lemma is the word itself ("send",
    "slide", "chase"; not "sent", "thanks" or an unknown word), whatever else it may be: with no
    tagger, the bare form an order opens with. Token patterns read it as ``IS_BARE_VERB``."""
    from lemminflect import getAllLemmas

    return lower in getAllLemmas(lower).get("VERB", ())


def _unknown_word_lemma(lower: str) -> str:
    """The lemma of a word lemminflect does not know."""
    return "please" if _HURRIED_PLEASE.fullmatch(lower) else lower


def _lemminflect_lemma(lower: str) -> str:
    """The lemma chosen from lemminflect's candidates for ``lower`` (what the table keeps)."""
    from lemminflect import getAllLemmas

    candidates = getAllLemmas(lower)
    if not candidates:
        return _unknown_word_lemma(lower)
    for word_class in _PREFERRED_CLASSES:
        lemmas = candidates.get(word_class)
        if lemmas:
            return lemmas[0]
    return lower


@lru_cache(maxsize=1)
def _known_lemmas() -> dict[str, str]:
    """Lowercase word -> lemma, for the words of lemminflect's lemma table whose lemma is not the
    one an unknown word gets (so a lookup that finds nothing is right too)."""
    return cached_table("lemmas", _derive_lemmas, "lemmas.py")


def _derive_lemmas() -> dict[str, str]:
    from lemminflect.core.Lemmatizer import Lemmatizer

    lemmatizer = Lemmatizer()
    words = sorted(set(lemmatizer._getLemmaDict()) | set(lemmatizer._getOverridesDict()))
    table = {}
    for word in words:
        if word == word.lower():
            lemma = _lemminflect_lemma(word)
            if lemma != _unknown_word_lemma(word):
                table[word] = lemma
    return table


# --- the component ---------------------------------------------------------

# Lowercase form -> lemma, as string-store hashes; one table per vocabulary,
# because a lemma string must be added to the store of the Doc it is set on.
_LEMMA_IDS: dict[int, WordTable[int]] = {}
# Words whose lemmas are kept (the lemma strings stay in the store for good, so that the
# kept hashes always resolve); the lemmas of rarer words are computed per Doc.
MAX_KEPT_LEMMAS = 100_000


@Language.component("referral_lemmas")
def set_lemmas(doc: Doc) -> Doc:
    if not len(doc):
        return doc
    strings = doc.vocab.strings
    lemma_ids = _LEMMA_IDS.setdefault(id(strings), WordTable(MAX_KEPT_LEMMAS))

    def lemmas_of(lowers: set[int], kept: bool) -> dict[int, int]:
        return {lower: strings.add(lemma_of(strings[lower]), allow_transient=not kept) for lower in lowers}

    lowers = token_columns(doc).lowers
    # A kept lemma's string must stay in the store for good. In a memory zone it may already
    # be there for the zone only ("aardvark" before "aardvarks" in one message), and adding
    # it again keeps it no longer: the table keeps nothing new there.
    lemmas = lemma_ids.values_for(lowers, lemmas_of, keep=not doc.vocab.in_memory_zone)
    doc.from_array([LEMMA], numpy.fromiter(lemmas, dtype="uint64", count=len(lowers)))
    return doc
