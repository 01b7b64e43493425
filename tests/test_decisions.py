"""The learned quotation decision: quotation, other attribution, or neither."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from quoteattr.attribution.decisions import (
    DECISIONS,
    DIMENSIONS,
    WEIGHTS_FILE,
    QuotationDecider,
    decision_features,
    hashed,
)
from quoteattr.attribution.pipeline import attribute
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.errors import ModelLoadError
from quoteattr.metrics import evaluate
from quoteattr.schema import Document, Quote, Span, Speaker
from quoteattr.text import quote_kind
from tests.conftest import SHIPPED_MODEL

TEXT = "Mr. Lee said the plan would fail. Aides believe he is right. He declined to discuss the visit."


def _quote(fragment: str, cue: str) -> Quote:
    start = TEXT.index(fragment)
    cue_start = TEXT.index(cue)
    return Quote(
        fragment,
        start,
        start + len(fragment),
        "indirect",
        speaker=Speaker("Lee", Span(4, 7, "Lee")),
        cue=Span(cue_start, cue_start + len(cue), cue),
    )


SAID = _quote("the plan would fail", "said")
BELIEVE = _quote("he is right", "believe")
TOPIC = _quote("the visit", "discuss")


def _decider_from_cues() -> QuotationDecider:
    """A decider whose weights read only the cue word: said → quotation, believe → other, else not."""
    weights = np.zeros((len(DECISIONS), DIMENSIONS), dtype=np.float32)
    for decision, feature, weight in (
        ("quotation", "cue=said", 5.0),
        ("other", "cue=believe", 5.0),
        ("not", "bias", 2.0),
    ):
        (index,) = hashed([feature])
        weights[DECISIONS.index(decision), index] = weight
    return QuotationDecider(weights)


def test_features_describe_the_cue_the_span_and_its_surroundings() -> None:
    features = decision_features(TEXT, SAID)
    assert {"cue=said", "kind=indirect", "first=the", "before1=said", "speaker=name"} <= set(features)
    assert decision_features(TEXT, SAID) == features  # deterministic: hashed indices are stable across runs
    assert "cue=none" in decision_features(TEXT, dataclasses.replace(SAID, cue=None))


def test_the_decision_reads_no_role() -> None:
    assert decision_features(TEXT, dataclasses.replace(SAID, role="mayor")) == decision_features(TEXT, SAID)


@pytest.mark.parametrize(("before", "first"), [("", True), ("\n\n  ", True), ("Headline\n\n", False)])
def test_the_first_paragraph_is_the_one_with_no_words_before_it(before: str, first: bool) -> None:
    shifted = dataclasses.replace(SAID, start=SAID.start + len(before), end=SAID.end + len(before), cue=None)
    assert f"first_paragraph={first}" in decision_features(before + TEXT, shifted)


def test_decide_types_quotations_and_others_and_drops_the_rest() -> None:
    decided = _decider_from_cues().decide(TEXT, [SAID, BELIEVE, TOPIC])
    assert [(q.text, q.type) for q in decided] == [("the plan would fail", "quotation"), ("he is right", "other")]
    assert all(0.9 < q.score <= 1.0 for q in decided)


def test_keep_all_keeps_every_span_as_other_scored_by_not_being_a_quotation() -> None:
    decided = _decider_from_cues().decide(TEXT, [SAID, BELIEVE, TOPIC], keep_all=True)
    assert [q.type for q in decided] == ["quotation", "other", "other"]
    assert decided[2].score > 0.8


def test_save_and_load_round_trip_in_half_precision(tmp_path: Path) -> None:
    decider = _decider_from_cues()
    decider.save(tmp_path)
    loaded = QuotationDecider.load(tmp_path)
    assert loaded is not None and loaded.weights.dtype == np.float32
    assert [q.type for q in loaded.decide(TEXT, [SAID, BELIEVE, TOPIC])] == ["quotation", "other"]
    assert QuotationDecider.load(tmp_path / "elsewhere") is None


def test_a_model_with_a_broken_decision_file_fails_to_load_with_its_path(model_copy: Path) -> None:
    from quoteattr.inference import QuoteAttributor

    (model_copy / WEIGHTS_FILE).write_bytes(b"not safetensors")
    with pytest.raises(ModelLoadError, match="cannot load the attribution scorers"):
        QuoteAttributor.load(model_copy, device="cpu")


def test_the_attributor_outputs_quotations_only_unless_asked_for_every_attribution(model_copy: Path) -> None:
    from quoteattr.inference import QuoteAttributor

    always_other = np.zeros((len(DECISIONS), DIMENSIONS), dtype=np.float32)
    always_other[DECISIONS.index("other"), hashed(["bias"])[0]] = 5.0
    QuotationDecider(always_other).save(model_copy)
    text = '"We will win," said Jane Roe. Aides believe she is right. "It is done," Roe added.'
    plain = QuoteAttributor.load(model_copy, device="cpu")
    everything = QuoteAttributor.load(model_copy, device="cpu", all_attributions=True)
    undecided_dir = model_copy.parent / "undecided"
    shutil.copytree(model_copy, undecided_dir)
    (undecided_dir / WEIGHTS_FILE).unlink()
    undecided = QuoteAttributor.load(undecided_dir, device="cpu")(text)
    assert plain(text) == []
    assert [(q.start, q.end) for q in everything(text)] == [(q.start, q.end) for q in undecided]
    assert all(q.type == "other" for q in everything(text))


shipped = pytest.mark.skipif(
    not (SHIPPED_MODEL / WEIGHTS_FILE).is_file(), reason="the shipped model has no quotation decision"
)
NOT_QUOTATIONS = Path(__file__).parent / "data" / "not_quotations.txt"


@pytest.mark.slow
@shipped
def test_titles_names_headlines_and_scare_quotes_are_not_quotations() -> None:
    """Sentences written for this test (none from the training or dev data), each with something a
    tagger takes for a quotation that is none. Without the decision the shipped tagger offers most
    of them as quotations; with it, none (the decision without its readout of the encoder's
    states kept two: a naming verb, *called "SkyMiles Plus"*, and a headline cited in a sentence)."""
    from quoteattr.inference import QuoteAttributor

    paragraphs = [p for p in NOT_QUOTATIONS.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    attributor = QuoteAttributor.load(SHIPPED_MODEL, device="cpu")
    taken = [p for p, quotes in zip(paragraphs, attributor.predict_many(paragraphs)) if quotes]
    attributor.decider = None
    without = sum(bool(quotes) for quotes in attributor.predict_many(paragraphs))
    assert without >= len(paragraphs) // 2
    assert taken == []


# Single sentences written for the test below, each a quotation a reader expects to be found.
SPOKEN_ALONE = (
    '"We will appeal the ruling," the Department of Justice said in a statement on Tuesday.',
    '"Journalists are being jailed at record rates," said the Committee to Protect Journalists.',
    'The Bureau of Labor Statistics said on Friday that "hiring slowed sharply in the spring."',
    '"The vote was fair," said Jonathan Bamber of the University of Bristol.',
    '"No comment," a spokesman for the Federal Bureau of Investigation said.',
    '"The economy is strong," said Jerome Powell, chairman of the Federal Reserve.',
    'Prime Minister Keir Starmer said on Monday that Britain would "never waver" in its support for Ukraine.',
    "\u201cWe are not going anywhere,\u201d Mayor Karen Bass told reporters at City Hall on Sunday.",
)


@pytest.mark.slow
@shipped
def test_a_quotation_in_a_text_of_one_paragraph_is_found() -> None:
    """The training articles all open with a headline, which holds no quotation; a text given
    without one (a lead, a single sentence) must keep the quotations of its first paragraph."""
    from quoteattr.inference import QuoteAttributor

    found = QuoteAttributor.load(SHIPPED_MODEL, device="cpu").predict_many(list(SPOKEN_ALONE))
    assert [bool(quotes) for quotes in found] == [True] * len(SPOKEN_ALONE)


# Articles written for the test below: each sentence offers the tagger's kind of content span, and
# only the spoken ones are quotations (the gold); topics of talk and titles are not.
_SPOKEN = ('"{content}," {name} said.', "{name} said that {content}.", '"{content}," {name} told reporters.')
_NOT_SPOKEN = ("{name} discussed {topic} with aides.", '{name} starred in "{title}" last year.')
_PEOPLE = ("Ana Ruiz", "Ben Okafor", "Carla Moss", "Dev Patel", "Eli Stone", "Fay Lin", "Gus Berg", "Hana Sato")
_CONTENTS = ("the bridge will open in May", "taxes must fall", "the vote was fair", "we need more nurses")
_TOPICS = ("the budget", "the harbour plan", "school meals", "the new stadium")
_TITLES = ("Night Harbour", "The Long Road", "Blue Season", "Paper Towns")


def _article(number: int) -> tuple[Document, list[TaggedSpan], list[TaggedSpan], list[TaggedSpan]]:
    """One short article, its gold quotations, and the spans a tagger would offer (every content span)."""
    text, gold, contents, speakers, cues = "", [], [], [], []
    for sentence in range(4):
        name = _PEOPLE[(number + sentence) % len(_PEOPLE)]
        pick = (number * 4 + sentence) % 5
        spoken = pick < len(_SPOKEN)
        template = _SPOKEN[pick] if spoken else _NOT_SPOKEN[pick - len(_SPOKEN)]
        values = {
            "name": name,
            "content": _CONTENTS[(number + sentence) % len(_CONTENTS)],
            "topic": _TOPICS[(number + sentence) % len(_TOPICS)],
            "title": _TITLES[(number + sentence) % len(_TITLES)],
        }
        line = template.format(**values)
        offered = values["content"] if spoken else (values["topic"] if "discussed" in line else values["title"])
        start = len(text) + line.index(offered)
        name_start = len(text) + line.index(name)
        cue = next((c for c in ("said", "told", "discussed", "starred") if c in line), "said")
        cue_start = len(text) + line.index(cue)
        text += line + "\n\n"
        contents.append(TaggedSpan(start, start + len(offered)))
        speakers.append(TaggedSpan(name_start, name_start + len(name)))
        cues.append(TaggedSpan(cue_start, cue_start + len(cue)))
        if spoken:
            mention = Span(name_start, name_start + len(name), name)
            kind = quote_kind(text, start, start + len(offered))
            gold.append(Quote(offered, start, start + len(offered), kind, speaker=Speaker(name, mention)))
    return Document(f"article-{number}", text, tuple(gold)), contents, speakers, cues


def _linked(
    articles: list[tuple[Document, list[TaggedSpan], list[TaggedSpan], list[TaggedSpan]]],
    decider: QuotationDecider | None,
) -> list[Document]:
    return [
        Document(d.id, d.text, tuple(attribute(d.text, contents, speakers, cues, [], decider=decider)))
        for d, contents, speakers, cues in articles
    ]


def _trained(articles: list[tuple[Document, list[TaggedSpan], list[TaggedSpan], list[TaggedSpan]]]) -> QuotationDecider:
    """A decider trained here, as `training/decisions.py` trains the shipped one: the linked spans,
    each labelled by the gold quotation it overlaps (else `not`), fit by softmax regression."""
    gold = {document.id: document.quotes for document, *_ in articles}
    rows = []
    for document in _linked(articles, None):
        for quote in document.quotes:
            overlaps = any(g.start < quote.end and quote.start < g.end for g in gold[document.id])
            rows.append((document.text, quote, DECISIONS.index("quotation" if overlaps else "not")))
    weights = np.zeros((len(DECISIONS), DIMENSIONS), dtype=np.float32)
    for _ in range(30):
        for text, quote, label in rows:
            indices = hashed(decision_features(text, quote))
            scores = weights[:, indices].sum(axis=1)
            probabilities = np.exp(scores - scores.max())
            probabilities /= probabilities.sum()
            target = np.zeros(len(DECISIONS), dtype=np.float32)
            target[label] = 1.0
            weights[:, indices] += 0.1 * (target - probabilities)[:, None]
    return QuotationDecider(weights)


def test_the_learned_decision_scores_higher_than_keeping_every_span() -> None:
    """Replaced by a constant (every tagged span kept as a quotation), the quotation decision scores
    lower on articles it was not trained on: the learned component earns its place."""
    articles = [_article(number) for number in range(12)]
    train, held_out = articles[:8], articles[8:]
    decider = _trained(train)
    gold = [d for d, *_ in held_out]
    learned = evaluate(gold, _linked(held_out, decider))
    constant = evaluate(gold, _linked(held_out, None))
    assert learned.attributed["all"].f1 > constant.attributed["all"].f1
    assert learned.detection_overlap["all"].precision > constant.detection_overlap["all"].precision
