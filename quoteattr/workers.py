"""Tokenize and link in worker processes while the calling process runs the model.

One process cannot keep a GPU busy: tokenization, decoding and linking are Python and take about
as long per word as an H200's forward pass takes for thirty words. `stream_with_workers` splits
the work the way a data loader does:

- the calling process reads the texts in the chunks `QuoteAttributor.stream` makes (so the model
  sees the same batches and the output is byte for byte the same for any number of workers),
  hands each chunk's texts to the workers for tokenization, runs the model on the tokens
  (`QuoteAttributor.token_scores(..., tokenized=...)`), and hands the token scores back to the
  workers to decode and link (`QuoteAttributor.decode`, `QuoteAttributor.link`);
- with a GPU, the next chunks are tokenized and the last ones linked while the model runs; at most
  a few chunks are in flight at once, so memory stays flat over any number of texts, and results
  come back in input order.

Workers are forked on Linux (as torch's DataLoader workers are) and spawned elsewhere. The model
never goes to a worker and a worker runs no torch operation: it gets the tokenizer and the
attribution scorers, tokenizes, decodes with numpy and links in Python.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from quoteattr.errors import ConfigError, QuoteAttrError
from quoteattr.long_text import predict_long
from quoteattr.model.features import TokenizedText, tokenize_texts
from quoteattr.schema import Quote

if TYPE_CHECKING:
    from quoteattr.inference import QuoteAttributor

AUTO = "auto"
MAX_AUTO_WORKERS = 32
# Chunks in flight besides the one on the model, with a GPU: tokenized ahead, linked behind.
GPU_AHEAD = 2


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def resolve_workers(workers: int | str, device_type: str = "cpu") -> int:
    """The number of worker processes `workers` stands for; 1 means none (all in the calling process).

    `auto` is 1 when the model runs on the CPU: there the forward pass takes about 98 % of the time
    and uses every core (benchmarks/README.md), so workers would only take cores from it. With a GPU
    it is one worker per core but one (the calling process feeds the GPU), at least 2 and at most 32.
    """
    if isinstance(workers, str):
        if workers.strip().lower() == AUTO:
            if device_type == "cpu":
                return 1
            return max(2, min(MAX_AUTO_WORKERS, available_cores() - 1))
        try:
            workers = int(workers)
        except ValueError:
            raise ConfigError(f"workers must be a whole number >= 1 or 'auto', got {workers!r}") from None
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"workers must be a whole number >= 1 or 'auto', got {workers!r}")
    return workers


def chunks(texts: Iterable[str], chunk_chars: int, long_chars: int) -> Iterator[list[str]]:
    """The texts in consecutive lists that each reach `chunk_chars` characters (the last may not).

    The same cut as `QuoteAttributor.stream`, which flushes once its pending texts reach
    `chunk_chars` characters, and sends a text longer than `long_chars` on its own (it is
    streamed block by block, `long_text.py`): equal chunks give the model equal batches, hence
    equal output.
    """
    pending: list[str] = []
    size = 0
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"expected str texts, got {type(text).__name__}")
        if len(text) > long_chars:
            if pending:
                yield pending
                pending, size = [], 0
            yield [text]
            continue
        pending.append(text)
        size += len(text)
        if size >= chunk_chars:
            yield pending
            pending, size = [], 0
    if pending:
        yield pending


def split_even(count: int, parts: int) -> list[range]:
    """`range(count)` cut into at most `parts` consecutive, non-empty ranges of near-equal length."""
    parts = max(1, min(parts, count))
    bounds = [round(i * count / parts) for i in range(parts + 1)]
    return [range(bounds[i], bounds[i + 1]) for i in range(parts) if bounds[i] < bounds[i + 1]]


@dataclass(frozen=True)
class _WorkerSpec:
    """What a worker needs to tokenize, decode and link: everything of the attributor but its model."""

    tokenizer: Any
    settings: Any
    scheme: Any
    linker: Any
    decider: Any
    role_linker: Any
    all_attributions: bool
    namer: Any = None
    coreference: Any = None


_attributor: QuoteAttributor | None = None  # set in each worker process by _start_worker


def _start_worker(spec: _WorkerSpec) -> None:
    import torch

    from quoteattr.inference import QuoteAttributor

    global _attributor
    _attributor = QuoteAttributor(
        torch.nn.Identity(),  # type: ignore[arg-type]  # the model runs in the calling process only
        spec.tokenizer,
        spec.settings,
        spec.scheme,
        torch.device("cpu"),
        linker=spec.linker,
        decider=spec.decider,
        all_attributions=spec.all_attributions,
        role_linker=spec.role_linker,
        namer=spec.namer,
        coreference=spec.coreference,
    )


def _worker() -> QuoteAttributor:
    if _attributor is None:
        raise RuntimeError("quoteattr worker used before _start_worker ran")
    return _attributor


def _tokenize(texts: list[str]) -> list[TokenizedText]:
    return tokenize_texts(texts, _worker().tokenizer)


def _decode_and_link(texts: list[str], tagged: list[tuple[TokenizedText, np.ndarray]]) -> list[list[Quote]]:
    attributor = _worker()
    return [attributor.link(text, attributor.decode(tokens, scores)) for text, (tokens, scores) in zip(texts, tagged)]


def _context() -> Any:
    if sys.platform.startswith("linux"):
        # As torch's DataLoader does: a fork starts at once and shares the parent's memory. Safe here
        # because a worker never touches CUDA or runs a torch operation (it decodes with numpy and
        # links in Python); the tokenizers library notices the fork and runs single-threaded.
        return multiprocessing.get_context("fork")
    # macOS and Windows: a fresh interpreter per worker (the calling script needs the usual
    # `if __name__ == "__main__":` guard, as with any multiprocessing there).
    return multiprocessing.get_context("spawn")


def start_pool(attributor: QuoteAttributor, workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes that tokenize, decode and link for `attributor`."""
    spec = _WorkerSpec(
        attributor.tokenizer,
        attributor.settings,
        attributor.scheme,
        attributor.linker,
        attributor.decider,
        attributor.role_linker,
        attributor.all_attributions,
        attributor.namer,
        attributor.coreference,
    )
    return ProcessPoolExecutor(workers, mp_context=_context(), initializer=_start_worker, initargs=(spec,))


