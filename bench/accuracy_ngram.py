"""A trained baseline beside the rules: word and character n-grams, logistic regression per check.

Usage, from the repository root (scikit-learn is not a dependency of the project)::

    .venv/bin/pip install scikit-learn
    .venv/bin/python bench/accuracy_ngram.py

Trains one classifier per core check on the project's corpora (dev, holdout, holdout-2 and the
read third-round holdouts) and scores it like bench/accuracy.py on the sets it never saw: the
clean holdout and the real messages. Where a check does not apply (a null label) the classifier
is not asked, which favours it. It answers one question: would a trained text classifier
generalise better than the rules? (bench/README.md, "Third round", has the answer.)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy  # noqa: E402  (bench/accuracy.py: the corpora and the metric code)

TRAIN = ("dev", "holdout", "holdout-2", "holdout-3", "holdout-4", "holdout-5", "holdout-6", "holdout-7", "holdout-8", "holdout-9", "holdout-10")
TEST = ("holdout-11", "real")


def _model():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    characters = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2)
    return make_pipeline(make_union(words, characters), LogisticRegression(C=10, max_iter=2000, class_weight="balanced"))


def _applies(entry: dict, rule: str) -> bool:
    return entry["labels"].get(accuracy.RULE_LABELS[rule][0]) is not None


def main() -> int:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("needs scikit-learn: .venv/bin/pip install scikit-learn", file=sys.stderr)
        return 2
    sets = accuracy.load_sets()
    missing = [name for name in (*TRAIN, *TEST) if name not in sets]
    if missing:
        print(f"missing corpora: {', '.join(missing)}", file=sys.stderr)
        return 2
    print(f"{'rule':<20} " + "  ".join(f"{name:>12}" for name in TEST) + "   (MCC; trained on " + ", ".join(TRAIN) + ")")
    for rule in accuracy.RULES:
        training = [entry for name in TRAIN for entry in sets[name] if _applies(entry, rule)]
        model = _model().fit([e["text"] for e in training], [accuracy.expected_violation(e, rule) for e in training])
        cells = []
        for name in TEST:
            metrics = accuracy.RuleMetrics()
            for entry in sets[name]:
                predicted = _applies(entry, rule) and bool(model.predict([entry["text"]])[0])
                metrics.count(accuracy.expected_violation(entry, rule), predicted)
            cells.append(f"{metrics.mcc:>12.2f}")
        print(f"{rule:<20} " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
