"""The rule file format as a JSON Schema, and its errors as one line each.

The schema says what a rule file's structure is: its keys, their types and choices, what is
required, and what each check kind adds (each kind's fragment, ``check_kinds/``). It is
published as docs/schema/rule-v1.json (``python docs/gen_rule_schema.py``), so that editors
complete and check rule files. ``schema.py`` keeps what a JSON Schema cannot say: that the id
is the file's name, that a message uses only its kind's placeholders, that a regex compiles
under RE2.

jsonschema is imported only when a rule file is validated: rules read from the rule cache
never need it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from referral_lint.engine.check_kinds import check_kinds
from referral_lint.engine.check_kinds.limit import MEASURES
from referral_lint.model import CHANNELS, KINDS, Severity

if TYPE_CHECKING:
    from jsonschema import ValidationError

    from referral_lint.yamlsource import LocatedDocument, Path_

SCHEMA_ID = "https://referral-lint.readthedocs.io/en/latest/schema/rule-v1.json"
SCOPES = ("message", "greeting", "body", "opening", "ask", "closing", "subject", "signature")
PARTS = ("greeting", "ask", "closing", "sign_off", "signature", "subject", "placeholders")
# Where a missing element is reported, and where an insertion goes.
LOCATIONS = ("ask", "last-ask", "greeting", "body-start", "closing", "body")
ANCHORS = ("start", "after-greeting", "before-closing", "after-ask", "end-of-body")


@dataclass(frozen=True)
class NamedRewrite:
    """A ``rewrite: NAME`` of the rule format (its builder is in ``rewrite.py``)."""

    description: str  # what it does, for the rule reference
    safe: bool  # whether ``fix`` applies it by default: the unsafe ones change what the draft says


# The one list of named rewrites: the schema's choices, the default applicability, the rule
# reference and the builders (``rewrite.py``, checked by the tests) all read it.
REWRITES: dict[str, NamedRewrite] = {
    "polite-request": NamedRewrite('Rewrite the order as a question ("Would you be open to…?")', safe=True),
    "willing-request": NamedRewrite('Rewrite the order as a question ("Would you be willing to…?")', safe=True),
    "ability-question": NamedRewrite(
        'Rewrite as a question about what the reader can do ("Would you be able to…?")', safe=True
    ),
    "drop-sentence": NamedRewrite("Remove the sentence", safe=False),
    "cut-sentence": NamedRewrite("Cut the longest sentence that is not the ask", safe=False),
    "split-sentence": NamedRewrite("Split the sentence in two", safe=False),
    "sentence-case": NamedRewrite("Put the text in sentence case", safe=False),
}
PATTERN_KINDS = ("phrases", "lemmas", "tokens", "regex", "part")
CAPABILITIES = ("tagger", "parser")
SUGGEST_ACTIONS = ("replace", "delete", "rewrite", "insert")
SEVERITIES = tuple(severity.value for severity in Severity)
# What every rule has, whatever its check kind.
RULE_REQUIRED = ("id", "summary", "severity", "why", "check", "examples")
# Our wording for a keyword's failure in one place of the schema (as ajv-errors and the YAML
# language server read it): a string for any keyword, or a mapping of keyword -> wording.
ERROR_MESSAGE = "errorMessage"

_TEXT = {"type": "string", "pattern": r"\S"}
_ONE_TO_THREE = "give one to three suggestions"


def _choice(choices: tuple[str, ...], description: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"enum": list(choices)}
    if description:
        schema["description"] = description
    return schema


def _list_of(item: dict[str, Any], **keywords: Any) -> dict[str, Any]:
    return {"type": "array", "items": item, **keywords}


def _one_or_list(item: dict[str, Any], **keywords: Any) -> dict[str, Any]:
    """One value, or a list of them."""
    return {"if": {"type": "array"}, "then": _list_of(item, **keywords), "else": item}


def _mapping(properties: dict[str, Any], *, required: tuple[str, ...] = (), **keywords: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    schema.update(keywords)
    return schema


def _suggestion() -> dict[str, Any]:
    return _mapping(
        {
            "replace": {"type": "string", "description": "Replace the match with this text."},
            "delete": {"const": True, "description": "Delete the match.", ERROR_MESSAGE: "write 'delete: true'"},
            "rewrite": _choice(tuple(REWRITES), "A named grammatical rewrite of the sentence."),
            "insert": {**_TEXT, "description": "Insert this sentence (at 'at')."},
            "at": _choice(ANCHORS, "Where an insertion goes."),
            "description": _TEXT,
            "applicability": _choice(("safe", "unsafe", "display")),
        },
        oneOf=[{"required": [action]} for action in SUGGEST_ACTIONS],
        dependentRequired={"at": ["insert"]},
        **{
            "if": {"required": ["insert"]},
            "then": {
                "required": ["at"],
                ERROR_MESSAGE: {"required": f"an insertion needs 'at' (one of: {', '.join(ANCHORS)})"},
            },
            ERROR_MESSAGE: {
                "oneOf": f"a suggestion has exactly one of: {', '.join(SUGGEST_ACTIONS)}",
                "dependentRequired": "only an insertion has 'at'",
            },
        },
    )


def _suggestions() -> dict[str, Any]:
    return _one_or_list(
        _ref("suggestion"), minItems=1, maxItems=3, **{ERROR_MESSAGE: {"minItems": _ONE_TO_THREE, "maxItems": _ONE_TO_THREE}}
    )


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _pattern(*, bare: bool) -> dict[str, Any]:
    """A pattern: exactly one way to match, and (unless ``bare``, in a ``when`` condition)
    what to say and suggest about a match."""
    words = _one_or_list(_TEXT, minItems=1, **{ERROR_MESSAGE: {"minItems": "expected at least one entry"}})
    token = {
        "type": "object",
        "description": "A spaCy Matcher token: {LOWER: you}, {LEMMA: {IN: [need, must]}}",
        ERROR_MESSAGE: "expected a token mapping, e.g. {LOWER: you} or {LEMMA: {IN: [need, must]}}",
    }
    token_pattern = _list_of(token, minItems=1)
    properties: dict[str, Any] = {
        "phrases": {**words, "description": "Word sequences, matched case-insensitively, word by word."},
        "lemmas": {**words, "description": "Phrases matched by lemma: 'need' also matches 'needs' and 'needed'."},
        "tokens": {
            "type": "array",
            "minItems": 1,
            "description": "A spaCy token pattern (a list of token mappings), or a list of them.",
            "if": {"prefixItems": [{"type": "array"}]},
            "then": {"items": token_pattern},
            "else": {"items": token},
            ERROR_MESSAGE: "expected a token pattern (a list of token mappings) or a list of them",
        },
        "regex": {**words, "description": "RE2 regular expressions over the text (no backreferences or lookaround)."},
        "part": _choice(PARTS, "A part of the message: it matches where the part is."),
        "needs": _list_of(_choice(CAPABILITIES), description="Trained components the pattern needs."),
        "case_sensitive": {"type": "boolean"},
        "kinds": _list_of(_choice(KINDS), description="Counts only in messages of these kinds."),
    }
    if not bare:
        properties |= {
            "message": _TEXT,
            "suggest": _ref("suggestions"),
            "skip_questions": {"type": "boolean"},
            "sentence_has": _list_of(_TEXT),
            "sentence_lacks": _list_of(_TEXT),
        }
    return _mapping(
        properties,
        oneOf=[{"required": [kind]} for kind in PATTERN_KINDS],
        **{ERROR_MESSAGE: {"oneOf": f"a pattern has exactly one of: {', '.join(PATTERN_KINDS)}"}},
    )


def _example(*, bad: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {"text": _TEXT, "channel": _choice(CHANNELS)}
    if bad:
        properties["fixed"] = {"type": "string", "description": "The text after `fix --unsafe-fixes`."}
    return {
        "if": {"type": "string"},
        "then": _TEXT,
        "else": _mapping(properties, required=("text",), **{ERROR_MESSAGE: {"required": "an example needs 'text'"}}),
    }


def _limit() -> dict[str, Any]:
    """One channel's limit: a measure and its bounds."""
    bound = _mapping(
        {
            "min": {"type": "integer", "minimum": 0},
            "max": {"type": "integer", "minimum": 0},
            "severity": _choice(SEVERITIES),
            "message": _TEXT,
            "suggest": _ref("suggestions"),
            "kinds": _list_of(_choice(KINDS), description="Holds only in messages of these kinds."),
        },
        required=("severity",),
        anyOf=[{"required": ["min"]}, {"required": ["max"]}],
        **{ERROR_MESSAGE: {"anyOf": "a bound needs 'min', 'max' or both", "required": "a bound needs 'severity'"}},
    )
    return _mapping(
        {"measure": _choice(MEASURES), "bounds": _list_of(bound)},
        required=("measure", "bounds"),
        **{ERROR_MESSAGE: {"required": "a limit needs 'measure' and 'bounds'"}},
    )


