"""Suppressing violations the writer has decided to keep: :func:`apply_suppressions`.

Two mechanisms, applied by the lint session (CLI, language server) to a Report;
``referral_lint.lint()`` itself never reads a file and never suppresses anything:
comments in markdown drafts (:mod:`referral_lint.suppress_comments`) and an ignore
file for plain-text drafts, which cannot hold comments (:mod:`referral_lint.ignore_file`).

An ignore that suppresses nothing is reported as a violation of the pseudo-rule
``unused-ignore`` (:mod:`referral_lint.unused_ignore`): at the comment in a markdown
draft, at the line of the ignore file for an entry. Only rules that are turned on are
checked, so a rule switched off for a while does not make its ignores look stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from referral_lint.config import UNUSED_IGNORE, Config, RuleInfo, catalogue, enabled_rules
from referral_lint.ignore_file import IgnoreEntry, IgnoreFile, apply_ignore_entries, ignore_file_for, read_ignore_file
from referral_lint.model import Report, Severity, Violation, count_by_rule
from referral_lint.suppress_comments import apply_comments

MARKDOWN_SUFFIXES = (".md", ".markdown")


def is_markdown(name: str | Path | None) -> bool:
    return name is not None and Path(str(name)).suffix.lower() in MARKDOWN_SUFFIXES


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


# rule_catalogue's answers by configuration, each with the rules it was worked out from.
_CATALOGUES: dict[Config, tuple[tuple[Any, ...], tuple[tuple[RuleInfo, ...], frozenset[str]]]] = {}


def rule_catalogue(config: Config) -> tuple[tuple[RuleInfo, ...], frozenset[str]]:
    """(every known rule, the ids ``config`` turns on): what suppression checks names against.

    Worked out once per configuration and set of loaded rules (every draft asks), again
    when the rules were read again (``load_rules`` then gives a new tuple)."""
    from referral_lint.engine.loader import load_rules

    loaded = load_rules(config.rule_dirs)
    known = _CATALOGUES.get(config)
    if known is not None and known[0] is loaded:
        return known[1]
    rules = catalogue(loaded)
    answer = rules, enabled_rules(rules, config)
    if len(_CATALOGUES) >= 64:  # a long-running server sees many configurations: keep the recent ones
        del _CATALOGUES[next(iter(_CATALOGUES))]
    _CATALOGUES[config] = (loaded, answer)
    return answer


def apply_suppressions(
    report: Report,
    *,
    config: Config | None = None,
    path: str | Path | None = None,
    markdown: bool | None = None,
    ignore_file: bool = True,
    source: str | None = None,
    ignores: IgnoreFile | None = None,
) -> Outcome:
    """Drop the violations of ``report`` that the draft's comments or ignore file suppress.

    ``source``: the draft's text as the writer sees it, when the linter read a
    prepared copy of the same length (a markdown file with its comments and code
    blanked out); by default ``report.text``. Comments are read from it, and sentence
    hashes computed on it. ``path``: where the draft is (or would be), for its
    ignore file; None reads none. ``markdown``: whether comments count (default:
    from ``path``'s suffix). ``config``: the draft's configuration, which says which
    rules are on, and the severity of unused-ignore. ``ignores``: the ignore file beside
    ``path``, if the caller has read it already (a run keeps each directory's).

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
    # The violations past the cap are suppressed as the listed ones are, so that a comment
    # used only by them is not unused, and what is left out is counted after suppression.
    every_violation = [*report.violations, *report.unlisted]
    kept: list[Violation] = every_violation
    suppressed: list[Violation] = []
    unused: list[Violation] = []
    if markdown:
        kept, suppressed, unused = apply_comments(replace(report, violations=every_violation), text, rules, enabled, severity)

    stale: list[tuple[IgnoreEntry, str, Severity]] = []
    if ignore_file and path is not None:
        if ignores is None:
            ignores = read_ignore_file(ignore_file_for(path))
        kept, dropped, stale = apply_ignore_entries(
            ignores, Path(path).name, text, every_violation, kept, rules, enabled, severity
        )
        suppressed += dropped
    if report.unlisted:
        unlisted = {id(violation) for violation in report.unlisted}
        left_out = [violation for violation in kept if id(violation) in unlisted]
        kept = [violation for violation in kept if id(violation) not in unlisted]
        report = replace(report, omitted=count_by_rule(left_out), unlisted=left_out)
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
