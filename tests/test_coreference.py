"""The learned resolver of pronouns and descriptions: which recent speaker a mention refers to."""

from __future__ import annotations

import numpy as np

from quoteattr.attribution.coreference import (
    DIMENSIONS,
    MAX_CANDIDATES,
    CoreferenceScorer,
    antecedents,
    hashed,
    pair_features,
)
from quoteattr.attribution.entities import EntityResolver, resolve_entities
from quoteattr.attribution.entity import Entity
from quoteattr.attribution.roles import RoleFinder
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.attribution.sparse import fit_listwise
from quoteattr.schema import Span

# Articles written for the tests: one person is quoted, another (of no known gender) is merely
# present, and a pronoun or a description then refers to the one quoted. Half the articles name
# the quoted person last, half first, so neither the latest entity nor the one before it is right;
# the rules take the latest person who may be a *she* or an *official*.
_PEOPLE = (("Ana Ruiz", "Ben Okafor"), ("Carla Moss", "Dev Patel"), ("Eli Stone", "Fay Lin"), ("Gus Berg", "Hana Sato"))
_REFERRING = ("she", "the official")


def _article(number: int) -> tuple[str, list[TaggedSpan], str]:
    """An article, its speaker mentions in reading order, and the name the last one refers to."""
    quoted, present = _PEOPLE[number % 4]
    referring = _REFERRING[(number // 4) % 2]
    said, idle = f'"The plan will fail," said {quoted}.', f"{present} was also in the room."
    first, second = (said, idle) if number % 2 else (idle, said)
    text = f"{first} {second} Later {referring} said the vote was close.\n"
    mentions = [
        TaggedSpan(text.index(name), text.index(name) + len(name)) for name in sorted((quoted, present), key=text.index)
    ]
    at = text.index(f"Later {referring}") + len("Later ")
    return text, [*mentions, TaggedSpan(at, at + len(referring))], quoted


def _referent(text: str, mentions: list[TaggedSpan], scorer: CoreferenceScorer | None) -> str:
    entity_of = resolve_entities(text, mentions, RoleFinder(text, []), coreference=scorer)
    return entity_of[(mentions[-1].start, mentions[-1].end)].name


class _Recorder:
    """Records the candidates of each decision while the rules resolve, as `training/coreference.py` does."""

    def __init__(self) -> None:
        self.decisions: list[tuple[list[Entity], list[list[int]]]] = []

    def choose(self, resolver: EntityResolver, mention: Span, kind: str, rule: Entity | None) -> Entity | None:
        found = antecedents(resolver.text, mention, resolver.history, resolver.spans, rule)
        rows = [hashed(pair_features(resolver.text, mention, kind, c, rule, r)) for r, c in enumerate(found)]
        self.decisions.append(([c.entity for c in found], rows))
        return rule


def _trained(numbers: range) -> CoreferenceScorer:
    """A resolver trained here as the shipped one is: each decision's candidates labelled by
    whether they are the gold entity, fit listwise."""
    rows, labels, groups = [], [], []
    for group, number in enumerate(numbers):
        text, mentions, gold = _article(number)
        recorder = _Recorder()
        resolve_entities(text, mentions, RoleFinder(text, []), coreference=recorder)
        (entities, found), *_ = recorder.decisions
        rows += found
        labels += [int(entity.name == gold) for entity in entities]
        groups += [group] * len(found)
    return CoreferenceScorer(fit_listwise(rows, labels, groups, DIMENSIONS, epochs=100, l2=1e-4))


def test_the_learned_resolver_finds_the_quoted_person_where_the_rules_and_constants_do_not() -> None:
    """On articles it was not trained on (other names), the learned resolver finds every referent;
    the rules and a constant choice (the latest entity, or the one before it) do not."""
    scorer = _trained(range(8))
    latest, before = (np.zeros(DIMENSIONS, dtype=np.float32) for _ in range(2))
    latest[hashed(["pronoun:rank=0", "nominal:rank=0"])] = 1.0
    before[hashed(["pronoun:rank=1", "nominal:rank=1"])] = 1.0
    held_out = [_article(number) for number in range(8, 16)]

    def accuracy(chosen: CoreferenceScorer | None) -> float:
        return sum(_referent(text, mentions, chosen) == gold for text, mentions, gold in held_out) / len(held_out)

    assert accuracy(scorer) == 1.0
    assert accuracy(None) < 1.0
    assert accuracy(CoreferenceScorer(latest)) < 1.0 and accuracy(CoreferenceScorer(before)) < 1.0


def test_without_a_resolver_the_rules_choose_and_a_zero_resolver_makes_someone_new() -> None:
    text, mentions, _ = _article(1)  # the quoted person first: the rules take the latest
    assert _referent(text, mentions, None) == "Dev Patel"
    zero = CoreferenceScorer(np.zeros(DIMENSIONS, dtype=np.float32))
    assert _referent(text, mentions, zero) == "she"  # no candidate scores above someone new


def test_candidates_are_the_latest_entities_and_the_rules_choice() -> None:
    names = [f"Person{i} Name{i}" for i in range(MAX_CANDIDATES + 2)]
    text = " ".join(f"{name} spoke." for name in names) + " He said more."
    resolver = EntityResolver(text, RoleFinder(text, []))
    entities = [resolver.resolve(Span.of(text, text.index(n), text.index(n) + len(n))) for n in names]
    he = Span.of(text, text.index("He said"), text.index("He said") + 2)
    found = antecedents(text, he, resolver.history, resolver.spans, entities[0])
    assert [c.entity for c in found] == [*entities[:1:-1], entities[0]]  # the latest first, then the rule's
    assert [c.back for c in found[:2]] == [0, 1] and found[-1].back == len(names) - 1
    features = pair_features(text, he, "pronoun", found[-1], entities[0], len(found) - 1)
    assert {"pronoun:rule=True", "pronoun:rank=6", "pronoun:opens_sentence=True:4"} <= set(features)


def test_a_description_shares_its_head_noun_with_an_entity_of_that_role() -> None:
    text = "Sam Hill, the mayor, spoke. Ann Lee left. The mayor said no."
    resolver = EntityResolver(
        text, RoleFinder(text, [TaggedSpan(text.index("the mayor"), text.index("the mayor") + 9)])
    )
    for name in ("Sam Hill", "Ann Lee"):
        resolver.resolve(Span.of(text, text.index(name), text.index(name) + len(name)))
    mention = Span.of(text, text.index("The mayor"), text.index("The mayor") + 9)
    by_name = {c.entity.name: c for c in antecedents(text, mention, resolver.history, resolver.spans, None)}
    assert "nominal:head_known=True" in pair_features(text, mention, "nominal", by_name["Sam Hill"], None, 1)
    assert "nominal:head_known=False" in pair_features(text, mention, "nominal", by_name["Ann Lee"], None, 0)