def _kind_clause(name: str, fragment: Any) -> dict[str, Any]:
    return {"if": {"properties": {"check": {"const": name}}, "required": ["check"]}, "then": fragment}


def build_rule_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file, with every registered check kind's fragment."""
    kinds = check_kinds()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "referral-lint rule file, version 1",
        "description": "One rule: what it looks for, how it reports, what it suggests (docs/rules.md).",
        "type": "object",
        "required": list(RULE_REQUIRED),
        "additionalProperties": False,
        "properties": {
            "id": {
                "type": "string",
                "pattern": "^[a-z0-9-]+$",
                "description": "The rule's name: the file's name without .yaml.",
                ERROR_MESSAGE: {"pattern": "use lowercase letters, digits and hyphens"},
            },
            "summary": {**_TEXT, "description": "One line: what the rule wants."},
            "severity": _choice(SEVERITIES),
            "why": {**_TEXT, "description": "Why it matters to the reader of the message."},
            "check": _choice(tuple(kinds), "; ".join(f"{name}: {kind.description}" for name, kind in kinds.items())),
            "message": {**_TEXT, "description": "What a violation says; placeholders depend on the check."},
            "group": _TEXT,
            "default": {"type": "boolean", "description": "Runs without an explicit select (default true)."},
            "scope": _choice(SCOPES, "The part of the message the rule reads."),
            "details": _TEXT,
            "when": _mapping(
                {
                    "channels": _list_of(_choice(CHANNELS)),
                    "kinds": _list_of(_choice(KINDS)),
                    "has": _list_of(_choice(PARTS)),
                    "fails": _list_of(_TEXT, description="Rule ids that must have reported."),
                    "matches": _list_of(_ref("condition")),
                    "unless": _list_of(_ref("condition")),
                },
                description="When the rule runs at all.",
            ),
            "patterns": _list_of(_ref("pattern")),
            "exceptions": _list_of(_ref("pattern"), description="Matches that cancel a pattern's match they overlap."),
            "locate": _list_of(_ref("pattern"), description="Where a require rule reports what is missing."),
            "report_at": _one_or_list(_choice(LOCATIONS)),
            "suggest": _ref("suggestions"),
            "limits": _mapping(
                {channel: _ref("limit") for channel in (*CHANNELS, "any")}, description="Bounds by channel ('any': the rest)."
            ),
            "by_kind": _mapping(
                {
                    kind: _mapping({"severity": _choice(SEVERITIES), "message": _TEXT}, required=("severity",))
                    for kind in KINDS
                },
                description="How the rule reports in one kind of message.",
            ),
            "examples": _mapping(
                {
                    "bad": _list_of(_example(bad=True), minItems=1),
                    "good": _list_of(_example(bad=False), minItems=1),
                },
                required=("bad", "good"),
                **{ERROR_MESSAGE: {"required": "every rule needs at least one bad and one good example"}},
            ),
        },
        "allOf": [_kind_clause(name, kind.schema) for name, kind in kinds.items()],
        "$defs": {
            "pattern": _pattern(bare=False),
            "condition": _pattern(bare=True),
            "suggestions": _suggestions(),
            "suggestion": _suggestion(),
            "limit": _limit(),
        },
    }


