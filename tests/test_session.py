"""LintSession: a draft in, a report out, as every front end gets it."""

from __future__ import annotations

import pytest
from helpers import write

from referral_lint.inputs import InputError
from referral_lint.session import LintSession

BODY = "Hi Ana,\nWe met at PyData in May. Refer me for the Data Engineer role (job 4410) ASAP.\nNo worries if not. Thanks!\n"
RULES = {"select": ["demanding-phrasing", "length"]}


def rules(linted) -> list[tuple[str, int]]:
    assert not isinstance(linted, InputError), linted
    return [(v.rule, v.line) for v in linted.report.violations]


@pytest.fixture
def project(tmp_path, isolated_settings):
    write(tmp_path / ".referral-lint.yaml", 'per-path:\n  "notes/*":\n    ignore: [length]\n')
    return tmp_path


def test_the_configuration_is_the_one_for_the_path_per_path_included(project):
    session = LintSession(overrides=RULES)
    assert rules(session.lint_text(BODY, path=project / "draft.txt")) == [
        ("length", 2), ("demanding-phrasing", 2), ("demanding-phrasing", 2)
    ]
    assert rules(session.lint_text(BODY, path=project / "notes" / "draft.txt")) == [
        ("demanding-phrasing", 2), ("demanding-phrasing", 2)
    ]
    assert len(session.linters) == 2  # one Linter per distinct configuration, reused
    session.lint_path(write(project / "notes" / "other.txt", BODY))
    assert len(session.linters) == 2


def test_the_reader_by_language_id_else_by_extension(project):
    session = LintSession(overrides=RULES)
    markdown = "Hi Ana,\n\n```\nRefer me ASAP\n```\n\nThanks!\n"
    assert rules(session.lint_text(markdown, path=project / "notes" / "a.md")) == []  # code is not prose
    assert rules(session.lint_text(markdown, path=project / "notes" / "a", language="markdown")) == []
    as_text = session.lint_text(markdown, path=project / "notes" / "a.txt", language="plaintext")
    assert rules(as_text) == [("demanding-phrasing", 4), ("demanding-phrasing", 4)]
    email = "To: ana@example.com\nX-Tag: Refer me ASAP\nSubject: Data Engineer role\n\n" + BODY
    linted = session.lint_text(email, path=project / "notes" / "a.eml", language="")
    assert rules(linted) == [("demanding-phrasing", 6), ("demanding-phrasing", 6)]  # headers but Subject blanked
    assert linted.report.channel == "email" and linted.text == email
    assert rules(session.lint_text(email, path=project / "notes" / "a.txt", language="mail")) == rules(linted)


def test_a_buffer_that_cannot_be_linted_is_an_input_error(project):
    session = LintSession(overrides=RULES)
    assert session.lint_text("  \n", path=project / "a.txt") == InputError(str(project / "a.txt"), "empty file, nothing to lint")
    only_code = session.lint_text("```\nRefer me\n```\n", language="markdown", name="buffer")
    assert isinstance(only_code, InputError) and only_code.name == "buffer" and "no prose" in only_code.cause


def test_lint_path_reads_the_file_and_applies_its_ignore_file(project):
    draft = write(project / "draft.txt", BODY)
    session = LintSession(overrides=RULES)
    first = session.lint_path(draft)
    digest_line = first.report.violations[1]
    from referral_lint.ignore_file import entry_line, sentence_digest

    write(project / ".referral-lint-ignore", entry_line("demanding-phrasing", sentence_digest(BODY, digest_line.start), "draft.txt") + "\n")
    again = session.lint_path(draft)
    assert rules(again) == [("length", 2)]
    assert [v.rule for v in again.suppressed] == ["demanding-phrasing", "demanding-phrasing"]


def test_the_default_pipeline_is_built_once_whichever_name_a_caller_gives_it():
    """``model: default`` in a configuration and no model at all are the same pipeline: a
    language server with both kinds of workspace keeps one spaCy pipeline, not two."""
    from referral_lint.linter import Linter
    from referral_lint.pipeline import load_pipeline

    assert load_pipeline() is load_pipeline("default") is load_pipeline(None)
    assert Linter().nlp is load_pipeline("default")
