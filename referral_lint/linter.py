"""The Linter: rules compiled once, applied to any number of messages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from referral_lint.budget import character_cap, within_cap
from referral_lint.config import CHANNELS, DEFAULT_CHANNEL, Config, ConfigError, select_rules
from referral_lint.engine.check_kinds import check_kind
from referral_lint.engine.checks import Finding, MessageContext, applies
from referral_lint.engine.compiler import CompiledRules
from referral_lint.engine.loader import builtin_rules_dir, load_rules
from referral_lint.engine.rule_cache import compiled_rules
from referral_lint.engine.schema import RuleSpec, WhenSpec
from referral_lint.doc import make_doc
from referral_lint.parts import message_parts
from referral_lint.model import MAX_VIOLATIONS_PER_RULE, Report, Severity, Violation, count_by_rule, split_at_cap
from referral_lint.normalize import NormalizedText
from referral_lint.parallel import DEFAULT_CHUNK_SIZE
from referral_lint.pipeline import load_pipeline, message_memory
from referral_lint.rewrite import RewriteContext

__all__ = ["Linter", "linter_for", "select_rules"]  # select_rules: where the API has always found it

_SUBJECT_LINE = re.compile(r"\s*subject\s*:", re.IGNORECASE)
#: A draft short enough to lint in no time, long enough to run every component.
_WARM_UP = "Hi Sam, we met at the meetup. Would you be open to referring me for the Data Analyst role? Thanks!"


def rules_depended_on(rules: tuple[RuleSpec, ...], selected: tuple[RuleSpec, ...]) -> tuple[RuleSpec, ...]:
    """The rules that ``selected`` rules' ``when.fails`` name but that are not selected themselves
    (and those they depend on): they run unreported, so that a condition holds the same whether or not
    the rule it names is selected (``select = ["cold-referral-ask"]`` alone still works)."""
    by_id = {rule.id: rule for rule in rules}
    chosen = {rule.id for rule in selected}
    needed: list[RuleSpec] = []
    pending = [name for rule in selected for name in rule.when.fails]
    while pending:
        name = pending.pop()
        if name not in chosen:
            chosen.add(name)
            needed.append(by_id[name])
            pending.extend(by_id[name].when.fails)
    return tuple(needed)


def fold_dependent_findings(findings: list[Finding]) -> list[Finding]:
    """One problem, one diagnostic: a finding of a rule that runs only when another reported
    (``when.fails``) is about the same problem, so when that rule's finding is there, the dependent
    finding's suggestions join it instead of being reported twice."""
    first_of: dict[str, Finding] = {}
    for finding in findings:
        first_of.setdefault(finding.rule.id, finding)
    kept: list[Finding] = []
    for finding in findings:
        host = next((first_of[name] for name in finding.rule.when.fails if name in first_of), None)
        if host is None:
            kept.append(finding)
            continue
        new = tuple(s for s in finding.suggestions if s not in host.suggestions)
        host.suggestions = (*host.suggestions, *new)
    return kept


@lru_cache(maxsize=8)
def _compiled(rules: tuple[RuleSpec, ...], model: str | None, rule_dirs: tuple[Path, ...]) -> CompiledRules:
    """``rules``, loaded from ``rule_dirs`` and the built-in rules, compiled for ``model`` (once
    per process; across runs, the rule cache keeps them compiled)."""
    directories = (builtin_rules_dir(), *rule_dirs)
    return compiled_rules(rules, load_pipeline(model), directories=directories, model=model)


