"""Pronouns and descriptions → entities, learned: which recent speaker a mention refers to.

A pronoun (*he*, *they*, *their letter*) or a description (*the spokesperson*, *the agency*) refers
to one of the entities of the last REACH resolved mentions (at most MAX_CANDIDATES of them, the
latest first, and the rules' choice wherever it is), or to someone new. A (mention, entity) pair is
described by sparse features: agreement in gender and number, whether the entity is person-like or
named, how far back its latest mention is (in mentions, sentences, lines and characters), whether
that mention opens a sentence, stands inside a quotation or beside one, whether the description's
head noun is one of the entity's roles or mentions, the mention's own words, and the rules'
choice (`entities.EntityResolver._rule_referent`). The features are hashed into a fixed-size weight
vector, trained listwise on the gold entities of the news and seed corpora
(`training/coreference.py`) and saved beside the model as safetensors; the highest-scoring entity
above 0 is the referent, and someone new when every one scores below. Without the file the rules
choose.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from quoteattr.attribution import sparse
from quoteattr.attribution.entity import head_key
from quoteattr.attribution.lexicon import PRONOUN_GENDERS, word_gender
from quoteattr.attribution.names import mention_type
from quoteattr.attribution.sparse import WORD, bucket
from quoteattr.schema import Span
from quoteattr.text import head_word

if TYPE_CHECKING:
    from quoteattr.attribution.entities import EntityResolver
    from quoteattr.attribution.entity import Entity

WEIGHTS_FILE = "coreference.safetensors"
DIMENSIONS = 1 << 16
REACH = 60  # resolved mentions a pronoun or description may reach back over
MAX_CANDIDATES = 8  # distinct entities among them, the latest first
_MENTIONS = (0, 1, 2, 3, 5, 8, 13, 21)
_CHARACTERS = (20, 60, 150, 400, 1000, 2500)
_PLURAL_PRONOUNS = frozenset({"they", "their", "them", "we", "us", "our"})
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s")
_QUOTE_MARKS = '"“”'


class Referents(Protocol):
    """What the entity pass asks of a learned resolver (`CoreferenceScorer`)."""

    def choose(self, resolver: EntityResolver, mention: Span, kind: str, rule: Entity | None) -> Entity | None: ...


@dataclass(frozen=True)
class Antecedent:
    """An entity a mention may refer to, by its latest mention before it."""

    entity: Entity
    last: Span  # its latest mention
    back: int  # resolved mentions after `last` (0: `last` is the previous one)
    count: int  # its mentions among the last REACH
    written: int  # characters from the latest occurrence of its name's last word, tagged or not, to the mention
    written_rank: int = 0  # its place among the candidates by `written`, the nearest first


def antecedents(
    text: str, mention: Span, history: Sequence[Entity], spans: Sequence[Span], rule: Entity | None
) -> list[Antecedent]:
    """The entities of the last REACH mentions before `mention` (`history`, whose mentions are
    `spans`), the latest first, at most MAX_CANDIDATES of them, and the rules' choice `rule` wherever it is."""
    counts: dict[Entity, int] = {}
    latest: dict[Entity, tuple[Span, int]] = {}
    for back in range(min(REACH, len(history))):
        entity = history[-1 - back]
        counts[entity] = counts.get(entity, 0) + 1
        if entity not in latest and len(latest) < MAX_CANDIDATES:
            latest[entity] = (spans[-1 - back], back)
    if rule is not None and rule not in latest:
        back = next(b for b in range(len(history)) if history[-1 - b] is rule)
        latest[rule] = (spans[-1 - back], back)
    written = {e: _written(text, e, last, mention.start) for e, (last, _) in latest.items()}
    order = sorted(written.values())
    return [
        Antecedent(e, last, back, counts.get(e, 0), written[e], order.index(written[e]))
        for e, (last, back) in latest.items()
    ]


def _written(text: str, entity: Entity, last: Span, before: int) -> int:
    """Characters from the latest occurrence of the entity's name's last word (capitalised: a
    surname, a body) before `before`, or from its latest mention `last`, to `before`."""
    word = entity.name.split()[-1].strip(",.;:()'’\"") if entity.name.split() else ""
    found = text.rfind(word, last.end, before) if word[:1].isupper() else -1
    return before - (found + len(word) if found >= 0 else last.end)


