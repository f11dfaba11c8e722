"""Tables keyed by word (a string-store hash) that stop growing at a bound.

A language server or a long batch sees new words forever; a cache per word must not
grow with them. A WordTable keeps the values of the first ``bound`` words it sees (in
practice the frequent ones) and, once full, computes the others for the call that
needs them and forgets them afterwards: memory stays flat, and no entry ever
disappears between the moment a lookup starts and the moment it ends.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Generic, TypeVar

Value = TypeVar("Value")


def look_up_all(keys: list[int], table: Mapping[int, Value]) -> tuple[Value, ...]:
    """``table``'s value for every key, in one call (KeyError if one is missing)."""
    # itemgetter with one key gives a bare value, not a tuple.
    return itemgetter(*keys)(table) if len(keys) > 1 else (table[keys[0]],)


class WordTable(Generic[Value]):
    """Values per word hash, computed once per word while there is room for it."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._values: dict[int, Value] = {}

    def __len__(self) -> int:
        return len(self._values)

    def values_for(
        self, keys: list[int], compute: Callable[[set[int], bool], dict[int, Value]], *, keep: bool = True
    ) -> tuple[Value, ...]:
        """The value of every key of ``keys`` (in order). ``compute(missing, kept)`` gives
        the values of keys not in the table; ``kept`` says whether the table will keep them
        (it has room, and ``keep`` allows it) or they serve this call only."""
        try:
            return look_up_all(keys, self._values)
        except KeyError:  # words not seen before
            missing = set(keys).difference(self._values)
            kept = keep and len(self._values) + len(missing) <= self.bound
            computed = compute(missing, kept)
            if kept:
                self._values.update(computed)
                return look_up_all(keys, self._values)
            return look_up_all(keys, ChainMap(computed, self._values))
