"""Train the quotation decision (quotation / other / not) on the gold news corpus, and score it.

    python training/decisions.py --out runs/decisions [--model models/quoteattr-minilm] [--no-readout]

The tagger's own linked spans on `data/news/train.jsonl` (and the seed corpus), with the model's
own decision switched off, are the training examples, labelled by the gold record they overlap:
its type (`quotation` or `other`), else `not` (a topic, title, headline or scare quote the
annotators rejected, or a span with no gold record at all). Every training article opens with
its headline, which holds no quotation; so that a text given without one (a lead, a single
sentence) keeps the quotations of its first paragraph, the spans of each lead paragraph are also
learned as they stand when the headline is blanked out. Beside the sparse features, the decision
reads the encoder's states (after `--layers`, side by side), averaged over the span's tokens, its
cue's and the three tokens before it, each state scaled to unit spread over the training spans
times `--readout-scale`; the weights on them become the model's decision readout
(`quoteattr/model/decision_readout.py`), written beside the decision. The L2 penalty is chosen by
5-fold cross-validation over the training documents (held-out log-loss); held-out and dev
quotation detection and the calibration of the quotation score are printed.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression

from quoteattr.attribution.decisions import (
    DECISIONS,
    DIMENSIONS,
    READOUT_PARTS,
    QuotationDecider,
    decision_features,
    hashed,
    readout_parts,
)
from quoteattr.data.jsonl import load_documents
from quoteattr.inference import QuoteAttributor
from quoteattr.model.decision_readout import DecisionReadout
from quoteattr.model.features import PaddingCollator, tokenize_texts, window_rows
from quoteattr.model.windows import merge_windows
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


def token_states(
    attributor: QuoteAttributor, text: str, layers: Sequence[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The starts, ends and encoder states (after each of `layers`, side by side) of `text`'s real
    tokens, each from the window that owns it, as the decision readout sees them at inference."""
    tagger = getattr(attributor.model, "tagger", attributor.model)
    tokens = tokenize_texts([text], attributor.tokenizer)[0]
    rows = window_rows(
        tokens, attributor.tokenizer, attributor.settings.max_length, attributor.stride, 0, fit_tail=True
    )
    collate = PaddingCollator(attributor.tokenizer.pad_token_id or 0, len(attributor.scheme.families))
    outputs = []
    if rows:
        batch = collate([row.model_inputs(attributor.settings.case_features) for row in rows])
        with torch.inference_mode():
            hidden = tagger(**batch, output_hidden_states=True).hidden_states
        states = torch.cat([hidden[layer] for layer in layers], -1).float().numpy()
        outputs = [(row.window, window_states) for row, window_states in zip(rows, states, strict=True)]
    merged = merge_windows(outputs, 0, len(tokens.input_ids), tagger.config.hidden_size * len(layers))
    real = [i for i, offset in enumerate(tokens.offsets) if offset is not None]
    offsets = [tokens.offsets[i] for i in real]
    starts = np.array([start for start, _ in offsets], dtype=np.int64)  # type: ignore[misc]
    ends = np.array([end for _, end in offsets], dtype=np.int64)  # type: ignore[misc]
    return starts, ends, merged[real]


def pooled_states(attributor: QuoteAttributor, rows: Sequence[Row], layers: Sequence[int]) -> np.ndarray:
    """Per row, the mean states over each of its parts (`readout_parts`), side by side (zeros for an empty part)."""
    size = getattr(attributor.model, "tagger", attributor.model).config.hidden_size * len(layers)
    pooled = np.zeros((len(rows), len(READOUT_PARTS) * size), dtype=np.float32)
    by_text: dict[str, list[int]] = {}
    for index, (document, _, _) in enumerate(rows):
        by_text.setdefault(document.text, []).append(index)
    for text, indices in by_text.items():
        starts, ends, states = token_states(attributor, text, layers)
        for index in indices:
            for part, run in enumerate(readout_parts(starts, ends, rows[index][1])):
                if run.stop > run.start:
                    pooled[index, part * size : (part + 1) * size] = states[run].mean(axis=0)
    return pooled


