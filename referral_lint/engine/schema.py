"""The rule file format: the rule classes, and a rule file's validation.

A rule file is checked completely when it is loaded: an unknown key, a value of the wrong
type, a regex that RE2 cannot compile, a message template with an unknown placeholder are
errors that name the file, the line and the key. The structure is checked against the
rule format's JSON Schema (``rule_schema.py``); what a JSON Schema cannot say is checked
here, while the rule classes are built. Token patterns are checked against spaCy's Matcher
schema when the rules are compiled (``compiler.py``), with the same kind of error.
docs/rules.md is the user-facing description of this format; keep the two in step.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

from referral_lint.engine.check_kinds import check_kind
from referral_lint.engine.rule_schema import PATTERN_KINDS, REWRITES, SUGGEST_ACTIONS, check_structure
from referral_lint.model import Applicability, Severity, SuggestSpec
from referral_lint.yamlsource import LocatedDocument, Path_, format_path

# Token attributes that only a trained pipeline sets.
TRAINED_ATTRIBUTES = {"POS": "tagger", "TAG": "tagger", "MORPH": "tagger", "DEP": "parser"}


@dataclass(frozen=True, eq=False)  # compared by identity: token patterns hold lists
class PatternSpec:
    """One pattern: what to match, and what to say and suggest about a match."""

    kind: str  # phrases | lemmas | tokens | regex
    values: tuple[Any, ...]  # phrase strings, token-pattern lists, or regex strings
    line: int | None
    key: str  # where the pattern sits in the file, for compile errors
    message: str | None = None
    suggest: tuple[SuggestSpec, ...] = ()
    skip_questions: bool = False
    sentence_has: frozenset[str] = frozenset()
    sentence_lacks: frozenset[str] = frozenset()
    case_sensitive: bool = False
    needs: frozenset[str] = frozenset()
    kinds: frozenset[str] | None = None  # counts only in messages of these kinds (None: any)


@dataclass(frozen=True)
class Bound:
    severity: Severity
    min: int | None = None
    max: int | None = None
    message: str | None = None
    suggest: tuple[SuggestSpec, ...] = ()
    kinds: frozenset[str] | None = None  # holds only in messages of these kinds (None: any)


@dataclass(frozen=True)
class LimitSpec:
    measure: str
    bounds: tuple[Bound, ...]


@dataclass(frozen=True)
class WhenSpec:
    channels: frozenset[str] | None = None
    kinds: frozenset[str] | None = None
    has: tuple[str, ...] = ()
    fails: tuple[str, ...] = ()  # rule ids that must have reported a violation
    matches: tuple[PatternSpec, ...] = ()
    unless: tuple[PatternSpec, ...] = ()


@dataclass(frozen=True)
class KindVoice:
    """How a rule speaks to one kind of message: a gentler severity, a message of its own."""

    severity: Severity
    message: str | None = None


@dataclass(frozen=True)
class Example:
    text: str
    channel: str | None = None
    fixed: str | None = None


@dataclass(frozen=True, eq=False)  # compared by identity, so compiled rule sets can be cached
class RuleSpec:
    """A validated rule file."""

    id: str
    file: str
    summary: str
    severity: Severity
    why: str
    check: str
    message: str
    group: str = "core"
    default: bool = True  # runs without an explicit ``select``
    scope: str = "message"
    when: WhenSpec = field(default_factory=WhenSpec)
    patterns: tuple[PatternSpec, ...] = ()
    exceptions: tuple[PatternSpec, ...] = ()
    locate: tuple[PatternSpec, ...] = ()
    report_at: tuple[str, ...] = ("body-start",)
    suggest: tuple[SuggestSpec, ...] = ()
    limits: dict[str, LimitSpec] = field(default_factory=dict)
    by_kind: dict[str, KindVoice] = field(default_factory=dict)  # message kind -> how to report there
    bad_examples: tuple[Example, ...] = ()
    good_examples: tuple[Example, ...] = ()
    details: str | None = None

    @property
    def trained_only_patterns(self) -> int:
        """How many patterns need a trained pipeline (skipped on the default one)."""
        all_patterns = (*self.patterns, *self.exceptions, *self.locate, *self.when.matches, *self.when.unless)
        return sum(1 for pattern in all_patterns if pattern.needs)


# --- validation: what the JSON Schema cannot say, while the rule is built --------------------


class _Builder:
    """Turns a LocatedDocument whose structure the schema accepted into a RuleSpec, raising
    RuleError at the first problem only the rule's meaning shows."""

    def __init__(self, document: LocatedDocument, expected_id: str | None) -> None:
        self.doc = document
        self.expected_id = expected_id

    def fail(self, path: Path_, problem: str) -> Exception:
        return self.doc.error(path, problem)

    def template(self, text: str, path: Path_, fields: frozenset[str]) -> str:
        """A message template that uses only ``fields``."""
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as error:
            raise self.fail(path, f"bad message template: {error}") from None
        unknown = names - fields
        if unknown:
            allowed = ", ".join("{" + name + "}" for name in sorted(fields)) or "none"
            raise self.fail(path, f"unknown placeholder {{{sorted(unknown)[0]}}} (allowed: {allowed})")
        return text

    def rule(self) -> RuleSpec:
        data = self.doc.value
        if self.expected_id and data["id"] != self.expected_id:
            raise self.fail(("id",), f"must match the file name ({self.expected_id!r})")
        kind = check_kind(data["check"])
        fields = kind.message_fields
        spec: dict[str, Any] = {
            "id": data["id"],
            "file": self.doc.file,
            "summary": data["summary"],
            "severity": Severity(data["severity"]),
            "why": data["why"],
            "check": kind.name,
            "message": self.template(data.get("message", "{value}"), ("message",), fields),
        }
        for key in ("group", "default", "scope", "details"):
            if key in data:
                spec[key] = data[key]
        if "when" in data:
            spec["when"] = self.when(data["when"], ("when",))
        for key in ("patterns", "exceptions", "locate"):
            if key in data:
                spec[key] = tuple(self.pattern(value, (key, index), fields) for index, value in enumerate(data[key]))
        if "report_at" in data:
            value = data["report_at"]
            spec["report_at"] = tuple(value if isinstance(value, list) else [value])
        if "suggest" in data:
            spec["suggest"] = self.suggestions(data["suggest"])
        if "limits" in data:
            limits = data["limits"]
            spec["limits"] = {channel: self.limit(entry, ("limits", channel), fields) for channel, entry in limits.items()}
        if "by_kind" in data:
            spec["by_kind"] = {
                name: KindVoice(
                    Severity(entry["severity"]),
                    self.template(entry["message"], ("by_kind", name, "message"), fields) if "message" in entry else None,
                )
                for name, entry in data["by_kind"].items()
            }
        examples = data["examples"]
        spec["bad_examples"] = tuple(self.example(value) for value in examples["bad"])
        spec["good_examples"] = tuple(self.example(value) for value in examples["good"])
        return RuleSpec(**spec)

    def when(self, data: dict[str, Any], path: Path_) -> WhenSpec:
        result: dict[str, Any] = {}
        for key in ("channels", "kinds"):
            if key in data:
                result[key] = frozenset(data[key])
        for key in ("has", "fails"):
            if key in data:
                result[key] = tuple(data[key])
        for key in ("matches", "unless"):
            if key in data:
                result[key] = tuple(
                    self.pattern(value, path + (key, index), frozenset()) for index, value in enumerate(data[key])
                )
        return WhenSpec(**result)

    def pattern(self, data: dict[str, Any], path: Path_, fields: frozenset[str]) -> PatternSpec:
        [kind] = [kind for kind in PATTERN_KINDS if kind in data]
        kind_path = path + (kind,)
        raw = data[kind]
        values: list[Any]
        if kind == "tokens":
            nested = isinstance(raw[0], list)
            values = [
                self.token_pattern(pattern, kind_path + (index,) if nested else kind_path)
                for index, pattern in enumerate(raw if nested else [raw])
            ]
        else:
            values = raw if isinstance(raw, list) else [raw]
        options: dict[str, Any] = {}
        if "message" in data:
            options["message"] = self.template(data["message"], path + ("message",), fields)
        if "suggest" in data:
            options["suggest"] = self.suggestions(data["suggest"])
        for key in ("skip_questions", "case_sensitive"):
            if key in data:
                options[key] = data[key]
        for key in ("sentence_has", "sentence_lacks"):
            if key in data:
                options[key] = frozenset(word.lower() for word in data[key])
        if "kinds" in data:
            options["kinds"] = frozenset(data["kinds"])
        needs = set(data.get("needs", ()))
        if kind == "tokens":
            needs.update(_trained_needs(values))
        if kind == "regex":
            for index, expression in enumerate(values):
                self.regex(expression, kind_path + ((index,) if isinstance(raw, list) else ()),
                           options.get("case_sensitive", False))
        return PatternSpec(
            kind=kind,
            values=tuple(values),
            line=self.doc.line_of(kind_path),
            key=format_path(kind_path),
            needs=frozenset(needs),
            **options,
        )

    def token_pattern(self, value: list[dict[str, Any]], path: Path_) -> list[dict[str, Any]]:
        for index, token in enumerate(value):
            for attribute, condition in token.items():
                if str(attribute).upper().startswith(("IS_", "LIKE_")) or attribute == "OP":
                    continue
                words = condition.get("IN", []) + condition.get("NOT_IN", []) if isinstance(condition, dict) else [condition]
                if any(isinstance(word, bool) for word in words if not isinstance(word, list)):
                    raise self.fail(
                        path + (index, attribute),
                        "YAML reads an unquoted no/yes/on/off as true or false; quote the word",
                    )
        return value

    def regex(self, expression: str, path: Path_, case_sensitive: bool) -> None:
        from referral_lint.safe_regex import RegexError, compile_regex

        try:
            compile_regex(expression, case_sensitive=case_sensitive)
        except RegexError as error:
            raise self.fail(path, str(error)) from None

    def suggestions(self, value: Any) -> tuple[SuggestSpec, ...]:
        return tuple(self.suggestion(item) for item in (value if isinstance(value, list) else [value]))

    def suggestion(self, data: dict[str, Any]) -> SuggestSpec:
        [action] = [action for action in SUGGEST_ACTIONS if action in data]
        argument = "" if action == "delete" else data[action]
        unsafe = action == "insert" or (action == "rewrite" and not REWRITES[argument].safe)
        default = Applicability.UNSAFE if unsafe else Applicability.SAFE
        applicability = Applicability(data["applicability"]) if "applicability" in data else default
        return SuggestSpec(action, argument, data.get("at"), data.get("description"), applicability)

    def limit(self, data: dict[str, Any], path: Path_, fields: frozenset[str]) -> LimitSpec:
        bounds = tuple(self.bound(bound, path + ("bounds", index), fields) for index, bound in enumerate(data["bounds"]))
        return LimitSpec(data["measure"], bounds)

    def bound(self, data: dict[str, Any], path: Path_, fields: frozenset[str]) -> Bound:
        return Bound(
            severity=Severity(data["severity"]),
            min=data.get("min"),
            max=data.get("max"),
            message=self.template(data["message"], path + ("message",), fields) if "message" in data else None,
            suggest=self.suggestions(data["suggest"]) if "suggest" in data else (),
            kinds=frozenset(data["kinds"]) if "kinds" in data else None,
        )

    def example(self, value: Any) -> Example:
        if isinstance(value, str):
            return Example(value)
        return Example(text=value["text"], channel=value.get("channel"), fixed=value.get("fixed"))


def _trained_needs(patterns: list[list[dict[str, Any]]]) -> set[str]:
    needs = set()
    for pattern in patterns:
        for token in pattern:
            for attribute in token:
                capability = TRAINED_ATTRIBUTES.get(str(attribute).upper())
                if capability:
                    needs.add(capability)
    return needs


def validate_rule(document: LocatedDocument, expected_id: str | None = None) -> RuleSpec:
    """Validate a parsed rule file; raises RuleError naming the file, line and key."""
    check_structure(document)
    return _Builder(document, expected_id).rule()
