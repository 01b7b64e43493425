"""Train the learned resolver of pronouns and descriptions on the gold entities of the news and seed
corpora, and score it.

    python training/coreference.py --model models/quoteattr-minilm --out runs/coref-model   # a few minutes

The model's own spans on the training documents are linked as `quoteattr predict` links them (with
the model's speaker linker and name scorer), the rules resolving every mention. Each pronoun or
description that overlaps a gold mention makes one group: its candidates
(`attribution.coreference.antecedents`) are labelled right when the candidate's name is one of the
gold entity's names (`metrics.canonical_speakers`), and someone new is right when none is but the
description itself names the entity (*a spokesperson*); a mention whose entity is reachable in
neither way teaches nothing. The L2 penalty is chosen by 5-fold cross-validation over the training
documents (`--l2` sets it instead); held-out choice accuracy by mention kind is printed for the
rules and the learned resolver, and news dev canonical speaker accuracy by gold mention type (with
speaker accuracy and attributed F1) from the same spans, as `quoteattr evaluate` measures them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scorer_run import scorer_run

from quoteattr.attribution.coreference import DIMENSIONS, CoreferenceScorer, antecedents, hashed, pair_features
from quoteattr.attribution.entities import EntityResolver
from quoteattr.attribution.entity import Entity
from quoteattr.attribution.pipeline import link_spans
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.attribution.sparse import fit_listwise
from quoteattr.evaluation import score_model
from quoteattr.inference import QuoteAttributor
from quoteattr.metrics import canonical_speakers, normalise_name
from quoteattr.schema import Document, Span

L2_GRID = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
KINDS = ("pronoun", "nominal")
Spans = dict[str, list[TaggedSpan]]


@dataclass
class Decision:
    """One pronoun or description as the rules resolved it, with its candidates' features."""

    mention: Span
    kind: str
    rule: Entity | None
    entities: list[Entity]
    rows: list[list[int]]


@dataclass
class Recorder:
    """Stands in for the learned resolver while the rules resolve: records each decision."""

    decisions: list[Decision] = field(default_factory=list)

    def choose(self, resolver: EntityResolver, mention: Span, kind: str, rule: Entity | None) -> Entity | None:
        found = antecedents(resolver.text, mention, resolver.history, resolver.spans, rule)
        rows = [hashed(pair_features(resolver.text, mention, kind, c, rule, r)) for r, c in enumerate(found)]
        self.decisions.append(Decision(mention, kind, rule, [c.entity for c in found], rows))
        return rule


