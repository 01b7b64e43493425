"""Counts that describe a quotation dataset: quotations by kind, speakers, mentions, role coverage."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from quoteattr.schema import MENTION_TYPES, QUOTE_KINDS, Document


@dataclass(frozen=True)
class SpeakerStats:
    """One speaker (by canonical name) across the dataset: quotations and the roles they carry."""

    name: str
    quotations: int
    roles: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "quotations": self.quotations, "roles": list(self.roles)}


@dataclass(frozen=True)
class DatasetStats:
    """Summary counts of a set of documents (see `dataset_stats`)."""

    documents: int
    quotations: int
    quotations_by_kind: dict[str, int]
    quotations_with_speaker: int
    cues: int
    distinct_speakers: int
    mentions_by_type: dict[str, int]
    quotations_with_role: int
    speakers: tuple[SpeakerStats, ...]
    other_attributions: int = 0
    non_quotations_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def quotations_without_speaker(self) -> int:
        return self.quotations - self.quotations_with_speaker

    @property
    def role_coverage(self) -> float:
        """Share of quotations that carry a role (0.0 for no quotation)."""
        return self.quotations_with_role / self.quotations if self.quotations else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "quotations": self.quotations,
            "quotations_by_kind": dict(self.quotations_by_kind),
            "quotations_with_speaker": self.quotations_with_speaker,
            "quotations_without_speaker": self.quotations_without_speaker,
            "cues": self.cues,
            "distinct_speakers": self.distinct_speakers,
            "mentions_by_type": dict(self.mentions_by_type),
            "quotations_with_role": self.quotations_with_role,
            "role_coverage": round(self.role_coverage, 4),
            "other_attributions": self.other_attributions,
            "non_quotations_by_reason": dict(self.non_quotations_by_reason),
            "speakers": [speaker.to_dict() for speaker in self.speakers],
        }


def _speaker_names(document: Document) -> set[str]:
    """The document's speakers: its entities where annotated, else the quotations' speaker names."""
    if document.entities:
        return {entity.name for entity in document.entities}
    return {quote.speaker.name for quote in document.quotes if quote.speaker}


def _mention_types(document: Document, mention_type: Callable[[str], str]) -> Counter[str]:
    """Mention types from the entities where annotated, else `mention_type` of each distinct speaker mention."""
    if document.entities:
        return Counter(mention.type for entity in document.entities for mention in entity.mentions)
    spans = {quote.speaker.mention for quote in document.quotes if quote.speaker and quote.speaker.mention}
    return Counter(mention_type(span.text) for span in spans)


def _speaker_stats(documents: Sequence[Document]) -> tuple[SpeakerStats, ...]:
    counts: Counter[str] = Counter()
    roles: defaultdict[str, set[str]] = defaultdict(set)
    for quote in (quote for document in documents for quote in document.quotes):
        if quote.speaker is None or quote.type != "quotation":
            continue
        counts[quote.speaker.name] += 1
        if quote.role:
            roles[quote.speaker.name].add(quote.role)
    ordered = sorted(counts, key=lambda name: (-counts[name], name))
    return tuple(SpeakerStats(name, counts[name], tuple(sorted(roles[name]))) for name in ordered)


def dataset_stats(documents: Iterable[Document], mention_type: Callable[[str], str]) -> DatasetStats:
    """Count documents, quotations (by kind, with speaker, cue and role), speakers and mentions.

    Quotations are the records of type `quotation`; attributions of type `other` (beliefs,
    intentions) and the annotated non-quotations (titles, topics, scare quotes) are counted apart.
    Speakers are told apart by canonical name across documents, so one person quoted in two
    articles counts once. `mention_type` types the speaker mentions of documents without entities
    (PolNeAR): the attribution step's rule (`attribution.names.mention_type`).
    """
    documents = list(documents)
    records = [quote for document in documents for quote in document.quotes]
    quotes = [quote for quote in records if quote.type == "quotation"]
    reasons = Counter(span.reason for document in documents for span in document.non_quotations)
    kinds = Counter(quote.kind for quote in quotes)
    mentions: Counter[str] = Counter()
    for document in documents:
        mentions.update(_mention_types(document, mention_type))
    return DatasetStats(
        documents=len(documents),
        quotations=len(quotes),
        quotations_by_kind={kind: kinds[kind] for kind in QUOTE_KINDS},
        quotations_with_speaker=sum(quote.speaker is not None for quote in quotes),
        cues=sum(quote.cue is not None for quote in quotes),
        distinct_speakers=len(set().union(*(_speaker_names(document) for document in documents))),
        mentions_by_type={kind: mentions[kind] for kind in MENTION_TYPES},
        quotations_with_role=sum(bool(quote.role) for quote in quotes),
        speakers=_speaker_stats(documents),
        other_attributions=len(records) - len(quotes),
        non_quotations_by_reason=dict(sorted(reasons.items())),
    )