# --- validation ----------------------------------------------------------------------


@lru_cache(maxsize=4)
def _validator(kind_names: tuple[str, ...]) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(build_rule_schema())


def check_structure(document: LocatedDocument) -> None:
    """Raise a RuleError (file:line: key: problem) for the first structural problem of a rule file."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator(tuple(check_kinds())).iter_errors(document.value))
    if error is not None:
        path, problem = _explained(error, document.value)
        raise document.error(path, problem)


def _explained(error: ValidationError, rule: Any) -> tuple[Path_, str]:
    """Where the error is and what is wrong, in the project's words."""
    path: Path_ = tuple(error.absolute_path)
    keyword, instance, schema = error.validator, error.instance, error.schema
    if keyword == "minItems" and not instance and path[-1:] in (("bad",), ("good",)) and path[:-1] == ("examples",):
        return path[:-1], "every rule needs at least one bad and one good example"
    custom = schema.get(ERROR_MESSAGE) if isinstance(schema, dict) else None
    if isinstance(custom, dict):
        custom = custom.get(keyword)
    if custom:
        if keyword == "dependentRequired":  # reported at the key that needs another
            path += (next(key for key in error.validator_value if key in instance),)
        return path, custom
    if keyword == "additionalProperties":
        unknown = next(key for key in instance if key not in schema.get("properties", {}))
        known = ", ".join(sorted(schema.get("properties", {})))
        return path + (unknown,), f"unknown key (expected one of: {known})"
    if keyword == "required":
        missing = next(key for key in error.validator_value if key not in instance)
        kind = rule.get("check") if isinstance(rule, dict) else None
        if path == () and kind in check_kinds() and missing not in RULE_REQUIRED:
            return path, f"a {kind} rule needs {missing!r}"
        return path, f"missing required key {missing!r}"
    if keyword == "enum":
        return path, f"expected one of {', '.join(map(str, error.validator_value))}, got {instance!r}"
    if keyword == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        got = repr(instance) if wanted == ["integer"] and isinstance(instance, (int, float)) else _type_name(instance)
        return path, f"expected {' or '.join(_TYPE_WORDS[name] for name in wanted)}, got {got}"
    if keyword == "pattern" and error.validator_value == _TEXT["pattern"]:
        return path, f"expected a non-empty string, got {'an empty one' if not instance else 'only whitespace'}"
    if keyword == "minimum":
        return path, f"expected a non-negative integer, got {instance!r}"
    if keyword in ("minItems", "maxItems"):
        return path, f"expected at least {error.validator_value} entries" if keyword == "minItems" else (
            f"expected at most {error.validator_value} entries"
        )
    if keyword is None or keyword == "not":  # a key a kind does not take
        kind = rule.get("check") if isinstance(rule, dict) else None
        return path, f"a {kind} rule does not take {path[-1]!r}"
    return path, error.message.splitlines()[0]


_TYPE_WORDS = {
    "string": "a non-empty string",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "integer": "a non-negative integer",
}


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )
