"""Train the learned name scorer on the gold entity names of the news and seed corpora, and score it.

    python training/names.py --model models/quoteattr-minilm --out runs/names-model   # a few minutes

Two kinds of region teach it. `mention`: each name-type speaker mention that the model's spans are
linked to (as `quoteattr predict` links them, after any description: `names.apposition_name`) and
that overlaps a gold mention; its name is the run from the first to the last of its words that are
words of the gold entity's name or name mentions. `widen`: each capitalised run before the surname
of a gold entity with a full name, as `names.full_names` finds it; its name is the run from the
first word of that entity's name to the surname (the surname alone when none is written there: it
is then no full name). Every run of words of a region is a candidate, right when its normalised
text is the gold name's; a mention of an unnamed speaker (*Experts on North Korea*) has none
right, so that the scorer chooses none there and the rules keep the description. The L2 penalty
is chosen by 5-fold cross-validation over the training documents (`--l2` sets it instead);
held-out and news dev name accuracy are then printed for the rules (`names.person_name`) and for
the learned scorer.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scorer_run import scorer_run

from quoteattr.attribution.name_spans import (
    DIMENSIONS,
    NameScorer,
    WrittenText,
    candidate_features,
    chosen_name,
    hashed,
    rule_name,
    words_of,
)
from quoteattr.attribution.names import apposition_name, full_names, mention_type
from quoteattr.attribution.pipeline import link_spans
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.attribution.sparse import fit_listwise
from quoteattr.inference import QuoteAttributor
from quoteattr.metrics import normalise_name
from quoteattr.schema import Document, Entity

L2_GRID = (1e-5, 1e-4, 1e-3)
Spans = dict[str, list[TaggedSpan]]


@dataclass(frozen=True)
class Region:
    """A stretch of a document whose name is known: `kind` is `mention` or `widen`."""

    document: int
    start: int
    end: int
    kind: str
    gold: str | None  # normalised; None for an unnamed speaker's mention (its description stands)


def name_words(entity: Entity) -> set[str]:
    """The normalised words of an entity's name and name mentions."""
    names = [entity.name, *(m.span.text for m in entity.mentions if m.type == "name")]
    return {word for name in names for word in normalise_name(name).split()}


def covered(written: WrittenText, start: int, end: int, known: set[str]) -> str | None:
    """The normalised run of a region from its first to its last word in `known`, or None."""
    words = words_of(written.text, start, end)
    inside = [i for i, (s, e) in enumerate(words) if _known(written.text[s:e], known)]
    return normalise_name(chosen_name(written, words, inside[0], inside[-1])) if inside else None


def _known(word: str, known: set[str]) -> bool:
    parts = normalise_name(word.replace("’", "'")).split()  # *O'Keefe* → o keefe
    return bool(parts) and all(part in known for part in parts)


def mention_regions(number: int, document: Document, spans: Spans, attributor: QuoteAttributor) -> list[Region]:
    """The linked name-type mentions of a document that overlap a gold mention, with its entity's name."""
    text, written = document.text, WrittenText(document.text)
    found = spans
    linked = link_spans(text, found["QUOTE"], found["SPEAKER"], found["CUE"], found["ROLE"], attributor.linker)
    gold = [(m.span.start, m.span.end, e) for e in document.entities or () for m in e.mentions]
    regions = []
    for mention in linked.links.mentions:
        written_mention = text[mention.start : mention.end]
        if mention_type(written_mention) != "name":
            continue
        entity = next((e for s, t, e in gold if s < mention.end and mention.start < t), None)
        start = mention.start + (apposition_name(written_mention) or 0)
        if entity is not None and entity.name.startswith("unnamed"):  # a description: no candidate is right
            regions.append(Region(number, start, mention.end, "mention", None))
            continue
        name = covered(written, start, mention.end, name_words(entity)) if entity else None
        if name:
            regions.append(Region(number, start, mention.end, "mention", name))
    return regions


def widen_regions(number: int, document: Document) -> list[Region]:
    """The capitalised runs before the surname of each gold entity with a full name."""
    text, written = document.text, WrittenText(document.text)
    known: dict[str, set[str]] = {}  # by surname: the name words of every entity with a full name
    for entity in document.entities or ():
        words = entity.name.split()
        if len(words) >= 2 and all(w[:1].isupper() for w in words):
            known.setdefault(words[-1], set()).update(name_words(entity))
    regions = []
    for surname, words in known.items():
        for start, end in runs_before(text, surname):
            name = _suffix(written, start, end, words)
            if name is not None:
                regions.append(Region(number, start, end, "widen", name))
    return regions


def runs_before(text: str, surname: str) -> list[tuple[int, int]]:
    """The offsets of the capitalised runs ending in `surname` that `names.full_names` reads."""
    runs: list[tuple[int, int]] = []

    def record(start: int, end: int) -> str:
        runs.append((start, end))
        return ""

    full_names(text, surname, record)
    return runs


