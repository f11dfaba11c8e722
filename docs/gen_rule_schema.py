"""Write the rule format's JSON Schema, for editors: docs/schema/rule-v1.json.

    python docs/gen_rule_schema.py            # write it
    python docs/gen_rule_schema.py --check    # exit 1 if it is not what the code says

The schema is built by referral_lint.engine.rule_schema from the rule format and each check
kind's fragment (referral_lint/engine/check_kinds/); the test suite fails when the published
file is out of date (tests/test_rule_schema.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
if str(DOCS.parent) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(DOCS.parent))

from referral_lint.engine.rule_schema import build_rule_schema  # noqa: E402

PUBLISHED = DOCS / "schema" / "rule-v1.json"


def schema_text() -> str:
    return json.dumps(build_rule_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the published schema is out of date")
    arguments = parser.parse_args()
    text = schema_text()
    if arguments.check:
        current = PUBLISHED.read_text(encoding="utf-8") if PUBLISHED.exists() else ""
        if current != text:
            print(f"{PUBLISHED} is out of date: run python docs/gen_rule_schema.py", file=sys.stderr)
            return 1
        return 0
    PUBLISHED.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
