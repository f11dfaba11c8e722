"""Apache Spark: a DataFrame column of drafts to a column of violations.

    from referral_lint.spark import lint_column

    linted = lint_column(drafts, "text")            # adds a "violations" column
    linted.select("id", "violations").show()

The new column is an array of structs (``VIOLATION_TYPE``): rule, severity, start,
end, message and the first suggestion's description. Each executor's Python worker
builds one Linter, the first time it gets a batch, and keeps it for every later
batch (Spark reuses Python workers); rows travel as Arrow batches (``mapInPandas``).

Needs the ``spark`` extra: ``pip install '.[spark]'`` in a clone of referral-lint (pyspark,
pandas, pyarrow), on the driver and every executor. See docs/scale.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from referral_lint.config import Config

if TYPE_CHECKING:
    import pandas
    from pyspark.sql import DataFrame

VIOLATION_TYPE = (
    "array<struct<rule:string,severity:string,start:int,end:int,message:string,suggestion:string>>"
)


def lint_column(
    frame: DataFrame,
    column: str,
    *,
    output: str = "violations",
    channel: str | None = None,
    channel_column: str | None = None,
    config: Config | None = None,
) -> DataFrame:
    """``frame`` with an ``output`` column: the violations of the drafts in ``column``.

    ``channel`` judges every draft as sent there; ``channel_column`` names a column of
    per-row channels instead (a null is judged from the text). A null draft gets a null
    list. ``config`` (rule selection, severities) must be picklable: it is shipped to
    the executors with the function.
    """
    from pyspark.sql.types import StructField, StructType, _parse_datatype_string

    if output in frame.columns:
        raise ValueError(f"column {output!r} already exists; name another with output=")
    schema = StructType([*frame.schema.fields, StructField(output, _parse_datatype_string(VIOLATION_TYPE), True)])

    def lint_batches(batches: Iterator[pandas.DataFrame]) -> Iterator[pandas.DataFrame]:
        for batch in batches:
            channels = batch[channel_column] if channel_column is not None else [channel] * len(batch)
            batch[output] = [_violations(text, row_channel, config) for text, row_channel in zip(batch[column], channels)]
            yield batch

    return frame.mapInPandas(lint_batches, schema)


def _violations(text: Any, channel: Any, config: Config | None) -> list[dict[str, Any]] | None:
    """The rows of one draft's violations (runs on the executors)."""
    if not isinstance(text, str):
        return None
    from referral_lint.linter import linter_for  # built once per worker process, then cached
    from referral_lint.parallel import lint_one

    report = lint_one(linter_for(config), text, channel if isinstance(channel, str) else None)
    return [
        {
            "rule": v.rule,
            "severity": v.severity.value,
            "start": v.start,
            "end": v.end,
            "message": v.message,
            "suggestion": v.suggestions[0].description if v.suggestions else None,
        }
        for v in report.violations
    ]
