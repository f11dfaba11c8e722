"""Tokenizing text in linear time, whatever its shape.

spaCy's tokenizer peels punctuation off a whitespace-free chunk one character at a
time, searching the whole remainder for the next prefix or suffix each time: a chunk
of n question marks, emoji or brackets costs n² (100,000 "?" took about 20 minutes),
and a very long chunk of anything (a URL repeated, 100,000 characters) is quadratic
too, if with a smaller constant. Such runs and chunks are cut into short pieces, each
tokenized on its own and the Docs joined, so the cost stays linear in the length of
the text. The tokens are spaCy's (it gives punctuation runs one token per character
anyway), except that a run it keeps whole (a line of dots or dashes) or a chunk over
LONG_CHUNK characters (never prose) is cut every _PIECE characters.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

# Runs this long of punctuation and symbols (neither letters, digits nor whitespace); real
# prose has none (a URL has letters every few characters).
LONG_RUN = 64
# Whitespace-free chunks this long (a long URL has a few hundred characters).
LONG_CHUNK = 1024
_LONG_RUN = re.compile(r"(?:[^\w\s]|_){%d,}" % LONG_RUN)
_CHUNK = re.compile(r"\S+")
_PIECE = LONG_RUN // 2


def tokenize(nlp: Language, text: str) -> Doc:
    """``nlp``'s tokenizer on ``text`` (no other component), in time linear in its length."""
    cuts = _spans_to_cut(text)
    if not cuts:
        return nlp.make_doc(text)
    docs = []
    position = 0
    for start, end in cuts:
        if start > position:
            docs.append(nlp.make_doc(text[position:start]))
        # The space after a cut span goes with its last piece, as spaCy attaches a space
        # to the token before it.
        stop = end + 1 if text[end : end + 1] == " " else end
        starts = range(start, end, _PIECE)
        ends = [*starts[1:], stop]
        docs.extend(nlp.make_doc(text[first:last]) for first, last in zip(starts, ends))
        position = stop
    if position < len(text):
        docs.append(nlp.make_doc(text[position:]))
    return Doc.from_docs(docs, ensure_whitespace=False)


def _spans_to_cut(text: str) -> list[tuple[int, int]]:
    """The long punctuation runs and long chunks of ``text``, in order, not overlapping."""
    if len(text) < LONG_RUN:
        return []
    spans = [match.span() for match in _LONG_RUN.finditer(text)]
    if len(text) >= LONG_CHUNK:
        spans += [match.span() for match in _CHUNK.finditer(text) if match.end() - match.start() >= LONG_CHUNK]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:  # a run inside a long chunk is cut with the chunk
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
