"""What each learned attribution scorer's file does in a model directory: it round-trips, a broken one
is an error naming it, the attributor and its worker processes get it, and the card describes it."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

from quoteattr.attribution import coreference, name_spans, role_links
from quoteattr.attribution.sparse import HashedScorer, hashed
from quoteattr.errors import ModelLoadError
from quoteattr.model import model_card
from tests.helpers import pool_worker


class Case(NamedTuple):
    scorer: type[HashedScorer]
    attribute: str  # the attributor's attribute holding it
    note: str  # its section of the model card
    heading: str  # that section's heading


CASES = [
    Case(coreference.CoreferenceScorer, "coreference", model_card.COREFERENCE_NOTE, "## Coreference resolver"),
    Case(name_spans.NameScorer, "namer", model_card.NAMES_NOTE, "## Name scorer"),
    Case(role_links.RoleLinker, "role_linker", model_card.ROLE_NOTE, "## Role linker"),
]
each_scorer = pytest.mark.parametrize("case", CASES, ids=[case.attribute for case in CASES])


def _weights(scorer: type[HashedScorer]) -> np.ndarray:
    weights = np.zeros(scorer.dimensions, dtype=np.float32)
    weights[hashed(["bias"], scorer.dimensions)] = 1.5
    return weights


@each_scorer
def test_save_and_load_round_trip(tmp_path: Path, case: Case) -> None:
    weights = _weights(case.scorer)
    case.scorer(weights).save(tmp_path)
    loaded = case.scorer.load(tmp_path)
    assert loaded is not None and np.array_equal(loaded.weights, weights)
    assert case.scorer.load(tmp_path / "elsewhere") is None


@each_scorer
def test_a_model_with_a_broken_scorer_file_fails_to_load_with_its_path(model_copy: Path, case: Case) -> None:
    from quoteattr.inference import load_attributor

    (model_copy / case.scorer.weights_file).write_bytes(b"not safetensors")
    with pytest.raises(ModelLoadError, match=str(model_copy / case.scorer.weights_file)):
        load_attributor(model_copy, device="cpu")


@each_scorer
def test_a_model_directory_with_a_scorer_loads_it_and_its_workers_get_it(
    model_copy: Path, monkeypatch: pytest.MonkeyPatch, case: Case
) -> None:
    from quoteattr.inference import QuoteAttributor

    assert getattr(QuoteAttributor.load(model_copy, device="cpu"), case.attribute) is None
    weights = _weights(case.scorer)
    case.scorer(weights).save(model_copy)
    attributor = QuoteAttributor.load(model_copy, device="cpu")
    loaded = getattr(attributor, case.attribute)
    assert isinstance(loaded, case.scorer) and np.array_equal(loaded.weights, weights)
    assert getattr(pool_worker(attributor, monkeypatch), case.attribute) is loaded


@each_scorer
def test_the_model_card_describes_a_scorer_only_where_the_model_has_one(model_copy: Path, case: Case) -> None:
    assert case.heading not in model_card.render_card(model_copy)
    case.scorer(np.zeros(case.scorer.dimensions, dtype=np.float32)).save(model_copy)
    card = model_card.render_card(model_copy)
    assert case.note.strip() in card and "$" not in card
