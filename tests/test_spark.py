"""referral_lint.spark in Spark's local mode (local[2]): drafts in, a typed violations column out."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

pytest.importorskip("pyspark", reason="the Spark integration needs the spark extra: pip install '.[spark]' in a clone of referral-lint")
pytest.importorskip("pyarrow", reason="the Spark integration needs the spark extra: pip install '.[spark]' in a clone of referral-lint")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (java on PATH); .ci/run installs default-jre-headless", allow_module_level=True)

from test_batch import CLEAN, DEMANDING  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # The Python workers must import this environment's packages (pyarrow, referral_lint).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("referral-lint-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_a_column_of_drafts_becomes_a_typed_column_of_violations(spark, linter):
    from referral_lint.spark import lint_column

    frame = spark.createDataFrame(
        [(1, CLEAN, None), (2, DEMANDING, None), (3, None, None), (4, CLEAN + " " + CLEAN, "connection-note")],
        "id int, text string, channel string",
    ).repartition(2)

    linted = lint_column(frame, "text", channel_column="channel")
    rows = {row["id"]: row for row in linted.collect()}

    assert linted.schema["violations"].dataType.simpleString() == (
        "array<struct<rule:string,severity:string,start:int,end:int,message:string,suggestion:string>>"
    )
    assert rows[1]["violations"] == []
    assert rows[3]["violations"] is None
    expected = linter.lint(DEMANDING).violations
    assert [v.asDict() for v in rows[2]["violations"]] == [
        {
            "rule": v.rule, "severity": v.severity.value, "start": v.start, "end": v.end, "message": v.message,
            "suggestion": v.suggestions[0].description if v.suggestions else None,
        }
        for v in expected
    ]
    assert "length" in {v["rule"] for v in rows[4]["violations"]}
    assert [row["text"] for row in sorted(linted.collect(), key=lambda r: r["id"])][:2] == [CLEAN, DEMANDING]


def test_an_existing_output_column_is_refused(spark):
    from referral_lint.spark import lint_column

    frame = spark.createDataFrame([("hi", "x")], "text string, violations string")

    with pytest.raises(ValueError, match="column 'violations' already exists"):
        lint_column(frame, "text")
