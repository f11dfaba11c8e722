"""``--output-format json``: one document for the whole run, with a schema version."""

from __future__ import annotations

import json

from referral_lint import __version__
from referral_lint.formats import FileResult

SCHEMA_VERSION = 1


def render(results: list[FileResult], errors: list[dict[str, str]]) -> str:
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "referral-lint", "version": __version__},
        "files": [{"path": result.name, **result.report.to_dict()} for result in results],
        "errors": errors,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
