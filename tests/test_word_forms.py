"""The lemma and ``-ing`` tables derived from lemminflect's: the same answers as lemminflect
gives, kept on disk so that a later run does not parse lemminflect's tables."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from lemminflect import getInflection

from referral_lint import cache_settings, lemmas, word_forms

WORDS = ["refer", "send", "introduce", "forward", "ping", "run", "lie", "panic", "table", "cv", "re-refer", "xyzzy"]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv(cache_settings.CACHE_DIR_ENV, str(directory))
    monkeypatch.delenv(cache_settings.NO_CACHE_ENV, raising=False)
    return directory


@pytest.mark.parametrize("word", [*WORDS, "Refer", "SEND"])
def test_present_participles_are_lemminflects(word):
    assert word_forms.present_participle(word) == getInflection(word, "VBG")


@pytest.mark.parametrize(
    ("word", "lemma"),
    [("referring", "refer"), ("thanks", "thank"), ("introduced", "introduce"), ("roles", "role"), ("plz", "please"),
     ("pleez", "please"), ("plies", "ply"), ("xyzzying", "xyzzying"), ("data", "data"), ("co-workers", "co-worker")],
)
def test_lemmas(word, lemma):
    assert lemmas.lemma_of(word) == lemma


def test_a_table_is_derived_once_and_then_read(cache, monkeypatch):
    derived = []

    def derive():
        derived.append(1)
        return {"refer": ["referring"]}

    assert word_forms.cached_table("test-table", derive) == {"refer": ["referring"]}
    [written] = cache.glob("test-table-*.json")
    assert json.loads(written.read_text()) == {"refer": ["referring"]}
    assert word_forms.cached_table("test-table", derive) == {"refer": ["referring"]}
    assert derived == [1]
    written.write_text('{"refer": ')  # cut short: derived and written again
    assert word_forms.cached_table("test-table", derive) == {"refer": ["referring"]}
    assert len(derived) == 2 and json.loads(written.read_text()) == {"refer": ["referring"]}
    monkeypatch.setenv(cache_settings.NO_CACHE_ENV, "1")
    word_forms.cached_table("test-table", derive)
    assert len(derived) == 3


def test_a_run_with_the_tables_cached_does_not_parse_lemminflects(cache):
    code = (
        "import sys\nfrom referral_lint.lemmas import lemma_of\nfrom referral_lint.word_forms import present_participle\n"
        "print(lemma_of('referring'), present_participle('refer'))\n"
        "from lemminflect.core.Lemmatizer import Lemmatizer\nfrom lemminflect.core.Inflections import Inflections\n"
        "print(hasattr(Lemmatizer(), 'lemma_dict'), hasattr(Inflections(), 'infl_dict'))\n"
    )
    env_runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120) for _ in range(2)]
    assert env_runs[0].stdout.splitlines()[0] == env_runs[1].stdout.splitlines()[0] == "refer ('referring', 'refering')"
    assert env_runs[1].stdout.splitlines()[1] == "False False", env_runs[1].stderr
