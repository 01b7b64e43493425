"""Attribute the quotations of many files, streaming results to a writer as each batch finishes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from quoteattr.errors import InputFileError
from quoteattr.output import DocumentResult, open_writer
from quoteattr.reading import InputText, check_inputs, read_input
from quoteattr.schema import Quote

if TYPE_CHECKING:
    from quoteattr.inference import QuoteAttributor

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


def _load_attributor(
    model: Path | None, device: str, quantize: bool, precision: str, all_attributions: bool, fast: bool = False
) -> QuoteAttributor:
    """The model, with torch imported only now: bad inputs are reported without that (seconds-long) import."""
    from quoteattr.inference import load_attributor

    return load_attributor(
        model, device=device, quantize=quantize, precision=precision, all_attributions=all_attributions, fast=fast
    )


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
    precision: str = "auto",
    fast: bool = False,
    batch_size: int = 16,
    all_attributions: bool = False,
    on_error: Callable[[str], None] = lambda message: None,
    before_load: Callable[[], None] = lambda: None,
) -> PredictSummary:
    """Predict every readable input and write each document's result as soon as its batch is done.

    Inputs are checked first (missing, unreadable, binary, empty files: see `check_inputs`) and
    bad ones reported through `on_error`, one line each, before the model is loaded: a run whose
    inputs are all bad fails in well under a second (torch is not even imported), and the rest
    still run. The model is loaded (after calling `before_load`) before any input is read in full,
    so a bad model fails fast too.
    """
    checked = check_inputs(paths, recursive=recursive)
    sources = [item for item in checked if isinstance(item, str)]
    failed = 0
    for problem in checked:
        if isinstance(problem, InputFileError):
            on_error(str(problem))
            failed += 1
    if not sources:
        open_writer(fmt, stream).close()  # a whole-page format is still a valid, empty page
        return PredictSummary(0, failed)
    before_load()
    attributor = _load_attributor(model, device, quantize, precision, all_attributions, fast)
    writer = open_writer(fmt, stream)
    done = 0
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
        task = bar.add_task("attributing quotations", total=len(sources))
        for batch in _batches((read_input(source) for source in sources), DOCUMENTS_PER_BATCH):
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
