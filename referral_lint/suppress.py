"""Suppressing violations the writer has decided to keep.

Two mechanisms, applied by the front ends (CLI, language server) to a Report;
``referral_lint.lint()`` itself never reads a file and never suppresses anything.

**Comments in markdown drafts.** ``<!-- referral-lint disable RULE -->`` turns rules
off until ``<!-- referral-lint enable RULE -->`` (or the end of the draft);
``disable-next-line`` covers the next line and ``disable-line`` its own. Without a
rule, a comment means every rule; rules are ids or groups, separated by commas or
spaces. The comments themselves are blanked out (replaced by spaces, so offsets do
not move) before the draft is linted, so they do not count towards length and do
not hide the greeting.

**An ignore file for plain-text drafts,** which cannot hold comments: one
``.referral-lint-ignore`` per directory, one line per ignored violation::

    demanding-phrasing 3f1c0a9b27de draft.txt  # Refer me for the Data Engineer role ASAP.

An entry names the rule, a hash of the sentence the violation is in (case, spacing
and curly quotes do not count) and the draft's file name. It keeps matching while
that sentence is unchanged, whatever else is edited, and stops matching once the
sentence changes. ``referral-lint check --add-ignore`` writes entries for every
current violation.

An ignore that suppresses nothing is reported as a violation of the pseudo-rule
``unused-ignore`` (a warning; select, ignore and re-grade it like any rule): at the
comment in a markdown draft, at the line of the ignore file for an entry. Only rules
that are turned on are checked, so a rule switched off for a while does not make its
ignores look stale.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from referral_lint.config import ALL, DEFAULT_CHANNEL, PSEUDO_RULES, UNUSED_IGNORE, Config, ConfigError, RuleInfo, catalogue, enabled_rules
from referral_lint.files import replace_file
from referral_lint.model import Edit, Report, Severity, Suggestion, Violation
from referral_lint.positions import LineIndex

IGNORE_FILE = ".referral-lint-ignore"
MARKDOWN_SUFFIXES = (".md", ".markdown")
DIRECTIVE_KINDS = ("disable", "enable", "disable-next-line", "disable-line")
DIGEST_LENGTH = 12

_DIRECTIVE = re.compile(r"<!--\s*referral-lint\b(?P<body>.*?)-->", re.DOTALL)


def unused_ignore_rule() -> Any:
    """The unused-ignore pseudo-rule as a RuleSpec, for ``rules``, ``explain`` and SARIF."""
    from referral_lint.engine.schema import Example, RuleSpec

    group, default, severity = PSEUDO_RULES[UNUSED_IGNORE]
    return RuleSpec(
        id=UNUSED_IGNORE,
        file="(built in)",
        summary="Remove ignores that no longer suppress anything",
        severity=severity,
        why=(
            "An ignore comment or ignore-file entry records a decision about one violation. Once the "
            "violation is gone (the sentence was rewritten, the problem fixed), the ignore no longer "
            "does anything, except hide the same problem if it comes back somewhere else in the region."
        ),
        check="forbid",
        message="Unused suppression",
        group=group,
        default=default,
        details=(
            "Reported at the comment in a markdown draft, and at the line of .referral-lint-ignore for an "
            "ignore-file entry. Only rules that are turned on are checked, so switching a rule off for a while "
            "does not make its ignores look unused. An unknown rule id in an ignore, or a comment that is not "
            "disable, enable, disable-next-line or disable-line, is reported too."
        ),
        bad_examples=(Example("<!-- referral-lint disable-next-line demanding-phrasing -->\nWould you be open to referring me?"),),
        good_examples=(Example("<!-- referral-lint disable-next-line demanding-phrasing -->\nRefer me ASAP, please: the posting closes Friday."),),
    )


def is_markdown(name: str | Path | None) -> bool:
    return name is not None and Path(str(name)).suffix.lower() in MARKDOWN_SUFFIXES


# --- markdown comments ---------------------------------------------------------------


@dataclass(frozen=True)
class Directive:
    """A ``<!-- referral-lint … -->`` comment: what it does and where it is."""

    kind: str  # one of DIRECTIVE_KINDS, or what was written when it is not one
    names: tuple[str, ...] | None  # rule ids or groups as written; None: every rule
    start: int  # offsets of the whole comment
    end: int
    line: int  # 1-based lines of its first and last character
    end_line: int

    @property
    def valid(self) -> bool:
        return self.kind in DIRECTIVE_KINDS


def parse_directives(text: str) -> list[Directive]:
    """Every referral-lint comment in ``text``, in order."""
    directives = []
    lines = LineIndex(text)
    for match in _DIRECTIVE.finditer(text):
        words = match["body"].lstrip(" \t:").replace(",", " ").split()  # "referral-lint: disable" too
        kind = words[0] if words else ""
        names = tuple(words[1:]) or None
        line = lines.position(match.start())[0]
        end_line = lines.position(match.end() - 1)[0]
        directives.append(Directive(kind, names, match.start(), match.end(), line, end_line))
    return directives


def blank_directives(text: str) -> str:
    """``text`` with each referral-lint comment replaced by spaces (line breaks kept, offsets unchanged)."""
    return _DIRECTIVE.sub(lambda m: re.sub(r"[^\r\n]", " ", m[0]), text)


@dataclass
class _Use:
    """What one disabling directive suppressed."""

    directive: Directive
    rules: frozenset[str] | None  # the rule ids it covers; None: all
    suppressed: set[str] = field(default_factory=set)


def _apply_directives(
    report: Report, text: str, rules: tuple[RuleInfo, ...], enabled: Collection[str], severity: Severity | None
) -> tuple[list[Violation], list[Violation], list[Violation]]:
    """(kept, suppressed, unused-ignore violations) for the comments in ``text``, a markdown draft."""
    directives = parse_directives(text)
    if not directives:
        return list(report.violations), [], []
    groups: dict[str, set[str]] = {ALL: {rule.id for rule in rules}}
    for rule in rules:
        groups.setdefault(rule.id, set()).add(rule.id)
        groups.setdefault(rule.group, set()).add(rule.id)

    problems: list[tuple[Directive, str]] = []
    uses: list[_Use] = []
    for directive in directives:
        if not directive.valid:
            problems.append((directive, f'unknown suppression comment "{directive.kind}" (expected one of: {", ".join(DIRECTIVE_KINDS)})'))
            continue
        unknown = [name for name in directive.names or () if name not in groups]
        if unknown:
            problems.append((directive, f"unknown rule or group {unknown[0]!r} in a suppression comment"))
        covered = None if directive.names is None else frozenset(i for name in directive.names for i in groups.get(name, ()))
        uses.append(_Use(directive, covered))

    kept, suppressed = [], []
    for violation in report.violations:
        if violation.rule == UNUSED_IGNORE:
            kept.append(violation)
            continue
        use = _suppressed_by(violation, uses)
        if use is None:
            kept.append(violation)
        else:
            use.suppressed.add(violation.rule)
            suppressed.append(violation)

    unused: list[Violation] = []
    if severity is not None:
        for directive, problem in problems:
            unused.append(_unused_comment(text, directive, problem, severity, None))
        for use in uses:
            directive = use.directive
            if directive.kind == "enable" or directive.names is not None and any(
                name not in groups for name in directive.names
            ):
                continue  # an enable suppresses nothing; an unknown name was reported above
            if directive.names is None:
                if not use.suppressed and enabled:
                    unused.append(_unused_comment(text, directive, f"this comment suppresses nothing: no violation is {_where(directive)}", severity, None))
                continue
            stale = [
                name
                for name in directive.names
                if groups[name] & set(enabled) and not groups[name] & use.suppressed
            ]
            if stale:
                quoted = " or ".join(f"'{name}'" for name in stale)
                keep = [name for name in directive.names if name not in stale]
                unused.append(_unused_comment(text, directive, f"no {quoted} violation is {_where(directive)}", severity, keep))
    return kept, suppressed, unused


def _where(directive: Directive) -> str:
    return {
        "disable": "in the region this comment disables",
        "disable-next-line": "on the next line",
        "disable-line": "on this line",
    }[directive.kind]


def _suppressed_by(violation: Violation, uses: list[_Use]) -> _Use | None:
    """The directive that suppresses ``violation`` (a line directive first), or None."""
    rule = violation.rule
    for use in uses:
        directive = use.directive
        if directive.kind == "disable-next-line":
            covered = violation.line == directive.end_line + 1
        elif directive.kind == "disable-line":
            covered = directive.line <= violation.line <= directive.end_line
        else:
            continue
        if covered and (use.rules is None or rule in use.rules):
            return use
    # Replay the disable/enable comments before the violation.
    by_rule: dict[str, _Use | None] = {}
    all_by: _Use | None = None
    for use in uses:
        directive = use.directive
        if directive.kind not in ("disable", "enable"):
            continue
        if directive.end > violation.start:
            break
        if directive.kind == "disable":
            if use.rules is None:
                all_by, by_rule = use, {}
            else:
                by_rule.update(dict.fromkeys(use.rules, use))
        elif use.rules is None:
            all_by, by_rule = None, {}
        else:
            by_rule.update(dict.fromkeys(use.rules, None))
    return by_rule[rule] if rule in by_rule else all_by


def _unused_comment(text: str, directive: Directive, problem: str, severity: Severity, keep: list[str] | None) -> Violation:
    if keep:
        replacement = f"<!-- referral-lint {directive.kind} {', '.join(keep)} -->"
        suggestion = Suggestion(f"Keep only {', '.join(keep)} in the comment", (Edit(directive.start, directive.end, replacement),))
    else:
        start, end = _whole_lines(text, directive.start, directive.end)
        suggestion = Suggestion("Remove the comment", (Edit(start, end, ""),))
    return _violation(text, directive.start, directive.end, f"Unused suppression: {problem}.", severity, suggestion)


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``–``end`` widened to whole lines (with the line break) when nothing else is on them."""
    lines = LineIndex(text)
    first, last = lines.line_index(start), lines.line_index(end)
    line_start, content_end = lines.starts[first], lines.ends[last]
    if text[line_start:start].strip() or text[end:content_end].strip():
        return start, end
    return line_start, lines.starts[last + 1] if last + 1 < len(lines.starts) else len(text)


