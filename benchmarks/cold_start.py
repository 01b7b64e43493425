"""Cold-start wall time of `quoteattr --help` and of `quoteattr predict` on one article, each in a fresh process.

Every run is a new Python process (imports, model load, prediction, exit); the median of `--repeats`
runs is reported beside each run's time. The OS file cache is warm after the first run.

Example:
    python benchmarks/cold_start.py --repeats 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from common import (
    REPO,
    TARGETS,
    check_ok,
    default_json,
    default_model,
    machine_info,
    print_machine,
    quoteattr_command,
    require_model,
    result_payload,
    run_measured,
    thread_env,
    verdict,
    write_json,
)


@dataclass
class Timing:
    """Wall times of one command over several fresh processes."""

    name: str
    command: list[str]
    seconds: list[float]
    median_seconds: float
    peak_rss_mb: float
    target_seconds: float
    verdict: str


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--threads", type=int, default=2, help="OMP_NUM_THREADS for the child (default 2)")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per command (default 3)")
    parser.add_argument("--article", type=Path, default=REPO / "examples" / "article.txt", help="text file to predict")
    parser.add_argument("--quantize", action="store_true", help="pass --quantize to predict")
    parser.add_argument("--json", type=Path, default=default_json(__file__), help="where to write the JSON result")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    return args


def time_command(name: str, command: list[str], repeats: int, env: dict[str, str], target: float) -> Timing:
    """Run `command` `repeats` times; fail loudly if it fails or (for predict) prints nothing."""
    seconds: list[float] = []
    peak = 0.0
    for _ in range(repeats):
        with tempfile.TemporaryFile() as out:
            measured = run_measured(command, env=env, stdout=out)
            check_ok(measured, name)
            if os.fstat(out.fileno()).st_size == 0:
                raise SystemExit(f"{name} printed nothing")
        seconds.append(measured.seconds)
        peak = max(peak, measured.peak_rss_mb)
    median = statistics.median(seconds)
    return Timing(name, command, seconds, median, peak, target, verdict(median, target, higher_is_better=False))


def print_timings(timings: list[Timing]) -> None:
    print(f"{'command':<22} {'median s':>9} {'runs (s)':<28} {'peak RSS':>9}  target")
    for timing in timings:
        runs = ", ".join(f"{s:.2f}" for s in timing.seconds)
        print(
            f"{timing.name:<22} {timing.median_seconds:>9.2f} {runs:<28} {timing.peak_rss_mb:>7.0f}MB  "
            f"<= {timing.target_seconds:g} s: {timing.verdict}"
        )


def main() -> None:
    args = parse_args()
    env = thread_env(args.threads)
    import torch

    torch.set_num_threads(args.threads)  # so that the recorded thread count is the child's
    model = require_model(args.model or default_model())
    article = args.article.expanduser().resolve()
    if not article.is_file():
        raise SystemExit(f"no article at {article}")
    machine = machine_info(env)
    print_machine(machine)
    base = quoteattr_command()
    print(f"command: {' '.join(base)}; model: {model}; article: {article} ({len(article.read_text().split())} words)")

    predict = [*base, "predict", str(article), "--format", "jsonl", "--quiet", "--model", str(model)]
    predict += ["--quantize"] if args.quantize else []
    timings = [
        time_command("quoteattr --help", [*base, "--help"], args.repeats, env, TARGETS["help_seconds"]),
        time_command("quoteattr predict", predict, args.repeats, env, TARGETS["predict_one_article_seconds"]),
    ]
    print_timings(timings)

    settings = {
        "model": str(model),
        "article": str(article),
        "repeats": args.repeats,
        "threads": args.threads,
        "quantize": args.quantize,
        "launcher": base,
    }
    results = [asdict(timing) for timing in timings]
    write_json(args.json, result_payload(__file__, machine, settings, results))


if __name__ == "__main__":
    main()