class Linter:
    """Lints messages with one configuration; build it once and reuse it."""

    def __init__(self, config: Config | None = None, *, model: str | None = None) -> None:
        self.config = config or Config()
        if model is not None:
            self.config = replace(self.config, model=model)
        every_rule = load_rules(self.config.rule_dirs)
        self.rules = select_rules(every_rule, self.config)
        # Unselected rules that selected ones depend on run last in the set, unreported.
        self._unreported = rules_depended_on(every_rule, self.rules)
        running = self.rules + self._unreported
        self.nlp = load_pipeline(self.config.model)
        self._compiled = _compiled(running, self.config.model, self.config.rule_dirs)
        # Each rule with its check and whether it has a condition; rules that depend on others'
        # results (``when.fails``) run after them.
        self._plan = [
            (index, rule, check_kind(rule.check).check, rule.when != WhenSpec())
            for index, rule in sorted(enumerate(running), key=lambda item: bool(item[1].when.fails))
        ]
        self._caps = {channel: character_cap(every_rule, channel) for channel in CHANNELS}
        self._severity = {rule.id: self.config.severity_of(rule.id, rule.group) for rule in self.rules}

    def warm_up(self) -> None:
        """Lint a short draft once, so that what loads on first use (the lemma and inflection
        tables, patterns compiled when first needed) is loaded before the first real draft."""
        self.lint(_WARM_UP)

    def parse(self, text: str):  # -> spacy.tokens.Doc; untyped to keep spaCy out of the signature
        """The spaCy Doc of a message's normalised text (what the rules read)."""
        return make_doc(self.nlp, NormalizedText.from_original(text).text)

    def detect_channel(self, text: str, kind: str = "other") -> str:
        """Where a message goes, when nobody said: only what the text shows reliably.

        A "Subject:" first line means an email; a follow-up ("just following up on my
        note…") is judged as one; anything else is a direct message.
        """
        if _SUBJECT_LINE.match(text):
            return "email"
        if kind == "followup":
            return "followup"
        return DEFAULT_CHANNEL

    def lint(self, text: str, *, channel: str | None = None, all_violations: bool = False) -> Report:
        """Every violation in ``text``; offsets index ``text`` itself.

        At most ``MAX_VIOLATIONS_PER_RULE`` per rule are listed, the rest counted in
        ``Report.omitted``; ``all_violations`` lists them all (``fix`` fixes every one)."""
        _check_channel(channel)
        source = NormalizedText.from_original(text)
        with message_memory(self.nlp):  # the Doc lives only in here: findings are plain data
            doc = make_doc(self.nlp, source.text)
            parts = message_parts(doc)
            channel = channel or self.config.channel or self.detect_channel(source.text, parts.kind)
            listed_per_rule = None if all_violations else MAX_VIOLATIONS_PER_RULE
            context = MessageContext(RewriteContext(source, doc, parts), channel, self._compiled.find(doc), listed_per_rule)
            findings: list[Finding] = []
            skipped = []
            failed: set[str] = set()
            for index, rule, check, conditional in self._plan:
                if conditional and not applies(index, rule, context, failed):
                    continue
                found = check(index, rule, context)
                if found:
                    failed.add(rule.id)
                    findings.extend(found)
                if self._compiled.skipped and rule not in self._unreported:
                    skipped.extend(self._compiled.skipped.get(rule.id, ()))
            del context, doc
        if self._unreported:
            findings = [finding for finding in findings if finding.rule not in self._unreported]
        findings = fold_dependent_findings(findings)
        violations = sorted(
            (_to_violation(finding, source, self._severity[finding.rule.id]) for finding in findings),
            key=lambda v: (v.start, v.end, v.rule),
        )
        unlisted: list[Violation] = []
        if not all_violations:
            violations, unlisted = split_at_cap(violations)
        cap = self._caps.get(channel)
        if cap is not None:
            violations = within_cap(text, violations, cap)
        return Report(
            text=text, channel=channel, violations=violations, skipped=skipped, omitted=count_by_rule(unlisted),
            unlisted=unlisted,
        )

    def lint_many(
        self,
        texts: Iterable[str],
        *,
        jobs: int = 1,
        channel: str | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> Iterator[Report]:
        """A Report per text, in input order, linted on ``jobs`` worker processes.

        ``texts`` is read lazily, ``chunk_size`` texts at a time, with a bounded number
        of chunks in flight, so a long or endless iterable is fine. With ``jobs=1``
        everything runs in this process; see referral_lint.parallel for the workers.
        """
        from referral_lint.parallel import lint_text, map_ordered

        _check_channel(channel)
        return map_ordered(self, lint_text, ((text, channel) for text in texts), jobs=jobs, chunk_size=chunk_size)


def _check_channel(channel: str | None) -> None:
    if channel is not None and channel not in CHANNELS:
        raise ConfigError(f"unknown channel {channel!r} (expected one of: {', '.join(CHANNELS)})")


def _to_violation(finding: Finding, source: NormalizedText, severity: Severity | None) -> Violation:
    """``severity``: the configured severity of the finding's rule, if the configuration sets one."""
    start, end = source.span_to_original(*finding.span)
    line, column = source.line_column(start)
    end_line, end_column = source.line_column(end)
    return Violation(
        rule=finding.rule.id,
        severity=severity or finding.severity,
        message=finding.message,
        start=start,
        end=end,
        line=line,
        column=column,
        suggestions=finding.suggestions,
        end_line=end_line,
        end_column=end_column,
    )


@lru_cache(maxsize=8)
def linter_for(config: Config | None) -> Linter:
    """A shared Linter per configuration (what ``referral_lint.lint`` uses)."""
    return Linter(config)
