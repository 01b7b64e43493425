"""Helpers shared by tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from quoteattr.model.labels import Offsets
from quoteattr.model.training import DataSource, TrainConfig

if TYPE_CHECKING:
    from quoteattr.inference import QuoteAttributor

TINY_DATA = Path(__file__).parent / "data" / "tiny.jsonl"


def token_spans_to_chars(offsets: Offsets, token_spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans from token ranges, skipping tokens without offsets at either edge (to read tags back)."""
    result = []
    for first, stop in token_spans:
        real = [offsets[i] for i in range(first, stop) if offsets[i] is not None]
        if real:
            result.append((real[0][0], real[-1][1]))  # type: ignore[index]
    return result


def tiny_training_config(output: Path, base_model: Path) -> TrainConfig:
    """Two quick epochs of the tiny base model on the tiny documents, on the CPU."""
    return TrainConfig(
        output_dir=str(output),
        base_model=str(base_model),
        train_data=[DataSource(str(TINY_DATA))],
        dev_data=[],
        epochs=2,
        batch_size=4,
        max_length=32,
        train_stride=8,
        stride=8,
        precision="fp32",
        device="cpu",
    )


def pool_worker(attributor: QuoteAttributor, monkeypatch: pytest.MonkeyPatch) -> QuoteAttributor:
    """The attributor that a worker of `workers.start_pool(attributor, ...)` runs, started in this
    process from the spec the pool hands its workers (no process is forked)."""
    from quoteattr import workers

    monkeypatch.setattr(workers, "_attributor", None)  # put back after the test: this process is no worker
    started: dict[str, tuple[object, ...]] = {}
    monkeypatch.setattr(workers, "ProcessPoolExecutor", lambda *args, **kwargs: started.update(kwargs))
    workers.start_pool(attributor, 2)
    workers._start_worker(*started["initargs"])  # type: ignore[arg-type]
    return workers._worker()
