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
from quoteattr.errors import ModelLoadError
from quoteattr.schema import Quote, Span, Speaker
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
def test_titles_names_headlines_and_scare_quotes_are_mostly_not_quotations() -> None:
    """Sentences written for this test (none from the training or dev data), each with something a
    tagger takes for a quotation that is none. Without the decision the shipped tagger offers most
    of them as quotations; with it, few remain (the issue's target is none: see the model card)."""
    from quoteattr.inference import QuoteAttributor

    paragraphs = [p for p in NOT_QUOTATIONS.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    attributor = QuoteAttributor.load(SHIPPED_MODEL, device="cpu")
    with_decision = sum(bool(quotes) for quotes in attributor.predict_many(paragraphs))
    attributor.decider = None
    without = sum(bool(quotes) for quotes in attributor.predict_many(paragraphs))
    assert without >= len(paragraphs) // 2
    assert with_decision <= 2 < without
