"""Train the quotation decision (quotation / other / not) on the gold news corpus, and score it.

    python training/decisions.py --out runs/decisions [--model models/quoteattr-minilm]

The model's own linked spans on `data/news/train.jsonl` (and the seed corpus) are the training
examples, labelled by the gold record they overlap: its type (`quotation` or `other`), else
`not` (a topic, title, headline or scare quote the annotators rejected, or a span with no gold
record at all). Quotation detection on `data/news/dev.jsonl` is printed with and without the
decision.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from quoteattr.attribution.decisions import DECISIONS, DIMENSIONS, QuotationDecider, decision_features, hashed
from quoteattr.data.jsonl import load_documents
from quoteattr.inference import QuoteAttributor
from quoteattr.schema import Document, Quote
from quoteattr.text import quote_kind, trimmed

ROOT = Path(__file__).resolve().parents[1]
MARK_REASONS = {"title", "headline", "caption", "name", "scare", "word", "unattributed"}


def gold_label(document: Document, quote: Quote) -> str:
    """The type of the gold record the predicted span overlaps most, else `not`."""
    start, end = trimmed(document.text, quote.start, quote.end)
    best, best_overlap = "not", 0
    for gold in document.quotes:
        overlap = min(end, gold.end) - max(start, gold.start)
        if overlap > best_overlap:
            best, best_overlap = gold.type, overlap
    return best


def examples(attributor: QuoteAttributor, documents: Sequence[Document]) -> list[tuple[Document, Quote, str]]:
    """The model's linked spans, each with the label of the gold record it overlaps."""
    predicted = attributor.predict_many([document.text for document in documents])
    return [(d, q, gold_label(d, q)) for d, quotes in zip(documents, predicted, strict=True) for q in quotes]


def rejected_marks(documents: Sequence[Document]) -> list[tuple[Document, Quote, str]]:
    """The spans between quotation marks the annotators rejected (titles, names, scare quotes), as
    `not` examples with no speaker and no cue: the tagger seldom offers them, but must learn them."""
    rows = []
    for document in documents:
        for span in document.non_quotations:
            if span.reason in MARK_REASONS:
                kind = quote_kind(document.text, span.span.start, span.span.end)
                rows.append((document, Quote(span.span.text, span.span.start, span.span.end, kind), "not"))
    return rows


def fit(rows: Sequence[tuple[Document, Quote, str]], c: float) -> np.ndarray:
    indices = [hashed(decision_features(d.text, q)) for d, q, _ in rows]
    matrix = csr_matrix(
        (
            np.ones(sum(map(len, indices)), dtype=np.float32),
            [i for r in indices for i in r],
            np.cumsum([0, *map(len, indices)]),
        ),
        shape=(len(rows), DIMENSIONS),
    )
    labels = [DECISIONS.index(label) for _, _, label in rows]
    model = LogisticRegression(C=c, max_iter=3000, fit_intercept=False)
    model.fit(matrix, labels)
    weights = np.zeros((len(DECISIONS), DIMENSIONS), dtype=np.float32)
    weights[model.classes_] = model.coef_
    return weights


def detection(rows: Sequence[tuple[Document, Quote, str]], documents: Sequence[Document], kept: Sequence[bool]) -> str:
    """Precision and recall of gold quotations (type quotation) among the kept predicted spans."""
    predicted = [(d, q) for (d, q, _), keep in zip(rows, kept, strict=True) if keep]
    true_positive = sum(gold_label(d, q) == "quotation" for d, q in predicted)
    found = set()
    for d, q in predicted:
        start, end = trimmed(d.text, q.start, q.end)
        for i, gold in enumerate(d.quotes):
            if gold.type == "quotation" and gold.start < end and start < gold.end:
                found.add((d.id, i))
    total = sum(g.type == "quotation" for d in documents for g in d.quotes)
    precision = true_positive / max(len(predicted), 1)
    recall = len(found) / max(total, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return f"precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}"


def calibration(decider: QuotationDecider, rows: Sequence[tuple[Document, Quote, str]], bins: int = 10) -> float:
    """Expected calibration error of the score of spans decided `quotation` (right: the gold says so)."""
    scored = []
    for document, quote, label in rows:
        probabilities = decider.probabilities(document.text, quote)
        if DECISIONS[int(probabilities.argmax())] == "quotation":
            scored.append((float(probabilities[0]), label == "quotation"))
    error = 0.0
    for number in range(bins):
        low, high = number / bins, (number + 1) / bins
        inside = [(p, right) for p, right in scored if low < p <= high]
        if inside:
            confidence = sum(p for p, _ in inside) / len(inside)
            accuracy = sum(right for _, right in inside) / len(inside)
            error += abs(confidence - accuracy) * len(inside) / len(scored)
            print(
                f"  score ({low:.1f}, {high:.1f}]: {len(inside)} spans, "
                f"mean score {confidence:.3f}, right {accuracy:.3f}"
            )
    return error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--c", type=float, default=0.5)
    args = parser.parse_args()
    attributor = QuoteAttributor.load(args.model)
    train = load_documents(ROOT / "data" / "news" / "train.jsonl", ROOT / "data" / "train.jsonl")
    dev = load_documents(ROOT / "data" / "news" / "dev.jsonl")
    train_rows, dev_rows = examples(attributor, train) + rejected_marks(train), examples(attributor, dev)
    print("training examples:", dict(Counter(label for *_, label in train_rows)))
    decider = QuotationDecider(fit(train_rows, args.c))
    decided = [DECISIONS[int(decider.probabilities(d.text, q).argmax())] for d, q, _ in dev_rows]
    gold = [label for *_, label in dev_rows]
    print(
        f"dev decision accuracy {np.mean([a == b for a, b in zip(decided, gold, strict=True)]):.3f} "
        f"over {len(gold)} spans"
    )
    print("dev quotations, every span kept:", detection(dev_rows, dev, [True] * len(dev_rows)))
    print("dev quotations, decided quotation:", detection(dev_rows, dev, [d == "quotation" for d in decided]))
    print(f"dev expected calibration error of the quotation score: {calibration(decider, dev_rows):.3f}")
    args.out.mkdir(parents=True, exist_ok=True)
    decider.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
