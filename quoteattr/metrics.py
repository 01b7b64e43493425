"""Score predicted quotations against gold ones: one pure function, used by the CLI and training.

Quotation spans are compared after trimming whitespace, quotation marks and punctuation from both
ends (the corpora disagree on whether marks belong to the span). A predicted and a gold quotation
match when their trimmed spans overlap (pairs are formed greedily by largest overlap, one to one),
and match exactly when the trimmed spans are equal. Token-level scores use seqeval in strict IOB2
mode, the measure of the PolNeAR literature. `bootstrap_intervals` says how far the headline scores
may move on another sample of documents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field
from typing import Any

import numpy as np
from seqeval.scheme import IOB2, Entities

from quoteattr.schema import MENTION_TYPES, QUOTE_KINDS, Document, Quote
from quoteattr.text import ARTICLES, trimmed

KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "all": QUOTE_KINDS,
    "direct+mixed": ("direct", "mixed"),
    **{kind: (kind,) for kind in QUOTE_KINDS},
}
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 with the counts behind them."""

    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.true_positives,
            "predicted": self.predicted,
            "gold": self.gold,
        }


@dataclass(frozen=True)
class Accuracy:
    correct: int
    total: int

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {"accuracy": round(self.value, 4), "correct": self.correct, "total": self.total}


@dataclass
class EvalReport:
    """All scores of one evaluation run; `to_dict()` is what `--json` writes."""

    documents: int
    detection_overlap: dict[str, PRF] = field(default_factory=dict)
    detection_exact: dict[str, PRF] = field(default_factory=dict)
    speaker_accuracy: dict[str, Accuracy] = field(default_factory=dict)
    attributed: dict[str, PRF] = field(default_factory=dict)
    role_accuracy: Accuracy | None = None
    # the canonical speaker (its name, not only its mention) on matched quotations, by the gold
    # mention's type (`name`, `pronoun`, `nominal`) and `all`, where the gold data names entities
    canonical_speaker: dict[str, Accuracy] = field(default_factory=dict)
    tags: dict[str, PRF] = field(default_factory=dict)
    by_speaker: dict[str, Accuracy] = field(default_factory=dict)  # gold quotations found and attributed, per speaker
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)  # `bootstrap_intervals`, where asked

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "detection_overlap": {k: v.to_dict() for k, v in self.detection_overlap.items()},
            "detection_exact": {k: v.to_dict() for k, v in self.detection_exact.items()},
            "speaker_accuracy": {k: v.to_dict() for k, v in self.speaker_accuracy.items()},
            "attributed": {k: v.to_dict() for k, v in self.attributed.items()},
            "role_accuracy": self.role_accuracy.to_dict() if self.role_accuracy else None,
            "canonical_speaker": {k: v.to_dict() for k, v in self.canonical_speaker.items()},
            "tags_seqeval_strict": {k: v.to_dict() for k, v in self.tags.items()},
            "by_speaker": {k: v.to_dict() for k, v in sorted(self.by_speaker.items())},
            "bootstrap_95": {k: [round(low, 4), round(high, 4)] for k, (low, high) in self.intervals.items()},
        }


def normalise_name(name: str) -> str:
    """Lower-cased words without accents or leading articles, for comparing names and roles."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = _WORD.findall(plain.replace("'s", ""))
    while words and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words)


def speaker_correct(gold: Quote, pred: Quote) -> bool:
    """The predicted speaker is the gold entity: the same mention, or a name of the gold entity."""
    if gold.speaker is None or pred.speaker is None:
        return gold.speaker is None and pred.speaker is None
    g, p = gold.speaker, pred.speaker
    if g.mention and p.mention and g.mention.overlaps(p.mention):
        return True
    names = {normalise_name(n) for n in (g.name, *g.aliases)} - {""}
    return normalise_name(p.name) in names


def canonical_speakers(document: Document) -> dict[tuple[int, int], tuple[str, set[str]]]:
    """For each gold speaker mention of a document that names its entities: the mention's type and
    the normalised names of its entity (canonical name, aliases, and the texts of its name mentions)."""
    found: dict[tuple[int, int], tuple[str, set[str]]] = {}
    for entity in document.entities or ():
        names = {entity.name, *entity.aliases, *(m.span.text for m in entity.mentions if m.type == "name")}
        normalised = {normalise_name(n) for n in names} - {""}
        for mention in entity.mentions:
            found[(mention.span.start, mention.span.end)] = (mention.type, normalised)
    return found


def canonical_results(
    gold_doc: Document, pred_doc: Document, pairs: Sequence[tuple[int, int]]
) -> list[tuple[str, bool]]:
    """For each matched pair whose gold speaker mention belongs to a named entity: under `all` and
    under the mention's type, whether the predicted speaker's name is one of the entity's names."""
    entities = canonical_speakers(gold_doc)
    results = []
    for i, j in pairs:
        gold_speaker, speaker = gold_doc.quotes[i].speaker, pred_doc.quotes[j].speaker
        mention = gold_speaker.mention if gold_speaker else None
        if mention is None or (mention.start, mention.end) not in entities:
            continue
        mention_kind, names = entities[(mention.start, mention.end)]
        right = speaker is not None and normalise_name(speaker.name) in names
        results += [("all", right), (mention_kind, right)]
    return results


