"""Typed records shared by the dataset, the model and the output: spans, speakers, quotes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

SCHEMA_VERSION = "1.0"

# Each set of labels is written once, as a type; the tuples of its values are read from it.
QuoteKind = Literal["direct", "mixed", "indirect"]
QUOTE_KINDS: tuple[QuoteKind, ...] = get_args(QuoteKind)
MentionType = Literal["name", "pronoun", "nominal"]
MENTION_TYPES: tuple[MentionType, ...] = get_args(MentionType)
EntityType = Literal["person", "organization", "group"]
ENTITY_TYPES: tuple[EntityType, ...] = get_args(EntityType)
AttributionType = Literal["quotation", "other"]
"""`quotation`: something said or written; `other`: a belief, intention, plan or other non-speech attribution."""
ATTRIBUTION_TYPES: tuple[AttributionType, ...] = get_args(AttributionType)
NON_QUOTATION_REASONS = (
    "topic",
    "negated",
    "no-source",
    "question",
    "headline",
    "caption",
    "title",
    "duplicate",
    "not-content",
    "name",
    "scare",
    "word",
    "unattributed",
)
"""Why an annotated span is no quotation (`data/GUIDELINES.md` section 11)."""


@dataclass(frozen=True)
class Span:
    """A `[start, end)` character span of a document, with the text it covers."""

    start: int
    end: int
    text: str

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"span offsets must satisfy 0 <= start <= end, got [{self.start}, {self.end})")
        if len(self.text) != self.end - self.start:
            raise ValueError(
                f"span text has {len(self.text)} characters but offsets [{self.start}, {self.end}) cover "
                f"{self.end - self.start}"
            )

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        """The span `[start, end)` of `text`."""
        return cls(start, end, text[start:end])

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Speaker:
    """Who a quotation is attributed to: the canonical name and the mention in the text."""

    name: str
    mention: Span | None = None
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mention": self.mention.to_dict() if self.mention else None,
            "aliases": list(self.aliases),
        }


@dataclass(frozen=True)
class Quote:
    """One attributed quotation.

    `start`/`end` index the original input text (end exclusive) and `text == input[start:end]`.
    A discontinuous quotation keeps its pieces in `fragments`.
    """

    text: str
    start: int
    end: int
    kind: QuoteKind
    speaker: Speaker | None = None
    role: str | None = None
    cue: Span | None = None
    score: float = 1.0
    fragments: tuple[Span, ...] = field(default=())
    type: AttributionType = "quotation"

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)

    def to_dict(self) -> dict[str, Any]:
        """The JSON interchange record of one quotation (see the README's output schema)."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "type": self.type,
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "role": self.role,
            "cue": self.cue.to_dict() if self.cue else None,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Mention:
    """A mention of a speaker entity, typed as name, pronoun or nominal."""

    span: Span
    type: MentionType


@dataclass(frozen=True)
class Entity:
    """A speaker entity of one document: canonical name, aliases, role spans and mentions."""

    name: str
    type: EntityType = "person"
    aliases: tuple[str, ...] = ()
    roles: tuple[Span, ...] = ()
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True)
class NonQuotation:
    """A span a reader might take for a quotation that is none (a title, a topic, scare quotes), and why."""

    span: Span
    reason: str


@dataclass(frozen=True)
class Document:
    """An article with its (gold or predicted) quotations and, for the seed corpus, its entities."""

    id: str
    text: str
    quotes: tuple[Quote, ...] = ()
    entities: tuple[Entity, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False)
    non_quotations: tuple[NonQuotation, ...] = ()

    @property
    def has_roles(self) -> bool:
        """Whether the document's annotation covers roles (PolNeAR does not)."""
        return bool(self.entities)
