"""Mass messages: the same draft sent to many people with only the names swapped.

Each draft is masked (names, companies, numbers, links and template slots become
placeholders), cut into overlapping word shingles and summarised by a MinHash
signature (datasketch); a MinHash LSH index finds the earlier drafts whose signatures
agree in at least one band, so no pair of drafts is compared outright. A candidate
joins a group when the estimated Jaccard similarity of the two drafts' shingles is at
least ``THRESHOLD``.

Only the first draft of each group is indexed: a later copy joins the group of the
first indexed draft it resembles. That keeps the index (and memory) the size of the
number of *distinct* messages, and a group of 100,000 copies costs no more per draft
than a group of two. Each distinct draft costs about 3 KB (measured: mostly the LSH's
in-memory buckets), so 100,000 distinct drafts hold about 300 MB until the run ends.

datasketch is an optional dependency (``pip install 'referral-lint[batch]'``): it
pulls in scipy, which nothing else needs.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Hashable, Sequence
from functools import lru_cache
from typing import Any

RULE = "mass-message"
THRESHOLD = 0.7
NUM_PERM = 64
SHINGLE_WORDS = 3

# What differs between copies of one mass message, masked before comparing: one pattern,
# one pass over the text, each alternative named after its placeholder.
_MASK = re.compile(
    # Template slots, filled or not: [Name], {first_name}, {{company}}, <ROLE>.
    r"(?P<slot>\[[^\]\n]{1,40}\]|\{\{?[^}\n]{1,40}\}?\}|<[^>\n]{1,40}>)"
    r"|(?P<link>\S+@\S+|https?://\S+|www\.\S+)"
    r"|(?P<num>[$€£]?\d[\d,.:/%kK]*)"
    # Capitalised words: names, companies, teams, places (and sentence starts, which is fine:
    # the lower-case words between them carry the message).
    r"|(?P<name>\b(?!I\b)[^\W\d_a-z][\w'’-]*)"
)
_WORD = re.compile(r"\w+")
_PLACEHOLDERS = frozenset(_MASK.groupindex)


class MassMessagesUnavailable(ImportError):
    """datasketch is not installed."""


def masked_words(text: str) -> list[str]:
    """``text``'s words with names, companies, numbers, links and template slots masked."""
    words = _WORD.findall(_MASK.sub(lambda match: f" {match.lastgroup} ", text).lower())
    # "Hi Ana" and "Hi Mary Jane" are the same greeting: a run of one placeholder counts once.
    return [word for i, word in enumerate(words) if not (i and word == words[i - 1] and word in _PLACEHOLDERS)]


def signature(text: str) -> Any:  # -> numpy array of NUM_PERM uint32 values
    """The MinHash signature of ``text``'s masked word shingles (cheap to pickle)."""
    words = masked_words(text)
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    template = _template()
    minhash = _datasketch().MinHash(
        num_perm=NUM_PERM, permutations=template.permutations, scheme=template.scheme, hashfunc=zlib.crc32
    )
    minhash.update_batch(list(shingles))
    return minhash.hashvalues


class MassMessageFinder:
    """Groups near-duplicate drafts as their signatures are added, one at a time."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        datasketch = _datasketch()
        self._threshold = threshold
        # Band keys hashed to 4 bytes: the index is most of the memory, and a collision
        # only adds a candidate, which the Jaccard check below turns away.
        self._index = datasketch.MinHashLSH(threshold=threshold, num_perm=NUM_PERM, hashfunc=_short_key)
        self._indexed: dict[int, Any] = {}  # index number -> its signature
        self._group_of: dict[int, int] = {}  # a draft's number -> the indexed draft whose group it joined
        self._ids: list[Hashable] = []  # by number (the order drafts were added in)

    def add(self, draft_id: Hashable, hashvalues: Any) -> None:
        number = len(self._ids)
        self._ids.append(draft_id)
        minhash = self._lean(hashvalues)
        for candidate in sorted(self._index.query(minhash)):
            if minhash.jaccard(self._lean(self._indexed[candidate])) >= self._threshold:
                self._group_of[number] = candidate
                return
        self._index.insert(number, minhash)
        self._indexed[number] = minhash.hashvalues

    @staticmethod
    def _lean(hashvalues: Any) -> Any:
        return _datasketch().LeanMinHash(seed=1, hashvalues=hashvalues, scheme=_template().scheme)

    def groups(self) -> list[list[Hashable]]:
        """Each group of two or more drafts (their ids, in input order), by first draft."""
        members: dict[int, list[int]] = {}
        for number, first in self._group_of.items():
            members.setdefault(first, [first]).append(number)
        return [[self._ids[n] for n in group] for _, group in sorted(members.items())]


def finding(group: Sequence[Hashable]) -> dict[str, Any]:
    """The ``mass-message`` record of one group (what batch writes after the results)."""
    return {
        "rule": RULE,
        "severity": "warning",
        "message": (
            f"{len(group)} drafts are the same message with names swapped; "
            "a note written for one person gets more replies than a copy sent to many"
        ),
        "ids": list(group),
    }


def _short_key(band: bytes) -> bytes:
    return zlib.crc32(band).to_bytes(4, "little")


def available() -> bool:
    try:
        _datasketch()
    except MassMessagesUnavailable:
        return False
    return True


def _datasketch() -> Any:
    try:
        import datasketch
    except ImportError:
        raise MassMessagesUnavailable(
            "mass-message detection needs datasketch: pip install 'referral-lint[batch]'"
        ) from None
    return datasketch


@lru_cache(maxsize=1)
def _template() -> Any:
    """A MinHash whose permutations every signature shares (making them is the slow part).

    Shingles are hashed with CRC-32 (stable across processes, and far cheaper than
    datasketch's default SHA-1, which buys nothing here).
    """
    return _datasketch().MinHash(num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32)
