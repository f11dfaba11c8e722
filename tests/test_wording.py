"""The domain wording in rules/wording/*.yaml: each file's examples hold for the part it
decides, and a broken file is refused with an error naming the file, the line and the key."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from referral_lint.wording import read_wording, regex_source, wording_dir
from referral_lint.yamlsource import RuleError

# How each wording file's examples are judged: a sentence in, whether the part it decides is there.
# The sentence is the body of a short message, between a greeting and a sign-off.
_IN_A_MESSAGE = "Hi Sam,\n\n{}\n\nBest,\nAl"


def _is_ask(parse: Callable, sentence: str) -> bool:
    doc = parse(_IN_A_MESSAGE.format(sentence))
    return [doc.text[start:end] for start, end in doc._.parts.asks] == [sentence]


def _is_closing(parse: Callable, sentence: str) -> bool:
    doc = parse(f"Hi Sam,\n\nWe met at the Leeds meetup. {sentence}\n\nBest,\nAl")
    closing = doc._.parts.closing
    return closing is not None and doc.text[closing[0] :].startswith(sentence)


def _is_small_talk(parse: Callable, question: str) -> bool:
    return not _is_ask(parse, question)


def _is_sign_off(parse: Callable, line: str) -> bool:
    doc = parse(f"Hi Sam,\n\nCould you refer me for the Analyst role?\n\n{line}")
    sign_off = doc._.parts.sign_off
    return sign_off is not None and doc.text[sign_off[0] : sign_off[1]] == line


def _is_greeting(parse: Callable, line: str) -> bool:
    doc = parse(f"{line}\n\nCould you refer me for the Analyst role?")
    return doc._.parts.greeting is not None


# file name -> (the lists the file holds, the predicate its examples are judged by)
WORDING_FILES: dict[str, tuple[tuple[str, ...], Callable]] = {
    "asks": (("markers", "lead_ins", "orders"), _is_ask),
    "thanks": (("thanks", "lead_ins", "openings"), _is_closing),
    "small-talk": (("openings",), _is_small_talk),
    "sign-offs": (("sign_offs",), _is_sign_off),
    "greetings": (("greetings", "nobody"), _is_greeting),
}


def test_every_wording_file_is_known_here():
    assert sorted(path.stem for path in wording_dir().glob("*.yaml")) == sorted(WORDING_FILES)


@pytest.mark.parametrize("name", sorted(WORDING_FILES))
def test_a_wording_files_examples_hold(linter, name):
    lists, decides = WORDING_FILES[name]
    wording = read_wording(wording_dir() / f"{name}.yaml", lists)
    assert wording.matching_examples and wording.other_examples, f"{name}.yaml needs examples of both kinds"
    assert [s for s in wording.matching_examples if not decides(linter.parse, s)] == []
    assert [s for s in wording.other_examples if decides(linter.parse, s)] == []


@pytest.mark.parametrize(
    ("pattern", "source"),
    [
        ("would you mind", r"would\s+you\s+mind"),
        ("i('d| would) (really )?love", r"i(?:'d|\s+would)\s+(?:really\s+)?love"),
        ("(follow|check)(ing)?[ -]+up", r"(?:follow|check)(?:ing)?[\s-]+up"),
        ("(?i:Re) (?P<x>a)", r"(?i:Re)\s+(?P<x>a)"),
        (r"a\ b", r"a\ b"),
    ],
)
def test_a_space_is_any_whitespace_and_groups_do_not_capture(pattern, source):
    assert regex_source(pattern) == source


_GOOD_FILE = """\
about: What makes a sentence a request.
lists:
  markers:
    about: Anywhere in a sentence.
    patterns:
      - would you mind
examples:
  match: ["Would you mind?"]
  no_match: ["Hello."]
"""


@pytest.mark.parametrize(
    ("old", "new", "where", "problem"),
    [
        ("- would you mind", "- would you mind\n      - (would", "7: lists.markers.patterns[1]", "does not compile under RE2"),
        ("- would you mind", "- (?<=a)b", "6: lists.markers.patterns[0]", "no backreferences or lookaround"),
        ("- would you mind", "- (a)?", "6: lists.markers.patterns[0]", "matches an empty string"),
        ("- would you mind", "- no", "6: lists.markers.patterns[0]", "quote the word"),
        ("    patterns:", "    pattern:", "5: lists.markers.pattern", "unknown key"),
        ("lists:\n", "lists:\n  others: {about: x, patterns: [a]}\n", "3: lists.others", "unknown list"),
        ("about: What", "abut: What", "1: abut", "unknown key"),
        ("  match: [\"Would you mind?\"]", "  match: 3", "8: examples.match", "a list of strings"),
    ],
)
def test_a_broken_wording_file_names_the_file_line_and_key(tmp_path: Path, old, new, where, problem):
    path = tmp_path / "asks.yaml"
    path.write_text(_GOOD_FILE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        read_wording(path, ("markers",))
    message = str(caught.value)
    assert message.startswith(f"{path}:{where}: "), message
    assert problem in message
    assert "\n" not in message


def test_a_missing_list_is_named(tmp_path: Path):
    path = tmp_path / "asks.yaml"
    path.write_text(_GOOD_FILE, encoding="utf-8")
    with pytest.raises(RuleError, match=re.escape(f"{path}:2: lists: missing the list 'orders'")):
        read_wording(path, ("markers", "orders"))


def test_the_good_file_reads(tmp_path: Path):
    path = tmp_path / "asks.yaml"
    path.write_text(_GOOD_FILE, encoding="utf-8")
    wording = read_wording(path, ("markers",))
    assert wording.alternation("markers") == r"(?:would\s+you\s+mind)"
    assert wording.matching_examples == ("Would you mind?",)
