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
from dataclasses import dataclass

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


@dataclass(frozen=True)
class SpeakerGroup:
    """One speaker of a training document whose predicted quotations match gold ones of the same
    speaker: its candidate roles and the gold roles of those quotations."""

    document: int  # the document's number
    rows: list[list[int]]  # each candidate's hashed features
    texts: list[str]  # each candidate's text
    labels: list[int]  # 1 for a candidate `metrics.role_correct` accepts for the speaker's gold role
    quote_roles: list[str]  # the gold role of each matched quotation that has one

    @property
    def teaches(self) -> bool:
        """Whether its gold role is among the candidates, or it has none: else neither they nor
        'none' are right, and it teaches nothing."""
        return any(self.labels) or not self.quote_roles


def groups(documents: Sequence[Document], spans: Sequence[Spans], attributor: QuoteAttributor) -> list[SpeakerGroup]:
    """Every speaker group of the documents (see `SpeakerGroup`), in document order."""
    found_groups = []
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
            written = [role for role in roles if role is not None]
            gold = Counter(written).most_common(1)[0][0] if written else None
            rule_pick, fuller = rule_role(text, entity, first[entity])
            candidates = featured(entity, context, rule_pick, fuller)
            found_groups.append(
                SpeakerGroup(
                    index,
                    [hashed(features) for _, features in candidates],
                    [candidate.span.text for candidate, _ in candidates],
                    [int(gold is not None and role_correct(gold, c.span.text)) for c, _ in candidates],
                    written,
                )
            )
    return found_groups


def fit(speakers: Sequence[SpeakerGroup], epochs: int, l2: float) -> np.ndarray:
    """The linker's weights, learned from the groups that teach (`SpeakerGroup.teaches`)."""
    rows: list[list[int]] = []
    labels: list[int] = []
    numbers: list[int] = []
    for number, group in enumerate(g for g in speakers if g.teaches):
        rows += group.rows
        labels += group.labels
        numbers += [number] * len(group.rows)
    return fit_listwise(rows, labels, numbers, DIMENSIONS, epochs, l2)


def choice(weights: np.ndarray, group: SpeakerGroup) -> int | None:
    """The candidate the scorer chooses (its best above 0), or None."""
    scores = [float(weights[row].sum()) for row in group.rows]
    best = max(range(len(scores)), key=scores.__getitem__, default=None)
    return best if best is not None and scores[best] > 0 else None


def choice_right(group: SpeakerGroup, chosen: int | None) -> bool:
    """Whether `chosen` (`choice`) is right for a teaching group: a gold candidate, or none when none is."""
    return bool(group.labels[chosen]) if chosen is not None else not any(group.labels)


def roles_right(group: SpeakerGroup, chosen: int | None) -> int:
    """How many of the group's quotations with a gold role get it from `chosen` (`choice`), as
    `quoteattr evaluate` counts role accuracy."""
    role = group.texts[chosen] if chosen is not None else None
    return sum(role_correct(gold, role) for gold in group.quote_roles)


def cross_validated_l2(speakers: Sequence[SpeakerGroup], epochs: int, folds: int = 5) -> float:
    """The L2 penalty of `L2_GRID` whose scorer chooses right most often on held-out training
    documents (`folds`-fold, by document); the dev set plays no part in it. Also printed: the
    held-out role accuracy of the quotations whose speaker is right, every speaker counted (those
    whose role is no candidate too), a steadier yardstick than news dev's few speakers."""
    teaching = sum(group.teaches for group in speakers)
    quotations = sum(len(group.quote_roles) for group in speakers)
    accuracy = {}
    for l2 in L2_GRID:
        chosen_right = roles = 0
        for fold in range(folds):
            weights = fit([g for g in speakers if g.document % folds != fold], epochs, l2)
            for group in (g for g in speakers if g.document % folds == fold):
                chosen = choice(weights, group)
                chosen_right += group.teaches and choice_right(group, chosen)
                roles += roles_right(group, chosen)
        accuracy[l2] = chosen_right / teaching
        print(
            f"l2 {l2:g}: held-out choice accuracy {accuracy[l2]:.3f}, role accuracy "
            f"{roles / quotations:.3f} ({roles}/{quotations} quotations whose speaker is right)"
        )
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
    speakers = groups(train, attributor.spans_of([d.text for d in train]), attributor)
    l2 = args.l2 if args.l2 is not None else cross_validated_l2(speakers, args.epochs)
    weights = fit(speakers, args.epochs, l2)
    teaching = [group for group in speakers if group.teaches]
    print(
        f"trained on {sum(len(g.rows) for g in teaching)} pairs of {len(teaching)} speakers "
        f"({sum(sum(g.labels) for g in teaching)} right roles), l2 {l2:g}, in {time.perf_counter() - began:.0f} s"
    )
    linker = RoleLinker(weights)
    report("rules  ", dev, attributor, None)
    report("learned", dev, attributor, linker)
    args.out.mkdir(parents=True, exist_ok=True)
    linker.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
