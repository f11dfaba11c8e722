"""The Linter: rules compiled once, applied to any number of messages."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from referral_lint.config import CHANNELS, DEFAULT_CHANNEL, Config, ConfigError
from referral_lint.engine.checks import CHECKS, Finding, MessageContext, applies
from referral_lint.engine.compiler import CompiledRules
from referral_lint.engine.loader import load_rules
from referral_lint.engine.schema import RuleSpec
from referral_lint.message import make_doc
from referral_lint.model import Report, Violation
from referral_lint.normalize import NormalizedText
from referral_lint.pipeline import load_pipeline
from referral_lint.rewrite import RewriteContext

_SUBJECT_LINE = re.compile(r"\s*subject\s*:", re.IGNORECASE)


def select_rules(rules: tuple[RuleSpec, ...], config: Config) -> tuple[RuleSpec, ...]:
    """The rules ``config`` selects, by id or group; unknown names are an error."""
    names = {rule.id for rule in rules} | {rule.group for rule in rules}
    for name in (*(config.select or ()), *config.ignore, *(rule for rule, _ in config.severity)):
        if name not in names:
            raise ConfigError(f"unknown rule or group {name!r}")
    chosen = [
        rule
        for rule in rules
        if (config.select is None or rule.id in config.select or rule.group in config.select)
        and rule.id not in config.ignore
        and rule.group not in config.ignore
    ]
    return tuple(chosen)


@lru_cache(maxsize=8)
def _compiled(rules: tuple[RuleSpec, ...], model: str | None) -> CompiledRules:
    return CompiledRules(rules, load_pipeline(model))


class Linter:
    """Lints messages with one configuration; build it once and reuse it."""

    def __init__(self, config: Config | None = None, *, model: str | None = None) -> None:
        self.config = config or Config()
        if model is not None:
            self.config = replace(self.config, model=model)
        self.rules = select_rules(load_rules(self.config.rule_dirs), self.config)
        self.nlp = load_pipeline(self.config.model)
        self._compiled = _compiled(self.rules, self.config.model)

    def parse(self, text: str):  # -> spacy.tokens.Doc; untyped to keep spaCy out of the signature
        """The spaCy Doc of a message's normalised text (what the rules read)."""
        return make_doc(self.nlp, NormalizedText.from_original(text).text)

    def detect_channel(self, text: str) -> str:
        if _SUBJECT_LINE.match(text):
            return "email"
        return DEFAULT_CHANNEL

    def lint(self, text: str, *, channel: str | None = None) -> Report:
        """Every violation in ``text``; offsets index ``text`` itself."""
        if channel is not None and channel not in CHANNELS:
            raise ConfigError(f"unknown channel {channel!r} (expected one of: {', '.join(CHANNELS)})")
        source = NormalizedText.from_original(text)
        doc = make_doc(self.nlp, source.text)
        channel = channel or self.config.channel or self.detect_channel(source.text)
        context = MessageContext(
            RewriteContext(source, doc, doc._.parts), channel, self._compiled.find(doc)
        )
        findings: list[Finding] = []
        skipped = []
        for index, rule in enumerate(self.rules):
            if not applies(index, rule, context):
                continue
            findings.extend(CHECKS[rule.check](index, rule, context))
            skipped.extend(self._compiled.skipped.get(rule.id, ()))
        violations = sorted(
            (_to_violation(finding, source, self.config) for finding in findings),
            key=lambda v: (v.start, v.end, v.rule),
        )
        return Report(text=text, channel=channel, violations=violations, skipped=skipped)


def _to_violation(finding: Finding, source: NormalizedText, config: Config) -> Violation:
    start, end = source.span_to_original(*finding.span)
    line, column = source.line_column(start)
    end_line, end_column = source.line_column(end)
    return Violation(
        rule=finding.rule.id,
        severity=config.severity_of(finding.rule.id) or finding.severity,
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
