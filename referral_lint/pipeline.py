"""Building and caching the spaCy pipeline.

The embedded default is spaCy's blank English (its tokenizer only) plus the
project's own rule-based components (``sentences.py``, ``lemmas.py``, ``parts.py``), so it needs nothing
but PyPI packages. A trained pipeline such as ``en_core_web_sm`` can be named
instead; it adds part-of-speech tags and a dependency parse, which some
patterns need, and keeps the project's sentences, lemmas and message parts so
that every rule reads the same annotations either way.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import spacy
from spacy.language import Language

from referral_lint import lemmas, parts, sentences  # noqa: F401  (register the components)
from referral_lint.vocab_tables import keep_indexes_compact

DEFAULT_MODEL = "default"

# What a pattern may need, and the pipeline components that provide it.
_CAPABILITY_PROVIDERS = {
    "tagger": ("tagger", "morphologizer"),
    "parser": ("parser",),
}


class ModelNotFoundError(Exception):
    """A configured trained pipeline is not installed."""


def load_pipeline(model: str | None = None) -> Language:
    """The pipeline for ``model`` (None or "default": the embedded one), built once per process."""
    return _build_pipeline(model or DEFAULT_MODEL)  # one pipeline for both names of the default


@lru_cache(maxsize=None)
def _build_pipeline(model: str) -> Language:
    if model == DEFAULT_MODEL:
        nlp = spacy.blank("en")
        nlp.add_pipe("referral_sentences")
    else:
        try:
            # The trained lemmatizer is replaced by ours (same lemmas either way);
            # named entities are not used by any rule.
            nlp = spacy.load(model, exclude=["lemmatizer", "ner"])
        except OSError as error:
            raise ModelNotFoundError(
                f"spaCy pipeline {model!r} is not installed (pip install it, or drop 'model')"
            ) from error
        first = "parser" if "parser" in nlp.pipe_names else None
        # The parser respects sentence starts set before it, so line breaks still split.
        nlp.add_pipe("referral_sentences", before=first) if first else nlp.add_pipe(
            "referral_sentences"
        )
        if first:
            nlp.add_pipe("referral_parsed_sentences", after=first)
    nlp.add_pipe("referral_lemmas")
    nlp.add_pipe("referral_message_parts")
    return nlp


# Strings (words, lemmas) a pipeline's vocabulary keeps for good. Past this, what a
# message adds to the vocabulary is dropped once the message is linted, so a long-running
# process (the language server, a large batch) stays at a flat memory use.
MAX_KEPT_STRINGS = 250_000
_LOCKS: dict[int, threading.Lock] = {}


@contextmanager
def message_memory(nlp: Language) -> Iterator[None]:
    """Where to process one message: past MAX_KEPT_STRINGS, inside a spaCy memory zone.

    Nothing made in the block may be used after it (a Doc, a Token): take plain values
    out. A zone drops every string added while it is open, so no other thread may add
    strings meanwhile: messages are processed one at a time per pipeline.
    """
    with _LOCKS.setdefault(id(nlp), threading.Lock()):
        if len(nlp.vocab.strings) < MAX_KEPT_STRINGS:
            yield
            return
        with nlp.memory_zone():
            yield
        keep_indexes_compact(nlp.vocab)


def capabilities(nlp: Language) -> frozenset[str]:
    """What the pipeline can annotate beyond tokens, sentences and lemmas."""
    names = set(nlp.pipe_names)
    return frozenset(
        capability
        for capability, providers in _CAPABILITY_PROVIDERS.items()
        if names.intersection(providers)
    )
