"""SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning, Azure DevOps, IDE viewers).

One run: ``tool.driver`` describes every rule that ran (id, summary, reasoning, a link
to its page in the rule reference, default level); each violation is a result with
its location and, when offsets refer to the file, the suggestions as ``fixes``
(``artifactChanges`` whose replacements give the deleted region and inserted text).

Columns count Unicode code points, which is what SARIF calls ``unicodeCodePoints``
(the run's ``columnKind``); ``charOffset`` and ``charLength`` count code points too.
Relative paths are relative URIs against ``%SRCROOT%``, the directory the linter ran
in. Inputs that could not be read are tool-execution notifications of an invocation
that was not successful. The output is checked against the OASIS schema in the tests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from referral_lint import __version__
from referral_lint.formats import FileResult, Run
from referral_lint.positions import LineIndex
from referral_lint.model import Severity, Suggestion, Violation

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
DOCS_URL = "https://referral-lint.readthedocs.io/en/latest/"
RULE_DOC_URL = DOCS_URL + "rules/{rule}/"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _text(value: str) -> str:
    return " ".join(value.split())


def _directory_uri(path: Path) -> str:
    uri = path.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _rule_descriptor(rule: Any) -> dict[str, Any]:
    help_text = _text(rule.why) + (f"\n\n{_text(rule.details)}" if rule.details else "")
    return {
        "id": rule.id,
        "shortDescription": {"text": _text(rule.summary)},
        "fullDescription": {"text": _text(rule.why)},
        "help": {"text": help_text, "markdown": help_text + f"\n\n[Rule reference]({RULE_DOC_URL.format(rule=rule.id)})"},
        "helpUri": RULE_DOC_URL.format(rule=rule.id),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [rule.group, rule.check]},
    }


def artifact_location(name: str) -> dict[str, Any]:
    """Where a draft is, as SARIF wants it: a relative URI against %SRCROOT%, or a file: URI."""
    if name.startswith("<"):  # standard input, with no --stdin-filename
        return {"description": {"text": "standard input"}}
    path = PurePath(name)
    if path.is_absolute():
        return {"uri": Path(name).as_uri()}
    return {"uri": quote(path.as_posix(), safe="/-._~!$&'()*+,;=:@"), "uriBaseId": SRCROOT}


def _region(lines: LineIndex, start: int, end: int, *, snippet: bool) -> dict[str, Any]:
    start_line, start_column = lines.position(start)
    end_line, end_column = lines.position(end)
    region: dict[str, Any] = {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
        "charOffset": start,
        "charLength": end - start,
    }
    if snippet:
        region["snippet"] = {"text": lines.text[start:end]}
    return region


def _fix(suggestion: Suggestion, location: dict[str, Any], lines: LineIndex) -> dict[str, Any]:
    replacements = []
    for edit in suggestion.edits:
        replacement: dict[str, Any] = {"deletedRegion": _region(lines, edit.start, edit.end, snippet=False)}
        if edit.replacement:
            replacement["insertedContent"] = {"text": edit.replacement}
        replacements.append(replacement)
    return {
        "description": {"text": suggestion.description},
        "artifactChanges": [{"artifactLocation": location, "replacements": replacements}],
        "properties": {"applicability": suggestion.applicability.value},
    }


def _result(result: FileResult, violation: Violation, rule_index: int, lines: LineIndex) -> dict[str, Any]:
    location = artifact_location(result.name)
    # The whole lines the violation is on (SARIF wants the context to hold the region).
    last_line = max(violation.line, violation.end_line)
    context = "\n".join(lines.line_text(number) for number in range(violation.line, last_line + 1))
    sarif: dict[str, Any] = {
        "ruleId": violation.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[violation.severity],
        "message": {"text": violation.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": _region(lines, violation.start, violation.end, snippet=True),
                    "contextRegion": {
                        "startLine": violation.line,
                        "endLine": last_line,
                        "snippet": {"text": context},
                    },
                }
            }
        ],
    }
    if result.positions == "file":
        # Edits index the file only when nothing was decoded; otherwise no fix is offered.
        fixes = [_fix(s, location, lines) for s in violation.suggestions if s.edits]
        if fixes:
            sarif["fixes"] = fixes
    else:
        sarif["properties"] = {"positions": result.positions}
    return sarif


def document(run: Run) -> dict[str, Any]:
    descriptors = [_rule_descriptor(rule) for rule in run.rules]
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}
    results = []
    for result in run.results:
        lines = LineIndex(result.text)
        for violation in result.report.violations:
            if violation.rule not in index:  # a rule the caller did not describe: name it at least
                index[violation.rule] = len(descriptors)
                descriptors.append({"id": violation.rule})
            results.append(_result(result, violation, index[violation.rule], lines))
    invocation: dict[str, Any] = {"executionSuccessful": not run.errors}
    if run.errors:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {"text": f"{error.name}: {error.cause}"},
                "locations": [{"physicalLocation": {"artifactLocation": artifact_location(error.name)}}],
            }
            for error in run.errors
        ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "referral-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": DOCS_URL,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(Path(os.getcwd()))}},
                "columnKind": "unicodeCodePoints",
                "results": results,
                "invocations": [invocation],
            }
        ],
    }


def render(run: Run) -> str:
    return json.dumps(document(run), indent=2, ensure_ascii=False) + "\n"
