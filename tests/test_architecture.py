"""The package's layers (pyproject.toml, [tool.importlinter]): the linter over the engine over
the message analysis over the foundations, every arrow pointing down, with no exceptions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_imports_keep_to_the_layers_with_no_ignored_import(capsys):
    from importlinter.cli import lint_imports

    assert "ignore_imports" not in (REPO / "pyproject.toml").read_text(encoding="utf-8")
    status = lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out


def test_validating_rule_files_imports_neither_spacy_nor_the_rewrites(tmp_path):
    """``rules`` and a cold rule load stay fast: the check kinds are read without spaCy."""
    code = (
        "import sys\n"
        "from referral_lint.engine.loader import builtin_rules_dir, load_rule_file, rule_files\n"
        "[load_rule_file(path) for path in rule_files(builtin_rules_dir())]\n"
        "print(sorted(name for name in ('spacy', 'referral_lint.rewrite', 're2') if name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert result.stdout.split("\n")[0] == "['re2']"


def test_only_safe_regex_imports_google_re2():
    import grimp

    graph = grimp.build_graph("referral_lint", include_external_packages=True, cache_dir=None)
    assert graph.find_modules_that_directly_import("re2") == {"referral_lint.safe_regex"}
