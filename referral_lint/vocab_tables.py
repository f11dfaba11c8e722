"""Keeping spaCy's two word indexes at a flat size in a process that lints past its string bound.

Past ``pipeline.MAX_KEPT_STRINGS`` each message is linted in a spaCy memory zone, which
drops the strings and lexemes the message added. Their entries in the string store's and
the vocabulary's hash tables (preshed maps) are only marked deleted, though, and a deleted
cell still counts toward the fill at which preshed doubles a table: with new words in
every zone, both tables doubled again and again (about 30 bytes per new word, without
bound: bench/bench_memory.py). Copying a table's live entries into a new one drops the
deleted cells, so each table is rebuilt once it has grown past its size after the last
rebuild; it then stays within twice the size its kept words need.

The string store's table is a public attribute. The vocabulary's is not: ``Vocab.from_bytes``
with every part excluded is spaCy's one way to give it a new, empty index, which is then
refilled with the live entries (the lexemes themselves stay where they are, in the
vocabulary's memory).
"""

from __future__ import annotations

import gc

import srsly
from preshed.maps import PreshMap
from spacy.vocab import Vocab

# Per vocabulary: each table's capacity after it was last rebuilt (or first seen).
_BASELINES: dict[int, dict[str, int]] = {}
_EVERY_PART = ("strings", "vectors", "lookups")


def keep_indexes_compact(vocab: Vocab) -> None:
    """Rebuild the string and lexeme tables of ``vocab`` from their live entries if they
    have grown since the last time. Outside a memory zone only, with no other thread
    using ``vocab``."""
    baselines = _BASELINES.setdefault(id(vocab), {})
    strings = vocab.strings
    if _has_grown(strings._map, "strings", baselines):
        strings._map = _live_copy(strings._map, baselines["strings"])
        baselines["strings"] = strings._map.capacity
    lexemes = lexeme_index(vocab)
    if lexemes is not None and _has_grown(lexemes, "lexemes", baselines):
        baselines["lexemes"] = _rebuild_lexeme_index(vocab, lexemes).capacity


def lexeme_index(vocab: Vocab) -> PreshMap | None:
    """The vocabulary's table of lexemes by word hash (``Vocab._by_orth``, which Python
    code cannot name: the one preshed map the vocabulary refers to), or None where a
    spaCy version lays the vocabulary out otherwise (then that table is left as it is:
    it grows, but nothing breaks)."""
    tables = [referent for referent in gc.get_referents(vocab) if type(referent) is PreshMap]
    return tables[0] if len(tables) == 1 else None


def _has_grown(table: PreshMap, name: str, baselines: dict[str, int]) -> bool:
    baseline = baselines.setdefault(name, table.capacity)
    return table.capacity > baseline


def _live_copy(table: PreshMap, size: int) -> PreshMap:
    copy = PreshMap(initial_size=size)  # one allocation, not one per doubling
    for key, value in table.items():  # items() skips deleted cells
        copy[key] = value
    return copy


def _rebuild_lexeme_index(vocab: Vocab, old: PreshMap) -> PreshMap:
    getters = dict(vocab.lex_attr_getters)  # from_bytes may wrap the NORM getter again
    vocab.from_bytes(srsly.msgpack_dumps({}), exclude=_EVERY_PART)  # a new, empty index
    vocab.lex_attr_getters.update(getters)
    index = lexeme_index(vocab)
    if index is None or index is old:  # not a new index: leave the old one as it is
        return old
    # Straight from the old table (alive while held here): holding 250,000 pairs in a list
    # set off garbage collections, and left memory behind.
    for key, value in old.items():
        index[key] = value
    return index
