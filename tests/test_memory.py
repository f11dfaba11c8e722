"""A long-running process (batch, the language server, the web server) meets new words forever:
what it keeps per word stops growing at its bounds (issues 13 and 15). Sizes are asserted,
never timings; bench/bench_memory.py prints the resident memory against the words seen.

Each test runs in a fresh interpreter: past the string bound every lint runs in a spaCy
memory zone, which the other tests' shared pipeline should not do."""

from __future__ import annotations

from helpers import run_python

# Lowers every bound to about 2,000 words past start-up, then feeds N fresh words, 50 per
# message, and records after each message the string count and the two hash tables' cells.
_STREAM = """
import random, string
from referral_lint import lemmas, pipeline
from referral_lint.engine import tokenregex
from referral_lint.linter import Linter
from referral_lint.vocab_tables import lexeme_index

tokenregex._MAX_CACHED_WORDS = lemmas.MAX_KEPT_LEMMAS = 2000
linter = Linter()
vocab = linter.nlp.vocab
pipeline.MAX_KEPT_STRINGS = len(vocab.strings) + 2000
rng = random.Random(13)
sizes = []
for _ in range(WORDS // 50):
    words = " ".join("".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(50))
    linter.lint("Hi Dana, " + words + ". Thank you!")
    sizes.append((len(vocab.strings), vocab.strings._map.capacity, lexeme_index(vocab).capacity))
"""


def test_spacys_word_tables_stay_at_their_size_once_past_the_string_bound():
    """A memory zone frees the strings and lexemes of a message, but spaCy's hash tables keep
    their cells as deleted ones, which count toward the next doubling: without a rebuild
    both tables doubled every few thousand new words (524,288 cells after 300,000)."""
    code = _STREAM.replace("WORDS", "40_000") + """
at_bound = next(index for index, (count, _, _) in enumerate(sizes) if count >= pipeline.MAX_KEPT_STRINGS)
strings_at_bound, string_cells, lexeme_cells = sizes[at_bound]
assert at_bound < len(sizes) // 4, "most of the stream runs past the bound"
assert all(count <= strings_at_bound for count, _, _ in sizes[at_bound:])
# A table is rebuilt once it has doubled past its size at the bound: never more than twice that.
assert max(cells for _, cells, _ in sizes[at_bound:]) <= 2 * string_cells
assert max(cells for _, _, cells in sizes[at_bound:]) <= 2 * lexeme_cells
assert len(lemmas._LEMMA_IDS[id(vocab.strings)]) <= lemmas.MAX_KEPT_LEMMAS
"""
    run_python(code)


def test_reports_and_lemmas_are_the_same_after_the_tables_are_rebuilt():
    code = _STREAM.replace("WORDS", "0") + """
from referral_lint.vocab_tables import keep_indexes_compact
probe = "Hi Dana, we met at PyCon. I am referring to the zyxwvuts role and you need to refer me ASAP."
before = linter.lint(probe)
pipeline.MAX_KEPT_STRINGS = 0  # every message in a zone from here on
for _ in range(3000):  # enough words for both tables to double, and be rebuilt, several times
    linter.lint(" ".join("".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(20)))
assert linter.lint(probe) == before
assert [token.lemma_ for token in linter.parse("I am referring to the roles")] == ["i", "be", "refer", "to", "the", "role"]
"""
    run_python(code)


def test_a_lemma_first_met_in_a_memory_zone_is_still_known_afterwards():
    """A lemma kept in the lemma table must stay in the string store: inside a zone it may be
    there for the zone only ("aardvark" in the message that brings "aardvarks"), so the
    table keeps no new lemma there and "aardvarks" is looked up again next time."""
    code = """
from referral_lint import pipeline
from referral_lint.linter import Linter
linter = Linter()
pipeline.MAX_KEPT_STRINGS = 0
linter.lint("Hi Dana, one aardvark and two aardvarks. Thanks!")
assert "aardvark" not in linter.nlp.vocab.strings, "the zone freed it"
with pipeline.message_memory(linter.nlp):
    doc = linter.parse("Hi Dana, two aardvarks.")
    assert [token.lemma_ for token in doc][-2:] == ["aardvark", "."]
"""
    run_python(code)
