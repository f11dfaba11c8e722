"""Word patterns run as one RE2 set over encoded tokens (engine/tokenregex.py).

The translation must find what spaCy's Matcher finds: for every token where a
match begins, the longest match from there, within one sentence; for a pattern
that repeats a token without bound (OP "+", "*"), only where a match begins
outside the previous one (searching again inside a long match was quadratic). These tests
hold it to that on every token pattern of the built-in rules, over the
examples and the rules' own example messages, and on small patterns written to
probe each operator and attribute.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from spacy.matcher import Matcher
from spacy.tokens import Token

from referral_lint.engine.compiler import CompiledRules
from referral_lint.engine.loader import load_rules
from referral_lint.engine.schema import PatternSpec
from referral_lint.engine.tokenregex import WORD_CLASSES
from referral_lint.linter import Linter
from referral_lint.yamlsource import RuleError

EXAMPLES = sorted(Path(__file__).resolve().parent.parent.joinpath("examples").rglob("*.txt"))


def _longest_per_start(spans: list[tuple[int, int]]) -> set[tuple[int, int]]:
    longest: dict[int, int] = {}
    for start, end in spans:
        longest[start] = max(end, longest.get(start, end))
    return set(longest.items())


def _spacy_spans(pattern: list[dict], doc) -> set[tuple[int, int]]:
    """spaCy's Matcher on ``doc``, where a sentence is one of the message's sentences (a
    greeting before the body on the same line is one, as IS_SENT_START means in rules)."""
    matcher = Matcher(doc.vocab)
    matcher.add("p", [_with_word_classes_as_extensions(pattern)])
    sentences = doc._.parts.sentences
    reference = doc.copy()
    starts = {start for start, _ in sentences}
    for token in reference:
        token.is_sent_start = token.idx in starts or token.i == 0
    inside = []
    for _, start, end in matcher(reference):
        first, last = doc[start], doc[end - 1]
        start_char, end_char = first.idx, last.idx + len(last.text)
        if any(a <= start_char and end_char <= b for a, b in sentences):
            inside.append((start, end))
    longest = _longest_per_start(inside)
    return _outside_each_other(longest) if _unbounded(pattern) else longest


def _with_word_classes_as_extensions(pattern: list[dict]) -> list[dict]:
    """The project's word classes (IS_BARE_VERB), which spaCy does not know, as custom token
    attributes computed by the same function, so that spaCy's Matcher is the reference for them too."""
    rewritten = []
    for token in pattern:
        token = dict(token)
        for name, word_class in WORD_CLASSES.items():
            if name in token:
                attribute = f"test_{name.lower()}"
                if not Token.has_extension(attribute):
                    Token.set_extension(attribute, getter=lambda t, word_class=word_class: word_class(t.lower_))
                token.setdefault("_", {})[attribute] = token.pop(name)
        rewritten.append(token)
    return rewritten


def _unbounded(pattern: list[dict]) -> bool:
    return any(str(token.get("OP", "")) in ("+", "*") or str(token.get("OP", "")).endswith(",}") for token in pattern)


