"""Peak RSS of `quoteattr predict DIR` as the number of article files grows, to show memory stays flat.

For each N in `--sizes`, N article files (the corpus texts, cycled) are written to a temporary
directory and `quoteattr predict DIR --format jsonl --quiet --output /dev/null` runs in a fresh
process. Its own peak RSS comes from the rusage that `os.wait4` returns for that child.

With `--long-mb M`, it also joins the corpus texts (cycled, a blank line between them) into one
text file of about M MB and runs `predict` on that single file: peak RSS and words/s of one huge
document against those of the per-article run (the smallest size).

Example:
    python benchmarks/memory.py --sizes 100,1000
    python benchmarks/memory.py --sizes 84 --long-mb 10
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from common import (
    TARGETS,
    check_ok,
    default_json,
    default_model,
    load_corpus,
    machine_info,
    parse_sizes,
    print_machine,
    quoteattr_command,
    repeat_texts,
    require_model,
    result_payload,
    run_as_avx2_only,
    run_measured,
    thread_env,
    verdict,
    word_count,
    write_json,
)


@dataclass
class Point:
    """One `predict` run over `files` articles."""

    files: int
    words: int
    seconds: float
    words_per_second: float
    peak_rss_mb: float


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--threads", type=int, default=2, help="OMP_NUM_THREADS for the child (default 2)")
    parser.add_argument(
        "--avx2-only",
        action="store_true",
        help="torch kept to AVX2: a CPU with AVX-512 stands in for one without",
    )
    parser.add_argument("--sizes", type=parse_sizes, default=[100, 1000], help="article counts (default 100,1000)")
    parser.add_argument("--quantize", action="store_true", help="pass --quantize to predict")
    parser.add_argument("--workers", default="1", help="pass --workers to predict (default 1)")
    parser.add_argument("--fast", action="store_true", help="pass --fast to predict")
    parser.add_argument("--long-mb", type=float, default=0.0, help="also one text file of about this many MB")
    parser.add_argument("--batch-size", type=int, default=16, help="windows per forward pass (default 16)")
    parser.add_argument("--json", type=Path, default=default_json(__file__), help="where to write the JSON result")
    return parser.parse_args()


def write_articles(directory: Path, texts: list[str]) -> None:
    """One `article-NNNNN.txt` per text."""
    for index, text in enumerate(texts):
        (directory / f"article-{index:05d}.txt").write_text(text, encoding="utf-8")


def measure(base: list[str], model: Path, texts: list[str], args: argparse.Namespace) -> Point:
    """Write `texts` as files and run `quoteattr predict` over their directory."""
    with tempfile.TemporaryDirectory(prefix="quoteattr-memory-") as folder:
        write_articles(Path(folder), texts)
        command = [*base, "predict", folder, "--format", "jsonl", "--quiet", "--output", "/dev/null"]
        command += ["--model", str(model), "--batch-size", str(args.batch_size)]
        command += ["--quantize"] if args.quantize else []
        command += ["--workers", args.workers]
        command += ["--fast"] if args.fast else []
        measured = run_measured(command, env=thread_env(args.threads))
    check_ok(measured, f"quoteattr predict over {len(texts)} files")
    words = word_count(texts)
    return Point(len(texts), words, measured.seconds, words / measured.seconds, measured.peak_rss_mb)


def long_text(texts: list[str], megabytes: float) -> str:
    """The texts, cycled and joined by blank lines, up to about `megabytes` MB of UTF-8."""
    limit, parts, size, index = int(megabytes * 1024 * 1024), [], 0, 0
    while size < limit:
        text = texts[index % len(texts)]
        parts.append(text)
        size += len(text.encode("utf-8")) + 2
        index += 1
    return "\n\n".join(parts)


def measure_long(base: list[str], model: Path, text: str, args: argparse.Namespace) -> Point:
    """`quoteattr predict` of one file holding `text`."""
    with tempfile.TemporaryDirectory(prefix="quoteattr-memory-") as folder:
        path = Path(folder) / "long.txt"
        path.write_text(text, encoding="utf-8")
        command = [*base, "predict", str(path), "--format", "jsonl", "--quiet", "--output", "/dev/null"]
        command += ["--model", str(model), "--batch-size", str(args.batch_size)]
        command += ["--quantize"] if args.quantize else []
        command += ["--fast"] if args.fast else []
        measured = run_measured(command, env=thread_env(args.threads))
    check_ok(measured, "quoteattr predict of one long file")
    words = word_count([text])
    return Point(1, words, measured.seconds, words / measured.seconds, measured.peak_rss_mb)


def print_points(points: list[Point]) -> None:
    print(f"{'files':>7} {'words':>9} {'wall s':>8} {'words/s*':>8} {'peak RSS':>9}")
    for point in points:
        print(
            f"{point.files:>7} {point.words:>9} {point.seconds:>8.1f} {point.words_per_second:>8.0f} "
            f"{point.peak_rss_mb:>7.0f}MB"
        )
    print("* words/s of the whole process, start-up and model load included")


def flatness(points: list[Point]) -> dict[str, Any]:
    """Growth of peak RSS from the smallest to the largest N, and the worst peak against the target."""
    smallest, largest = min(points, key=lambda p: p.files), max(points, key=lambda p: p.files)
    growth = largest.peak_rss_mb - smallest.peak_rss_mb
    worst = max(point.peak_rss_mb for point in points)
    target = TARGETS["predict_peak_rss_mb"]
    print(
        f"peak RSS grows by {growth:+.0f} MB ({growth / smallest.peak_rss_mb:+.1%}) from {smallest.files} to "
        f"{largest.files} files; worst {worst:.0f} MB, target <= {target:.0f} MB: {verdict(worst, target, False)}"
    )
    return {"growth_mb": growth, "growth_ratio": growth / smallest.peak_rss_mb, "worst_mb": worst, "target_mb": target}


def main() -> None:
    args = parse_args()
    if args.avx2_only:
        run_as_avx2_only()
    env = thread_env(args.threads)
    import torch

    torch.set_num_threads(args.threads)  # so that the recorded thread count is the child's
    model = require_model(args.model or default_model())
    corpus = load_corpus()
    machine = machine_info(env)
    print_machine(machine)
    base = quoteattr_command()
    print(f"command: {' '.join(base)}; model: {model}{' (int8)' if args.quantize else ''}")
    print(f"corpus: {corpus.source} ({len(corpus.texts)} documents, cycled to each size)")

    points = [measure(base, model, repeat_texts(corpus.texts, size), args) for size in args.sizes]
    print_points(points)
    summary = flatness(points)
    if args.long_mb:
        text = long_text(corpus.texts, args.long_mb)
        single = measure_long(base, model, text, args)
        per_article = min(points, key=lambda p: p.files)
        ratio = single.words_per_second / per_article.words_per_second
        print(
            f"one {len(text.encode('utf-8')) / 1e6:.1f} MB text ({single.words} words): {single.seconds:.1f} s, "
            f"{single.words_per_second:.0f} words/s* ({ratio:.0%} of the {per_article.files}-file run), peak RSS "
            f"{single.peak_rss_mb:.0f} MB; targets <= {TARGETS['long_text_peak_rss_mb']:.0f} MB: "
            f"{verdict(single.peak_rss_mb, TARGETS['long_text_peak_rss_mb'], False)}, words/s within 20%: "
            f"{verdict(ratio, TARGETS['long_text_words_per_second_ratio'], True)}"
        )
        summary["long_text"] = {**asdict(single), "bytes": len(text.encode("utf-8")), "words_per_second_ratio": ratio}

    settings = {
        "model": str(model),
        "quantize": args.quantize,
        "fast": args.fast,
        "long_mb": args.long_mb,
        "batch_size": args.batch_size,
        "threads": args.threads,
        "corpus": corpus.source,
        "sizes": args.sizes,
        "launcher": base,
    }
    results = {"points": [asdict(point) for point in points], "summary": summary}
    write_json(args.json, result_payload(__file__, machine, settings, results))


if __name__ == "__main__":
    main()
