"""Train a tiny model for a few steps, save it, load it, predict: the whole path end to end."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import quoteattr.hardware as hardware
from quoteattr.inference import QuoteAttributor
from quoteattr.schema import Document


def test_trained_directory_is_self_contained(tiny_model: Path) -> None:
    names = {p.name for p in tiny_model.iterdir()}
    assert {"config.json", "model.safetensors", "quoteattr.json", "README.md", "tokenizer.json"} <= names
    assert not any(name.endswith((".bin", ".pt", ".pkl")) for name in names)
    settings = json.loads((tiny_model / "quoteattr.json").read_text())
    assert settings["families"] == ["QUOTE", "SPEAKER", "CUE", "ROLE"]
    assert settings["max_length"] == 32
    assert not list(tiny_model.parent.glob("*.checkpoints"))


def test_load_and_predict_keeps_offsets(tiny_model: Path, tiny_documents: list[Document]) -> None:
    attributor = QuoteAttributor.load(tiny_model, device="cpu")
    texts = [d.text for d in tiny_documents] + ["", "   \n  ", "no quotes here at all " * 40]
    results = attributor.predict_many(texts, batch_size=3)
    assert len(results) == len(texts)
    assert results[len(tiny_documents)] == [] and results[len(tiny_documents) + 1] == []
    for text, quotes in zip(texts, results):
        for quote in quotes:
            assert text[quote.start : quote.end] == quote.text
            assert 0.0 <= quote.score <= 1.0
            for span in (quote.cue, quote.speaker.mention if quote.speaker else None):
                if span is not None:
                    assert text[span.start : span.end] == span.text


def test_predict_is_deterministic_and_batch_independent(tiny_model: Path, tiny_documents: list[Document]) -> None:
    attributor = QuoteAttributor.load(tiny_model, device="cpu")
    texts = [d.text for d in tiny_documents]
    together = attributor.predict_many(texts, batch_size=8)
    alone = [attributor(text) for text in texts]
    assert together == alone
    assert attributor.predict_many(texts, batch_size=1) == together


def test_bf16_precision_predicts_valid_spans(tiny_model: Path, tiny_documents: list[Document]) -> None:
    attributor = QuoteAttributor.load(tiny_model, device="cpu", precision="bf16")
    for document, quotes in zip(tiny_documents, attributor.predict_many([d.text for d in tiny_documents])):
        assert all(document.text[q.start : q.end] == q.text for q in quotes)


def test_bad_precision_settings_are_refused(tiny_model: Path) -> None:
    import pytest

    from quoteattr.errors import ConfigError

    with pytest.raises(ConfigError, match="precision must be one of auto, fp32, bf16"):
        QuoteAttributor.load(tiny_model, device="cpu", precision="fp8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused before any warning that int8 is slow here
        with pytest.raises(ConfigError, match="exclude each other"):
            QuoteAttributor.load(tiny_model, device="cpu", quantize=True, precision="bf16")


def test_card_says_how_to_feed_case_features(tiny_model: Path, tmp_path: Path) -> None:
    import shutil

    from quoteattr.model.model_card import CASE_NOTE, render_card

    card = render_card(tiny_model)
    assert CASE_NOTE.strip() in card and "$" not in card
    plain = shutil.copytree(tiny_model, tmp_path / "plain")
    settings = json.loads((plain / "quoteattr.json").read_text())
    (plain / "quoteattr.json").write_text(json.dumps({**settings, "case_features": False}))
    assert "token_type_ids" not in render_card(plain)


def test_card_names_the_model_relative_to_the_working_directory(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quoteattr.model.model_card import render_card

    monkeypatch.chdir(tiny_model.parent.parent)
    card = render_card(tiny_model.resolve())
    relative = f"{tiny_model.parent.name}/{tiny_model.name}"
    assert f"--model {relative}\n" in card and f'QuoteAttributor.load("{relative}")' in card


@pytest.mark.parametrize("quantize", [False, True], ids=["fp32", "int8"])
def test_loading_prints_nothing(
    tiny_model: Path, quantize: bool, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from transformers.utils import logging as hf_logging

    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx2", "avx512f", "avx512_vnni"}))  # int8 pays
    monkeypatch.setattr(hardware, "_warned", set())

    before = hf_logging.is_progress_bar_enabled()
    hf_logging.enable_progress_bar()  # as in a fresh process (the CLI tests switch it off for good)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            attributor = QuoteAttributor.load(tiny_model, device="cpu", quantize=quantize)
            attributor('"We will not back down," said Jane Doe.')
        assert [str(w.message) for w in caught] == []
        assert capfd.readouterr() == ("", "")
        assert hf_logging.is_progress_bar_enabled(), "transformers' progress bar setting is put back after loading"
    finally:
        if not before:
            hf_logging.disable_progress_bar()
