"""Entities → roles, learned: a logistic scorer over (speaker, candidate role) pairs.

A speaker's candidates are the roles the entity pass gathered next to its mentions and name
(tagged or found by the title and apposition rules), the fuller lead description of a bare title,
the descriptions resolved to it (*the Republican presidential nominee said*), and every other role
span the tagger found in the document: news often gives a person's role once, away from the name
(*A former Democratic National Committee chairman is calling for…* and, two paragraphs on, *said
Don Fowler*). A candidate that stops inside a name which another candidate writes out
(*economist at the Institute for Trade* | *Studies*) gives way to it. A pair is described by
sparse features (where the role was found, how far it is from the speaker's mentions and whose
mention is nearest to it, whether it comes before the speaker is first named, its head word and
whether a description of the speaker shares it, its words and length, and how many roles are
written next to the speaker's own mentions: a role written far from the name is more likely the
speaker's when none is written beside it), hashed into a fixed-size weight vector. The scorer is
trained on the gold roles of the news corpus (`training/role_links.py`) and saved beside the
model as safetensors; the highest-scoring candidate above 0 is the speaker's role, and none when
every candidate scores below.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quoteattr.attribution import sparse
from quoteattr.attribution.spans import TaggedSpan, starting_within
from quoteattr.attribution.sparse import WORD, bucket
from quoteattr.schema import Span
from quoteattr.text import head_word, paragraph_bounds

if TYPE_CHECKING:
    from quoteattr.attribution.entity import Entity

WEIGHTS_FILE = "role_links.safetensors"
DIMENSIONS = 1 << 16
REACH = 3000  # characters between a tagged role and one of the speaker's mentions, for it to be a candidate
_DISTANCES = (0, 2, 6, 20, 60, 200, 600, 2000)
_SCORES = (0.5, 0.7, 0.85, 0.95)  # edges of the tagged role probability buckets
_CAPITALISED_WORDS = re.compile(r"(?:\s+[A-Z][\w.&'’-]*)+")


@dataclass(frozen=True)
class RoleCandidate:
    """A phrase that may be a speaker's role, and how it was found."""

    span: Span
    gathered: bool  # found next to one of the speaker's mentions or its name by the entity pass
    tagged: bool  # a ROLE span of the tagger
    lead: bool = False  # the lead's fuller description of a bare title (`roles.lead_description`)
    described: bool = False  # a description that refers to the speaker (*the Republican nominee said*)


@dataclass(frozen=True)
class RoleContext:
    """What the pair features read of one document: its tagged roles and every mention's entity."""

    text: str
    tagged: Sequence[Span]  # the tagger's ROLE spans, by start
    mentions: Sequence[tuple[int, int]]  # every resolved mention's offsets, by start
    entity_of: Mapping[tuple[int, int], Entity]
    mentions_by_entity: Mapping[Entity, Sequence[tuple[int, int]]]
    scores: Mapping[tuple[int, int], float]  # the tagger's mean probability of each tagged role

    @classmethod
    def of(cls, text: str, tagged: Sequence[TaggedSpan], entity_of: Mapping[tuple[int, int], Entity]) -> RoleContext:
        """The context of `text`, from the tagger's ROLE spans (with their probabilities) and the mentions' entities."""
        mentions = sorted(entity_of)
        by_entity: dict[Entity, list[tuple[int, int]]] = {}
        for mention in mentions:
            by_entity.setdefault(entity_of[mention], []).append(mention)
        spans = sorted((Span.of(text, s.start, s.end) for s in tagged), key=lambda s: s.start)
        scores = {(s.start, s.end): s.score for s in tagged}
        return cls(text, spans, mentions, entity_of, by_entity, scores)

    def mentions_of(self, entity: Entity) -> Sequence[tuple[int, int]]:
        return self.mentions_by_entity.get(entity, ())

    def nearest_mention(self, role: Span) -> tuple[int, int] | None:
        """The mention (of any speaker) nearest to `role`, overlapping ones first."""
        return nearest(self.mentions, role)


def nearest(mentions: Sequence[tuple[int, int]], role: Span) -> tuple[int, int] | None:
    """Of mentions sorted by start, the one nearest to `role`."""
    at = bisect_left(mentions, (role.start, role.start))
    return min(mentions[max(0, at - 3) : at + 3], key=lambda m: _gap(role, m), default=None)


def candidates(
    entity: Entity, context: RoleContext, own: Sequence[tuple[int, int]], lead: Span | None = None
) -> list[RoleCandidate]:
    """The roles that may be `entity`'s (`own` its mentions, by start): those gathered for it, the
    lead's description, the descriptions that refer to it, and the tagged roles within REACH
    characters of one of its mentions."""
    tagged = {(s.start, s.end) for s in context.tagged}
    found = {
        key: RoleCandidate(role, gathered=True, tagged=key in tagged) for key, role in sorted(entity.roles.items())
    }
    if lead is not None and (lead.start, lead.end) not in found:
        found[(lead.start, lead.end)] = RoleCandidate(lead, gathered=False, tagged=False, lead=True)
    for key, description in sorted(entity.descriptions.items()):
        found.setdefault(key, RoleCandidate(description, gathered=False, tagged=key in tagged, described=True))
    starts = [s.start for s in context.tagged]
    for start, end in own:
        for role in starting_within(context.tagged, starts, start - REACH, end + REACH):
            found.setdefault((role.start, role.end), RoleCandidate(role, gathered=False, tagged=True))
    return [c for c in found.values() if not cut_short(c.span, found.values(), context.text)]


