"""Train the quotation decision (quotation / other / not) on the gold news corpus, and score it.

    python training/decisions.py --out runs/decisions [--model models/quoteattr-minilm]

The tagger's own linked spans on `data/news/train.jsonl` (and the seed corpus), with the model's
own decision switched off, are the training examples, labelled by the gold record they overlap:
its type (`quotation` or `other`), else `not` (a topic, title, headline or scare quote the
annotators rejected, or a span with no gold record at all). Every training article opens with
its headline, which holds no quotation; so that a text given without one (a lead, a single
sentence) keeps the quotations of its first paragraph, the spans of each lead paragraph are also
learned as they stand when the headline is blanked out. The L2 penalty is chosen by 5-fold
cross-validation over the training documents (held-out log-loss); held-out and dev quotation
detection and the calibration of the quotation score are printed.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from quoteattr.attribution.decisions import DECISIONS, DIMENSIONS, QuotationDecider, decision_features, hashed
from quoteattr.data.jsonl import load_documents
from quoteattr.inference import QuoteAttributor
from quoteattr.schema import Document, Quote
from quoteattr.text import paragraph_bounds, previous_paragraph, quote_kind, trimmed

ROOT = Path(__file__).resolve().parents[1]
MARK_REASONS = {"title", "headline", "caption", "name", "scare", "word", "unattributed"}
KIND_GROUPS = {"all": ("direct", "mixed", "indirect"), "direct+mixed": ("direct", "mixed")}
Row = tuple[Document, Quote, str]


def gold_label(document: Document, quote: Quote) -> str:
    """The type of the gold record the predicted span overlaps most, else `not`."""
    start, end = trimmed(document.text, quote.start, quote.end)
    best, best_overlap = "not", 0
    for gold in document.quotes:
        overlap = min(end, gold.end) - max(start, gold.start)
        if overlap > best_overlap:
            best, best_overlap = gold.type, overlap
    return best


def examples(attributor: QuoteAttributor, documents: Sequence[Document]) -> list[Row]:
    """The model's linked spans, undecided (every tagged span), each labelled by the gold record it overlaps."""
    attributor.decider = None
    predicted = attributor.predict_many([document.text for document in documents])
    return [(d, q, gold_label(d, q)) for d, quotes in zip(documents, predicted, strict=True) for q in quotes]


def without_headline(document: Document) -> Document:
    """The document with its first paragraph (every training article's headline) blanked out, offsets
    kept, so that its lead opens the text, as in a text given without a headline."""
    _, end = paragraph_bounds(document.text, 0)
    end += len(document.text[end:]) - len(document.text[end:].lstrip())
    return replace(document, text=" " * end + document.text[end:])


def lead_examples(attributor: QuoteAttributor, documents: Sequence[Document]) -> list[Row]:
    """The model's spans in each document's lead paragraph, read as the first paragraph of a text
    without its headline: a text's first paragraph is a headline only where it has one."""
    rows = examples(attributor, [without_headline(d) for d in documents])
    return [(d, q, label) for d, q, label in rows if previous_paragraph(d.text, q.start) is None]


def rejected_marks(documents: Sequence[Document]) -> list[Row]:
    """The spans between quotation marks the annotators rejected (titles, names, scare quotes), as
    `not` examples with no speaker and no cue: the tagger seldom offers them, but must learn them."""
    rows = []
    for document in documents:
        for span in document.non_quotations:
            if span.reason in MARK_REASONS:
                kind = quote_kind(document.text, span.span.start, span.span.end)
                rows.append((document, Quote(span.span.text, span.span.start, span.span.end, kind), "not"))
    return rows


def design(rows: Sequence[Row]) -> csr_matrix:
    """The rows' hashed features as a sparse 0/1 matrix."""
    indices = [hashed(decision_features(d.text, q)) for d, q, _ in rows]
    return csr_matrix(
        (
            np.ones(sum(map(len, indices)), dtype=np.float32),
            [i for r in indices for i in r],
            np.cumsum([0, *map(len, indices)]),
        ),
        shape=(len(rows), DIMENSIONS),
    )


def fit(matrix: csr_matrix, labels: np.ndarray, c: float) -> np.ndarray:
    """The decider's weights: softmax regression with L2 penalty 1/`c`, no separate intercept (`bias` is a feature)."""
    model = LogisticRegression(C=c, max_iter=3000, fit_intercept=False)
    model.fit(matrix, labels)
    weights = np.zeros((len(DECISIONS), DIMENSIONS), dtype=np.float32)
    weights[model.classes_] = model.coef_
    return weights


