"""The quotation decision's readout: the encoder's states of a span, its cue and the words before it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch

from quoteattr.attribution.decisions import (
    DECISIONS,
    DIMENSIONS,
    READOUT_PARTS,
    QuotationDecider,
    TokenReadout,
    readout_parts,
)
from quoteattr.errors import ModelLoadError
from quoteattr.model.decision_readout import CHANNELS, DecisionReadout
from quoteattr.model.directory import DECISION_READOUT_FILE
from quoteattr.schema import Document, Quote, Span

REPO = Path(__file__).resolve().parents[1]
TEXT = 'Officials said on Monday that "the plan would fail" before the vote. Aides declined to discuss it.'
CONTENT = "the plan would fail"
QUOTE = Quote(
    CONTENT,
    TEXT.index(CONTENT),
    TEXT.index(CONTENT) + len(CONTENT),
    "direct",
    cue=Span(TEXT.index("said"), TEXT.index("said") + 4, "said"),
)


def _training_script() -> ModuleType:
    """`training/decisions.py`, which fits the readout (a script, not a package module)."""
    spec = importlib.util.spec_from_file_location("training_decisions", REPO / "training" / "decisions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_parts_are_the_span_its_cue_and_the_tokens_before_it() -> None:
    # tokens: [0,3) [4,8) [9,12) [13,17) [18,22) [23,27); the span covers 13-22, its cue 4-8
    starts, ends = np.array([0, 4, 9, 13, 18, 23]), np.array([3, 8, 12, 17, 22, 27])
    quote = Quote("x", 14, 21, "indirect", cue=Span(4, 8, "said"))
    content, cue, before = readout_parts(starts, ends, quote)
    assert (content, cue, before) == (slice(3, 5), slice(1, 2), slice(0, 3))
    no_cue = readout_parts(starts, ends, Quote("x", 0, 3, "indirect"))
    assert no_cue == (slice(0, 1), slice(0, 0), slice(0, 0))


def test_a_span_scores_the_sum_of_its_parts_means() -> None:
    starts, ends = np.array([0, 4, 9, 13, 18]), np.array([3, 8, 12, 17, 22])
    values = np.zeros((5, len(READOUT_PARTS), len(DECISIONS)))
    values[:, 0, 0] = [9.0, 9.0, 9.0, 1.0, 3.0]  # content part, quotation: mean of tokens 3-4 is 2
    values[:, 1, 2] = [5.0, 7.0, 0.0, 0.0, 0.0]  # cue part, not: the cue is token 1
    values[:, 2, 1] = [1.0, 2.0, 6.0, 0.0, 0.0]  # before part, other: tokens 0-2, mean 3
    readout = TokenReadout(starts, ends, values)
    scores = readout.scores(Quote("x", 13, 22, "indirect", cue=Span(4, 8, "said")))
    assert scores.tolist() == [2.0, 3.0, 7.0]
    assert readout.scores(Quote("x", 13, 22, "indirect")).tolist() == [2.0, 3.0, 0.0]


def test_the_readout_gives_each_span_the_score_training_gave_its_mean_states(model_copy: Path) -> None:
    """Training scores a span by weights on its mean states; the model's per-token readout, averaged
    over the same tokens, must give the same score, or the decision learned is not the one applied."""
    from quoteattr.inference import QuoteAttributor

    script = _training_script()
    attributor = QuoteAttributor.load(model_copy, device="cpu", precision="fp32")
    layers = [1, 2]
    rows = [(Document("t", TEXT), QUOTE, "quotation")]
    pooled = script.pooled_states(attributor, rows, layers)
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(len(DECISIONS), DIMENSIONS + pooled.shape[1])).astype(np.float32)
    scale = rng.uniform(0.5, 2.0, size=pooled.shape[1]).astype(np.float32)
    expected = weights[:, DIMENSIONS:] @ (pooled[0] * scale)

    size = attributor.model.config.hidden_size
    script.readout_of(weights, scale, size, layers).save(model_copy)
    QuotationDecider(np.zeros((len(DECISIONS), DIMENSIONS), np.float32), reads_states=True).save(model_copy)
    reading = QuoteAttributor.load(model_copy, device="cpu", precision="fp32")
    tokens, scores = reading.token_scores([TEXT])[0]
    decoded = reading.decode(tokens, scores)
    assert decoded.readout is not None and decoded.readout.shape[1:] == (len(READOUT_PARTS), len(DECISIONS))
    got = TokenReadout.of(decoded.offsets, decoded.readout).scores(QUOTE)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    # the readout's rows do not disturb the tags: the same tags as the model without it
    plain_tokens, plain_scores = attributor.token_scores([TEXT])[0]
    assert np.array_equal(decoded.tags, attributor.decode(plain_tokens, plain_scores).tags)


def test_a_decider_that_reads_states_needs_the_readout(model_copy: Path) -> None:
    from quoteattr.inference import QuoteAttributor

    QuotationDecider(np.zeros((len(DECISIONS), DIMENSIONS), np.float32), reads_states=True).save(model_copy)
    with pytest.raises(ModelLoadError, match="reads states, but the model has no decision readout"):
        QuoteAttributor.load(model_copy, device="cpu")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda path: path.write_bytes(b"not safetensors"), "not a decision readout"),
        (lambda path: path.with_suffix(".json").write_text(json.dumps({"size": 32, "layers": [1, 9]})), "does not fit"),
        (lambda path: path.with_suffix(".json").write_text(json.dumps({"size": 7, "layers": [1]})), "not a decision"),
    ],
    ids=["weights", "layer", "size"],
)
def test_a_broken_readout_fails_to_load_with_its_path(model_copy: Path, damage, message: str) -> None:  # type: ignore[no-untyped-def]
    from quoteattr.inference import QuoteAttributor

    DecisionReadout(QuoteAttributor.load(model_copy, device="cpu").model.config.hidden_size, [1, 2]).save(model_copy)
    damage(model_copy / DECISION_READOUT_FILE)
    with pytest.raises(ModelLoadError, match=message) as raised:
        QuoteAttributor.load(model_copy, device="cpu")
    assert DECISION_READOUT_FILE in str(raised.value) and "\n" not in str(raised.value)


def test_the_readout_decides_what_the_sparse_features_leave_open(model_copy: Path) -> None:
    """With sparse weights that favour nothing, the readout alone keeps or drops each span: a
    decision that ignored it would keep the same spans whatever the readout."""
    from quoteattr.inference import QuoteAttributor

    text = '"We will win," said Jane Roe. "It is done," Roe added. Aides said the plan would fail.'
    attributor = QuoteAttributor.load(model_copy, device="cpu", precision="fp32")
    undecided = attributor(text)
    assert undecided, "the tiny model tags no span here"
    pooled = _training_script().pooled_states(attributor, [(Document("t", text), q, "") for q in undecided], [2])
    size = attributor.model.config.hidden_size
    # a direction on which every span's mean state (its content part) scores exactly 1
    direction = np.linalg.pinv(pooled[:, :size]) @ np.ones(len(undecided))
    kept = {}
    for decision in ("quotation", "not"):
        readout = DecisionReadout(size, [2])
        weight = torch.zeros(CHANNELS, size)
        weight[READOUT_PARTS.index("content") * len(DECISIONS) + DECISIONS.index(decision)] = torch.from_numpy(
            direction * 20
        )
        readout.projection.weight.data = weight
        readout.save(model_copy)
        QuotationDecider(np.zeros((len(DECISIONS), DIMENSIONS), np.float32), reads_states=True).save(model_copy)
        reading = QuoteAttributor.load(model_copy, device="cpu", precision="fp32")
        kept[decision] = reading(text)
        assert reading.predict_many([text], workers=2) == [kept[decision]]  # workers get the readout's rows too
        reading.long_text_chars, reading.block_chars = 0, 13  # and so does a long text, block by block
        assert reading(text) == kept[decision]
    assert [(q.start, q.end) for q in kept["quotation"]] == [(q.start, q.end) for q in undecided]
    assert all(q.type == "quotation" and q.score > 0.99 for q in kept["quotation"])
    assert kept["not"] == []