@dataclass
class Groups:
    """Every labelled decision's candidate rows, and per group its document, kind and the rules' result."""

    rows: list[list[int]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    rule_right: list[bool] = field(default_factory=list)


def gold_names(document: Document, mention: Span) -> set[str] | None:
    """The normalised names of the gold entity one of whose mentions overlaps `mention`
    (`metrics.canonical_speakers`), or None."""
    found = canonical_speakers(document)
    return next((names for (s, e), (_, names) in found.items() if s < mention.end and mention.start < e), None)


def groups(documents: Sequence[Document], spans: Sequence[Spans], attributor: QuoteAttributor) -> Groups:
    """The labelled decisions of the rules on the model's spans of `documents`."""
    out = Groups()
    for index, (document, found) in enumerate(zip(documents, spans, strict=True)):
        recorder = Recorder()
        text = document.text
        quotes, speakers, cues, roles = (found[f] for f in ("QUOTE", "SPEAKER", "CUE", "ROLE"))
        link_spans(text, quotes, speakers, cues, roles, attributor.linker, attributor.namer, recorder)
        for decision in recorder.decisions:
            names = gold_names(document, decision.mention)
            if names is None:
                continue
            right = [int(normalise_name(e.name) in names) for e in decision.entities]
            new = not any(right) and normalise_name(decision.mention.text) in names  # *a spokesperson*
            if not any(right) and not new:
                continue  # its entity is reachable neither among the candidates nor as someone new
            number = len(out.kinds)
            out.rows += decision.rows
            out.labels += right
            out.numbers += [number] * len(right)
            out.owners.append(index)
            out.kinds.append(decision.kind)
            rule = decision.rule
            out.rule_right.append(new if rule is None else bool(right[decision.entities.index(rule)]))
    return out


def chosen_right(weights: np.ndarray, rows: list[list[int]], labels: list[int], numbers: list[int]) -> dict[int, bool]:
    """By group, whether the scorer's choice (its best candidate above 0, else someone new) is right."""
    best: dict[int, tuple[float, int]] = {}
    has_gold: dict[int, bool] = {}
    for row, label, number in zip(rows, labels, numbers, strict=True):
        score = float(weights[row].sum())
        if score > best.get(number, (0.0, 0))[0]:
            best[number] = (score, label)
        has_gold[number] = has_gold.get(number, False) or bool(label)
    return {n: bool(best[n][1]) if n in best else not has_gold[n] for n in has_gold}


def held_out(data: Groups, l2: float, epochs: int, folds: int = 5) -> dict[int, bool]:
    """By group, whether a scorer fit on the other folds' documents (`folds`-fold) chooses right."""
    right: dict[int, bool] = {}
    for fold in range(folds):
        held = [data.owners[n] % folds == fold for n in data.numbers]
        keep = [i for i, h in enumerate(held) if not h]
        renumber: dict[int, int] = {}
        fit_numbers = [renumber.setdefault(data.numbers[i], len(renumber)) for i in keep]
        weights = fit_listwise(
            [data.rows[i] for i in keep], [data.labels[i] for i in keep], fit_numbers, DIMENSIONS, epochs, l2
        )
        test = [i for i, h in enumerate(held) if h]
        right |= chosen_right(
            weights, [data.rows[i] for i in test], [data.labels[i] for i in test], [data.numbers[i] for i in test]
        )
    return right


def by_kind(data: Groups, right: dict[int, bool]) -> str:
    """Choice accuracy by mention kind, e.g. `pronoun 0.850 (120/141)`."""
    parts = []
    for kind in KINDS:
        mine = [right.get(n, False) for n, k in enumerate(data.kinds) if k == kind]
        parts.append(f"{kind} {sum(mine) / max(1, len(mine)):.3f} ({sum(mine)}/{len(mine)})")
    return ", ".join(parts)


def cross_validated_l2(data: Groups, epochs: int) -> float:
    """The L2 penalty of `L2_GRID` whose resolver chooses right most often on held-out training
    documents; the dev set plays no part in it."""
    print(f"rules:  held-out choice accuracy {by_kind(data, dict(enumerate(data.rule_right)))}")
    accuracy = {}
    for l2 in L2_GRID:
        right = held_out(data, l2, epochs)
        accuracy[l2] = sum(right.values()) / max(1, len(data.kinds))
        print(f"l2 {l2:g}: held-out choice accuracy {accuracy[l2]:.3f}: {by_kind(data, right)}")
    return max(L2_GRID, key=lambda l2: accuracy[l2])


def report(
    name: str, documents: Sequence[Document], attributor: QuoteAttributor, scorer: CoreferenceScorer | None
) -> None:
    """Canonical speaker accuracy by gold mention type and attributed F1 of the model end to end (as
    `quoteattr evaluate` scores it), pronouns and descriptions resolved by the rules or `scorer`."""
    kept, attributor.coreference = attributor.coreference, scorer
    try:
        result = score_model(attributor, documents)
    finally:
        attributor.coreference = kept
    canonical = ", ".join(f"{k} {v.value:.3f} ({v.correct}/{v.total})" for k, v in result.canonical_speaker.items())
    summary = result.attributed["all"]
    print(f"{name}: canonical {canonical}; attributed F1 {summary.f1:.3f}")


def main() -> None:
    args, attributor, train, dev = scorer_run(__doc__, epochs=300)
    began = time.perf_counter()
    data = groups(train, attributor.spans_of([d.text for d in train]), attributor)
    l2 = args.l2 if args.l2 is not None else cross_validated_l2(data, args.epochs)
    weights = fit_listwise(data.rows, data.labels, data.numbers, DIMENSIONS, args.epochs, l2)
    print(
        f"trained on {len(data.rows)} pairs of {len(data.kinds)} mentions ({sum(data.labels)} right), l2 {l2:g}, "
        f"in {time.perf_counter() - began:.0f} s"
    )
    scorer = CoreferenceScorer(weights)
    report("rules  ", dev, attributor, None)
    report("learned", dev, attributor, scorer)
    args.out.mkdir(parents=True, exist_ok=True)
    scorer.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