def probabilities(weights: np.ndarray, matrix: csr_matrix) -> np.ndarray:
    """Each row's probability of each decision."""
    scores = np.asarray(matrix @ weights.T)
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def detection(rows: Sequence[Row], documents: Sequence[Document], kept: Sequence[bool], kinds: Sequence[str]) -> str:
    """Precision and recall of gold quotations (type quotation) of `kinds` among the kept predicted spans of `kinds`."""
    predicted = [(d, q) for (d, q, _), keep in zip(rows, kept, strict=True) if keep and q.kind in kinds]
    true_positive = sum(gold_label(d, q) == "quotation" for d, q in predicted)
    found = set()
    for d, q in predicted:
        start, end = trimmed(d.text, q.start, q.end)
        for i, gold in enumerate(d.quotes):
            if gold.type == "quotation" and gold.kind in kinds and gold.start < end and start < gold.end:
                found.add((d.id, i))
    total = sum(g.type == "quotation" and g.kind in kinds for d in documents for g in d.quotes)
    precision = true_positive / max(len(predicted), 1)
    recall = len(found) / max(total, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return f"precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}"


def calibration(scores: np.ndarray, labels: np.ndarray, bins: int = 10, show: bool = False) -> float:
    """Expected calibration error of the quotation score of the rows decided `quotation` (right: the gold says so)."""
    decided = scores.argmax(axis=1) == 0
    confidence, right = scores[decided, 0], labels[decided] == 0
    error = 0.0
    for number in range(bins):
        inside = (confidence > number / bins) & (confidence <= (number + 1) / bins)
        if inside.any():
            gap = abs(confidence[inside].mean() - right[inside].mean())
            error += gap * inside.sum() / max(decided.sum(), 1)
            if show:
                print(
                    f"  score ({number / bins:.1f}, {(number + 1) / bins:.1f}]: {inside.sum()} spans, "
                    f"mean score {confidence[inside].mean():.3f}, right {right[inside].mean():.3f}"
                )
    return error


def folds(rows: Sequence[Row], count: int) -> np.ndarray:
    """Each row's fold: its document's, documents dealt round-robin in order of first appearance."""
    order = {document_id: i for i, document_id in enumerate(dict.fromkeys(d.id for d, _, _ in rows))}
    return np.array([order[d.id] % count for d, _, _ in rows])


def held_out(matrix: csr_matrix, labels: np.ndarray, fold: np.ndarray, count: int, c: float) -> np.ndarray:
    """The probabilities of the first `count` rows, each from the model fit without its fold."""
    scores = np.zeros((count, len(DECISIONS)))
    for number in np.unique(fold):
        inside = fold == number
        weights = fit(matrix[~inside], labels[~inside], c)
        scores[inside[:count]] = probabilities(weights, matrix[:count][inside[:count]])
    return scores


def cross_validate(
    rows: Sequence[Row], extra: Sequence[Row], documents: Sequence[Document], cs: Sequence[float], count: int = 5
) -> float:
    """The `c` of the lowest held-out log-loss over `count` folds of the `documents` of `rows` (the
    model's spans; `extra`, the rejected marks and the leads, only train, each in its document's
    fold); prints each `c`'s held-out figures."""
    every = [*rows, *extra]
    matrix, labels, fold = design(every), np.array([DECISIONS.index(label) for *_, label in every]), folds(every, count)
    gold = labels[: len(rows)]
    losses = []
    for c in cs:
        scores = held_out(matrix, labels, fold, len(rows), c)
        losses.append(-np.mean(np.log(scores[np.arange(len(rows)), gold] + 1e-12)))
        print(
            f"C={c:g}: held-out log-loss {losses[-1]:.4f}, accuracy {np.mean(scores.argmax(axis=1) == gold):.3f}, "
            f"calibration error {calibration(scores, gold):.3f}"
        )
        for group, kinds in KIND_GROUPS.items():
            print(f"  {group}: {detection(rows, documents, scores.argmax(axis=1) == 0, kinds)}")
    return cs[int(np.argmin(losses))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--c", type=float, nargs="+", default=[0.1, 0.25, 0.5, 1.0, 2.0])
    args = parser.parse_args()
    attributor = QuoteAttributor.load(args.model)
    train = load_documents(ROOT / "data" / "news" / "train.jsonl", ROOT / "data" / "train.jsonl")
    dev = load_documents(ROOT / "data" / "news" / "dev.jsonl")
    train_rows, dev_rows = examples(attributor, train), examples(attributor, dev)
    extra = [*rejected_marks(train), *lead_examples(attributor, train)]
    print("training examples:", dict(Counter(label for *_, label in [*train_rows, *extra])))
    c = cross_validate(train_rows, extra, train, args.c) if len(args.c) > 1 else args.c[0]
    print(f"chosen C={c:g}")
    every = [*train_rows, *extra]
    decider = QuotationDecider(fit(design(every), np.array([DECISIONS.index(label) for *_, label in every]), c))
    scores = probabilities(decider.weights, design(dev_rows))
    gold = np.array([DECISIONS.index(label) for *_, label in dev_rows])
    print(f"dev decision accuracy {np.mean(scores.argmax(axis=1) == gold):.3f} over {len(gold)} spans")
    for group, kinds in KIND_GROUPS.items():
        print(f"dev {group} quotations, every span kept:", detection(dev_rows, dev, [True] * len(dev_rows), kinds))
        print(
            f"dev {group} quotations, decided quotation:", detection(dev_rows, dev, scores.argmax(axis=1) == 0, kinds)
        )
    print(f"dev expected calibration error of the quotation score: {calibration(scores, gold, show=True):.3f}")
    args.out.mkdir(parents=True, exist_ok=True)
    decider.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
