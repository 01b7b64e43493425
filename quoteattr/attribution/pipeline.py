"""The attribution step: the passes over one document that turn tagged spans into `Quote`s.

    spans → quotations (`quotations.py`: candidates, with a transcript's turns: `transcripts.py`; the
        learned decision runs last, on their links)
    quotations → speaker mentions and cues (`mentions.py`; the learned linker where given)
    mentions → entities (`entities.py`, gathering the roles written next to them: `roles.RoleFinder`;
        the learned name scorer where given: `name_spans.py`; the learned referents of pronouns and
        descriptions where given: `coreference.py`)
    entities → roles (`roles.entity_roles`; the learned role linker where given: `role_links.py`)

Each pass takes the text and what the passes before it found, and returns its own result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quoteattr.attribution.entities import resolve_entities
from quoteattr.attribution.entity import Entity
from quoteattr.attribution.mentions import SpeakerLinks, link_speakers
from quoteattr.attribution.quotations import decided, quotation_candidates
from quoteattr.attribution.roles import RoleFinder, entity_roles
from quoteattr.attribution.spans import TaggedSpan, with_initialisms
from quoteattr.attribution.transcripts import transcript_turns, with_turns
from quoteattr.schema import Quote, Span, Speaker
from quoteattr.text import quote_kind

if TYPE_CHECKING:
    from quoteattr.attribution.coreference import Referents
    from quoteattr.attribution.decisions import QuotationDecider, TokenReadout
    from quoteattr.attribution.name_spans import NameScorer
    from quoteattr.attribution.role_links import RoleLinker
    from quoteattr.attribution.speaker_links import SpeakerLinker


@dataclass(frozen=True)
class LinkedSpans:
    """What the passes before the roles found in one document."""

    candidates: list[TaggedSpan]  # the quotation candidates, in text order
    links: SpeakerLinks  # each candidate's speaker mention and cue
    entity_of: dict[tuple[int, int], Entity]  # each mention's entity, by its offsets
    tagged_roles: Sequence[TaggedSpan]  # the tagger's ROLE spans, with its probability of each
    turns: frozenset[tuple[int, int]]  # the offsets of a transcript's turns: direct quotations


def link_spans(
    text: str,
    quotes: Sequence[TaggedSpan],
    speakers: Sequence[TaggedSpan],
    cues: Sequence[TaggedSpan],
    roles: Sequence[TaggedSpan],
    linker: SpeakerLinker | None = None,
    namer: NameScorer | None = None,
    coreference: Referents | None = None,
) -> LinkedSpans:
    """Spans → quotations → speaker mentions → entities (gathering the roles written next to them).

    A transcript's turns (`transcripts.py`) take the place of the tagged spans they overlap."""
    turns = transcript_turns(text)
    quotes, speakers, cues = with_turns(turns, quotes, speakers, cues)
    roles = with_initialisms(text, roles)
    candidates = quotation_candidates(text, quotes)
    links = link_speakers(text, candidates, speakers, cues, linker)
    finder = RoleFinder(text, roles)
    entity_of = resolve_entities(text, links.mentions, finder, namer, coreference)
    return LinkedSpans(candidates, links, entity_of, roles, frozenset((t.content.start, t.content.end) for t in turns))


def attribute(
    text: str,
    quotes: Sequence[TaggedSpan],
    speakers: Sequence[TaggedSpan],
    cues: Sequence[TaggedSpan],
    roles: Sequence[TaggedSpan],
    linker: SpeakerLinker | None = None,
    decider: QuotationDecider | None = None,
    all_attributions: bool = False,
    role_linker: RoleLinker | None = None,
    namer: NameScorer | None = None,
    coreference: Referents | None = None,
    readout: TokenReadout | None = None,
) -> list[Quote]:
    """Link the tagged spans of one document into attributed quotations, in text order.

    `linker`, a learned quotation → mention scorer, chooses the speaker mentions where given;
    otherwise the nearest-mention rule of `mentions.choose_speaker` does. `role_linker`, a learned
    speaker → role scorer, chooses each speaker's role where given; otherwise the rules of
    `roles.entity_roles` do. `namer`, a learned name scorer, takes the speakers' names out of
    their mentions where given; otherwise the rules of `names.person_name` do. `coreference`, a
    learned resolver, chooses the entities pronouns and descriptions refer to where given; otherwise
    the rules of `entities.EntityResolver` do. `decider`, the learned quotation decision, keeps the
    quotations (and with `all_attributions` the other attributions too, typed `other`); without one
    every linked span is returned as a quotation; `readout`, the model's decision readout on the
    text's tokens, gives it the encoder's view of each span where the model has one.
    """
    linked = link_spans(text, quotes, speakers, cues, roles, linker, namer, coreference)
    role_of = entity_roles(text, linked.entity_of, role_linker, linked.tagged_roles)
    results = []
    for quote, mention, cue in zip(linked.candidates, linked.links.speakers, linked.links.cues):
        speaker, role, score = None, None, quote.score
        if mention is not None:
            entity = linked.entity_of[(mention.start, mention.end)]
            speaker = Speaker(entity.name, Span.of(text, mention.start, mention.end), tuple(entity.aliases))
            role = role_of[entity]
            score = (quote.score * mention.score) ** 0.5
        results.append(
            Quote(
                text=text[quote.start : quote.end],
                start=quote.start,
                end=quote.end,
                kind="direct" if (quote.start, quote.end) in linked.turns else quote_kind(text, quote.start, quote.end),
                speaker=speaker,
                role=role,
                cue=Span.of(text, cue.start, cue.end) if cue else None,
                score=round(min(1.0, max(0.0, score)), 4),
            )
        )
    return decided(text, results, decider, all_attributions, readout)
