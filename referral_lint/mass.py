"""Mass messages: the same draft sent to many people with only the names swapped.

Each draft is masked (names, companies, numbers, links and template slots become
placeholders), cut into overlapping word shingles and summarised by a MinHash
signature (datasketch). What is kept of a draft until the run ends is 160 bytes
(:func:`signature`): its key in each of the LSH bands datasketch's ``MinHashLSH``
chooses for the threshold, and the low 16 bits of each MinHash value (b-bit MinHash,
Li and König). At the end (:meth:`MassMessageFinder.groups`) drafts that share a band
key are candidates, each checked against the first draft of its bucket: the share of
agreeing values estimates the Jaccard similarity of the two drafts' shingles, and a
candidate at ``THRESHOLD`` or above is an edge; the groups are the connected components
of those edges (scipy), so a draft like any draft of a group joins it. No pair of drafts
is compared outright, and the work is a sort per band. Measured (bench/README.md): a
million drafts keep ~210 MB (signatures and ids) and are grouped in ~2 s; the datasketch
MinHashLSH index of Python objects this replaces held ~2.9 KB a draft (283 MB at 100k).

``batch`` reports each group once, after the results (:func:`finding`); ``check``
reports a ``mass-message`` violation on each draft of a group, naming the others
(:class:`DraftGroups`). ``mass-message`` is a pseudo-rule (no rule file): selected,
ignored and re-graded like any rule, in the ``template`` group.

datasketch is an optional dependency (the ``batch`` extra: ``pip install '.[batch]'``): it
pulls in scipy, which nothing else needs.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referral_lint.config import Config
    from referral_lint.formats import FileResult

from referral_lint.config import MASS_MESSAGE as RULE
from referral_lint.config import PSEUDO_RULES
from referral_lint.extras import install_hint
from referral_lint.positions import LINE_END

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


def signature(text: str) -> bytes:
    """What the finder keeps of ``text`` (160 bytes, cheap to send from a worker): its LSH band keys
    and the low 16 bits of each value of the MinHash of its masked word shingles."""
    import numpy

    words = masked_words(text)
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    template = _template()
    minhash = _datasketch().MinHash(
        num_perm=NUM_PERM, permutations=template.permutations, scheme=template.scheme, hashfunc=zlib.crc32
    )
    minhash.update_batch(list(shingles))
    values = minhash.hashvalues.astype("<u4")
    layout = _layout()
    record = numpy.zeros((), dtype=layout.dtype)
    # A band key hashed to 4 bytes: a collision only adds a candidate, which the check turns away.
    record["bands"] = [zlib.crc32(values[start:end].tobytes()) for start, end in layout.bands]
    record["bits"] = values & 0xFFFF
    return record.tobytes()


class MassMessageFinder:
    """Collects the drafts' signatures as they come (160 bytes each); groups them at the end."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self._threshold = threshold
        self._signatures = bytearray()  # one record of _layout().dtype per draft, in the order added
        self._ids: list[Hashable] = []

    def add(self, draft_id: Hashable, signature: bytes) -> None:
        """A draft's id and its :func:`signature`."""
        if len(signature) != _layout().dtype.itemsize:
            raise ValueError(f"a mass-message signature is {_layout().dtype.itemsize} bytes, not {len(signature)}")
        self._ids.append(draft_id)
        self._signatures += signature

    def groups(self) -> list[list[Hashable]]:
        """Each group of two or more drafts (their ids, in input order), by first draft."""
        import numpy

        signatures = numpy.frombuffer(self._signatures, dtype=_layout().dtype)
        component = numpy.arange(len(signatures))  # a draft's group so far (a number, not a draft)
        for band in range(signatures["bands"].shape[1]):
            keys, numbers = signatures["bands"][:, band], numpy.arange(len(signatures))
            for _ in range(_ROUNDS_PER_BAND):
                first, other = _bucket_pairs(keys[numbers], numbers)
                if not len(other):
                    break
                apart = component[first] != component[other]  # pairs already in one group need no check
                checked_first, checked_other = first[apart], other[apart]
                similar = _estimated_jaccard(signatures["bits"], checked_first, checked_other) >= self._threshold
                if similar.any():
                    component = _joined(component, checked_first[similar], checked_other[similar])
                # A bucket may hold drafts of more than one message: the next round checks
                # those not in its first draft's group against the first of them.
                numbers = other[component[other] != component[first]]
        del signatures  # the view pins the buffer: it must go before add() may grow it again
        return _members(component, self._ids)


