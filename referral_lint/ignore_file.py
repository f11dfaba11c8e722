"""The ignore file for plain-text drafts, which cannot hold comments.

One ``.referral-lint-ignore`` per directory, one line per ignored violation::

    demanding-phrasing 3f1c0a9b27de draft.txt  # Refer me for the Data Engineer role ASAP.

An entry names the rule, a hash of the sentence the violation is in (case, spacing
and curly quotes do not count) and the draft's file name. It keeps matching while
that sentence is unchanged, whatever else is edited, and stops matching once the
sentence changes. ``referral-lint check --add-ignore`` writes entries for every
current violation. An entry that matches nothing is an unused-ignore violation at its
line of the ignore file.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from referral_lint.config import DEFAULT_CHANNEL, UNUSED_IGNORE, ConfigError, RuleInfo
from referral_lint.files import replace_file
from referral_lint.model import Edit, Report, Severity, Suggestion, Violation
from referral_lint.positions import LINE_END, LineIndex
from referral_lint.unused_ignore import unused_ignore_violation

IGNORE_FILE = ".referral-lint-ignore"
DIGEST_LENGTH = 12


# --- sentences and their hashes --------------------------------------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"'})


def sentence_span(text: str, offset: int) -> tuple[int, int]:
    """The sentence holding ``offset``, as the rules see sentences (:func:`referral_lint.sentences.split_sentences`).

    An offset between sentences belongs to the next one when only spaces separate
    them, and otherwise (at a line end, on a blank line, at the end) to the one before.
    """
    spans = _sentences(text)
    if not spans:
        return 0, len(text)
    index = bisect_right(spans, (offset, len(text) + 1)) - 1  # the last sentence starting at or before offset
    if index >= 0 and offset < spans[index][1]:
        return spans[index]
    following = spans[index + 1] if index + 1 < len(spans) else None
    if following is not None and (index < 0 or not LINE_END.search(text, offset, following[0])):
        return following
    return spans[index]


@lru_cache(maxsize=1)
def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    """The sentences of a draft, split once for all its violations (thousands, past the cap per rule)."""
    from referral_lint.sentences import split_sentences  # spaCy's: not imported by a run that lints nothing

    # The linter splits the normalised draft; the same characters, one for one, here:
    # straight quotes, and a line break for CR (a CRLF's CR a space, so offsets stay).
    return tuple(split_sentences(text.translate(_QUOTES).replace("\r\n", " \n").replace("\r", "\n")))


def normalise_sentence(sentence: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", sentence).translate(_QUOTES).casefold().split())


def sentence_digest(text: str, offset: int) -> str:
    """The hash an ignore entry stores for a violation at ``offset`` in ``text``."""
    return _sentence_digest(text, *sentence_span(text, offset))


@lru_cache(maxsize=64)
def _sentence_digest(text: str, start: int, end: int) -> str:
    """Computed once per sentence: a rule past the cap may have thousands of violations in one."""
    return hashlib.sha256(normalise_sentence(text[start:end]).encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def sentence_excerpt(text: str, offset: int, width: int = 72) -> str:
    start, end = sentence_span(text, offset)
    sentence = "".join(ch if ch.isprintable() else " " for ch in " ".join(text[start:end].split()))
    return sentence if len(sentence) <= width else sentence[: width - 1] + "\u2026"


# --- the ignore file -------------------------------------------------------------------

_ENTRY = re.compile(
    r'^\s*(?P<rule>[A-Za-z0-9][A-Za-z0-9_-]*)\s+(?P<digest>[0-9a-fA-F]+)\s+'
    r'(?P<file>"(?:[^"\\]|\\.)*"|[^\s"#][^#]*?)\s*(?:#.*)?$'
)
_HEADER = (
    "# referral-lint: violations to ignore in the drafts of this directory, one a line:\n"
    "#   <rule> <sentence hash> <draft file>  # <the sentence>\n"
    "# An entry holds while that sentence is unchanged (case and spacing aside).\n"
    "# Written by `referral-lint check --add-ignore`; delete a line to stop ignoring it.\n"
)


class IgnoreFileError(ConfigError):
    """An ignore file that cannot be read (named, with the line, in ``str()``)."""


@dataclass(frozen=True)
class IgnoreEntry:
    rule: str
    digest: str
    file: str  # the draft's file name (no directory)
    line: int
    start: int  # offsets of the entry's line in the ignore file, line break included
    end: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.rule, self.digest)


@dataclass(frozen=True)
class IgnoreFile:
    path: Path
    text: str = ""
    entries: tuple[IgnoreEntry, ...] = ()

    def for_draft(self, name: str) -> tuple[IgnoreEntry, ...]:
        return tuple(entry for entry in self.entries if entry.file == name)


def ignore_file_for(draft: str | Path) -> Path:
    """Where the ignore file of the draft at ``draft`` is: beside it."""
    return Path(draft).parent / IGNORE_FILE


def read_ignore_file(path: Path) -> IgnoreFile:
    """The entries of the ignore file at ``path`` (none when it does not exist)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return IgnoreFile(path)
    except OSError as error:
        raise IgnoreFileError(f"cannot read the ignore file: {error.strerror or error}", file=path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IgnoreFileError("not valid UTF-8", file=path) from None
    entries = []
    # Lines as editors number them (a form feed or U+2028 in an excerpt ends none).
    for number, start, content_end, offset in LineIndex(text).lines():
        line = text[start:content_end]
        content = line.strip()
        if not content or content.startswith("#"):
            continue
        match = _ENTRY.match(line)
        if match is None:
            raise IgnoreFileError(
                "expected '<rule> <sentence hash> <draft file>', e.g. 'gratitude 0123456789ab draft.txt'",
                file=path, line=number,
            )
        if len(match["digest"]) != DIGEST_LENGTH:
            raise IgnoreFileError(f"the sentence hash must be {DIGEST_LENGTH} hexadecimal digits", file=path, line=number)
        name = match["file"]
        if name.startswith('"'):
            try:
                name = json.loads(name)
            except ValueError:
                raise IgnoreFileError("badly quoted file name", file=path, line=number) from None
        entries.append(IgnoreEntry(match["rule"], match["digest"].lower(), name, number, start, offset))
    return IgnoreFile(path, text, tuple(entries))


def _quote(name: str) -> str:
    if name and not any(ch.isspace() or ch in '"#\\' or not ch.isprintable() for ch in name):
        return name
    return json.dumps(name, ensure_ascii=False)


def entry_line(rule: str, digest: str, file: str, excerpt: str = "") -> str:
    line = f"{rule} {digest} {_quote(file)}"
    return f"{line}  # {excerpt}\n" if excerpt else line + "\n"


def new_entries(report: Report, draft_name: str, source: str | None = None) -> list[tuple[str, str, str, str]]:
    """(rule, digest, file, excerpt) for every violation of ``report`` (unused-ignore aside).

    ``source``: the draft's text as the writer sees it, if the report's is a prepared copy.
    """
    text = source if source is not None else report.text
    seen = set()
    entries = []
    for violation in report.violations:
        if violation.rule == UNUSED_IGNORE:
            continue
        digest = sentence_digest(text, violation.start)
        if (violation.rule, digest) in seen:
            continue
        seen.add((violation.rule, digest))
        entries.append((violation.rule, digest, draft_name, sentence_excerpt(text, violation.start)))
    return entries


def add_ignore_entries(path: Path, entries: Iterable[tuple[str, str, str, str]]) -> int:
    """Add ``entries`` (rule, digest, file, excerpt) to the ignore file at ``path``, keeping what it has.

    Written atomically (a temporary file renamed over it). Returns how many were new.
    """
    current = read_ignore_file(path)
    have = {entry.key for entry in current.entries}
    lines = []
    for rule, digest, file, excerpt in entries:
        if (file, rule, digest) in have:
            continue
        have.add((file, rule, digest))
        lines.append(entry_line(rule, digest, file, excerpt))
    if not lines:
        return 0
    text = current.text or _HEADER
    if not text.endswith(("\n", "\r")):
        text += "\n"
    replace_file(path, (text + "".join(lines)).encode("utf-8"))
    return len(lines)


def unused_entries_report(ignore: IgnoreFile, entries: Iterable[tuple[IgnoreEntry, str, Severity]], channel: str = DEFAULT_CHANNEL) -> Report:
    """A Report on the ignore file itself: one unused-ignore violation per stale entry (with its problem)."""
    violations = []
    for entry, problem, severity in sorted(entries, key=lambda item: item[0].start):
        suggestion = Suggestion("Delete the entry", (Edit(entry.start, entry.end, ""),))
        line_end = entry.start + len(ignore.text[entry.start : entry.end].rstrip("\r\n"))
        violations.append(unused_ignore_violation(ignore.text, entry.start, line_end, f"Unused ignore entry: {problem}.", severity, suggestion))
    return Report(text=ignore.text, channel=channel, violations=violations)


def apply_ignore_entries(
    ignores: IgnoreFile,
    name: str,
    text: str,
    violations: list[Violation],
    kept: list[Violation],
    rules: tuple[RuleInfo, ...],
    enabled: Collection[str],
    severity: Severity | None,
) -> tuple[list[Violation], list[Violation], list[tuple[IgnoreEntry, str, Severity]]]:
    """(kept, suppressed, stale entries) after the entries of ``ignores`` for the draft ``name``.

    ``violations``: every violation of the draft's report, so an entry also counts as
    used where a comment suppressed its violation first; ``kept``: those still shown.
    Digests are computed on ``text``, the draft as the writer sees it.
    """
    entries = ignores.for_draft(name)
    if not entries:
        return kept, [], []
    known = {rule.id for rule in rules}
    keys = {(entry.rule, entry.digest) for entry in entries}
    used: set[tuple[str, str]] = set()
    digests: dict[int, str] = {}
    for violation in violations:
        if violation.rule == UNUSED_IGNORE:
            continue
        if violation.start not in digests:
            digests[violation.start] = sentence_digest(text, violation.start)
        digest = digests[violation.start]
        if (violation.rule, digest) in keys:
            used.add((violation.rule, digest))
    remaining, suppressed = [], []
    for violation in kept:
        if violation.rule != UNUSED_IGNORE and (violation.rule, digests.get(violation.start)) in used:
            suppressed.append(violation)
        else:
            remaining.append(violation)
    stale: list[tuple[IgnoreEntry, str, Severity]] = []
    if severity is not None:
        for entry in entries:
            if entry.rule not in known:
                stale.append((entry, f"unknown rule {entry.rule!r}", severity))
            elif entry.rule in enabled and (entry.rule, entry.digest) not in used:
                problem = f"the sentence it points at in {entry.file} has changed, or has no {entry.rule} violation any more"
                stale.append((entry, problem, severity))
    return remaining, suppressed, stale
