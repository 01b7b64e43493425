"""Train the learned quotation → speaker-mention scorer on gold links and compare it with the rule.

    python training/speaker_links.py --out runs/speaker-links           # train on PolNeAR train, score dev
    python training/speaker_links.py --out DIR --extra data/news/train.jsonl data/train.jsonl

Both the rule (`attribution.mentions.choose_speaker`) and the learned scorer are scored on PolNeAR dev from gold
spans (gold content, speaker and cue spans given; only the linking differs), with the same
speaker accuracy `quoteattr evaluate` reports.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from quoteattr.attribution.mentions import choose_speaker, cue_next_to, joined_mentions
from quoteattr.attribution.pipeline import attribute
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.attribution.sparse import fit_listwise
from quoteattr.attribution.speaker_links import DIMENSIONS, SpeakerLinker, candidates, hashed, pair_features
from quoteattr.data.jsonl import load_documents
from quoteattr.metrics import evaluate
from quoteattr.schema import Document

POLNEAR = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear"


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


def pairs(documents: Sequence[Document]) -> tuple[list[list[int]], list[int], list[int]]:
    """Hashed features, labels and quotation number of every (gold quotation, candidate mention) pair."""
    rows: list[list[int]] = []
    labels: list[int] = []
    groups: list[int] = []
    number = 0
    for document in documents:
        quotes, mentions, cues = gold_spans(document)
        starts = [m.start for m in mentions]
        cued = cue_next_to(cues, [c.start for c in cues])
        speaker_of = {
            (f.start, f.end): q.speaker.mention
            for q in document.quotes
            if q.speaker and q.speaker.mention
            for f in q.fragments or (q.span,)
        }
        for index, quote in enumerate(quotes):
            gold = speaker_of.get((quote.start, quote.end))
            found = candidates(document.text, quote, mentions, starts)
            rule_pick = choose_speaker(document.text, quotes, index, mentions, starts, cued)
            for mention in found:
                rows.append(hashed(pair_features(document.text, quotes, index, mention, found, cues, rule_pick)))
                labels.append(int(gold is not None and mention.start < gold.end and gold.start < mention.end))
                groups.append(number)
            number += 1
    return rows, labels, groups


def linked(documents: Sequence[Document], linker: SpeakerLinker | None) -> list[Document]:
    predicted = []
    for document in documents:
        quotes, mentions, cues = gold_spans(document)
        found = attribute(document.text, quotes, mentions, cues, [], linker=linker)
        predicted.append(Document(document.id, document.text, tuple(found)))
    return predicted


def report(name: str, gold: Sequence[Document], linker: SpeakerLinker | None) -> None:
    result = evaluate(gold, linked(gold, linker))
    accuracy = result.speaker_accuracy
    print(
        f"{name}: speaker accuracy direct+mixed {accuracy['direct+mixed'].value:.3f} "
        f"({accuracy['direct+mixed'].correct}/{accuracy['direct+mixed'].total}), "
        f"all {accuracy['all'].value:.3f} ({accuracy['all'].correct}/{accuracy['all'].total})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="Directory to write the scorer into.")
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="More gold data to train on.")
    parser.add_argument("--epochs", type=int, default=300, help="Full-batch optimisation steps.")
    parser.add_argument("--l2", type=float, default=1e-5, help="L2 penalty on the weights.")
    args = parser.parse_args()
    train = load_documents(POLNEAR / "train.jsonl", *args.extra)
    dev = load_documents(POLNEAR / "dev.jsonl")
    began = time.perf_counter()
    rows, labels, groups = pairs(train)
    weights = fit_listwise(rows, labels, groups, DIMENSIONS, args.epochs, args.l2)
    print(f"trained on {len(rows)} pairs ({sum(labels)} gold links) in {time.perf_counter() - began:.0f} s")
    linker = SpeakerLinker(weights)
    report("rule   ", dev, None)
    report("learned", dev, linker)
    args.out.mkdir(parents=True, exist_ok=True)
    linker.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