def cut_short(role: Span, others: Iterable[RoleCandidate], text: str) -> bool:
    """Whether another candidate is the same role written out: it starts where `role` starts and
    goes on only with capitalised words (*economist at the Institute for Trade* | *Studies*), so
    `role` stops inside a name."""
    return any(
        other.span.start == role.start
        and other.span.end > role.end
        and _CAPITALISED_WORDS.fullmatch(text, role.end, other.span.end) is not None
        for other in others
    )


def pair_features(
    entity: Entity,
    candidate: RoleCandidate,
    context: RoleContext,
    own: Sequence[tuple[int, int]],
    rule_pick: str | None,
    rank: int,
    longer: int,
) -> list[str]:
    """The sparse features of one (speaker, candidate role) pair; `own` are the speaker's mentions
    (by start), `rule_pick` the rule's role for it (`roles.entity_roles`), `rank` the candidate's
    place among its candidates by distance and `longer` how many of them are longer (a quotation
    takes its speaker's most specific role, by default the longest written)."""
    role = candidate.span
    nearest_own = nearest(own, role)
    nearest_any = context.nearest_mention(role)
    owner = "none" if nearest_any is None else "self" if context.entity_of[nearest_any] is entity else "other"
    distance = _gap(role, nearest_own) if nearest_own else 10**6
    side = "none" if nearest_own is None else "before" if role.end <= nearest_own[0] else "after"
    first = own[0][0] if own else 0
    head = head_word(role.text).lower()
    words = [w.lower() for w in WORD.findall(role.text)]
    paragraph_start, _ = paragraph_bounds(context.text, role.start)
    origin = f"{candidate.gathered}:{candidate.tagged}:{candidate.lead}:{candidate.described}"
    written_by = min(len(entity.roles), 2)  # roles written next to the speaker's mentions: none, one, more
    features = [
        "bias",
        f"origin={origin}",
        f"rule_pick={role.text == rule_pick}",
        f"owner={owner}",
        f"owner_origin={owner}:{origin}",
        f"dist={side}:{bucket(distance, _DISTANCES)}",
        f"dist_origin={bucket(distance, _DISTANCES)}:{origin}",
        f"rank={min(rank, 4)}",
        f"longer={min(longer, 3)}",
        f"longer_origin={min(longer, 3)}:{origin}",
        f"written_by={written_by}:{origin}",
        f"written_by_owner={written_by}:{owner}",
        f"before_first={role.end <= first}:{bucket(max(0, first - role.end), _DISTANCES)}",
        f"lead_paragraph={paragraph_start == 0 or context.text[:paragraph_start].count(chr(10)) <= 2}",
        f"head={head}",
        f"head_known={head in entity.heads or head.rstrip('s') in entity.heads}",
        f"words={bucket(len(words), (1, 2, 3, 5, 8))}",
        f"first_word={words[0] if words else ''}",
        f"capitalised={role.text[:1].isupper()}",
        f"speaker_named={any(w[:1].isupper() for w in entity.name.split())}",
        f"speaker_singular={entity.singular}",
    ]
    if (role.start, role.end) in context.scores:
        features.append(f"tagged_score={bucket(context.scores[(role.start, role.end)], _SCORES)}")
    features += [f"word={w}" for w in words[:8]]
    before = WORD.findall(context.text[max(0, role.start - 20) : role.start])
    after = WORD.findall(context.text[role.end : role.end + 20])
    features += [f"word_before={w.lower()}" for w in before[-1:]] + [f"word_after={w.lower()}" for w in after[:1]]
    return features


def _gap(role: Span, mention: tuple[int, int]) -> int:
    """Characters between a role and a mention; 0 when they touch or overlap."""
    start, end = mention
    return max(0, start - role.end, role.start - end)


def hashed(features: Sequence[str]) -> list[int]:
    """Feature indices in this scorer's hashed weights."""
    return sparse.hashed(features, DIMENSIONS)


class RoleLinker(sparse.HashedScorer):
    """A trained pair scorer: `choose` picks a speaker's role among its candidates, or None.

    Each candidate scores the sum of its features' weights; "no role" scores 0.
    """

    weights_file = WEIGHTS_FILE
    dimensions = DIMENSIONS

    def choose(
        self, entity: Entity, context: RoleContext, rule_pick: str | None, lead: Span | None = None
    ) -> str | None:
        """The role of `entity`, or None."""
        return self.best(
            (candidate.span.text, features) for candidate, features in featured(entity, context, rule_pick, lead)
        )


def featured(
    entity: Entity, context: RoleContext, rule_pick: str | None, lead: Span | None = None
) -> list[tuple[RoleCandidate, list[str]]]:
    """The candidates of `entity` (`ranked`), each with its pair features: what the linker scores
    and what `training/role_links.py` learns from."""
    own = context.mentions_of(entity)
    found = ranked(entity, context, own, lead)
    return [
        (candidate, pair_features(entity, candidate, context, own, rule_pick, rank, longer))
        for rank, (candidate, longer) in enumerate(zip(found, longer_counts(found), strict=True))
    ]


def longer_counts(candidates: Sequence[RoleCandidate]) -> list[int]:
    """For each candidate, how many of `candidates` are longer than it."""
    lengths = [len(candidate.span.text) for candidate in candidates]
    return [sum(other > length for other in lengths) for length in lengths]


def ranked(
    entity: Entity, context: RoleContext, own: Sequence[tuple[int, int]], lead: Span | None = None
) -> list[RoleCandidate]:
    """The candidates of `entity` (`own` its mentions), nearest to one of its mentions first."""

    def distance(candidate: RoleCandidate) -> int:
        mention = nearest(own, candidate.span)
        return _gap(candidate.span, mention) if mention else 10**6

    return sorted(candidates(entity, context, own, lead), key=lambda c: (distance(c), c.span.start))
