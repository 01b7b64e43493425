"""The learned speaker → role scorer, and the listwise fit the learned scorers share."""

from __future__ import annotations

import numpy as np
import pytest

from quoteattr.attribution.entities import resolve_entities
from quoteattr.attribution.entity import Entity
from quoteattr.attribution.pipeline import attribute, link_spans
from quoteattr.attribution.role_links import (
    DIMENSIONS,
    REACH,
    RoleContext,
    RoleLinker,
    featured,
    hashed,
    longer_counts,
    pair_features,
    ranked,
)
from quoteattr.attribution.roles import RoleFinder, entity_roles, rule_role
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.attribution.sparse import fit_listwise
from quoteattr.metrics import evaluate, role_correct
from quoteattr.schema import Document, Mention, Quote, Span, Speaker
from quoteattr.schema import Entity as GoldEntity
from quoteattr.text import quote_kind

# Articles written for the tests: the lead describes the first speaker before naming him, and a
# second speaker's role is written in apposition, nearer to the first speaker's name than the lead.
_LEADS = ("A former city councilman", "A retired school principal", "A veteran union organizer", "A local pastor")
_SECOND = ("the mayor", "the county clerk", "the police chief", "the harbour master")
_PEOPLE = (("Ana Ruiz", "Ben Okafor"), ("Carla Moss", "Dev Patel"), ("Eli Stone", "Fay Lin"), ("Gus Berg", "Hana Sato"))
_CONTENT = ("the plan will fail", "the vote was rigged", "the budget is too small", "we need more nurses")


def _span(text: str, fragment: str, after: int = 0) -> TaggedSpan:
    start = text.index(fragment, after)
    return TaggedSpan(start, start + len(fragment))