def role_correct(gold_role: str, pred_role: str | None) -> bool:
    """Roles agree when their normalised forms are equal or one contains the other, and the prediction is
    at least half as long as the gold role: *State Department spokesperson* matches *US State Department
    spokesperson*, but a bare *spokesperson* does not."""
    if pred_role is None:
        return False
    g, p = normalise_name(gold_role), normalise_name(pred_role)
    return bool(g and p) and (g == p or f" {g} " in f" {p} " or f" {p} " in f" {g} ") and len(p) * 2 >= len(g)


def match_quotes(
    document: Document, gold: Sequence[Quote], pred: Sequence[Quote]
) -> tuple[list[tuple[int, int]], set[int]]:
    """One-to-one (gold index, predicted index) pairs of overlapping trimmed spans, largest overlap first.

    A gold quotation split into fragments (*"…," he said. "…"*) may be found as one predicted
    quotation per fragment: the extra predictions that overlap another fragment of a matched gold
    quotation are returned as absorbed, neither right nor wrong.
    """
    text = document.text
    g_fragments = [[trimmed(text, f.start, f.end) for f in q.fragments or (q.span,)] for q in gold]
    p_spans = [trimmed(text, q.start, q.end) for q in pred]
    overlaps: dict[tuple[int, int], int] = {}
    for i, fragments in enumerate(g_fragments):
        for j, (ps, pe) in enumerate(p_spans):
            overlap = sum(max(0, min(ge, pe) - max(gs, ps)) for gs, ge in fragments)
            if overlap > 0:
                overlaps[(i, j)] = overlap
    pairs, used_g, used_p = [], set(), set()
    for (i, j), _ in sorted(overlaps.items(), key=lambda item: (-item[1], item[0])):
        if i not in used_g and j not in used_p:
            pairs.append((i, j))
            used_g.add(i)
            used_p.add(j)
    absorbed = {j for (i, j) in overlaps if j not in used_p and i in used_g and len(g_fragments[i]) > 1}
    return pairs, absorbed


def seqeval_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, PRF]:
    """Strict IOB2 entity scores per tag type (seqeval), from aligned string tag sequences."""
    if len(gold) != len(pred) or any(len(g) != len(p) for g, p in zip(gold, pred)):
        raise ValueError("gold and predicted tag sequences differ in number or length")
    # count entities directly: a type with predictions but no true positive must keep its predicted count
    true_set = {e.to_tuple() for sentence in Entities([list(s) for s in gold], IOB2).entities for e in sentence}
    pred_set = {e.to_tuple() for sentence in Entities([list(s) for s in pred], IOB2).entities for e in sentence}
    scores = {}
    for name in sorted({entity[1] for entity in true_set | pred_set}):
        scores[name] = PRF(
            sum(e[1] == name for e in true_set & pred_set),
            sum(e[1] == name for e in pred_set),
            sum(e[1] == name for e in true_set),
        )
    return scores


