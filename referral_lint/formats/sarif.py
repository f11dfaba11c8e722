"""SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning, Azure DevOps, IDE viewers).

One run: ``tool.driver`` describes every rule that ran (id, summary, reasoning, a link
to its page in the rule reference, default level); each violation is a result with
its location and, when offsets refer to the file, the suggestions as ``fixes``
(``artifactChanges`` whose replacements give the deleted region and inserted text).

Columns count Unicode code points, which is what SARIF calls ``unicodeCodePoints``
(the run's ``columnKind``); ``charOffset`` and ``charLength`` count code points too.
Relative paths are relative URIs against ``%SRCROOT%``, the directory the linter ran
in. Inputs that could not be read are tool-execution notifications of an invocation
that was not successful; a rule's violations past the cap per draft are counted in a
``note`` notification on the draft, naming the rule. The output is checked against the OASIS schema in the tests.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from referral_lint import __version__
from referral_lint.formats import FileResult, Run, omitted_note
from referral_lint.formats.json import around, dumps, spliced_list
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


def _descriptors(rules: Any, rule_ids: Iterable[str]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The rules' descriptors, then one naming each of ``rule_ids`` the caller did not describe; the index of each."""
    descriptors = [_rule_descriptor(rule) for rule in rules]
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}
    for rule_id in rule_ids:
        if rule_id not in index:  # a rule the caller did not describe: name it at least
            index[rule_id] = len(descriptors)
            descriptors.append({"id": rule_id})
    return descriptors, index


def _results(run: Run, omitted: list[tuple[str, str, int]]) -> Iterator[dict[str, Any]]:
    """Each violation's result, its ruleIndex left to fill (0) until every rule is known;
    what each draft left out past the cap goes to ``omitted`` as (name, rule, count)."""
    for result in run.results:
        lines = LineIndex(result.text)
        for violation in result.report.violations:
            yield _result(result, violation, 0, lines)
        omitted += ((result.name, rule, count) for rule, count in result.report.omitted.items())


def document(run: Run) -> dict[str, Any]:
    omitted: list[tuple[str, str, int]] = []
    results = list(_results(run, omitted))
    descriptors, index = _descriptors(run.rules, [*(result["ruleId"] for result in results), *(rule for _, rule, _ in omitted)])
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    return _document(run, descriptors, results, _omitted_notifications(omitted, index))


def _omitted_notifications(omitted: list[tuple[str, str, int]], index: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "level": "note",
            "message": {"text": f"{name}: {omitted_note(rule, count)}"},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(name)}}],
            "associatedRule": {"id": rule, "index": index[rule]},
        }
        for name, rule, count in omitted
    ]


def _document(
    run: Run, descriptors: list[dict[str, Any]], results: list[dict[str, Any]], notes: list[dict[str, Any]]
) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": not run.errors}
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{error.name}: {error.cause}"},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(error.name)}}],
        }
        for error in run.errors
    ] + notes
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
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


def stream(run: Run) -> Iterator[str]:
    # The rules are described before the results, and are known only once the last draft
    # is linted: the results wait in a temporary file meanwhile, not in memory.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        rule_ids: dict[str, None] = {}
        omitted: list[tuple[str, str, int]] = []
        for result in _results(run, omitted):
            rule_ids.setdefault(result["ruleId"])
            spool.write(json.dumps(result) + "\n")  # ASCII: one line each
        rule_ids.update((rule, None) for _, rule, _ in omitted)
        descriptors, index = _descriptors(run.rules, rule_ids)
        head, tail = around(_document(run, descriptors, [], _omitted_notifications(omitted, index)), "results")
        yield head
        spool.seek(0)
        results = (json.loads(line) for line in spool)
        yield from spliced_list("results", (dumps({**r, "ruleIndex": index[r["ruleId"]]}) for r in results), depth=4)
        yield tail + "\n"


def render(run: Run) -> str:
    return "".join(stream(run))
