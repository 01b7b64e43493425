"""In-process throughput of `QuoteAttributor.stream`: words/s, docs/s and window tokens/s after loading.

The timed part is `list(attributor.stream(texts))` end to end (tokenization, windows, model, merge,
decoding, linking). Forward hooks on the model split that time into the model forward and the rest
without touching the library. Model loading is timed separately.

Example:
    python benchmarks/throughput.py --sizes 100,1000,5000
    python benchmarks/throughput.py --quantize --docs 500
"""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from common import (
    TARGETS,
    current_rss_mb,
    default_json,
    parse_sizes,
    peak_rss_mb,
    repeat_texts,
    result_payload,
    run_as_avx2_only,
    start_in_process,
    verdict,
    word_count,
    write_json,
)


@dataclass
class Run:
    """Figures of one timed pass over `docs` texts."""

    docs: int
    words: int
    window_tokens: int
    windows: int
    quotes: int
    seconds: float
    cpu_seconds: float
    forward_seconds: float
    words_per_second: float
    words_per_cpu_second: float
    docs_per_second: float
    window_tokens_per_second: float
    peak_rss_mb: float
    rss_after_mb: float | None


class ForwardTimer:
    """Accumulates time spent in a model's forward and the real tokens and windows it saw."""

    def __init__(self, model: Any, cuda: bool) -> None:
        self.cuda = cuda
        self.seconds = 0.0
        self.tokens = 0
        self.windows = 0
        self._start = 0.0
        model.register_forward_pre_hook(self._before, with_kwargs=True)
        model.register_forward_hook(self._after)

    def reset(self) -> None:
        self.seconds, self.tokens, self.windows = 0.0, 0, 0

    def _sync(self) -> None:
        if self.cuda:
            import torch

            torch.cuda.synchronize()

    def _before(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        mask = kwargs.get("attention_mask")
        if mask is not None:
            self.tokens += int(mask.sum())
            self.windows += int(mask.shape[0])
        self._sync()
        self._start = time.perf_counter()

    def _after(self, module: Any, args: tuple[Any, ...], output: Any) -> None:
        self._sync()
        self.seconds += time.perf_counter() - self._start


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--docs", type=int, default=None, help="cycle the corpus to N documents (default: it once)")
    parser.add_argument(
        "--sizes", type=parse_sizes, default=None, help="several document counts, e.g. 100,1000,5000 (overrides --docs)"
    )
    parser.add_argument("--quantize", action="store_true", help="the encoder in int8 (CPU)")
    parser.add_argument(
        "--precision", choices=("auto", "fp32", "bf16"), default="auto", help="auto (default), fp32 or bf16"
    )
    parser.add_argument("--fast", action="store_true", help="the fast preset (QuoteAttributor.load(fast=True))")
    parser.add_argument("--batch-size", type=int, default=16, help="windows per forward pass (default 16)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    parser.add_argument(
        "--avx2-only",
        action="store_true",
        help="torch kept to AVX2: a CPU with AVX-512 stands in for one without",
    )
    parser.add_argument("--warmup", type=int, default=2, help="untimed documents run first (default 2)")
    parser.add_argument("--json", type=Path, default=default_json(__file__), help="where to write the JSON result")
    return parser.parse_args()


def timed_run(attributor: Any, timer: ForwardTimer, texts: list[str]) -> Run:
    """Time one full `stream` pass over `texts`."""
    timer.reset()
    start, cpu_start = time.perf_counter(), time.process_time()
    results = list(attributor.stream(texts))
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    words = word_count(texts)
    return Run(
        docs=len(texts),
        words=words,
        window_tokens=timer.tokens,
        windows=timer.windows,
        quotes=sum(len(quotes) for quotes in results),
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        forward_seconds=timer.seconds,
        words_per_second=words / seconds,
        words_per_cpu_second=words / cpu_seconds,
        docs_per_second=len(texts) / seconds,
        window_tokens_per_second=timer.tokens / seconds,
        peak_rss_mb=peak_rss_mb(),
        rss_after_mb=current_rss_mb(),
    )


def print_runs(runs: list[Run]) -> None:
    header = (
        f"{'docs':>7} {'words':>9} {'wall s':>8} {'docs/s':>8} {'words/s':>9} {'win tok/s':>10} "
        f"{'forward':>8} {'rest':>6} {'quotes':>7} {'peak RSS':>9}"
    )
    print(header)
    for run in runs:
        share = run.forward_seconds / run.seconds if run.seconds else 0.0
        print(
            f"{run.docs:>7} {run.words:>9} {run.seconds:>8.2f} {run.docs_per_second:>8.2f} "
            f"{run.words_per_second:>9.0f} {run.window_tokens_per_second:>10.0f} {share:>8.0%} {1 - share:>6.0%} "
            f"{run.quotes:>7} {run.peak_rss_mb:>7.0f}MB"
        )
        print(
            f"{'':>7} CPU {run.cpu_seconds:.1f} s: {run.words_per_cpu_second:.0f} words per CPU-second "
            "(with --threads 1, barely moved by other jobs on a shared machine)"
        )


def scaling_summary(runs: list[Run]) -> dict[str, float] | None:
    """How much docs/s and words/s vary across sizes; a small spread means time grows linearly with input."""
    if len(runs) < 2:
        return None
    spread: dict[str, float] = {}
    for key in ("docs_per_second", "words_per_second"):
        values = [getattr(run, key) for run in runs]
        spread[f"{key}_spread"] = (max(values) - min(values)) / max(values)
    print(
        f"scaling: docs/s varies by {spread['docs_per_second_spread']:.0%} and words/s by "
        f"{spread['words_per_second_spread']:.0%} across sizes (near 0% = linear)"
    )
    return spread


def main() -> None:
    args = parse_args()
    if args.avx2_only:
        run_as_avx2_only()
    model, corpus, machine = start_in_process(args.threads, args.model)
    from quoteattr.inference import QuoteAttributor

    print(f"corpus: {corpus.source} ({len(corpus.texts)} documents, {word_count(corpus.texts)} words)")
    variant = " (int8)" if args.quantize else f" ({args.precision})"
    variant += " (fast preset)" if args.fast else ""
    print(f"model: {model}{variant}, device {args.device}, batch size {args.batch_size}")

    start = time.perf_counter()
    attributor = QuoteAttributor.load(
        model,
        device=args.device,
        quantize=args.quantize,
        batch_size=args.batch_size,
        precision=args.precision,
        fast=args.fast,
    )
    load_seconds = time.perf_counter() - start
    print(f"load: {load_seconds:.2f} s; runs in {attributor.precision}, windows share {attributor.stride} tokens")
    timer = ForwardTimer(attributor.model, cuda=attributor.device.type == "cuda")
    if args.warmup:
        list(attributor.stream(corpus.texts[: args.warmup]))

    sizes = args.sizes or [args.docs or len(corpus.texts)]
    runs = [timed_run(attributor, timer, repeat_texts(corpus.texts, size)) for size in sizes]
    print_runs(runs)
    scaling = scaling_summary(runs)
    kind = "fast" if args.fast else "int8" if args.quantize else "fp32"
    target = TARGETS[f"words_per_second_{kind}"]
    largest = max(runs, key=lambda run: run.docs)
    print(
        f"window tokens per word: {largest.window_tokens / largest.words:.3f}; target >= {target:.0f} words/s "
        f"({'fast preset' if args.fast else 'int8' if args.quantize else 'default'}, largest run): "
        f"{verdict(largest.words_per_second, target, True)}"
    )

    settings = {
        "model": str(model),
        "quantize": args.quantize,
        "precision": args.precision,
        "precision_used": attributor.precision,
        "fast": args.fast,
        "stride": attributor.stride,
        "device": str(attributor.device),
        "batch_size": args.batch_size,
        "threads": args.threads,
        "corpus": corpus.source,
        "corpus_documents": len(corpus.texts),
        "warmup_documents": args.warmup,
    }
    results = {
        "load_seconds": load_seconds,
        "runs": [asdict(run) for run in runs],
        "scaling": scaling,
        "target_words_per_second": target,
    }
    write_json(args.json, result_payload(__file__, machine, settings, results))


if __name__ == "__main__":
    main()
