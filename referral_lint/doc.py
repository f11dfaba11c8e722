"""The Doc of a message: the project's pipeline run on a text, and the text read back.

``make_doc`` is the one way a message becomes a Doc: it tells the components the text
(``Doc.text`` rebuilds it from the tokens) and its word count, and works around a spaCy
tokenizer-cache gap that costs over half the tokenizer's time.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from referral_lint.tokenizer import LONG_RUN, tokenize

_TEXT = "referral_lint.text"
WORD_COUNT = "referral_lint.word_count"


def make_doc(nlp: Language, text: str) -> Doc:
    """Run ``nlp`` on ``text``, telling the components the text (``Doc.text`` rebuilds it)
    and how many words it has (as ``wc -w`` counts them: runs of non-space characters)."""
    chunks = text.split()
    _fill_tokenizer_cache(nlp.tokenizer, [chunk for chunk in chunks if len(chunk) < LONG_RUN])
    doc = tokenize(nlp, text)
    doc.user_data[_TEXT] = text
    doc.user_data[WORD_COUNT] = len(chunks)
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


# Per tokenizer: the whitespace-separated chunks already offered to its cache.
_CACHE_OFFERED: dict[int, set[str]] = {}


def _fill_tokenizer_cache(tokenizer: object, chunks: list[str]) -> None:
    """Tokenize each chunk (whitespace-separated piece) of a text not seen before on its own,
    so that spaCy caches it.

    spaCy's tokenizer stops caching chunks for the rest of a text once one chunk
    hits a special case ("I'm", "it's"; explosion/spaCy#13950), so in most
    messages every later word with punctuation ("role?", "Dana,") ran through the
    prefix, suffix and infix regexes on every call: over half of the tokenizer's
    time. Tokenizing a chunk alone caches the tokens the text would get.
    """
    offered = _CACHE_OFFERED.setdefault(id(tokenizer), set())
    if len(offered) >= tokenizer.max_cache_size:  # type: ignore[attr-defined]
        return  # the cache is full: spaCy keeps no more chunks
    new = set(chunks).difference(offered)
    if new:
        for chunk in new:
            tokenizer(chunk)  # type: ignore[operator]
        offered.update(new)


def doc_text(doc: Doc) -> str:
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text

