"""Suppression comments in markdown drafts.

``<!-- referral-lint disable RULE -->`` turns rules off until ``<!-- referral-lint
enable RULE -->`` (or the end of the draft); ``disable-next-line`` covers the next line
and ``disable-line`` its own. Without a rule, a comment means every rule; rules are ids
or groups, separated by commas or spaces. The comments themselves are blanked out
(replaced by spaces, so offsets do not move) before the draft is linted, so they do not
count towards length and do not hide the greeting. A comment that suppresses nothing,
names an unknown rule or is no known kind is an unused-ignore violation at the comment.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from referral_lint.config import ALL, UNUSED_IGNORE, RuleInfo
from referral_lint.model import Edit, Report, Severity, Suggestion, Violation
from referral_lint.positions import LineIndex
from referral_lint.unused_ignore import unused_ignore_violation

DIRECTIVE_KINDS = ("disable", "enable", "disable-next-line", "disable-line")

_DIRECTIVE = re.compile(r"<!--\s*referral-lint\b(?P<body>.*?)-->", re.DOTALL)


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


def apply_comments(
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
    return unused_ignore_violation(text, directive.start, directive.end, f"Unused suppression: {problem}.", severity, suggestion)


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``–``end`` widened to whole lines (with the line break) when nothing else is on them."""
    lines = LineIndex(text)
    first, last = lines.line_index(start), lines.line_index(end)
    line_start, content_end = lines.starts[first], lines.ends[last]
    if text[line_start:start].strip() or text[end:content_end].strip():
        return start, end
    return line_start, lines.starts[last + 1] if last + 1 < len(lines.starts) else len(text)
