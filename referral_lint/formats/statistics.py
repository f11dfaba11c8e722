"""How many violations each rule found, most first (ruff's ``--statistics`` layout).

One line per rule: the count, the rule id, ``[*]`` when its violations have a safe fix
(the column is left out when none has), and the rule's summary, separated by tabs. The
count is of every violation found, those left out of a report past the cap per rule
(``Report.omitted``) included: a table of counts has no list to keep short.
:func:`rows` gives the same figures to other formats (``check --statistics --format json``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from referral_lint.formats import Run, has_safe_fix


def rows(run: Run) -> list[dict[str, Any]]:
    """Per rule that found something: rule, count, fixable, summary; most found first."""
    counts: dict[str, list[Any]] = {}
    for result in run.results:
        for violation in result.report.violations:
            entry = counts.setdefault(violation.rule, [0, False])
            entry[0] += 1
            entry[1] |= has_safe_fix(violation)
        for rule, left_out in result.report.omitted.items():
            counts.setdefault(rule, [0, False])[0] += left_out
    summaries = {rule.id: rule.summary for rule in run.rules}
    return [
        {"rule": rule, "count": count, "fixable": fixable, "summary": summaries.get(rule, "")}
        for rule, (count, fixable) in sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
    ]


def stream(run: Run) -> Iterator[str]:
    yield render(run)  # it keeps only a count per rule, and prints once every result is in


def render(run: Run) -> str:
    table = rows(run)
    count_width = max((len(str(row["count"])) for row in table), default=1)
    rule_width = max((len(row["rule"]) for row in table), default=1)
    any_fixable = any(row["fixable"] for row in table)
    return "".join(
        f"{row['count']:>{count_width}}\t{row['rule']:<{rule_width}}\t"
        f"{('[*] ' if row['fixable'] else '[ ] ') if any_fixable else ''}{row['summary']}\n"
        for row in table
    )
