"""Train the learned quotation → speaker-mention scorer on gold links and compare it with the rule.

    python training/speaker_links.py --out runs/speaker-links           # train on PolNeAR train, score dev
    python training/speaker_links.py --out DIR --epochs 150 300 600 --l2 1e-6 1e-5 1e-4   # choose by CV
    python training/speaker_links.py --out DIR --extra data/news/train.jsonl data/train.jsonl

The L2 penalty and the number of steps are chosen by cross-validation on PolNeAR train (documents
split into `--folds` folds; `--extra` data only ever joins the training folds): the pair that gets
the most held-out speakers right, direct and mixed quotations counted twice, is then trained on all
of it. The defaults are the choice of the grid above.

Both the rule (`attribution.mentions.choose_speaker`) and the learned scorer are scored from gold
spans (gold content, speaker and cue spans given; only the linking differs), held out of PolNeAR
train and on PolNeAR dev, with the speaker accuracy `quoteattr evaluate` reports.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Sequence
from pathlib import Path

from quoteattr.attribution.mentions import choose_speaker, cue_next_to, joined_mentions
from quoteattr.attribution.pipeline import attribute
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.attribution.sparse import fit_listwise
from quoteattr.attribution.speaker_links import DIMENSIONS, SpeakerLinker, candidate_features, hashed
from quoteattr.data.jsonl import load_documents
from quoteattr.metrics import Accuracy, evaluate
from quoteattr.schema import Document

POLNEAR = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear"
Group = list[tuple[list[int], int]]  # one quotation's candidates: hashed features and gold label


def gold_spans(document: Document) -> tuple[list[TaggedSpan], list[TaggedSpan], list[TaggedSpan]]:
    """Gold quotations (sorted, overlapping duplicates dropped), joined speaker mentions and cues."""
    quotes: list[TaggedSpan] = []
    pieces = sorted((f.start, f.end) for q in document.quotes for f in q.fragments or (q.span,))
    for start, end in pieces:
        if not quotes or start >= quotes[-1].end:
            quotes.append(TaggedSpan(start, end))
    speakers = {
        (q.speaker.mention.start, q.speaker.mention.end) for q in document.quotes if q.speaker and q.speaker.mention
    }
    mentions = joined_mentions(document.text, [TaggedSpan(s, e) for s, e in sorted(speakers)])
    cues = sorted({(q.cue.start, q.cue.end) for q in document.quotes if q.cue})
    return quotes, mentions, [TaggedSpan(s, e) for s, e in cues]


def groups_of(document: Document) -> list[Group]:
    """The (candidate features, gold label) pairs of each gold quotation of a document."""
    quotes, mentions, cues = gold_spans(document)
    starts = [m.start for m in mentions]
    cued = cue_next_to(cues, [c.start for c in cues])
    speaker_of = {
        (f.start, f.end): q.speaker.mention
        for q in document.quotes
        if q.speaker and q.speaker.mention
        for f in q.fragments or (q.span,)
    }
    rule_picks = [choose_speaker(document.text, quotes, i, mentions, starts, cued) for i in range(len(quotes))]
    groups = []
    for index, quote in enumerate(quotes):
        gold = speaker_of.get((quote.start, quote.end))
        found = candidate_features(document.text, quotes, index, mentions, starts, cues, rule_picks)
        groups.append(
            [
                (hashed(features), int(gold is not None and mention.start < gold.end and gold.start < mention.end))
                for mention, features in found
            ]
        )
    return groups


def fit(groups: Sequence[Group], epochs: int, l2: float) -> SpeakerLinker:
    """A linker trained on these quotations' candidates."""
    rows: list[list[int]] = []
    labels: list[int] = []
    numbers: list[int] = []
    for number, group in enumerate(groups):
        for row, label in group:
            rows.append(row)
            labels.append(label)
            numbers.append(number)
    return SpeakerLinker(fit_listwise(rows, labels, numbers, DIMENSIONS, epochs, l2))


def linked(documents: Sequence[Document], linker: SpeakerLinker | None) -> list[Document]:
    """The documents relinked from their gold spans, by `linker` or (None) the rule."""
    predicted = []
    for document in documents:
        quotes, mentions, cues = gold_spans(document)
        found = attribute(document.text, quotes, mentions, cues, [], linker=linker)
        predicted.append(Document(document.id, document.text, tuple(found)))
    return predicted


def held_out(
    train: Sequence[Document], groups: Sequence[list[Group]], extra: Sequence[Group], folds: int, epochs: int, l2: float
) -> list[Document]:
    """Each training document relinked by a linker trained without its fold (and with `extra`)."""
    predicted: list[Document | None] = [None] * len(train)
    for fold in range(folds):
        rest = [g for i, document in enumerate(groups) if i % folds != fold for g in document]
        linker = fit([*rest, *extra], epochs, l2)
        for i in range(fold, len(train), folds):
            predicted[i] = linked([train[i]], linker)[0]
    return [p for p in predicted if p is not None]


def accuracy(gold: Sequence[Document], predicted: Sequence[Document]) -> tuple[Accuracy, Accuracy]:
    """Speaker accuracy on direct and mixed quotations, and on all."""
    result = evaluate(gold, predicted).speaker_accuracy
    return result["direct+mixed"], result["all"]


def report(name: str, scores: tuple[Accuracy, Accuracy]) -> None:
    direct, every = scores
    print(
        f"{name}: speaker accuracy direct+mixed {direct.value:.3f} ({direct.correct}/{direct.total}), "
        f"all {every.value:.3f} ({every.correct}/{every.total})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="Directory to write the scorer into.")
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="More gold data to train on.")
    parser.add_argument("--epochs", type=int, nargs="+", default=[600], help="Full-batch steps to try.")
    parser.add_argument("--l2", type=float, nargs="+", default=[1e-4], help="L2 penalties to try.")
    parser.add_argument("--folds", type=int, default=5, help="Cross-validation folds of PolNeAR train.")
    args = parser.parse_args()
    train = load_documents(POLNEAR / "train.jsonl")
    dev = load_documents(POLNEAR / "dev.jsonl")
    groups = [groups_of(document) for document in train]
    extra = [g for document in load_documents(*args.extra) for g in groups_of(document)] if args.extra else []
    report("held out, rule   ", accuracy(train, linked(train, None)))
    best, best_key = (args.epochs[0], args.l2[0]), (-1, -1)
    for epochs, l2 in itertools.product(args.epochs, args.l2):
        scores = accuracy(train, held_out(train, groups, extra, args.folds, epochs, l2))
        report(f"held out, learned (epochs {epochs}, l2 {l2:g})", scores)
        key = (scores[0].correct + scores[1].correct, scores[1].correct)
        if key > best_key:
            best, best_key = (epochs, l2), key
    began = time.perf_counter()
    linker = fit([*(g for document in groups for g in document), *extra], *best)
    print(f"trained with epochs {best[0]}, l2 {best[1]:g} in {time.perf_counter() - began:.0f} s")
    report("dev, rule   ", accuracy(dev, linked(dev, None)))
    report("dev, learned", accuracy(dev, linked(dev, linker)))
    args.out.mkdir(parents=True, exist_ok=True)
    linker.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
