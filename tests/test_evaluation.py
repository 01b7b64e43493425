"""Evaluating a model: predictions come from the attributor itself; cross-validation trains in memory."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pytest

import quoteattr.model.training as training
from quoteattr.errors import ConfigError
from quoteattr.evaluation import cross_validate, predict_documents, score_model
from quoteattr.inference import QuoteAttributor
from quoteattr.metrics import evaluate
from quoteattr.model.training import DataSource, TrainConfig, TrainResult
from quoteattr.schema import Document
from tests.helpers import tiny_training_config

TINY_DATA = Path(__file__).parent / "data" / "tiny.jsonl"


def test_evaluation_scores_what_the_attributor_outputs(
    tiny_attributor: QuoteAttributor, tiny_documents: list[Document]
) -> None:
    texts = [document.text for document in tiny_documents]
    predicted, (gold_tags, pred_tags) = predict_documents(tiny_attributor, tiny_documents)
    assert [list(document.quotes) for document in predicted] == tiny_attributor.predict_many(texts)
    tagged = tiny_attributor.predict_tagged(texts)
    assert [item.quotes for item in tagged] == tiny_attributor.predict_many(texts)
    # one tag sequence per annotated family and document, as long as the document's real tokens
    assert len(gold_tags) == len(pred_tags) > 0
    assert all(len(gold) == len(pred) for gold, pred in zip(gold_tags, pred_tags))
    report = score_model(tiny_attributor, tiny_documents)
    assert report.to_dict() == evaluate(tiny_documents, predicted, (gold_tags, pred_tags)).to_dict()


def test_the_spans_the_scorers_learn_from_are_those_the_attributor_links(
    tiny_attributor: QuoteAttributor, tiny_documents: list[Document]
) -> None:
    texts = [document.text for document in tiny_documents]
    expected = [tiny_attributor.tagged_spans(item.tags) for item in tiny_attributor.predict_tagged(texts)]
    assert tiny_attributor.spans_of(texts) == expected
    assert tiny_attributor.spans_of(texts, batch_size=1) == expected
    assert set(expected[0]) == set(tiny_attributor.scheme.families)


def test_cross_validation_trains_each_fold_in_memory(
    tiny_base_model: Path, tiny_documents: list[Document], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the folds' scratch directory
    documents = tiny_documents[:2]
    config = dataclasses.replace(
        tiny_training_config(tmp_path / "unused", tiny_base_model),
        train_data=[DataSource(str(TINY_DATA), repeat=2)],  # the documents themselves: replaced by each fold
        dev_data=["data/dev.jsonl"],
        epochs=1,
    )
    real_train = training.train
    folds: list[TrainConfig] = []

    def train(config: TrainConfig, **options: object) -> TrainResult:
        folds.append(config)
        assert not [path for path in tmp_path.rglob("*") if path.suffix == ".jsonl"], "a fold was written to a file"
        return real_train(config, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(training, "train", train)
    pooled, per_fold = cross_validate(config, documents, device="cpu")
    assert [doc_id for doc_id, _ in per_fold] == [document.id for document in documents]
    assert pooled.documents == 2 and all(report.documents == 1 for _, report in per_fold)
    for held_out, fold in zip(documents, folds):
        (source,) = fold.train_data  # the dataset file holds the cross-validated documents: left out
        assert source.documents is not None and source.repeat == 2
        assert [d.id for d in source.documents] == [d.id for d in documents if d.id != held_out.id]
        assert fold.dev_data == [] and Path(fold.output_dir).parent.parent == tmp_path
    assert list(tmp_path.iterdir()) == [], "the fold models are removed"


def test_documents_in_memory_are_saved_in_the_config_by_number_only(tiny_documents: list[Document]) -> None:
    source = DataSource("fold", repeat=3, documents=tiny_documents)
    config = TrainConfig(train_data=[source, DataSource("data/train.jsonl")])
    assert config.to_dict()["train_data"] == [
        {"path": "fold", "repeat": 3, "optional": False, "limit": 0, "documents": 3},
        {"path": "data/train.jsonl", "repeat": 1, "optional": False, "limit": 0},
    ]
    assert dataclasses.replace(config).to_dict() == config.to_dict()
    with pytest.raises(ConfigError, match="documents are given from Python"):
        DataSource("fold", documents=[{"id": "a", "text": "x"}])  # type: ignore[list-item]


def test_training_reads_documents_in_memory_like_a_file(tiny_documents: list[Document]) -> None:
    from_file = training._load_training_documents(TrainConfig(train_data=[DataSource(str(TINY_DATA), repeat=2)]))
    in_memory = training._load_training_documents(
        TrainConfig(train_data=[DataSource("tiny", repeat=2, documents=tiny_documents)])
    )
    assert in_memory == from_file
