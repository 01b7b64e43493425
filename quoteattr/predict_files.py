"""Attribute the quotations of many files, streaming results to a writer as each batch finishes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from quoteattr.errors import InputFileError
from quoteattr.inference import load_attributor
from quoteattr.output import DocumentResult, open_writer
from quoteattr.reading import InputText, iter_inputs
from quoteattr.schema import Quote

DOCUMENTS_PER_BATCH = 32


@dataclass(frozen=True)
class PredictSummary:
    """How many inputs were attributed and how many failed."""

    done: int
    failed: int


def keep_quote(quote: Quote, kinds: set[str] | None, min_score: float) -> bool:
    """Whether a quotation passes the `--kinds` and `--min-score` filters."""
    return (kinds is None or quote.kind in kinds) and quote.score >= min_score


def _batches(items: Iterator[InputText | InputFileError], size: int) -> Iterator[list[InputText | InputFileError]]:
    while batch := list(islice(items, size)):
        yield batch


def predict_files(
    paths: Sequence[str],
    stream: TextIO,
    fmt: str = "jsonl",
    model: Path | None = None,
    kinds: set[str] | None = None,
    min_score: float = 0.0,
    recursive: bool = False,
    progress: bool = False,
    device: str = "auto",
    quantize: bool = False,
    precision: str = "fp32",
    batch_size: int = 16,
    all_attributions: bool = False,
    on_error: Callable[[str], None] = lambda message: None,
) -> PredictSummary:
    """Predict every readable input and write each document's result as soon as its batch is done.

    Bad inputs are reported through `on_error` (one line each) and the rest still run. The model
    is loaded before any input is read, so a bad model fails fast.
    """
    attributor = load_attributor(
        model, device=device, quantize=quantize, precision=precision, all_attributions=all_attributions
    )
    writer = open_writer(fmt, stream)
    done = failed = 0
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not progress,
        transient=True,
    )
    with bar:
        task = bar.add_task("attributing quotations", total=None)
        for batch in _batches(iter_inputs(paths, recursive=recursive), DOCUMENTS_PER_BATCH):
            texts = [item for item in batch if isinstance(item, InputText)]
            for item in batch:
                if isinstance(item, InputFileError):
                    on_error(str(item))
                    failed += 1
            for item, quotes in zip(texts, attributor.stream([t.text for t in texts], batch_size)):
                kept = tuple(q for q in quotes if keep_quote(q, kinds, min_score))
                writer.write(DocumentResult(item.source, item.text, kept))
                done += 1
            bar.update(task, advance=len(batch))
    writer.close()
    return PredictSummary(done, failed)