def _suffix(written: WrittenText, start: int, end: int, known: set[str]) -> str | None:
    """The normalised run of known words that ends a capitalised run; None when the run is the
    surname alone after a name word written nowhere in lower case (someone else's given name?)."""
    words = words_of(written.text, start, end)
    first = len(words) - 1
    while first > 0 and _known(written.text[slice(*words[first - 1])], known):
        first -= 1
    if first == len(words) - 1 and not written.lowered(written.text[slice(*words[first - 1])]):
        return None
    return normalise_name(chosen_name(written, words, first, len(words) - 1))


def rows_of(documents: Sequence[Document], regions: Sequence[Region]) -> list[list[tuple[list[int], int]]]:
    """Per region, each candidate's hashed features and whether it is the gold name."""
    written = {n: WrittenText(documents[n].text) for n in {r.document for r in regions}}
    groups = []
    for region in regions:
        text = written[region.document]
        words = words_of(text.text, region.start, region.end)
        groups.append(
            [
                (hashed(features), int(normalise_name(chosen_name(text, words, i, j)) == region.gold))
                for (i, j), features in candidate_features(text, words, region.kind)
            ]
        )
    return groups


def fit(groups: Sequence[list[tuple[list[int], int]]], l2: float, epochs: int) -> np.ndarray:
    rows = [row for group in groups for row, _ in group]
    labels = [label for group in groups for _, label in group]
    numbers = [n for n, group in enumerate(groups) for _ in group]
    return fit_listwise(rows, labels, numbers, DIMENSIONS, epochs, l2)


def name_right(document: Document, region: Region, scorer: NameScorer | None) -> bool:
    """Whether the name taken out of a region (by `scorer`, else or where it chooses none by the
    rules) is its gold name, or for an unnamed speaker the rules' description."""
    rules = rule_name(document.text, region.start, region.end, region.kind)
    guess = scorer.name(WrittenText(document.text), region.start, region.end, region.kind) if scorer else ""
    return normalise_name(guess or rules) == (normalise_name(rules) if region.gold is None else region.gold)


def cross_validated_l2(
    documents: Sequence[Document],
    groups: list[list[tuple[list[int], int]]],
    regions: Sequence[Region],
    epochs: int,
    folds: int = 5,
) -> tuple[float, dict[str, float]]:
    """The L2 penalty of `L2_GRID` with the best held-out name accuracy (`folds` folds by document),
    and that accuracy by region kind."""
    best: tuple[float, float, dict[str, float]] = (-1.0, 0.0, {})
    for l2 in L2_GRID:
        hits: dict[str, list[int]] = {}
        for fold in range(folds):
            held = [r.document % folds == fold for r in regions]
            scorer = NameScorer(fit([g for g, h in zip(groups, held, strict=True) if not h], l2, epochs))
            for region in (r for r, h in zip(regions, held, strict=True) if h):
                hits.setdefault(region.kind, []).append(name_right(documents[region.document], region, scorer))
        accuracy = {kind: float(np.mean(v)) for kind, v in hits.items()}
        total = float(np.mean([x for v in hits.values() for x in v]))
        print(f"l2 {l2:g}: held-out name accuracy {total:.3f} " + " ".join(f"{k} {a:.3f}" for k, a in accuracy.items()))
        if total > best[0]:
            best = (total, l2, accuracy)
    return best[1], best[2]


def report(name: str, documents: Sequence[Document], regions: Sequence[Region], scorer: NameScorer | None) -> None:
    """Name accuracy by region kind of the rules (`scorer` None) or the learned scorer."""
    hits: dict[str, list[bool]] = {}
    for region in regions:
        hits.setdefault(region.kind, []).append(name_right(documents[region.document], region, scorer))
    print(f"{name}: " + ", ".join(f"{k} {np.mean(v):.3f} ({sum(v)}/{len(v)})" for k, v in sorted(hits.items())))


def regions_of(documents: Sequence[Document], spans: Sequence[Spans], attributor: QuoteAttributor) -> list[Region]:
    found = []
    for number, (document, tags) in enumerate(zip(documents, spans, strict=True)):
        found += mention_regions(number, document, tags, attributor) + widen_regions(number, document)
    return found


def main() -> None:
    args, attributor, train, dev = scorer_run(__doc__, epochs=200)
    began = time.perf_counter()
    train_regions = regions_of(train, attributor.spans_of([d.text for d in train]), attributor)
    dev_regions = regions_of(dev, attributor.spans_of([d.text for d in dev]), attributor)
    groups = rows_of(train, train_regions)
    print(
        f"{len(train_regions)} training regions, {len(dev_regions)} dev regions ({time.perf_counter() - began:.0f} s)"
    )
    l2 = args.l2 if args.l2 is not None else cross_validated_l2(train, groups, train_regions, args.epochs)[0]
    scorer = NameScorer(fit(groups, l2, args.epochs))
    print(f"trained, l2 {l2:g}, in {time.perf_counter() - began:.0f} s")
    report("rules   (train)", train, train_regions, None)
    report("rules   (dev)", dev, dev_regions, None)
    report("learned (dev)", dev, dev_regions, scorer)
    args.out.mkdir(parents=True, exist_ok=True)
    scorer.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
