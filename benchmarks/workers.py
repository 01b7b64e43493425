"""Words/s of `QuoteAttributor.stream(texts, workers=N)` for several N, and how the CPU stages scale with workers.

Two measurements, each with every worker count run in turn `--repeats` times (interleaved, so a
machine whose speed drifts favours none):

1. end to end: `list(attributor.stream(texts, workers=N))`, with the model's forward time (forward
   hooks) and a digest of the output, which must be the same for every N;
2. the CPU stages alone (`--cpu-stages`): tokenization, then decoding and linking of scores the
   model produced beforehand, in the calling process (N = 1) or spread over N worker processes. This
   is what workers take off the process that feeds the model: on a GPU it is the limit.

The `caller` column is words per CPU-second of the calling process alone (threads of the model
included): with enough workers and a GPU, the process that feeds the model can go no faster.
`--instant-model` swaps the network for one that returns zero logits at once: words/s then is the
ceiling that the rest (tokenization, windows, merging, decoding, hand-over between processes) sets,
the most a GPU could give. Zero logits find no spans, so linking costs nothing there; `--cpu-stages`
times linking with the real model's scores.

Example:
    python benchmarks/workers.py --workers 1,2 --docs 200
    python benchmarks/workers.py --device cuda --precision bf16 --batch-size 64 --workers 1,4,16 --docs 5000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from common import (
    default_json,
    repeat_texts,
    result_payload,
    start_in_process,
    word_count,
    write_json,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads of the model's process (default 2)")
    parser.add_argument("--docs", type=int, default=None, help="cycle the corpus to N documents (default: it once)")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, e.g. 1,4,16 (default 1,2)")
    parser.add_argument("--repeats", type=int, default=2, help="timed passes per worker count (default 2)")
    parser.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    parser.add_argument("--batch-size", type=int, default=16, help="windows per forward pass (default 16)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    parser.add_argument("--cpu-stages", action="store_true", help="also time tokenization and decoding+linking alone")
    parser.add_argument(
        "--instant-model",
        action="store_true",
        help="replace the model by one that returns zero logits at once: the ceiling of the rest (a GPU's best case)",
    )
    parser.add_argument("--json", type=Path, default=default_json(__file__), help="where to write the JSON result")
    return parser.parse_args()


class _Output:
    def __init__(self, logits: Any) -> None:
        self.logits = logits


def instant_model(labels: int) -> Any:
    """A torch module that returns zero logits at once (torch is imported only here)."""
    import torch

    class Instant(torch.nn.Module):
        def forward(self, input_ids: Any, **_: Any) -> Any:
            return _Output(torch.zeros(*input_ids.shape, labels))

    return Instant()


def digest(results: list[Any]) -> str:
    records = [[quote.to_dict() for quote in quotes] for quotes in results]
    return hashlib.sha256(json.dumps(records, ensure_ascii=False).encode()).hexdigest()[:16]


def end_to_end(attributor: Any, texts: list[str], workers: int, forward: list[float]) -> dict[str, Any]:
    forward[0] = 0.0
    start, cpu = time.perf_counter(), time.process_time()
    results = list(attributor.stream(texts, workers=workers))
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    words = word_count(texts)
    return {
        "workers": workers,
        "seconds": seconds,
        "words_per_second": words / seconds,
        "forward_share": forward[0] / seconds,
        "caller_words_per_cpu_second": words / cpu_seconds,
        "digest": digest(results),
    }


def cpu_stages(attributor: Any, texts: list[str], workers: int) -> dict[str, Any]:
    """Tokenization and decoding+linking alone, with the model's scores computed beforehand (not timed)."""
    from quoteattr.model.features import tokenize_texts
    from quoteattr.workers import _decode_and_link, _tokenize, split_even, start_pool

    tagged = attributor.token_scores(texts)
    words = word_count(texts)
    if workers == 1:
        start = time.perf_counter()
        tokenize_texts(texts, attributor.tokenizer)
        middle = time.perf_counter()
        for text, (tokens, scores) in zip(texts, tagged):
            attributor.link(text, attributor.decode(tokens, scores))
        end = time.perf_counter()
    else:
        pool = start_pool(attributor, workers)
        try:
            list(pool.map(_tokenize, [[text] for text in texts[:workers]]))  # start every worker, untimed
            parts = split_even(len(texts), workers * 4)
            start = time.perf_counter()
            futures = [pool.submit(_tokenize, texts[p.start : p.stop]) for p in parts]
            [future.result() for future in futures]
            middle = time.perf_counter()
            futures = [pool.submit(_decode_and_link, texts[p.start : p.stop], tagged[p.start : p.stop]) for p in parts]
            [future.result() for future in futures]
            end = time.perf_counter()
        finally:
            pool.shutdown()
    return {
        "workers": workers,
        "tokenize_words_per_second": words / (middle - start),
        "decode_link_words_per_second": words / (end - middle),
    }