def evaluate(
    gold_documents: Sequence[Document],
    predicted_documents: Sequence[Document],
    token_tags: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None = None,
) -> EvalReport:
    """Score predictions against gold documents (paired by position, same texts).

    Args:
        gold_documents: annotated documents.
        predicted_documents: the system's documents, in the same order.
        token_tags: optional (gold, predicted) IOB2 string sequences for the seqeval scores.

    Example:
        >>> report = evaluate(gold, predicted)  # doctest: +SKIP
        >>> report.attributed["direct+mixed"].f1  # doctest: +SKIP
        0.91
    """
    counts: dict[str, dict[str, list[int]]] = {
        group: {"overlap": [0, 0, 0], "exact": [0, 0, 0], "speaker": [0, 0], "attributed": [0, 0, 0]}
        for group in KIND_GROUPS
    }
    roles = [0, 0]
    canonical: dict[str, list[int]] = {}
    per_speaker: dict[str, list[int]] = {}
    for gold_doc, pred_doc in zip(gold_documents, predicted_documents, strict=True):
        if gold_doc.text != pred_doc.text:
            raise ValueError(f"document {gold_doc.id!r}: predicted text differs from the gold text")
        gold, pred = gold_doc.quotes, pred_doc.quotes
        pairs, absorbed = match_quotes(gold_doc, gold, pred)
        attributed = {i for i, j in pairs if speaker_correct(gold[i], pred[j])}
        for group, kinds in KIND_GROUPS.items():
            c = counts[group]
            n_gold = sum(q.kind in kinds for q in gold)
            n_pred = sum(q.kind in kinds for j, q in enumerate(pred) if j not in absorbed)
            for key in ("overlap", "exact", "attributed"):
                c[key][1] += n_pred
                c[key][2] += n_gold
            for i, j in pairs:
                g, p = gold[i], pred[j]
                if g.kind not in kinds:
                    continue
                hit = p.kind in kinds
                c["overlap"][0] += hit
                same_span = trimmed(gold_doc.text, g.start, g.end) == trimmed(gold_doc.text, p.start, p.end)
                c["exact"][0] += hit and same_span
                right = i in attributed
                c["speaker"][0] += right
                c["speaker"][1] += 1
                c["attributed"][0] += hit and right
        for i, quote in enumerate(gold):
            if quote.speaker is not None:
                tally = per_speaker.setdefault(quote.speaker.name, [0, 0])
                tally[0] += i in attributed
                tally[1] += 1
        for key, right in canonical_results(gold_doc, pred_doc, pairs):
            tally = canonical.setdefault(key, [0, 0])
            tally[0] += right
            tally[1] += 1
        if gold_doc.has_roles:
            for i, j in pairs:
                if gold[i].role is not None:
                    roles[0] += role_correct(gold[i].role, pred[j].role)  # type: ignore[arg-type]
                    roles[1] += 1
    report = EvalReport(documents=len(gold_documents))
    for group, c in counts.items():
        report.detection_overlap[group] = PRF(*c["overlap"])
        report.detection_exact[group] = PRF(*c["exact"])
        report.speaker_accuracy[group] = Accuracy(*c["speaker"])
        report.attributed[group] = PRF(*c["attributed"])
    report.role_accuracy = Accuracy(*roles) if roles[1] else None
    report.by_speaker = {name: Accuracy(*tally) for name, tally in per_speaker.items()}
    report.canonical_speaker = {key: Accuracy(*canonical[key]) for key in ("all", *MENTION_TYPES) if key in canonical}
    if token_tags is not None:
        report.tags = seqeval_scores(*token_tags)
    return report


# The scores `bootstrap_intervals` gives an interval for, and where each lies in a report.
HEADLINE_SCORES: dict[str, Callable[[EvalReport], PRF | Accuracy | None]] = {
    "detection F1, all kinds": lambda report: report.detection_overlap["all"],
    "detection F1, direct+mixed": lambda report: report.detection_overlap["direct+mixed"],
    "speaker accuracy, all kinds": lambda report: report.speaker_accuracy["all"],
    "attributed F1, all kinds": lambda report: report.attributed["all"],
    "attributed F1, direct+mixed": lambda report: report.attributed["direct+mixed"],
    "canonical speaker accuracy": lambda report: report.canonical_speaker.get("all"),
    "role accuracy": lambda report: report.role_accuracy,
}


def bootstrap_intervals(
    gold_documents: Sequence[Document], predicted_documents: Sequence[Document], resamples: int, seed: int = 13
) -> dict[str, tuple[float, float]]:
    """95 % percentile intervals of the `HEADLINE_SCORES` when the documents are drawn again, with
    replacement, `resamples` times: how far a score may move on another sample of the same kind of
    articles. A score no document has (roles in PolNeAR) gets none.

    Every count behind the scores adds up over documents, so each document is scored once and a
    resample sums its documents' counts.
    """
    if resamples < 1 or not gold_documents:
        return {}
    alone = [evaluate([gold], [pred]) for gold, pred in zip(gold_documents, predicted_documents, strict=True)]
    drawn = np.random.default_rng(seed).integers(0, len(alone), size=(resamples, len(alone)))
    intervals: dict[str, tuple[float, float]] = {}
    for name, score_of in HEADLINE_SCORES.items():
        scores = [score_of(report) for report in alone]
        shape = next((type(score) for score in scores if score is not None), None)
        if shape is None:
            continue
        empty = (0, 0, 0) if shape is PRF else (0, 0)
        counts = np.array([astuple(score) if score is not None else empty for score in scores], dtype=float)
        sums = counts[drawn].sum(axis=1)  # (resamples, counts)
        values = _f1(*sums.T) if shape is PRF else _ratio(sums[:, 0], sums[:, 1])
        low, high = np.percentile(values, [2.5, 97.5])
        intervals[name] = (float(low), float(high))
    return intervals


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """`Accuracy.value` over arrays of counts (0 where there is nothing to count)."""
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def _f1(true_positives: np.ndarray, predicted: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """`PRF.f1` over arrays of counts."""
    precision, recall = _ratio(true_positives, predicted), _ratio(true_positives, gold)
    return _ratio(2 * precision * recall, precision + recall)
