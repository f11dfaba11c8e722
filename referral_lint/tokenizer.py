"""Tokenizing text in linear time, whatever its shape.

spaCy's tokenizer peels punctuation off a whitespace-free chunk one character at a
time, searching the whole remainder for the next prefix or suffix each time: a chunk
of n question marks, emoji or brackets costs n² (100,000 "?" took about 20 minutes).
Long runs of such characters are cut into short pieces, each tokenized on its own and
the Docs joined, so the cost stays linear in the length of the text. The tokens are
spaCy's (it gives those runs one token per character anyway), except that a run it
keeps whole (a line of dots or dashes) is one token per piece.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

# Runs this long of punctuation and symbols (neither letters, digits nor whitespace); real
# prose has none (a URL has letters every few characters).
LONG_RUN = 64
# The space after a run goes with it, as spaCy attaches a space to the token before it.
_LONG_RUN = re.compile(r"(?:[^\w\s]|_){%d,} ?" % LONG_RUN)
_PIECE = LONG_RUN // 2


def tokenize(nlp: Language, text: str) -> Doc:
    """``nlp``'s tokenizer on ``text`` (no other component), in time linear in its length."""
    if not _LONG_RUN.search(text):
        return nlp.make_doc(text)
    docs = []
    position = 0
    for run in _LONG_RUN.finditer(text):
        if run.start() > position:
            docs.append(nlp.make_doc(text[position : run.start()]))
        starts = range(run.start(), run.end() - (text[run.end() - 1] == " "), _PIECE)
        ends = [*starts[1:], run.end()]
        docs.extend(nlp.make_doc(text[start:end]) for start, end in zip(starts, ends))
        position = run.end()
    if position < len(text):
        docs.append(nlp.make_doc(text[position:]))
    return Doc.from_docs(docs, ensure_whitespace=False)