# Rounds of checks per band: each takes the first draft of every bucket out, with the drafts
# that joined its group. Drafts that share a band key are nearly always one message, so a
# second round is rare and an eighth means a bucket of unrelated drafts, which is left there.
_ROUNDS_PER_BAND = 8


def _bucket_pairs(keys: Any, numbers: Any) -> tuple[Any, Any]:
    """(first, other): each draft of ``numbers`` paired with the first draft (by number) that
    shares its band key (``keys``, one per number)."""
    import numpy

    order = numpy.argsort(keys, kind="stable")  # stable: within a bucket, by draft number
    starts = numpy.empty(len(order), dtype=bool)
    starts[:1] = True
    numpy.not_equal(keys[order[1:]], keys[order[:-1]], out=starts[1:])
    bucket_first = numbers[order[starts]][numpy.cumsum(starts) - 1]
    return bucket_first[~starts], numbers[order[~starts]]


# Pairs checked at once: bounds the temporary arrays (~16 MB) however many candidates a band has.
_CHECKED_AT_ONCE = 1 << 16


def _estimated_jaccard(bits: Any, first: Any, other: Any) -> Any:
    """The share of agreeing MinHash values of each pair: their shingles' Jaccard similarity, estimated.

    Only the low 16 bits of each value are kept; two different values agree in them once in
    65,536 times, too rarely to move the estimate.
    """
    import numpy

    shares = numpy.empty(len(first), dtype=numpy.float32)
    for start in range(0, len(first), _CHECKED_AT_ONCE):
        end = start + _CHECKED_AT_ONCE
        agreeing = numpy.count_nonzero(bits[first[start:end]] == bits[other[start:end]], axis=1)
        shares[start:end] = agreeing / bits.shape[1]
    return shares


def _joined(component: Any, first: Any, other: Any) -> Any:
    """``component`` with the groups of each pair (first, other) joined into one."""
    import numpy
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    groups = int(component.max()) + 1
    edges = coo_matrix((numpy.ones(len(first), dtype=numpy.int8), (component[first], component[other])), shape=(groups, groups))
    _, joined = connected_components(edges, directed=False)
    return joined[component]


def _members(component: Any, ids: Sequence[Hashable]) -> list[list[Hashable]]:
    """The ids of each component of two or more drafts, in input order, by first draft."""
    import numpy

    order = numpy.argsort(component, kind="stable")
    sizes = numpy.bincount(component)
    bounds = numpy.cumsum(sizes)  # component c's drafts are order[bounds[c] - sizes[c] : bounds[c]]
    groups = [order[bounds[c] - sizes[c] : bounds[c]] for c in numpy.flatnonzero(sizes >= 2)]
    groups.sort(key=lambda numbers: numbers[0])
    return [[ids[number] for number in numbers.tolist()] for numbers in groups]


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


SUMMARY = "Write each note for its reader, not one copy for many"
WHY = (
    "\"Don't send the same copy-pasted note to many people\" is the advice every guide gives: a reader "
    "who gets a note with only their name swapped in can tell, and so can two colleagues who compare "
    "notes. A note that says why you are writing to this person gets the reply."
)
#: The others a finding names, at most (a group may hold thousands of copies).
NAMED_AT_MOST = 5
_HEAD_CHARACTERS = 300  # of the line a finding points at: all that is kept of a draft


def mass_message_rule() -> Any:
    """The mass-message pseudo-rule as a RuleSpec, for ``rules``, ``explain``, the docs and SARIF."""
    from referral_lint.engine.schema import Example, RuleSpec

    group, default, severity = PSEUDO_RULES[RULE]
    return RuleSpec(
        id=RULE,
        file="(built in)",
        summary=SUMMARY,
        severity=severity,
        why=WHY,
        check="forbid",
        message="The same message as other drafts, with the names swapped",
        group=group,
        default=default,
        details=(
            "Off by default in check (select it). It looks across the drafts of one run, not into one: check compares every draft it lints "
            "(reporting the finding at the first line of each draft of a group, naming the others), "
            "batch every record (one line per group after the results). Names, companies, numbers, "
            "links and template slots are masked, and two drafts whose three-word shingles overlap by an "
            "estimated 70% or more are one message; a draft that shares only its greeting and sign-off "
            "with another is not. It needs the batch extra (datasketch): without it the check is "
            "skipped, with a note when mass-message is selected by name."
        ),
        bad_examples=(
            Example("Hi Ana, I admire the data team at Acme and would love to join it as a Data Engineer. "
                    "Would you refer me? Thanks!\n---\nHi Bo, I admire the data team at Initech and would "
                    "love to join it as a Data Engineer. Would you refer me? Thanks!"),
        ),
        good_examples=(
            Example("Hi Ana, your talk on stream joins at the Berlin meetup is why I applied for the "
                    "Data Engineer role. Would you refer me? Thanks!\n---\nHi Bo, we both reviewed the "
                    "Rust book club's notes last spring. Could you tell me who leads hiring on your team? Thanks!"),
        ),
    )


