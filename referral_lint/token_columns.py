"""The token attributes the components and the matcher read, as plain lists.

Components run on every message, so they read token attributes as arrays, once per Doc, instead
of token by token (which costs far more in spaCy).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.attrs import IDX, LENGTH, LOWER, ORTH
from spacy.tokens import Doc


@dataclass(frozen=True)
class TokenColumns:
    """The token attributes the components and the matcher read, taken from the Doc in one
    ``to_array`` call (each call costs about as much as reading four attributes)."""

    orths: list[int]
    lowers: list[int]
    starts: list[int]  # character offsets
    ends: list[int]


_COLUMNS = "referral_lint.token_columns"


def token_columns(doc: Doc) -> TokenColumns:
    """The Doc's token columns, read once (no component here changes the tokens)."""
    columns = doc.user_data.get(_COLUMNS)
    if columns is None or len(columns.orths) != len(doc):
        if len(doc):
            array = doc.to_array([ORTH, LOWER, IDX, LENGTH])
            array[:, 3] += array[:, 2]
            columns = TokenColumns(*array.T.tolist())
        else:
            columns = TokenColumns([], [], [], [])
        doc.user_data[_COLUMNS] = columns
    return columns
