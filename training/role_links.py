"""Train the learned speaker → role scorer on the gold roles of the news corpus, and score it.

    python training/role_links.py --model runs/roles --out runs/roles     # about a minute

The model's own spans on the training documents (news train and the seed corpus) are linked as
`quoteattr predict` links them. Each speaker whose predicted quotation matches a gold quotation of
the same speaker makes one group: its candidates (`attribution.role_links.featured`) are labelled
right when `metrics.role_correct` accepts them for the gold quotation's role, and a speaker whose
gold quotations give no role should choose none (a speaker whose gold role is not among its
candidates teaches nothing). News dev role accuracy (and attributed F1) is then
printed for the rules and for the learned scorer, from the same spans and with the model's
quotation decision, as `quoteattr evaluate` measures them. The L2 penalty is chosen by 5-fold
cross-validation over the training documents (`--l2` sets it instead).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scorer_run import scorer_run

from quoteattr.attribution.entity import Entity
from quoteattr.attribution.pipeline import link_spans
from quoteattr.attribution.role_links import DIMENSIONS, RoleContext, RoleLinker, featured, hashed
from quoteattr.attribution.roles import rule_role
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.attribution.sparse import fit_listwise
from quoteattr.evaluation import score_model
from quoteattr.inference import QuoteAttributor
from quoteattr.metrics import match_quotes, role_correct, speaker_correct
from quoteattr.schema import Document, Quote, Span, Speaker
from quoteattr.text import quote_kind

L2_GRID = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
Spans = dict[str, list[TaggedSpan]]


def groups(
    documents: Sequence[Document], spans: Sequence[Spans], attributor: QuoteAttributor
) -> tuple[list[list[int]], list[int], list[int], list[int]]:
    """Hashed features, labels and group number of every (speaker, candidate role) pair, and the
    document number of every group."""
    rows: list[list[int]] = []
    labels: list[int] = []
    numbers: list[int] = []
    owners: list[int] = []
    number = 0
    for index, (document, found) in enumerate(zip(documents, spans, strict=True)):
        text = document.text
        linked = link_spans(
            text,
            found["QUOTE"],
            found["SPEAKER"],
            found["CUE"],
            found["ROLE"],
            attributor.linker,
            attributor.namer,
            attributor.coreference,
        )
        predicted, speakers = [], []
        for quote, mention in zip(linked.candidates, linked.links.speakers):
            if mention is None:
                continue
            entity = linked.entity_of[(mention.start, mention.end)]
            speaker = Speaker(entity.name, Span.of(text, mention.start, mention.end), tuple(entity.aliases))
            kind = quote_kind(text, quote.start, quote.end)
            predicted.append(Quote(text[quote.start : quote.end], quote.start, quote.end, kind, speaker))
            speakers.append(entity)
        gold_roles: dict[Entity, list[str | None]] = {}
        pairs, _ = match_quotes(document, document.quotes, predicted)
        for i, j in pairs:
            if speaker_correct(document.quotes[i], predicted[j]):
                gold_roles.setdefault(speakers[j], []).append(document.quotes[i].role)
        context = RoleContext.of(text, linked.tagged_roles, linked.entity_of)
        first = {entity: min(m[0] for m in context.mentions_of(entity)) for entity in gold_roles}
        for entity, roles in gold_roles.items():
            written = Counter(role for role in roles if role is not None)
            gold = written.most_common(1)[0][0] if written else None
            rule_pick, fuller = rule_role(text, entity, first[entity])
            found = featured(entity, context, rule_pick, fuller)
            right = [int(gold is not None and role_correct(gold, c.span.text)) for c, _ in found]
            if gold is not None and not any(right):
                continue  # its role is not among the candidates: neither they nor 'none' are right
            for (_, features), label in zip(found, right, strict=True):
                rows.append(hashed(features))
                labels.append(label)
                numbers.append(number)
            owners.append(index)
            number += 1
    return rows, labels, numbers, owners


def chosen_right(weights: np.ndarray, rows: list[list[int]], labels: list[int], numbers: list[int]) -> list[bool]:
    """Per group, whether the scorer's choice (its best candidate above 0, else none) is right."""
    best: dict[int, tuple[float, int]] = {}
    has_gold: dict[int, bool] = {}
    for row, label, number in zip(rows, labels, numbers, strict=True):
        score = float(weights[row].sum())
        if score > best.get(number, (0.0, 0))[0]:
            best[number] = (score, label)
        has_gold[number] = has_gold.get(number, False) or bool(label)
    return [bool(best[n][1]) if n in best else not has_gold[n] for n in sorted(has_gold)]


def cross_validated_l2(
    rows: list[list[int]], labels: list[int], numbers: list[int], owners: list[int], epochs: int, folds: int = 5
) -> float:
    """The L2 penalty of `L2_GRID` whose scorer chooses right most often on held-out training
    documents (`folds`-fold, by document); the dev set plays no part in it."""
    accuracy = {}
    for l2 in L2_GRID:
        right = 0
        for fold in range(folds):
            held = [owners[n] % folds == fold for n in numbers]
            fit_rows = [r for r, h in zip(rows, held, strict=True) if not h]
            renumber: dict[int, int] = {}
            fit_numbers = [renumber.setdefault(n, len(renumber)) for n, h in zip(numbers, held, strict=True) if not h]
            fit_labels = [x for x, h in zip(labels, held, strict=True) if not h]
            weights = fit_listwise(fit_rows, fit_labels, fit_numbers, DIMENSIONS, epochs, l2)
            test = [(r, x, n) for r, x, n, h in zip(rows, labels, numbers, held, strict=True) if h]
            right += sum(chosen_right(weights, *map(list, zip(*test, strict=True)))) if test else 0
        accuracy[l2] = right / (max(numbers) + 1)
        print(f"l2 {l2:g}: held-out choice accuracy {accuracy[l2]:.3f}")
    return max(L2_GRID, key=lambda l2: accuracy[l2])


def report(name: str, documents: Sequence[Document], attributor: QuoteAttributor, linker: RoleLinker | None) -> None:
    """Role accuracy and attributed F1 of the model end to end (as `quoteattr evaluate` scores it),
    speakers' roles chosen by the rules or `linker`."""
    kept, attributor.role_linker = attributor.role_linker, linker
    try:
        result = score_model(attributor, documents)
    finally:
        attributor.role_linker = kept
    roles = result.role_accuracy
    attributed = result.attributed
    print(
        f"{name}: role accuracy {roles.value:.3f} ({roles.correct}/{roles.total}), attributed F1 "
        f"{attributed['all'].f1:.3f} all, {attributed['direct+mixed'].f1:.3f} direct+mixed"
        if roles
        else f"{name}: no gold roles"
    )


def main() -> None:
    args, attributor, train, dev = scorer_run(__doc__, epochs=300)
    began = time.perf_counter()
    rows, labels, numbers, owners = groups(train, attributor.spans_of([d.text for d in train]), attributor)
    l2 = args.l2 if args.l2 is not None else cross_validated_l2(rows, labels, numbers, owners, args.epochs)
    weights = fit_listwise(rows, labels, numbers, DIMENSIONS, args.epochs, l2)
    speakers = max(numbers) + 1 if numbers else 0
    print(
        f"trained on {len(rows)} pairs of {speakers} speakers ({sum(labels)} right roles), l2 {l2:g}, in "
        f"{time.perf_counter() - began:.0f} s"
    )
    linker = RoleLinker(weights)
    report("rules  ", dev, attributor, None)
    report("learned", dev, attributor, linker)
    args.out.mkdir(parents=True, exist_ok=True)
    linker.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