def _outside_each_other(spans: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """From the first on, each span that begins after the previous one kept ends."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return set(kept)


def _compiler_for(patterns: list[list[dict]]) -> CompiledRules:
    """Compiled rules holding one rule whose patterns are ``patterns``."""
    base = next(rule for rule in load_rules(()) if rule.check == "forbid")
    spec = PatternSpec(kind="tokens", values=tuple(patterns), line=1, key="patterns")
    rule = replace(base, patterns=(spec,), exceptions=(), locate=())
    return CompiledRules((rule,), Linter().nlp)


def _messages() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in EXAMPLES]
    for rule in load_rules(()):
        for example in (*rule.bad_examples, *rule.good_examples):
            texts.append(example.text)
    return texts


def _built_in_token_patterns() -> list[list[dict]]:
    patterns = []
    for rule in load_rules(()):
        for spec in (*rule.patterns, *rule.exceptions, *rule.locate, *rule.when.matches, *rule.when.unless):
            if spec.kind == "tokens" and not spec.needs:
                patterns.extend(list(p) for p in spec.values)
    return patterns


def test_every_built_in_token_pattern_finds_what_spacys_matcher_finds():
    linter = Linter()
    docs = [linter.parse(text) for text in _messages()]
    patterns = _built_in_token_patterns()
    assert len(patterns) > 50
    compiled = _compiler_for(patterns)
    for doc in docs:
        ours = compiled.find(doc)
        found = {}
        for match in ours.get((0, "patterns")):
            span = doc.char_span(match.start, match.end)
            found.setdefault(id(match.pattern), set()).add((span.start, span.end))
        all_ours = set().union(*found.values()) if found else set()
        expected = set()
        for pattern in patterns:
            expected |= _spacy_spans(pattern, doc)
        # One slot holds every pattern here, so compare the union, longest per start.
        assert _longest_per_start(sorted(all_ours)) == _longest_per_start(sorted(expected)), doc.text[:80]


@pytest.mark.parametrize(
    "pattern, text, expected",
    [
        # optional, counted and open repetition
        ([{"LOWER": "thank"}, {"IS_ALPHA": True, "OP": "{0,2}"}, {"LOWER": "help"}],
         "Thank you so much for the help.", []),
        ([{"LOWER": "thank"}, {"IS_ALPHA": True, "OP": "{0,3}"}, {"LOWER": "for"}],
         "Thank you so much for the help.", [(0, 5)]),
        ([{"LOWER": "so", "OP": "?"}, {"LOWER": "much"}], "Thank you so much.", [(2, 4), (3, 4)]),
        ([{"LOWER": "very", "OP": "+"}, {"LOWER": "kind"}], "That is very very kind.", [(2, 5)]),
        ([{"LOWER": "very", "OP": "+"}], "Very very kind, very much.", [(0, 2), (4, 5)]),
        ([{"LOWER": "very"}, {"IS_ALPHA": True, "OP": "*"}, {"LOWER": "kind"}], "very kind very very kind", [(0, 5)]),
        # the set tells which sentences match with the ends' repetition read once
        ([{"LOWER": "so", "OP": "*"}, {"LOWER": "much"}, {"IS_ALPHA": True, "OP": "{1,}"}], "Thank you so so much for it.", [(2, 7)]),
        ([{"IS_ALPHA": True, "OP": "?"}, {"LOWER": "much"}, {"LOWER": "for", "OP": "+"}], "So much. Much for.", [(3, 5)]),
        # lemmas, case and sentence starts
        ([{"LEMMA": "refer"}, {"LOWER": "me"}], "Could you REFERRING me? Referred me.", [(2, 4), (5, 7)]),
        ([{"IS_SENT_START": True, "LOWER": "refer"}], "Please refer me. Refer me.", [(4, 5)]),
        ([{"IS_SENT_START": False, "LOWER": "refer"}], "Please refer me. Refer me.", [(1, 2)]),
        # a sentence start after optional tokens goes to spaCy's Matcher, with the same answer
        ([{"LOWER": "please", "OP": "?"}, {"IS_SENT_START": True, "LOWER": "refer"}], "Please refer me. Refer me.", [(4, 5)]),
        ([{"LOWER": "please"}, {"IS_SENT_START": False, "LOWER": "refer"}], "Please refer me. Refer me.", [(0, 2)]),
        # NOT_IN and IN on lemmas, and a caseless ORTH list read as lowercase words
        ([{"LEMMA": {"NOT_IN": ["be", "have"]}}, {"LOWER": "referred"}], "I was referred. Dana referred me.", [(4, 6)]),
        ([{"LEMMA": {"IN": ["refer", "send"]}}, {"ORTH": "me"}], "Sent me, REFERS me, refer Me.", [(0, 2), (3, 5)]),
        # NOT_IN, REGEX, flags
        ([{"LOWER": "a"}, {"LOWER": {"NOT_IN": ["job"]}, "IS_ALPHA": True}], "a job, a role", [(3, 5)]),
        ([{"TEXT": {"REGEX": "^[A-Z]{2,}$"}}], "Send it ASAP please", [(2, 3)]),
        ([{"LIKE_NUM": True}, {"LOWER": "years"}], "I have 5 years and ten years.", [(2, 4), (5, 7)]),
        # never across a sentence boundary, never over the blank between sentences
        ([{"LOWER": "thanks"}, {"LOWER": {"NOT_IN": ["!"]}, "OP": "*"}, {"LOWER": "alex"}],
         "Thanks\nAlex", []),
        ([{"ORTH": {"IN": ["[", "{"]}}, {"IS_ALPHA": True}], "Hi [Name], the {role}", [(1, 3), (6, 8)]),
        # a verb's bare form, whatever else the word may be ("slide"), not an inflected one ("sent")
        ([{"IS_SENT_START": True, "IS_BARE_VERB": True}, {"LOWER": "my"}], "Slide my CV over. Sent my CV. Thanks my friend.", [(0, 2)]),
        ([{"IS_BARE_VERB": False, "IS_ALPHA": True}, {"LOWER": "me"}], "Chase it for me. Sent me.", [(2, 4), (5, 7)]),
    ],
)
def test_each_operator_and_attribute(pattern, text, expected):
    doc = Linter().parse(text)
    compiled = _compiler_for([pattern])
    found = compiled.find(doc).get((0, "patterns"))
    spans = sorted({(doc.char_span(m.start, m.end).start, doc.char_span(m.start, m.end).end) for m in found})
    assert spans == expected
    assert set(spans) == _spacy_spans(pattern, doc)


def test_words_outside_the_patterns_share_one_code_and_unicode_is_fine():
    pattern = [{"LOWER": "josé"}, {"IS_ALPHA": True, "OP": "?"}, {"LOWER": "núñez"}]
    doc = Linter().parse("Hi, I'm José Núñez and zß is fine.")
    found = _compiler_for([pattern]).find(doc).get((0, "patterns"))
    assert [(m.start, m.end) for m in found] == [(8, 18)]


def test_knowing_a_match_exists_agrees_with_locating_it():
    """``has_relevant_match`` skips locating matches when nothing could cancel them; it must
    say what locating them would say, for every rule and role, on every message here."""
    from referral_lint.engine.checks import MessageContext, has_relevant_match, relevant_matches
    from referral_lint.normalize import NormalizedText
    from referral_lint.rewrite import RewriteContext

    linter = Linter()
    compiled = linter._compiled
    checked = 0
    for text in _messages():
        source = NormalizedText.from_original(text)
        doc = linter.parse(text)
        for index, rule in enumerate(linter.rules):
            for role in ("patterns", "locate"):
                fresh = MessageContext(RewriteContext(source, doc, doc._.parts), "message", compiled.find(doc))
                located = MessageContext(RewriteContext(source, doc, doc._.parts), "message", compiled.find(doc))
                assert has_relevant_match(index, role, rule, fresh) == bool(
                    relevant_matches(index, role, rule, located)
                ), (rule.id, role, text[:60])
                checked += 1
    assert checked > 1000


def test_judging_matches_by_their_sentence_agrees_with_locating_them_all():
    """``relevant_matches`` locates word matches only where they could count, and exceptions
    only where they could cancel one; ``when`` conditions judge matches by their sentence
    without locating them. Both must say what locating everything and filtering would say,
    for every rule and role, on every message here."""
    from referral_lint.engine import checks
    from referral_lint.engine.checks import MessageContext, relevant_matches
    from referral_lint.normalize import NormalizedText
    from referral_lint.rewrite import RewriteContext

    linter = Linter()
    compiled = linter._compiled

    def context_for(text: str) -> MessageContext:
        source = NormalizedText.from_original(text)
        doc = linter.parse(text)
        return MessageContext(RewriteContext(source, doc, doc._.parts), "message", compiled.find(doc))

    checked = 0
    for text in _messages():
        for index, rule in enumerate(linter.rules):
            for role in ("patterns", "locate"):
                everything = context_for(text)
                scopes = everything.parts.scope(rule.scope)
                exceptions = [
                    m for m in everything.matches.get((index, "exceptions")) if checks._passes_options(m, everything)
                ]
                expected = {
                    m
                    for m in everything.matches.get((index, role))
                    if any(start <= m.start and m.end <= end for start, end in scopes)  # the naive way, as the oracle
                    and checks._passes_options(m, everything)
                    and not any(e.start < m.end and m.start < e.end for e in exceptions)
                }
                assert set(relevant_matches(index, role, rule, context_for(text))) == expected, (rule.id, role, text[:60])
                checked += 1
            for role in ("when.matches", "when.unless"):
                everything = context_for(text)
                expected_any = any(checks._passes_options(m, everything) for m in everything.matches.get((index, role)))
                assert checks.has_relevant_match(index, role, rule, context_for(text)) == expected_any, (rule.id, role, text[:60])
    assert checked > 1000


def test_what_the_translation_cannot_express_still_runs_in_spacys_matcher():
    doc = Linter().parse("Please refer me. Refer me now.")
    compiled = _compiler_for([[{"NORM": "refer"}, {"LOWER": "me"}]])
    found = compiled.find(doc).get((0, "patterns"))
    assert sorted((m.start, m.end) for m in found) == [(7, 15), (17, 25)]


def test_a_word_class_in_a_pattern_only_spacys_matcher_could_run_is_a_clear_error():
    with pytest.raises(RuleError, match="IS_BARE_VERB works only with"):
        _compiler_for([[{"IS_BARE_VERB": True, "NORM": "refer"}, {"LOWER": "me"}]])


def test_word_codes_are_one_byte_for_frequent_words_and_stay_exact_in_a_large_vocabulary():
    """Records have no delimiter: a code's first byte is the only one below 0x80. A code
    class must match exactly its words' codes, whatever their length (a rule set naming
    over 8,255 words gets three-byte codes)."""
    from referral_lint.engine.tokenregex import LOWER, Codebook
    from referral_lint.safe_regex import UNANCHORED, byte_search

    def compile_bytes(pattern: bytes):
        search = byte_search(pattern, longest=True, max_memory=64 << 20)  # a byte is a character
        return lambda code: search(UNANCHORED, code, 0, len(code))[0][0] >= 0

    codebook = Codebook()
    words = [f"word{number}" for number in range(9000)] + ["the", "role"]
    codebook.name(LOWER, frozenset(words))
    codebook.freeze()
    assert codebook.trail_digits == 2
    assert len(codebook.code("the", "the")) == 1 and codebook.code("the", "the")[0] < 0x40
    assert len(codebook.code("zebra", "zebra")) == 1  # unnamed: code 0
    wanted = frozenset({"role", "word5", "word4000", "word8999"})
    regex = compile_bytes(b"^" + codebook.code_class(((LOWER, True, wanted),)) + b"$")
    for word in words + ["zebra"]:
        code = codebook.code(word, word)
        assert code[0] < 0x80 and all(byte >= 0x80 for byte in code[1:])
        assert regex(code) == (word in wanted), word
    everything_else = compile_bytes(b"^" + codebook.code_class(((LOWER, False, wanted),)) + b"$")
    assert [word for word in words + ["zebra"] if not everything_else(codebook.code(word, word))] == sorted(
        wanted, key=(words + ["zebra"]).index
    )