def _violation(text: str, start: int, end: int, message: str, severity: Severity, suggestion: Suggestion) -> Violation:
    lines = LineIndex(text)
    line, column = lines.position(start)
    end_line, end_column = lines.position(end)
    return Violation(
        rule=UNUSED_IGNORE, severity=severity, message=message, start=start, end=end, line=line, column=column,
        suggestions=(suggestion,), end_line=end_line, end_column=end_column,
    )


# --- sentences and their hashes --------------------------------------------------------

# A sentence ends at . ! ? or …, at the end of a line that ends in , ; or : (a greeting,
# a sign-off), and at a blank line. A line break inside a sentence does not end it, so
# re-wrapping a paragraph keeps its hashes.
_SENTENCE_END = re.compile(
    r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s|$)"
    r"|[,;:](?=[ \t]*(?:\r\n|\r|\n))"
    r"|(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)"
)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"'})


def sentence_span(text: str, offset: int) -> tuple[int, int]:
    """The sentence holding ``offset``: the nearest one before it when it is on a blank line."""
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
    segments = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1) if bounds[i] < bounds[i + 1]] or [(0, len(text))]
    index = next((i for i, (start, end) in enumerate(segments) if start <= offset < end), len(segments) - 1)
    order = [*range(index, -1, -1), *range(index + 1, len(segments))]
    for candidate in order:
        start, end = segments[candidate]
        if text[start:end].strip():
            return start, end
    return segments[index]


