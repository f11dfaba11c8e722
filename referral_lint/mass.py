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

    def add(self, name: str, text: str, shown: str, channel: str, config: Config, hashvalues: Any) -> None:
        """A draft: ``text`` as linted, ``shown`` as the writer sees it (same offsets), its signature."""
        first = len(text) - len(text.lstrip())  # the first line with words (an email's headers are blanked)
        end = text.find("\n", first)
        end = min(len(text) if end < 0 else end, first + _HEAD_CHARACTERS)
        self._finder.add(len(self._drafts), hashvalues)
        self._drafts.append(_Draft(name, shown[:end], text.rfind("\n", 0, first) + 1, channel, config))

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