@dataclass(frozen=True)
class _Draft:
    """What a check keeps of a draft until its group is known: its name and first line."""

    name: str
    head: str  # the draft's text up to the end of its first line with words
    start: int  # where that line starts
    channel: str
    config: Config


class DraftGroups:
    """The mass messages among the drafts of one ``check``, as a violation on each draft of a group.

    Drafts are added as they are linted, with their signatures (computed where they were
    linted); :meth:`results` gives, once all are in, a result per draft in a group, in the
    order the drafts were added.
    """

    def __init__(self) -> None:
        self._finder = MassMessageFinder()
        self._drafts: list[_Draft] = []

    def add(self, name: str, text: str, shown: str, channel: str, config: Config, signature: bytes) -> None:
        """A draft: ``text`` as linted, ``shown`` as the writer sees it (same offsets), its signature."""
        first = len(text) - len(text.lstrip())  # the first line with words (an email's headers are blanked)
        line_end = LINE_END.search(text, first)  # \r\n, \r or \n, as lines are counted everywhere
        end = min(len(text) if line_end is None else line_end.start(), first + _HEAD_CHARACTERS)
        line_start = max(text.rfind("\n", 0, first), text.rfind("\r", 0, first)) + 1  # only blanks before ``first``
        self._finder.add(len(self._drafts), signature)
        self._drafts.append(_Draft(name, shown[:end], line_start, channel, config))

    def results(self) -> Iterator[tuple[FileResult, Config]]:
        """(result, the draft's configuration) per draft of each group, in the order they were added."""
        from referral_lint.formats import FileResult
        from referral_lint.model import Applicability, Report, Suggestion, Violation
        from referral_lint.positions import LineIndex

        group_of = {number: group for group in self._finder.groups() for number in group}
        for number in sorted(group_of):
            draft, group = self._drafts[number], group_of[number]
            others = [self._drafts[other].name for other in group if other != number]
            shown, more = others[:NAMED_AT_MOST], len(others) - NAMED_AT_MOST
            named = ", ".join(shown[:-1]) + (", " if more > 0 else " and ") + shown[-1] if len(shown) > 1 else shown[0]
            if more > 0:
                named += f" and {more} more"
            line_start = draft.start
            line, _ = LineIndex(draft.head).position(line_start)
            violation = Violation(
                rule=RULE,
                severity=draft.config.severity_of(RULE, PSEUDO_RULES[RULE][0]) or PSEUDO_RULES[RULE][2],
                message=f"The same message as {named}, with the names swapped: a note written for its reader gets more replies.",
                start=line_start,
                end=len(draft.head),
                line=line,
                column=1,
                suggestions=(Suggestion("Say why you are writing to this person: what you share, what you read of theirs", (), Applicability.DISPLAY),),
                end_line=line,
                end_column=len(draft.head) - line_start + 1,
            )
            yield FileResult(draft.name, Report(text=draft.head, channel=draft.channel, violations=[violation])), draft.config


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
            f"mass-message detection needs datasketch: {install_hint('batch')}"
        ) from None
    return datasketch


@lru_cache(maxsize=1)
def _template() -> Any:
    """A MinHash whose permutations every signature shares (making them is the slow part).

    Shingles are hashed with CRC-32 (stable across processes, and far cheaper than
    datasketch's default SHA-1, which buys nothing here).
    """
    return _datasketch().MinHash(num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32)


@dataclass(frozen=True)
class _Layout:
    bands: tuple[tuple[int, int], ...]  # (start, end) of each band in a MinHash's values
    dtype: Any  # a signature as a numpy record: "bands" (uint32 keys) and "bits" (uint16 values)


@lru_cache(maxsize=1)
def _layout() -> _Layout:
    """The bands datasketch's MinHashLSH picks for THRESHOLD (weighing missed groups and false
    candidates alike: 8 bands of 8 values for 0.7 and 64 values), and the signature's layout."""
    import numpy

    bands = tuple(_datasketch().MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM).hashranges)
    return _Layout(bands, numpy.dtype([("bands", "<u4", (len(bands),)), ("bits", "<u2", (NUM_PERM,))]))