def normalise_sentence(sentence: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", sentence).translate(_QUOTES).casefold().split())


def sentence_digest(text: str, offset: int) -> str:
    """The hash an ignore entry stores for a violation at ``offset`` in ``text``."""
    start, end = sentence_span(text, offset)
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
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        start, offset = offset, offset + len(line)
        content = line.strip()
        if not content or content.startswith("#"):
            continue
        match = _ENTRY.match(line.rstrip("\r\n"))
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
        violations.append(_violation(ignore.text, entry.start, line_end, f"Unused ignore entry: {problem}.", severity, suggestion))
    return Report(text=ignore.text, channel=channel, violations=violations)


# --- applying both ---------------------------------------------------------------------


@dataclass
class Outcome:
    """A draft's report after suppression.

    ``report``: what to show (suppressed violations dropped, unused-ignore violations
    for markdown comments added). ``suppressed``: what was dropped. ``stale``: entries
    of the draft's ignore file that matched nothing, each with its problem and severity
    (turn them into a report on the ignore file with :func:`unused_entries_report`).
    """

    report: Report
    suppressed: list[Violation] = field(default_factory=list)
    ignore_file: IgnoreFile | None = None
    stale: list[tuple[IgnoreEntry, str, Severity]] = field(default_factory=list)


def rule_catalogue(config: Config) -> tuple[tuple[RuleInfo, ...], frozenset[str]]:
    """(every known rule, the ids ``config`` turns on): what suppression checks names against."""
    from referral_lint.engine.loader import load_rules

    rules = catalogue(load_rules(config.rule_dirs))
    return rules, enabled_rules(rules, config)


def apply_suppressions(
    report: Report,
    *,
    config: Config | None = None,
    path: str | Path | None = None,
    markdown: bool | None = None,
    ignore_file: bool = True,
    source: str | None = None,
) -> Outcome:
    """Drop the violations of ``report`` that the draft's comments or ignore file suppress.

    ``source``: the draft's text as the writer sees it, when the linter read a
    prepared copy of the same length (a markdown file with its comments and code
    blanked out); by default ``report.text``. Comments are read from it, and sentence
    hashes computed on it. ``path``: where the draft is (or would be), for its
    ignore file; None reads none. ``markdown``: whether comments count (default:
    from ``path``'s suffix). ``config``: the draft's configuration, which says which
    rules are on, and the severity of unused-ignore.

    Raises IgnoreFileError for an ignore file that cannot be read.
    """
    text = source if source is not None else report.text
    config = config or Config()
    rules, enabled = rule_catalogue(config)
    severity = None
    if UNUSED_IGNORE in enabled:
        severity = config.severity_of(UNUSED_IGNORE, "suppression") or Severity.WARNING
    if markdown is None:
        markdown = is_markdown(path)
    kept: list[Violation] = list(report.violations)
    suppressed: list[Violation] = []
    unused: list[Violation] = []
    if markdown:
        kept, suppressed, unused = _apply_directives(report, text, rules, enabled, severity)

    ignores: IgnoreFile | None = None
    stale: list[tuple[IgnoreEntry, str, Severity]] = []
    if ignore_file and path is not None:
        ignores = read_ignore_file(ignore_file_for(path))
        entries = ignores.for_draft(Path(path).name)
        if entries:
            known = {rule.id for rule in rules}
            keys = {(entry.rule, entry.digest) for entry in entries}
            used: set[tuple[str, str]] = set()
            remaining = []
            digests: dict[int, str] = {}
            for violation in report.violations:  # every violation, so an entry also counts as used where a comment got there first
                if violation.rule == UNUSED_IGNORE:
                    continue
                if violation.start not in digests:
                    digests[violation.start] = sentence_digest(text, violation.start)
                digest = digests[violation.start]
                if (violation.rule, digest) in keys:
                    used.add((violation.rule, digest))
            for violation in kept:
                if violation.rule != UNUSED_IGNORE and (violation.rule, digests.get(violation.start)) in used:
                    suppressed.append(violation)
                else:
                    remaining.append(violation)
            kept = remaining
            if severity is not None:
                for entry in entries:
                    if entry.rule not in known:
                        stale.append((entry, f"unknown rule {entry.rule!r}", severity))
                    elif entry.rule in enabled and (entry.rule, entry.digest) not in used:
                        problem = f"the sentence it points at in {entry.file} has changed, or has no {entry.rule} violation any more"
                        stale.append((entry, problem, severity))
    violations = sorted(kept + unused, key=lambda v: (v.start, v.end, v.rule))
    return Outcome(replace(report, violations=violations), suppressed, ignores, stale)


def lint_draft(
    linter: Any, text: str, *, path: str | Path | None = None, markdown: bool | None = None, channel: str | None = None,
) -> Outcome:
    """Lint ``text`` with ``linter`` (a referral_lint.Linter) and apply the suppressions.

    A thin caller of :class:`referral_lint.session.LintSession` with the linter's
    configuration: a markdown draft (``markdown``, default: by ``path``'s suffix) is
    read as the CLI reads a .md file, its comments and code blanked out before
    linting; the report holds the text as given. Raises ValueError for a text that
    cannot be linted (empty, or a markdown draft with no prose), IgnoreFileError for an
    ignore file that cannot be read.
    """
    from referral_lint.inputs import Draft, InputError
    from referral_lint.session import LintSession

    session = LintSession(config=linter.config)
    session.linters[linter.config] = linter
    where = str(path) if path is not None else None
    if markdown is False:
        linted = session.lint_draft(Draft(where or "<text>", text), path=where, channel=channel)
    else:
        linted = session.lint_text(text, path=where, language="markdown" if markdown else None, channel=channel)
    if isinstance(linted, InputError):
        raise ValueError(str(linted))
    if linted.ignore_error is not None:
        raise linted.ignore_error
    report = replace(linted.report, text=linted.text)
    return Outcome(report, list(linted.suppressed), linted.ignore_file, list(linted.stale))
