"""The rule file format, and its validation.

A rule file is checked completely when it is loaded: an unknown key, a value
of the wrong type, a regex that RE2 cannot compile, a message template with
an unknown placeholder are errors that name the file, the line and the key.
Token patterns are checked against spaCy's Matcher schema when the rules are
compiled (``compiler.py``), with the same kind of error. docs/rules.md is the
user-facing description of this format; keep the two in step.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any, Callable

from referral_lint.engine.yamlsource import LocatedDocument, Path_, format_path
from referral_lint.config import CHANNELS, KINDS
from referral_lint.model import Applicability, Severity

CHECK_KINDS = ("forbid", "require", "limit")
SCOPES = ("message", "greeting", "body", "opening", "ask", "closing", "subject", "signature")
PARTS = ("greeting", "ask", "closing", "sign_off", "signature", "subject", "placeholders")
MEASURES = ("characters", "words", "sentences", "questions", "reading-grade")
# Where a missing element is reported, and where an insertion goes.
LOCATIONS = ("ask", "last-ask", "greeting", "body-start", "closing", "body")
ANCHORS = ("start", "after-greeting", "before-closing", "after-ask", "end-of-body")
REWRITES = ("polite-request", "willing-request", "ability-question", "drop-sentence", "cut-sentence", "split-sentence", "sentence-case")
UNSAFE_REWRITES = ("drop-sentence", "cut-sentence", "split-sentence", "sentence-case")
PATTERN_KINDS = ("phrases", "lemmas", "tokens", "regex", "part")
CAPABILITIES = ("tagger", "parser")
# Token attributes that only a trained pipeline sets.
TRAINED_ATTRIBUTES = {"POS": "tagger", "TAG": "tagger", "MORPH": "tagger", "DEP": "parser"}

MESSAGE_FIELDS = {
    "forbid": {"match"},
    "require": {"match"},
    "limit": {"value", "min", "max", "unit", "channel", "over", "under"},
}


@dataclass(frozen=True)
class SuggestSpec:
    """One suggestion a rule offers: an action, its wording and applicability."""

    action: str  # replace | delete | rewrite | insert
    argument: str  # the replacement, rewrite name or inserted text ("" for delete)
    at: str | None  # insertion anchor
    description: str | None
    applicability: Applicability


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


# --- validation ----------------------------------------------------------------

_RULE_KEYS = {
    "id", "summary", "severity", "why", "check", "message", "group", "default", "scope", "when",
    "patterns", "exceptions", "locate", "report_at", "suggest", "limits", "examples", "details", "by_kind",
}
_PATTERN_OPTIONS = {
    "message", "suggest", "skip_questions", "sentence_has", "sentence_lacks", "case_sensitive", "needs", "kinds",
}
_SUGGEST_ACTIONS = ("replace", "delete", "rewrite", "insert")


class _Validator:
    """Turns a LocatedDocument into a RuleSpec, raising RuleError at the first problem."""

    def __init__(self, document: LocatedDocument, expected_id: str | None) -> None:
        self.doc = document
        self.expected_id = expected_id

    # small typed getters ---------------------------------------------------------
    def fail(self, path: Path_, problem: str) -> Exception:
        return self.doc.error(path, problem)

    def mapping(self, value: Any, path: Path_, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping, got {_type_name(value)}")
        for key in value:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                raise self.fail(path + (key,), f"unknown key (expected one of: {hint})")
        return value

    def text(self, value: Any, path: Path_, *, empty_ok: bool = False) -> str:
        if not isinstance(value, str) or (not empty_ok and not value.strip()):
            raise self.fail(path, f"expected a non-empty string, got {_type_name(value)}")
        return value

    def choice(self, value: Any, path: Path_, choices: tuple[str, ...]) -> str:
        if value not in choices:
            raise self.fail(path, f"expected one of {', '.join(choices)}, got {value!r}")
        return str(value)

    def boolean(self, value: Any, path: Path_) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {_type_name(value)}")
        return value

    def count(self, value: Any, path: Path_) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(path, f"expected a non-negative integer, got {value!r}")
        return value

    def listing(self, value: Any, path: Path_, item: Callable[[Any, Path_], Any]) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {_type_name(value)}")
        return [item(entry, path + (index,)) for index, entry in enumerate(value)]

    def template(self, value: Any, path: Path_, fields: set[str]) -> str:
        text = self.text(value, path)
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as error:
            raise self.fail(path, f"bad message template: {error}") from None
        unknown = names - fields
        if unknown:
            allowed = ", ".join("{" + name + "}" for name in sorted(fields)) or "none"
            raise self.fail(path, f"unknown placeholder {{{sorted(unknown)[0]}}} (allowed: {allowed})")
        return text

    # the rule ---------------------------------------------------------------------
    def rule(self) -> Any:
        path: Path_ = ()
        data = self.mapping(self.doc.value, path, _RULE_KEYS)
        for required in ("id", "summary", "severity", "why", "check", "examples"):
            if required not in data:
                raise self.fail(path, f"missing required key {required!r}")
        rule_id = self.text(data["id"], ("id",))
        if not all(ch.islower() or ch.isdigit() or ch == "-" for ch in rule_id):
            raise self.fail(("id",), "use lowercase letters, digits and hyphens")
        if self.expected_id and rule_id != self.expected_id:
            raise self.fail(("id",), f"must match the file name ({self.expected_id!r})")
        check = self.choice(data["check"], ("check",), CHECK_KINDS)
        fields = MESSAGE_FIELDS[check]
        if check != "limit" and "message" not in data:
            raise self.fail(path, "missing required key 'message'")
        spec: dict[str, Any] = {
            "id": rule_id,
            "file": self.doc.file,
            "summary": self.text(data["summary"], ("summary",)),
            "severity": Severity(self.choice(data["severity"], ("severity",), tuple(s.value for s in Severity))),
            "why": self.text(data["why"], ("why",)),
            "check": check,
            "message": self.template(data.get("message", "{value}"), ("message",), fields),
        }
        if "group" in data:
            spec["group"] = self.text(data["group"], ("group",))
        if "default" in data:
            spec["default"] = self.boolean(data["default"], ("default",))
        if "scope" in data:
            spec["scope"] = self.choice(data["scope"], ("scope",), SCOPES)
        if "details" in data:
            spec["details"] = self.text(data["details"], ("details",))
        if "when" in data:
            spec["when"] = self.when(data["when"], ("when",))
        for key in ("patterns", "exceptions", "locate"):
            if key in data:
                spec[key] = tuple(self.listing(data[key], (key,), lambda v, p: self.pattern(v, p, fields)))
        if check in ("forbid", "require") and not spec.get("patterns"):
            raise self.fail(("patterns",) if "patterns" in data else path, f"a {check} rule needs patterns")
        if "report_at" in data:
            value = data["report_at"]
            values = value if isinstance(value, list) else [value]
            spec["report_at"] = tuple(
                self.choice(v, ("report_at",), LOCATIONS) for v in values
            )
        if "suggest" in data:
            spec["suggest"] = self.suggestions(data["suggest"], ("suggest",))
        if check == "require" and not spec.get("suggest"):
            raise self.fail(path, "a require rule needs 'suggest' (how to add what is missing)")
        if check == "limit":
            if "limits" not in data:
                raise self.fail(path, "a limit rule needs 'limits'")
            spec["limits"] = self.limits(data["limits"], ("limits",))
        elif "limits" in data:
            raise self.fail(("limits",), "only a limit rule has limits")
        if "by_kind" in data:
            if check == "limit":
                raise self.fail(("by_kind",), "a limit rule sets severities in its limits")
            spec["by_kind"] = self.by_kind(data["by_kind"], ("by_kind",), fields)
        spec["bad_examples"], spec["good_examples"] = self.examples(data["examples"], ("examples",))
        return RuleSpec(**spec)

    def by_kind(self, value: Any, path: Path_, fields: set[str]) -> dict[str, KindVoice]:
        voices = {}
        for kind, entry in self.mapping(value, path, set(KINDS)).items():
            entry_path = path + (kind,)
            data = self.mapping(entry, entry_path, {"severity", "message"})
            if "severity" not in data:
                raise self.fail(entry_path, "missing required key 'severity'")
            severity = self.choice(data["severity"], entry_path + ("severity",), tuple(s.value for s in Severity))
            message = self.template(data["message"], entry_path + ("message",), fields) if "message" in data else None
            voices[kind] = KindVoice(Severity(severity), message)
        return voices

    def when(self, value: Any, path: Path_) -> WhenSpec:
        data = self.mapping(value, path, {"channels", "kinds", "has", "fails", "matches", "unless"})
        result: dict[str, Any] = {}
        if "channels" in data:
            result["channels"] = frozenset(
                self.listing(data["channels"], path + ("channels",), lambda v, p: self.choice(v, p, CHANNELS))
            )
        if "kinds" in data:
            result["kinds"] = self.message_kinds(data["kinds"], path + ("kinds",))
        if "fails" in data:
            result["fails"] = tuple(self.listing(data["fails"], path + ("fails",), self.text))
        if "has" in data:
            result["has"] = tuple(self.listing(data["has"], path + ("has",), lambda v, p: self.choice(v, p, PARTS)))
        for key in ("matches", "unless"):
            if key in data:
                result[key] = tuple(
                    self.listing(data[key], path + (key,), lambda v, p: self.pattern(v, p, set(), bare=True))
                )
        return WhenSpec(**result)

    def pattern(self, value: Any, path: Path_, fields: set[str], *, bare: bool = False) -> PatternSpec:
        allowed = set(PATTERN_KINDS) | (set() if bare else _PATTERN_OPTIONS) | {"needs", "case_sensitive", "kinds"}
        data = self.mapping(value, path, allowed)
        kinds = [kind for kind in PATTERN_KINDS if kind in data]
        if len(kinds) != 1:
            raise self.fail(path, f"a pattern has exactly one of: {', '.join(PATTERN_KINDS)}")
        kind = kinds[0]
        kind_path = path + (kind,)
        raw = data[kind]
        values: list[Any]
        if kind == "part":
            values = [self.choice(raw, kind_path, PARTS)]
        elif kind == "tokens":
            if not isinstance(raw, list) or not raw:
                raise self.fail(kind_path, "expected a token pattern (a list of token mappings) or a list of them")
            nested = isinstance(raw[0], list)
            patterns = raw if nested else [raw]
            values = [
                self.token_pattern(pattern, kind_path + (index,) if nested else kind_path)
                for index, pattern in enumerate(patterns)
            ]
        else:
            items = raw if isinstance(raw, list) else [raw]
            values = [self.text(item, kind_path + ((i,) if isinstance(raw, list) else ())) for i, item in enumerate(items)]
            if not values:
                raise self.fail(kind_path, "expected at least one entry")
        options: dict[str, Any] = {}
        if "message" in data:
            options["message"] = self.template(data["message"], path + ("message",), fields)
        if "suggest" in data:
            options["suggest"] = self.suggestions(data["suggest"], path + ("suggest",))
        for key in ("skip_questions", "case_sensitive"):
            if key in data:
                options[key] = self.boolean(data[key], path + (key,))
        for key in ("sentence_has", "sentence_lacks"):
            if key in data:
                words = self.listing(data[key], path + (key,), self.text)
                options[key] = frozenset(word.lower() for word in words)
        if "kinds" in data:
            options["kinds"] = self.message_kinds(data["kinds"], path + ("kinds",))
        needs = set()
        if "needs" in data:
            needs.update(self.listing(data["needs"], path + ("needs",), lambda v, p: self.choice(v, p, CAPABILITIES)))
        if kind == "tokens":
            needs.update(_trained_needs(values))
        if kind == "regex":
            for index, expression in enumerate(values):
                _check_regex(self, expression, kind_path + ((index,) if isinstance(raw, list) else ()),
                             options.get("case_sensitive", False))
        return PatternSpec(
            kind=kind,
            values=tuple(values),
            line=self.doc.line_of(kind_path),
            key=format_path(kind_path),
            needs=frozenset(needs),
            **options,
        )

    def token_pattern(self, value: Any, path: Path_) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not value or not all(isinstance(t, dict) for t in value):
            raise self.fail(path, "expected a list of token mappings, e.g. [{LOWER: you}, {LEMMA: need}]")
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

    def suggestions(self, value: Any, path: Path_) -> tuple[SuggestSpec, ...]:
        items = value if isinstance(value, list) else [value]
        if not 1 <= len(items) <= 3:
            raise self.fail(path, "give one to three suggestions")
        return tuple(
            self.suggestion(item, path + ((index,) if isinstance(value, list) else ()))
            for index, item in enumerate(items)
        )

    def suggestion(self, value: Any, path: Path_) -> SuggestSpec:
        data = self.mapping(value, path, set(_SUGGEST_ACTIONS) | {"at", "description", "applicability"})
        actions = [action for action in _SUGGEST_ACTIONS if action in data]
        if len(actions) != 1:
            raise self.fail(path, f"a suggestion has exactly one of: {', '.join(_SUGGEST_ACTIONS)}")
        action = actions[0]
        at = None
        if action == "replace":
            argument = self.text(data["replace"], path + ("replace",), empty_ok=True)
        elif action == "delete":
            if data["delete"] is not True:
                raise self.fail(path + ("delete",), "write 'delete: true'")
            argument = ""
        elif action == "rewrite":
            argument = self.choice(data["rewrite"], path + ("rewrite",), REWRITES)
        else:
            argument = self.text(data["insert"], path + ("insert",))
            if "at" not in data:
                raise self.fail(path, f"an insertion needs 'at' (one of: {', '.join(ANCHORS)})")
            at = self.choice(data["at"], path + ("at",), ANCHORS)
        if "at" in data and action != "insert":
            raise self.fail(path + ("at",), "only an insertion has 'at'")
        default = Applicability.UNSAFE if action == "insert" or argument in UNSAFE_REWRITES else Applicability.SAFE
        applicability = default
        if "applicability" in data:
            applicability = Applicability(
                self.choice(data["applicability"], path + ("applicability",), ("safe", "unsafe", "display"))
            )
        description = self.text(data["description"], path + ("description",)) if "description" in data else None
        return SuggestSpec(action, argument, at, description, applicability)

    def limits(self, value: Any, path: Path_) -> dict[str, LimitSpec]:
        data = self.mapping(value, path, set(CHANNELS) | {"any"})
        result = {}
        for channel, entry in data.items():
            entry_path = path + (channel,)
            entry = self.mapping(entry, entry_path, {"measure", "bounds"})
            if "measure" not in entry or "bounds" not in entry:
                raise self.fail(entry_path, "a limit needs 'measure' and 'bounds'")
            measure = self.choice(entry["measure"], entry_path + ("measure",), MEASURES)
            bounds = self.listing(entry["bounds"], entry_path + ("bounds",), self.bound)
            result[channel] = LimitSpec(measure, tuple(bounds))
        return result

    def bound(self, value: Any, path: Path_) -> Bound:
        data = self.mapping(value, path, {"min", "max", "severity", "message", "suggest", "kinds"})
        if "min" not in data and "max" not in data:
            raise self.fail(path, "a bound needs 'min', 'max' or both")
        if "severity" not in data:
            raise self.fail(path, "a bound needs 'severity'")
        return Bound(
            severity=Severity(self.choice(data["severity"], path + ("severity",), tuple(s.value for s in Severity))),
            min=self.count(data["min"], path + ("min",)) if "min" in data else None,
            max=self.count(data["max"], path + ("max",)) if "max" in data else None,
            message=self.template(data["message"], path + ("message",), MESSAGE_FIELDS["limit"])
            if "message" in data
            else None,
            suggest=self.suggestions(data["suggest"], path + ("suggest",)) if "suggest" in data else (),
            kinds=self.message_kinds(data["kinds"], path + ("kinds",)) if "kinds" in data else None,
        )

    def message_kinds(self, value: Any, path: Path_) -> frozenset[str]:
        return frozenset(self.listing(value, path, lambda v, p: self.choice(v, p, KINDS)))

    def examples(self, value: Any, path: Path_) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
        data = self.mapping(value, path, {"bad", "good"})
        if not data.get("bad") or not data.get("good"):
            raise self.fail(path, "every rule needs at least one bad and one good example")
        return (
            tuple(self.listing(data["bad"], path + ("bad",), lambda v, p: self.example(v, p, bad=True))),
            tuple(self.listing(data["good"], path + ("good",), lambda v, p: self.example(v, p, bad=False))),
        )

    def example(self, value: Any, path: Path_, *, bad: bool) -> Example:
        if isinstance(value, str):
            return Example(self.text(value, path))
        data = self.mapping(value, path, {"text", "channel", "fixed"} if bad else {"text", "channel"})
        if "text" not in data:
            raise self.fail(path, "an example needs 'text'")
        return Example(
            text=self.text(data["text"], path + ("text",)),
            channel=self.choice(data["channel"], path + ("channel",), CHANNELS) if "channel" in data else None,
            fixed=self.text(data["fixed"], path + ("fixed",), empty_ok=True) if "fixed" in data else None,
        )


def _check_regex(validator: _Validator, expression: str, path: Path_, case_sensitive: bool) -> None:
    from referral_lint.engine.regex import RegexError, compile_regex

    try:
        compile_regex(expression, case_sensitive=case_sensitive)
    except RegexError as error:
        raise validator.fail(path, str(error)) from None


def _trained_needs(patterns: list[list[dict[str, Any]]]) -> set[str]:
    needs = set()
    for pattern in patterns:
        for token in pattern:
            for attribute in token:
                capability = TRAINED_ATTRIBUTES.get(str(attribute).upper())
                if capability:
                    needs.add(capability)
    return needs


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def validate_rule(document: LocatedDocument, expected_id: str | None = None) -> RuleSpec:
    """Validate a parsed rule file; raises RuleError naming the file, line and key."""
    return _Validator(document, expected_id).rule()
