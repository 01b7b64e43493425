"""Shared fixtures: a tiny random BERT with its own word-piece vocabulary, and tiny documents."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from quoteattr.data.jsonl import load_documents
from quoteattr.schema import Document

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

    from quoteattr.inference import QuoteAttributor

TESTS = Path(__file__).parent
TINY_DATA = TESTS / "data" / "tiny.jsonl"
REPO = TESTS.parent
SHIPPED_MODEL = REPO / "models" / "quoteattr-minilm"
SEEDS = REPO.parent / "shared" / "seeds"
POLNEAR = REPO.parent / "shared" / "data" / "polnear"

# CI runs a fixed set of examples (reproducible); local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def word_tokenizer(tiny_base_model: Path) -> PreTrainedTokenizerBase:
    """The tiny word-piece vocabulary proper (see test_fixture_tokenizer_knows_the_tiny_vocabulary)."""
    from transformers import BertTokenizer

    return BertTokenizer(vocab=str(tiny_base_model / "vocab.txt"), do_lower_case=True)


@pytest.fixture(scope="session")
def tiny_documents() -> list[Document]:
    return load_documents(TINY_DATA)


def _vocabulary() -> list[str]:
    """Special tokens, every character the tests use (and its ## form), and the tiny corpus's words."""
    text = TINY_DATA.read_text(encoding="utf-8").lower()
    characters = sorted(set(text) - set(" \n\r\t")) + list("abcdefghijklmnopqrstuvwxyz0123456789")
    words = sorted(set(re.findall(r"[a-z]+", text)))
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    pieces = list(dict.fromkeys(characters + [f"##{c}" for c in characters] + words))
    return specials + pieces


@pytest.fixture(scope="session")
def tiny_base_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 2-layer BERT encoder and tokenizer saved as a local base model."""
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizer

    directory = tmp_path_factory.mktemp("tiny-base")
    vocab = directory / "vocab.txt"
    vocab.write_text("\n".join(_vocabulary()) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(vocab=str(vocab), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertForTokenClassification(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, tiny_base_model: Path) -> Path:
    """A quoteattr model directory trained for a few steps on the tiny documents."""
    from quoteattr.model.training import DataSource, TrainConfig, train

    output = tmp_path_factory.mktemp("tiny-model") / "model"
    config = TrainConfig(
        output_dir=str(output),
        base_model=str(tiny_base_model),
        train_data=[DataSource(str(TINY_DATA), repeat=4)],
        dev_data=[str(TINY_DATA)],
        epochs=2,
        batch_size=4,
        learning_rate=5e-3,
        max_length=32,
        train_stride=8,
        stride=8,
        precision="fp32",
        device="cpu",
        log_every=1,
    )
    train(config)
    return output


@pytest.fixture()
def model_copy(tmp_path: Path, tiny_model: Path) -> Path:
    """A private copy of the tiny model that a test may damage."""
    copy = tmp_path / "model"
    shutil.copytree(tiny_model, copy)
    return copy


@pytest.fixture(scope="module")
def tiny_attributor(tiny_model: Path) -> Iterator[QuoteAttributor]:
    """The tiny model loaded on one thread: a model this small runs far faster without thread contention."""
    import torch

    from quoteattr.inference import QuoteAttributor

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield QuoteAttributor.load(tiny_model, device="cpu")
    torch.set_num_threads(threads)