def stream_with_workers(
    attributor: QuoteAttributor,
    texts: Iterable[str],
    workers: int | str,
    batch_size: int | None = None,
    chunk_chars: int | None = None,
    ahead: int | None = None,
) -> Iterator[list[Quote]]:
    """Yield each text's quotations in input order, as `attributor.stream` does, with `workers` processes.

    Example:
        >>> for quotes in stream_with_workers(qa, texts, workers=4):  # doctest: +SKIP
        ...     print(len(quotes))

    `ahead`: chunks tokenized ahead of and linked behind the one on the model. The default is 2 with a
    GPU, and 0 on the CPU: there the forward pass uses every core, and workers running beside it
    slow its threads down more than they gain (2-3 % of the work), so the workers tokenize a chunk
    while the model waits, and link it while the model waits.

    A worker's exception is raised here, in the caller; closing the generator early stops the workers.
    """
    count = resolve_workers(workers, attributor.device.type)
    if count == 1:
        yield from attributor.stream(texts, batch_size, chunk_chars)
        return
    if ahead is None:
        ahead = 0 if attributor.device.type == "cpu" else GPU_AHEAD
    pool = start_pool(attributor, count)
    try:
        pieces = chunks(texts, chunk_chars or attributor.chunk_chars, attributor.long_text_chars)
        yield from _pipeline(attributor, pool, count, pieces, batch_size, max(0, ahead))
    except BrokenProcessPool:
        raise QuoteAttrError(
            f"a worker process died (killed, or out of memory?); run again with fewer workers than {count}"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pipeline(
    attributor: QuoteAttributor,
    pool: ProcessPoolExecutor,
    workers: int,
    texts: Iterator[list[str]],
    batch_size: int | None,
    ahead: int,
) -> Iterator[list[Quote]]:
    tokenizing: deque[tuple[list[str], list[Future[list[TokenizedText]]]]] = deque()
    linking: deque[list[Future[list[list[Quote]]]]] = deque()

    def is_long(chunk: list[str]) -> bool:
        return len(chunk) == 1 and len(chunk[0]) > attributor.long_text_chars

    def tokenize(chunk: list[str]) -> None:
        if is_long(chunk):  # streamed block by block in this process, as `stream` does
            tokenizing.append((chunk, []))
            return
        parts = split_even(len(chunk), workers)
        tokenizing.append((chunk, [pool.submit(_tokenize, chunk[part.start : part.stop]) for part in parts]))

    def run_model() -> None:
        chunk, futures = tokenizing.popleft()
        if is_long(chunk):
            done: Future[list[list[Quote]]] = Future()
            done.set_result([predict_long(attributor, chunk[0], batch_size or attributor.batch_size)])
            linking.append([done])
            return
        tokenized = [tokens for future in futures for tokens in future.result()]
        tagged = attributor.token_scores(chunk, batch_size, tokenized=tokenized)
        parts = split_even(len(chunk), workers)
        linking.append(
            [pool.submit(_decode_and_link, chunk[p.start : p.stop], tagged[p.start : p.stop]) for p in parts]
        )

    def finished(block: bool) -> Iterator[list[Quote]]:
        while linking and (block or len(linking) > ahead or all(future.done() for future in linking[0])):
            for future in linking.popleft():
                yield from future.result()
            block = False

    for chunk in texts:
        tokenize(chunk)
        if len(tokenizing) > ahead:
            run_model()
            yield from finished(block=False)
    while tokenizing:
        run_model()
        yield from finished(block=False)
    while linking:
        yield from finished(block=True)