def design(rows: Sequence[Row], pooled: np.ndarray | None = None, scale: np.ndarray | None = None) -> csr_matrix:
    """The rows' hashed features as a sparse 0/1 matrix, and their `pooled` states times `scale` after them."""
    indices = [hashed(decision_features(d.text, q)) for d, q, _ in rows]
    matrix = csr_matrix(
        (
            np.ones(sum(map(len, indices)), dtype=np.float32),
            [i for r in indices for i in r],
            np.cumsum([0, *map(len, indices)]),
        ),
        shape=(len(rows), DIMENSIONS),
    )
    if pooled is None or scale is None:
        return matrix
    return hstack([matrix, csr_matrix(pooled * scale)]).tocsr()


def fit(matrix: csr_matrix, labels: np.ndarray, c: float) -> np.ndarray:
    """The decider's weights (on the sparse features, then on the pooled states where `matrix` has
    them): softmax regression with L2 penalty 1/`c`, no separate intercept (`bias` is a feature)."""
    model = LogisticRegression(C=c, max_iter=3000, fit_intercept=False)
    model.fit(matrix, labels)
    weights = np.zeros((len(DECISIONS), matrix.shape[1]), dtype=np.float32)
    weights[model.classes_] = model.coef_
    return weights


def readout_of(weights: np.ndarray, scale: np.ndarray, size: int, layers: Sequence[int]) -> DecisionReadout:
    """The decision readout whose per-token scores, averaged over a part, give `weights`' score of
    that part's scaled mean states (the weights after the sparse ones)."""
    readout = DecisionReadout(size, layers)
    width = size * len(layers)
    on_states = (weights[:, DIMENSIONS:] * scale).reshape(len(DECISIONS), len(READOUT_PARTS), width)
    readout.projection.weight.data = torch.from_numpy(on_states.transpose(1, 0, 2).reshape(-1, width).copy())
    return readout


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
    rows: Sequence[Row],
    extra: Sequence[Row],
    matrix: csr_matrix,
    documents: Sequence[Document],
    cs: Sequence[float],
    count: int = 5,
) -> float:
    """The `c` of the lowest held-out log-loss over `count` folds of the `documents` of `rows` (the
    model's spans; `extra`, the rejected marks and the leads, only train, each in its document's
    fold; `matrix` the features of both, in that order); prints each `c`'s held-out figures."""
    every = [*rows, *extra]
    labels, fold = np.array([DECISIONS.index(label) for *_, label in every]), folds(every, count)
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
    parser.add_argument("--c", type=float, nargs="+", default=[0.05, 0.1, 0.25, 0.5, 1.0])
    parser.add_argument("--no-readout", action="store_true", help="Sparse features only: no decision readout.")
    parser.add_argument("--layers", type=int, nargs="+", default=[3, 6], help="Encoder layers the readout reads.")
    parser.add_argument("--readout-scale", type=float, default=0.15, help="Spread of each scaled state.")
    args = parser.parse_args()
    attributor = QuoteAttributor.load(args.model, precision="fp32")
    train = load_documents(ROOT / "data" / "news" / "train.jsonl", ROOT / "data" / "train.jsonl")
    dev = load_documents(ROOT / "data" / "news" / "dev.jsonl")
    train_rows, dev_rows = examples(attributor, train), examples(attributor, dev)
    extra = [*rejected_marks(train), *lead_examples(attributor, train)]
    every = [*train_rows, *extra]
    print("training examples:", dict(Counter(label for *_, label in every)))
    pooled = dev_pooled = scale = None
    if not args.no_readout:
        pooled, dev_pooled = (
            pooled_states(attributor, every, args.layers),
            pooled_states(attributor, dev_rows, args.layers),
        )
        scale = args.readout_scale / (pooled.std(axis=0) + 1e-6)
    matrix = design(every, pooled, scale)
    c = cross_validate(train_rows, extra, matrix, train, args.c) if len(args.c) > 1 else args.c[0]
    print(f"chosen C={c:g}")
    weights = fit(matrix, np.array([DECISIONS.index(label) for *_, label in every]), c)
    decider = QuotationDecider(weights[:, :DIMENSIONS], reads_states=scale is not None)
    scores = probabilities(weights, design(dev_rows, dev_pooled, scale))
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
    if scale is not None:
        size = getattr(attributor.model, "tagger", attributor.model).config.hidden_size
        readout_of(weights, scale, size, args.layers).save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
