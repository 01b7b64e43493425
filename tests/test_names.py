"""The learned name scorer: which words of a mention, or of a run before a surname, are the name."""

from __future__ import annotations

import numpy as np

from quoteattr.attribution.entities import resolve_entities
from quoteattr.attribution.lexicon import TITLES
from quoteattr.attribution.name_spans import (
    DIMENSIONS,
    NameScorer,
    WrittenText,
    candidate_features,
    candidates,
    chosen_name,
    hashed,
    kind,
    words_of,
)
from quoteattr.attribution.names import full_names, person_name
from quoteattr.attribution.roles import RoleFinder
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.attribution.sparse import fit_listwise

# Articles written for the tests: a capitalised word that is no title (*Rival*, *Democrat*) is
# written before a speaker's name; the article writes the name alone and the word in lower case
# elsewhere, which is how a reader tells that it describes the speaker rather than names her.
_PREFIXES = ("Rival", "Democrat", "Veteran", "Challenger", "Longtime", "Fellow", "Incumbent", "Activist")
_FIRST = ("Ana", "Ben", "Carla", "Dev", "Eli", "Fay", "Gus", "Hana")
_LAST = ("Ruiz", "Okafor", "Moss", "Patel", "Stone", "Lin", "Berg", "Sato")


def _article(number: int) -> tuple[str, str, str]:
    """An article, its speaker's name and the written form with the describing word before it."""
    prefix, name = _PREFIXES[number % 8], f"{_FIRST[number % 8]} {_LAST[(number * 3 + 1) % 8]}"
    text = (
        f"The {prefix.lower()} spoke at the rally on Monday. {name} arrived late.\n\n"
        f'"We will win," said {prefix} {name}. Later {name.split()[-1]} left.\n'
    )
    return text, name, f"{prefix} {name}"


def _regions(number: int) -> list[tuple[WrittenText, int, int, str, str]]:
    """The article's mention region and its widening region (the run before the surname), with the name."""
    text, name, written_form = _article(number)
    start = text.index(written_form)
    return [(WrittenText(text), start, start + len(written_form), kind, name) for kind in ("mention", "widen")]


def _trained(numbers: range) -> NameScorer:
    """A scorer trained here as `training/names.py` trains the shipped one: every candidate of a
    region labelled by whether it is the gold name, fit listwise."""
    rows, labels, groups = [], [], []
    for group, (written, start, end, region, name) in enumerate(r for n in numbers for r in _regions(n)):
        words = words_of(written.text, start, end)
        for (i, j), features in candidate_features(written, words, region):
            rows.append(hashed(features))
            labels.append(int(chosen_name(written, words, i, j) == name))
            groups.append(group)
    return NameScorer(fit_listwise(rows, labels, groups, DIMENSIONS, epochs=100, l2=1e-4))


def _every_capitalised_word(text: str) -> str:
    return " ".join(word for word in text.split() if word[:1].isupper())


def test_the_learned_scorer_drops_describing_words_that_the_rules_and_a_constant_keep() -> None:
    """On articles it was not trained on (other words, other names), the learned scorer finds every
    name; keeping every capitalised word, the rules, and a constant scorer do not."""
    assert not {p.lower() for p in _PREFIXES} & TITLES  # no title rule can drop them
    scorer, constant = _trained(range(6)), NameScorer(np.zeros(DIMENSIONS, dtype=np.float32))
    held_out = [r for n in range(6, 8) for r in _regions(n)]
    guesses = {
        "learned": [scorer.name(w, s, e, k) for w, s, e, k, _ in held_out],
        "constant": [constant.name(w, s, e, k) for w, s, e, k, _ in held_out],
        "capitalised": [_every_capitalised_word(w.text[s:e]) for w, s, e, _, _ in held_out],
        "rules": [person_name(w.text[s:e]) for w, s, e, _, _ in held_out],
    }
    gold = [name for *_, name in held_out]
    accuracy = {key: np.mean([g == p for g, p in zip(gold, found)]) for key, found in guesses.items()}
    assert accuracy["learned"] == 1.0
    assert max(accuracy["constant"], accuracy["capitalised"], accuracy["rules"]) < 0.5


def test_the_entity_pass_names_speakers_with_the_scorer_and_by_the_rules_without_one() -> None:
    scorer = _trained(range(6))
    text, name, written_form = _article(7)
    mention = text.index(written_form)
    surname = text.index(name.split()[-1], mention + len(written_form))
    mentions = [TaggedSpan(mention, mention + len(written_form)), TaggedSpan(surname, surname + len(name.split()[-1]))]
    learned = resolve_entities(text, mentions, RoleFinder(text, []), scorer)
    rules = resolve_entities(text, mentions, RoleFinder(text, []))
    assert [e.name for e in learned.values()] == [name, name]
    assert [e.name for e in rules.values()] == [written_form, written_form]
    # widening alone: the surname is widened to the name written before it, not to the describing word
    widened = full_names(text, name.split()[-1], lambda s, e: scorer.name(WrittenText(text), s, e, "widen"))
    assert {found for _, found in widened} == {name}


def test_where_no_candidate_scores_above_none_the_rules_keep_an_unnamed_speakers_description() -> None:
    text = "Experts on North Korea and nuclear nonproliferation said the test failed."
    mention = TaggedSpan(0, len("Experts on North Korea and nuclear nonproliferation"))
    weights = np.zeros(DIMENSIONS, dtype=np.float32)
    weights[hashed(["bias=mention"])] = -1.0
    (entity,) = resolve_entities(text, [mention], RoleFinder(text, []), NameScorer(weights)).values()
    assert entity.name == text[: mention.end]
    weights[hashed(["bias=mention"])] = 1.0  # a scorer that names someone there: its best candidate
    assert NameScorer(weights).name(WrittenText(text), 0, mention.end, "mention") != ""


def test_candidates_open_and_close_with_words_a_name_may_open_and_close_with() -> None:
    text = "the Association of Flight Attendants (AFA)"
    words = words_of(text, 0, len(text))
    found = {chosen_name(WrittenText(text), words, i, j) for i, j in candidates(text, words)}
    assert "Association of Flight Attendants" in found
    assert not any(name.startswith(("the ", "of ")) or name.endswith(" of") for name in found)
    assert [kind(w) for w in ("Sen.", "of", "the", "(D-Md.)", "Trump", "NAACP", "said")] == [
        "title",
        "of",
        "article",
        "paren",
        "name",
        "caps",
        "lower",
    ]


def test_the_document_says_which_words_stand_alone_and_which_are_common_words() -> None:
    written = WrittenText("The Washington Post reported it. Washington Post Trump aides said the state would pay.")
    assert written.alone("Washington Post", "", "Trump")  # written once without *Trump* after it
    assert not written.alone("Post Trump", "Washington", "")
    assert written.lowered("State") and not written.lowered("Trump")
