"""Driver memory of `attribute_dataset` on a local Ray instance over many PolNeAR-sized documents.

The documents are made on the workers (`ray.data.range(N)` mapped to the corpus texts, cycled), so
the driver never holds them; the driver iterates over the result in batches and records its own
RSS every `--every` rows. Flat driver memory means the result is streamed, not collected. The
driver's memory does not depend on the model, so a small one (`--model`) keeps the run short.

Example:
    python benchmarks/ray_memory.py --docs 10000 --model /path/to/tiny-model --cpus 2
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from common import (
    current_rss_mb,
    default_json,
    default_model,
    load_corpus,
    machine_info,
    print_machine,
    require_model,
    result_payload,
    use_checkout,
    write_json,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--docs", type=int, default=10000, help="documents (default 10000)")
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray instance (default 2)")
    parser.add_argument("--actors", type=int, default=1, help="model actors (default 1)")
    parser.add_argument("--every", type=int, default=1000, help="rows between RSS samples (default 1000)")
    parser.add_argument("--json", type=Path, default=default_json(__file__), help="where to write the JSON result")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    use_checkout()
    import ray

    from quoteattr.integrations.ray import attribute_dataset

    model = require_model(args.model or default_model())
    corpus = load_corpus()
    machine = machine_info()
    print_machine(machine)
    texts = corpus.texts
    words_per_doc = sum(len(text.split()) for text in texts) / len(texts)
    print(f"corpus: {corpus.source} cycled to {args.docs} documents (~{words_per_doc:.0f} words each)")
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
    text_ref = ray.put(texts)

    def make_texts(batch: dict[str, Any]) -> dict[str, Any]:
        pool = ray.get(text_ref)
        return {"id": batch["id"], "text": [pool[int(i) % len(pool)] for i in batch["id"]]}

    blocks = max(1, args.docs // 200)
    dataset = ray.data.range(args.docs, override_num_blocks=blocks).map_batches(make_texts, batch_format="numpy")
    result = attribute_dataset(dataset, model=model, concurrency=args.actors, num_gpus=0)
    rows = quotes = 0
    samples: list[tuple[int, float, float]] = []
    start = time.perf_counter()
    for batch in result.iter_batches(batch_size=250, batch_format="numpy"):
        rows += len(batch["id"])
        quotes += sum(text.count('"start"') for text in batch["quotes"] if text)
        if not samples or rows - samples[-1][0] >= args.every:
            samples.append((rows, time.perf_counter() - start, current_rss_mb() or 0.0))
            print(f"{rows:>7} rows  {samples[-1][1]:>7.1f} s  driver RSS {samples[-1][2]:>7.0f} MB", flush=True)
    seconds = time.perf_counter() - start
    ray.shutdown()
    first, last = samples[0][2], max(sample[2] for sample in samples)
    print(f"{rows} rows, {quotes} quotations, {seconds:.0f} s")
    print(f"driver RSS: {first:.0f} MB at the first sample, {last:.0f} MB at most (growth {last - first:.0f} MB)")
    settings = {"model": str(model), "docs": args.docs, "cpus": args.cpus, "actors": args.actors}
    results = {"rows": rows, "seconds": seconds, "rss_samples": samples, "rss_growth_mb": last - first}
    write_json(args.json, result_payload("ray_memory", machine, settings, results))


if __name__ == "__main__":
    main()