def pair_features(
    text: str, mention: Span, kind: str, candidate: Antecedent, rule: Entity | None, rank: int
) -> list[str]:
    """The sparse features of one (mention, candidate entity) pair, all prefixed by the mention's
    kind (`pronoun` or `nominal`); `rule` is the rules' referent and `rank` the candidate's place,
    the latest first."""
    entity, last = candidate.entity, candidate.last
    words = [w.lower() for w in WORD.findall(mention.text)]
    first = words[0] if words else ""
    head = head_word(mention.text).lower()
    gender = PRONOUN_GENDERS.get(first) if kind == "pronoun" else word_gender(head)
    agreement = "unknown" if gender is None or entity.gender is None else str(gender == entity.gender)
    plural = first in _PLURAL_PRONOUNS if kind == "pronoun" else head.endswith("s") and not head.endswith("ss")
    between = text[last.end : mention.start]
    sentences = bucket(len(_SENTENCE_END.findall(between)), (0, 1, 2, 4))
    picked = "new" if rule is None else str(rule is entity)
    features = [
        "bias",
        f"rule={picked}",
        f"rank={min(rank, 6)}",
        f"back={bucket(candidate.back, _MENTIONS)}",
        f"characters={bucket(len(between), _CHARACTERS)}",
        f"sentences={sentences}",
        f"lines={bucket(between.count(chr(10)), (0, 1, 3))}",
        f"count={bucket(candidate.count, (1, 2, 4, 8))}",
        f"written={bucket(candidate.written, _CHARACTERS)}",
        f"written_rank={min(candidate.written_rank, 3)}",
        f"written_rank_gender={min(candidate.written_rank, 3)}:{agreement}",
        f"gender={agreement}",
        f"gender_rule={agreement}:{picked}",
        f"number={plural}:{entity.singular}",
        f"person={entity.person_like}:{entity.singular}",
        f"named={entity.name[:1].isupper()}:{len(entity.name.split()) > 1}",
        f"last_type={mention_type(last.text)}",
        f"opens_sentence={_opens_sentence(text, last.start)}:{sentences}",
        f"quoted={_quoted(text, last.start)}:{_quoted(text, mention.start)}",
        f"beside_quotation={_beside_quotation(text, last)}:{min(rank, 2)}",
        f"mention_beside_quotation={_beside_quotation(text, mention)}:{min(rank, 2)}",
        f"word={first}:{agreement}",
        f"word_rank={first}:{min(rank, 3)}",
        f"word_rule={first}:{picked}",
    ]
    if kind == "nominal":
        features += _description_features(mention.text, head, entity, picked)
    return [f"{kind}:{feature}" for feature in features]


def _description_features(text: str, head: str, entity: Entity, picked: str) -> list[str]:
    """What a description shares with an entity: its head noun among the entity's role and mention
    heads or its aliases' words, and the head and determiner themselves."""
    key = head_key(text)
    alias_words = {w.lower() for alias in entity.aliases for w in WORD.findall(alias)}
    known = key in entity.heads
    return [
        f"head_known={known}",
        f"head_known_rule={known}:{picked}",
        f"head_in_aliases={head in alias_words or key in alias_words}",
        f"head={key}:{known}",
        f"determiner={text.split()[0].lower()}:{known}",
        f"roles={bucket(len(entity.roles), (0, 1, 3))}:{known}",
    ]


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the words before `start` end a sentence or a line (a subject is written first)."""
    before = text[max(0, start - 4) : start].rstrip(" \"“'‘")
    return not before or before[-1] in ".!?\n"


def _quoted(text: str, position: int) -> bool:
    """Whether `position` stands inside a quotation opened earlier in its line."""
    line = text[text.rfind("\n", 0, position) + 1 : position]
    return line.count('"') % 2 == 1 or line.count("“") > line.count("”")


def _beside_quotation(text: str, span: Span) -> bool:
    """Whether a quotation mark stands within a few words of a mention (its speaker's, likely)."""
    around = text[max(0, span.start - 15) : span.start] + text[span.end : span.end + 15]
    return any(mark in around for mark in _QUOTE_MARKS)


def hashed(features: Sequence[str]) -> list[int]:
    """Feature indices in this scorer's hashed weights."""
    return sparse.hashed(features, DIMENSIONS)


class CoreferenceScorer(sparse.HashedScorer):
    """A trained pair scorer: `choose` picks the entity a pronoun or description refers to, or None
    for someone new. Each candidate scores the sum of its features' weights; someone new scores 0."""

    weights_file = WEIGHTS_FILE
    dimensions = DIMENSIONS

    def choose(self, resolver: EntityResolver, mention: Span, kind: str, rule: Entity | None) -> Entity | None:
        """The referent of `mention` (a `pronoun` or `nominal`) among the entities `resolver` knows."""
        found = antecedents(resolver.text, mention, resolver.history, resolver.spans, rule)
        return self.best(
            (candidate.entity, pair_features(resolver.text, mention, kind, candidate, rule, rank))
            for rank, candidate in enumerate(found)
        )
