"""Attribute the quotations of many files, streaming results to a writer as each batch finishes."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from quoteattr.errors import InputFileError
from quoteattr.schema import Quote
from quoteattr.tools.corpus import check_corpus, is_corpus, iter_corpus
from quoteattr.tools.output import DocumentResult, open_writer
from quoteattr.tools.reading import InputText, check_inputs, read_input

if TYPE_CHECKING:
    from quoteattr.inference import QuoteAttributor


@dataclass(frozen=True)
class PredictSummary:
    """How many inputs were attributed and how many failed."""

    done: int
    failed: int


def keep_quote(quote: Quote, kinds: set[str] | None, min_score: float) -> bool:
    """Whether a quotation passes the `--kinds` and `--min-score` filters."""
    return (kinds is None or quote.kind in kinds) and quote.score >= min_score


def _load_attributor(
    model: Path | None, device: str, quantize: bool, precision: str, all_attributions: bool, fast: bool = False
) -> QuoteAttributor:
    """The model, with torch imported only now: bad inputs are reported without that (seconds-long) import."""
    from quoteattr.inference import load_attributor

    return load_attributor(
        model, device=device, quantize=quantize, precision=precision, all_attributions=all_attributions, fast=fast
    )


def check_sources(
    paths: Sequence[str], recursive: bool = False, text_field: str = "text", id_field: str = "id"
) -> list[str | InputFileError]:
    """Every input in order, or an `InputFileError` for a bad one: text files and directories as
    `check_inputs` checks them, corpus files (`*.jsonl`, `*.parquet`) as `check_corpus` does."""
    checked: list[str | InputFileError] = []
    for path in paths:
        if is_corpus(path) and not os.path.isdir(path):
            checked.append(check_corpus(path, text_field, id_field))
        else:
            checked.extend(check_inputs([path], recursive=recursive))
    return checked


def read_sources(
    sources: Sequence[str], text_field: str = "text", id_field: str = "id"
) -> Iterator[InputText | InputFileError]:
    """The texts of checked sources, one at a time: a text file is one text, a corpus file one per record."""
    for source in sources:
        if is_corpus(source):
            yield from iter_corpus(source, text_field, id_field)
        else:
            yield read_input(source)


def attribute_items(
    attributor: QuoteAttributor,
    items: Iterable[InputText | InputFileError],
    batch_size: int | None = None,
    workers: int | str = 1,
) -> Iterator[tuple[InputText, list[Quote]] | InputFileError]:
    """Each text with its quotations, and each error, in input order; texts go through one `stream`."""
    waiting: deque[InputText | InputFileError] = deque()

    def texts() -> Iterator[str]:
        for item in items:
            waiting.append(item)
            if isinstance(item, InputText):
                yield item.text

    for quotes in attributor.stream(texts(), batch_size, workers=workers):
        item = waiting.popleft()
        while isinstance(item, InputFileError):
            yield item
            item = waiting.popleft()
        yield item, quotes
    yield from (item for item in waiting if isinstance(item, InputFileError))  # errors after the last text


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
    workers: int | str = 1,
    text_field: str = "text",
    id_field: str = "id",
    on_error: Callable[[str], None] = lambda message: None,
    before_load: Callable[[], None] = lambda: None,
) -> PredictSummary:
    """Predict every readable input and write each document's result as soon as it is done.

    Inputs are text files, directories of them, `-`, and corpus files (`*.jsonl`, `*.parquet`: one
    document per record, `text_field` and `id_field` naming its text and id). They are checked
    first (missing, unreadable, binary, empty files, corpus columns: see `check_sources`) and bad
    ones reported through `on_error`, one line each, before the model is loaded: a run whose inputs
    are all bad fails in well under a second (torch is not even imported), and the rest still run;
    so do the other records of a corpus with a bad record. The model is loaded (after calling
    `before_load`) before any input is read in full, so a bad model fails fast too. `workers`
    tokenizes and links in that many processes (`QuoteAttributor.stream`): same output.
    """
    checked = check_sources(paths, recursive, text_field, id_field)
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
        # a corpus file holds an unknown number of documents: then the bar counts documents, with no total
        counted = not any(is_corpus(source) for source in sources)
        task = bar.add_task("attributing quotations", total=len(sources) if counted else None)
        for result in attribute_items(attributor, read_sources(sources, text_field, id_field), batch_size, workers):
            if isinstance(result, InputFileError):
                on_error(str(result))
                failed += 1
            else:
                item, quotes = result
                kept = tuple(q for q in quotes if keep_quote(q, kinds, min_score))
                writer.write(DocumentResult(item.source, item.text, kept, item.id))
                done += 1
            bar.update(task, advance=1)
    writer.close()
    return PredictSummary(done, failed)