def _article(number: int) -> tuple[Document, dict[str, list[TaggedSpan]]]:
    """One article, its gold quotations (with roles), and the spans a tagger would offer."""
    lead, second = _LEADS[number % 4], _SECOND[(number // 4) % 4]
    first_name, second_name = _PEOPLE[(number + number // 4) % 4]
    content, other = _CONTENT[number % 4], _CONTENT[(number + 1) % 4]
    text = (
        f"{lead} is calling for a new vote on the harbour plan.\n\n"
        f'"I think {content}," said {first_name}. {second_name}, {second}, disagreed.\n\n'
        f'"We think {other}," {second_name} told reporters.\n'
    )
    quotes = [_span(text, f"I think {content}"), _span(text, f"We think {other}")]
    names = [
        _span(text, first_name, text.index("said")),
        _span(text, second_name),
        _span(text, second_name, text.index("We think")),
    ]
    spans = {
        "QUOTE": quotes,
        "SPEAKER": [names[0], names[2]],
        "CUE": [_span(text, "said"), _span(text, "told")],
        "ROLE": [_span(text, lead[2:]), _span(text, second)],
    }
    gold, entities = [], []
    for quote, name, role in ((quotes[0], names[0], spans["ROLE"][0]), (quotes[1], names[2], spans["ROLE"][1])):
        mention = Span.of(text, name.start, name.end)
        written = Span.of(text, role.start, role.end)
        kind = quote_kind(text, quote.start, quote.end)
        speaker = Speaker(mention.text, mention)
        gold.append(Quote(text[quote.start : quote.end], quote.start, quote.end, kind, speaker, role=written.text))
        entities.append(GoldEntity(mention.text, roles=(written,), mentions=(Mention(mention, "name"),)))
    return Document(f"article-{number}", text, tuple(gold), tuple(entities)), spans


def _attributed(
    articles: list[tuple[Document, dict[str, list[TaggedSpan]]]], linker: RoleLinker | None
) -> list[Document]:
    return [
        Document(
            document.id,
            document.text,
            tuple(attribute(document.text, *(s[f] for f in ("QUOTE", "SPEAKER", "CUE", "ROLE")), role_linker=linker)),
        )
        for document, s in articles
    ]


def _trained(articles: list[tuple[Document, dict[str, list[TaggedSpan]]]]) -> RoleLinker:
    """A role linker trained here as `training/role_links.py` trains the shipped one: each speaker's
    ranked candidates labelled by whether they are its gold role, fit listwise."""
    rows, labels, groups = [], [], []
    for number, (document, s) in enumerate(articles):
        text = document.text
        linked = link_spans(text, s["QUOTE"], s["SPEAKER"], s["CUE"], s["ROLE"])
        context = RoleContext.of(text, linked.tagged_roles, linked.entity_of)
        for g, mention in enumerate(linked.links.speakers):
            assert mention is not None
            entity = linked.entity_of[(mention.start, mention.end)]
            rule_pick, fuller = rule_role(text, entity, context.mentions_of(entity)[0][0])
            for candidate, features in featured(entity, context, rule_pick, fuller):
                rows.append(hashed(features))
                labels.append(int(role_correct(document.quotes[g].role or "", candidate.span.text)))
                groups.append(2 * number + g)
    return RoleLinker(fit_listwise(rows, labels, groups, DIMENSIONS, epochs=100, l2=1e-4))


def test_the_learned_role_linker_scores_higher_than_the_rules_and_the_nearest_role() -> None:
    """Replaced by the rules (roles written next to the name) or by a constant choice (the candidate
    nearest to the speaker), role accuracy falls on articles the linker was not trained on."""
    articles = [_article(number) for number in range(16)]
    train, held_out = articles[:10], articles[10:]
    linker = _trained(train)
    nearest = RoleLinker(np.zeros(DIMENSIONS, dtype=np.float32))
    nearest.weights[hashed(["rank=0"])] = 1.0
    gold = [document for document, _ in held_out]
    scores = {
        name: evaluate(gold, _attributed(held_out, chosen)).role_accuracy
        for name, chosen in (("learned", linker), ("rules", None), ("nearest", nearest))
    }
    assert all(score is not None for score in scores.values())
    learned, rules, near = (scores[name].value for name in ("learned", "rules", "nearest"))  # type: ignore[union-attr]
    assert learned == 1.0
    assert rules < learned and near < learned


def _one_speaker(text: str) -> tuple[Entity, RoleContext]:
    """*Sam Hill, the mayor*: the speaker with its apposition gathered, and every role of `text` tagged."""
    name, mayor = text.index("Sam Hill"), text.index("the mayor")
    lead, apposition = TaggedSpan(2, 19), TaggedSpan(mayor, mayor + 9)
    entity = Entity("Sam Hill")
    entity.add_roles([Span.of(text, apposition.start, apposition.end)])
    return entity, RoleContext.of(text, [lead, apposition], {(name, name + 8): entity})


def test_candidates_are_the_gathered_roles_the_lead_and_the_tagged_roles_within_reach() -> None:
    entity, context = _one_speaker("A former councilman spoke. " + "x " * REACH + "Sam Hill, the mayor, said no.")
    found = ranked(entity, context, context.mentions_of(entity))
    assert [(c.span.text, c.gathered, c.tagged) for c in found] == [("the mayor", True, True)]  # the lead is too far
    entity, context = _one_speaker("A former councilman spoke. Sam Hill, the mayor, said no.")
    found = ranked(entity, context, context.mentions_of(entity))
    assert [(c.span.text, c.gathered, c.tagged) for c in found] == [
        ("the mayor", True, True),
        ("former councilman", False, True),
    ]
    assert longer_counts(found) == [1, 0]  # *former councilman* is the longer
    features = pair_features(entity, found[1], context, context.mentions_of(entity), "the mayor", 1, 0)
    assert {"origin=False:True:False:False", "before_first=True:3", "owner=self", "rule_pick=False"} <= set(features)
    weights = np.zeros(DIMENSIONS, dtype=np.float32)
    weights[hashed(["longer=0"])] = 1.0  # a linker that prefers the most specific role takes the longest
    assert RoleLinker(weights).choose(entity, context, "the mayor") == "former councilman"


def test_the_linker_knows_whether_a_role_is_written_beside_the_speaker() -> None:
    """A far-away description is more likely the speaker's role when none is written beside the name."""
    bare = "A former councilman spoke. Later, Sam Hill said no."
    name = bare.index("Sam Hill")
    lone = Entity("Sam Hill")
    context = RoleContext.of(bare, [TaggedSpan(2, 19)], {(name, name + 8): lone})
    (lead,) = ranked(lone, context, context.mentions_of(lone))
    features = pair_features(lone, lead, context, context.mentions_of(lone), None, 0, 0)
    assert {"written_by=0:False:True:False:False", "written_by_owner=0:self"} <= set(features)
    entity, context = _one_speaker("A former councilman spoke. Sam Hill, the mayor, said no.")
    found = {c.span.text: c for c in ranked(entity, context, context.mentions_of(entity))}
    features = pair_features(entity, found["former councilman"], context, context.mentions_of(entity), None, 1, 0)
    assert "written_by=1:False:True:False:False" in features
    weights = np.zeros(DIMENSIONS, dtype=np.float32)
    weights[hashed(["written_by=0:False:True:False:False"])] = 1.0  # a far role, taken only for a bare name
    assert RoleLinker(weights).choose(lone, RoleContext.of(bare, [TaggedSpan(2, 19)], {(name, name + 8): lone}), None)
    assert RoleLinker(weights).choose(entity, context, "the mayor") is None


@pytest.mark.parametrize(
    ("written_out", "gives_way"),
    [
        ("economist at the Institute for Trade Studies", True),  # the tagged span stops inside a name
        ("economist at the Institute for Trade, and more", False),  # goes on with more than a name
    ],
)
def test_a_tagged_role_cut_inside_a_name_gives_way_to_the_role_written_out(written_out: str, gives_way: bool) -> None:
    text = f"Priya Raman, an {written_out}, said the backlog would last."
    name, role = text.index("Priya Raman"), text.index("economist")
    entity = Entity("Priya Raman")
    entity.add_roles([Span.of(text, role, role + len(written_out))])
    tagged = TaggedSpan(role, role + len("economist at the Institute for Trade"))
    context = RoleContext.of(text, [tagged], {(name, name + 11): entity})
    found = [c.span.text for c in ranked(entity, context, context.mentions_of(entity))]
    expected = [written_out] if gives_way else [written_out, "economist at the Institute for Trade"]
    assert sorted(found) == sorted(expected)


def test_a_description_that_refers_to_a_known_speaker_is_a_candidate_but_not_a_rule_role() -> None:
    text = "Sam Hill opened the meeting. The former harbour master said the plan would fail."
    mentions = [_span(text, "Sam Hill"), _span(text, "The former harbour master")]
    entity_of = resolve_entities(text, mentions, RoleFinder(text, []))
    entity = entity_of[(mentions[1].start, mentions[1].end)]
    assert entity is entity_of[(mentions[0].start, mentions[0].end)] and entity.name == "Sam Hill"
    assert not entity.roles  # the rules take no role from it
    context = RoleContext.of(text, [], entity_of)
    found = ranked(entity, context, context.mentions_of(entity))
    assert [(c.span.text, c.described) for c in found] == [("former harbour master", True)]
    assert "origin=False:False:False:True" in pair_features(
        entity, found[0], context, context.mentions_of(entity), None, 0, 0
    )


def test_the_taggers_confidence_in_a_role_reaches_the_linker() -> None:
    text = "A former councilman spoke. Sam Hill, the mayor, said no."
    sure, unsure = TaggedSpan(text.index("the mayor"), text.index("the mayor") + 9, 0.97), TaggedSpan(2, 19, 0.6)
    linked = link_spans(text, [], [_span(text, "Sam Hill")], [], [unsure, sure])
    context = RoleContext.of(text, linked.tagged_roles, linked.entity_of)
    assert context.scores == {(2, 19): 0.6, (sure.start, sure.end): 0.97}
    entity = next(iter(linked.entity_of.values()))
    found = {c.span.text: c for c in ranked(entity, context, context.mentions_of(entity))}
    own = context.mentions_of(entity)
    assert "tagged_score=4" in pair_features(entity, found["the mayor"], context, own, None, 0, 1)
    assert "tagged_score=1" in pair_features(entity, found["former councilman"], context, own, None, 1, 0)
    weights = np.zeros(DIMENSIONS, dtype=np.float32)
    weights[hashed(["tagged_score=1"])] = 2.0  # a linker that trusts the unsure span picks it
    role_of = entity_roles(text, linked.entity_of, RoleLinker(weights), linked.tagged_roles)
    assert role_of[entity] == "former councilman"


def test_the_highest_scoring_role_above_none_is_chosen() -> None:
    entity, context = _one_speaker("A former councilman spoke. Sam Hill, the mayor, said no.")
    weights = np.zeros(DIMENSIONS, dtype=np.float32)
    weights[hashed(["before_first=True:3"])] = 2.0
    assert RoleLinker(weights).choose(entity, context, "the mayor") == "former councilman"
    weights[hashed(["bias"])] = -5.0
    assert RoleLinker(weights).choose(entity, context, "the mayor") is None


def test_the_listwise_fit_ranks_gold_first_and_lets_a_group_choose_none() -> None:
    good, bad, lonely = 1, 2, 3
    rows = [[good], [bad], [good], [bad], [lonely]]
    labels = [1, 0, 1, 0, 0]
    groups = [0, 0, 1, 1, 2]  # the last group has no gold candidate: none is right there
    weights = fit_listwise(rows, labels, groups, 8, epochs=200, l2=1e-4)
    assert weights[good] > 0 > weights[bad]
    assert weights[lonely] < 0
    assert fit_listwise([], [], [], 8).shape == (8,)