def main() -> None:
    args = parse_args()
    model, corpus, machine = start_in_process(args.threads, args.model)
    import torch

    from quoteattr.inference import QuoteAttributor

    texts = repeat_texts(corpus.texts, args.docs or len(corpus.texts))
    counts = [int(value) for value in args.workers.split(",")]
    print(f"corpus: {corpus.source}, {len(texts)} documents, {word_count(texts)} words")
    print(f"model: {model} ({args.precision}), device {args.device}, batch size {args.batch_size}")
    attributor = QuoteAttributor.load(model, device=args.device, batch_size=args.batch_size, precision=args.precision)
    forward = [0.0]
    started = [0.0]
    cuda = attributor.device.type == "cuda"

    def before(*_: Any, **__: Any) -> None:
        if cuda:
            torch.cuda.synchronize()
        started[0] = time.perf_counter()

    def after(*_: Any) -> None:
        if cuda:
            torch.cuda.synchronize()
        forward[0] += time.perf_counter() - started[0]

    if args.instant_model:
        attributor.model = instant_model(len(attributor.scheme.families) * 3)
    attributor.model.register_forward_pre_hook(before)
    attributor.model.register_forward_hook(after)
    list(attributor.stream(texts[:2]))  # warm-up

    runs = [end_to_end(attributor, texts, n, forward) for _ in range(args.repeats) for n in counts]
    print(f"{'workers':>7} {'wall s':>8} {'words/s':>9} {'forward':>8} {'caller':>9}  output digest")
    for run in runs:
        print(
            f"{run['workers']:>7} {run['seconds']:>8.2f} {run['words_per_second']:>9.0f} "
            f"{run['forward_share']:>8.0%} {run['caller_words_per_cpu_second']:>9.0f}  {run['digest']}"
        )
    best = {n: max(r["words_per_second"] for r in runs if r["workers"] == n) for n in counts}
    same = len({run["digest"] for run in runs}) == 1
    print("best words/s: " + ", ".join(f"{n} workers {w:.0f}" for n, w in best.items()))
    print(f"output identical for every worker count: {'yes' if same else 'NO'}")
    stages = []
    if args.cpu_stages:
        stages = [cpu_stages(attributor, texts, n) for _ in range(args.repeats) for n in counts]
        print(f"{'workers':>7} {'tokenize words/s':>17} {'decode+link words/s':>20}")
        for stage in stages:
            print(
                f"{stage['workers']:>7} {stage['tokenize_words_per_second']:>17.0f} "
                f"{stage['decode_link_words_per_second']:>20.0f}"
            )
    settings = {
        "model": str(model),
        "docs": len(texts),
        "words": word_count(texts),
        "device": args.device,
        "precision": args.precision,
        "batch_size": args.batch_size,
        "threads": args.threads,
        "instant_model": args.instant_model,
    }
    results = {"runs": runs, "best_words_per_second": best, "identical_output": same, "cpu_stages": stages}
    write_json(args.json, result_payload("workers", machine, settings, results))


if __name__ == "__main__":
    main()
