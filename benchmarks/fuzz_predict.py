"""Fuzz `QuoteAttributor` with random texts until time runs out; fail on any crash, bad offset or hang.

Every text is run through the model (`predict_many`) and, to reach linking rules that a weak model
never triggers, also through `link` with random tag sequences (`--no-random-tags` skips that).
Each returned span must satisfy `text[start:end] == span.text` (quotations, fragments, speaker
mentions, cues), and one check may take at most `--input-timeout` seconds (else it is a hang).

Example:
    python benchmarks/fuzz_predict.py --model /path/to/model --seconds 60 --seed 1 --out fuzz-out

Each failure is saved as `<out>/crash-<seed>-<n>.json` with its kind (crash, offset, hang), the text,
the random tag scores (for `link` failures), the exception and traceback; replay one with
`--replay FILE`. The exit status is 1 when anything failed, else 0.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

_VOCABULARY = (
    "the senator said that we will not back down and vote would go ahead it is fake "
    "Jane Doe Ivan Petrov chair of committee he she they told reporters added according to "
    "spokesperson Mr. Dr. O'Brien isn't don't '90s rock 'n' roll minister's U.S. N.A.T.O. said: — –"
)
WORDS = _VOCABULARY.split()
MARKS = ('"', "“", "”", "‘", "’", "«", "»", "'", "„", "‹", "›", "〝", "＂")
EMOJI = ("🙂", "😀", "👩\u200d👩\u200d👧", "🇺🇦", "👍🏽", "\U0001f9d1\u200d\U0001f680")
ODD = (
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\u200b",
    "\u200e",
    "\u202e",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffd",
    "\xa0",
    "\u0301",
    "\u0338",
    "ﬁ",
    "İ",
    "ß",
    "ǅ",
    "\t",
    "\r\n",
    "\r",
)
FOREIGN = ("我们不会退缩", "参议员说", "قال السفير", "هذا مزيف", "Это очередная фальшивка", "сказал посол", "Ελλάδα")


def word_text(rng: random.Random, size: int) -> str:
    """Words, quotation marks, newlines and emoji in random order (as the property test builds them)."""
    pieces = []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.6:
            pieces.append(rng.choice(WORDS))
        elif roll < 0.8:
            pieces.append(rng.choice(MARKS))
        elif roll < 0.88:
            pieces.append(rng.choice(("\n", "\n\n", " \n ", "\r\n")))
        elif roll < 0.94:
            pieces.append(rng.choice(EMOJI))
        elif roll < 0.97:
            pieces.append(rng.choice(FOREIGN))
        else:
            pieces.append(rng.choice(ODD))
    separators = ("", " ", " ", " ")
    return "".join(piece + rng.choice(separators) for piece in pieces)


def junk_text(rng: random.Random, size: int) -> str:
    """Random bytes decoded as UTF-8 with errors='replace' (replacement characters, controls, stray UTF-8)."""
    return rng.randbytes(size).decode("utf-8", errors="replace")


def long_line_text(rng: random.Random, size: int) -> str:
    """One very long line without a paragraph break, quotation marks sprinkled in."""
    return " ".join(rng.choice(WORDS) if rng.random() < 0.9 else rng.choice(MARKS) for _ in range(size * 10))


def marks_text(rng: random.Random, size: int) -> str:
    """Thousands of quotation marks, sometimes with spaces, apostrophes and newlines between them."""
    alphabet = (*MARKS, " ", "\n", "s", "a") if rng.random() < 0.5 else MARKS
    return "".join(rng.choice(alphabet) for _ in range(size * 20))


def article_text(rng: random.Random, size: int) -> str:
    """A news-like article: paragraphs of attributed quotations with random damage."""
    templates = (
        '"{q}," said {s}, {r}.',
        "“{q}”, {s} told reporters.",
        "{s} said that {q}.",
        "«{q}», a déclaré {s}.",
        "‘{q},’ {s} added, ‘{q}.’",
        '{s}, {r}, said: "{q}',
    )
    paragraphs = []
    for _ in range(max(1, size // 10)):
        quote = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 30)))
        speaker = rng.choice(("Senator Jane Doe", "Doe", "he", "the spokesperson", "Ivan Petrov", "O'Brien"))
        paragraph = rng.choice(templates).format(q=quote, s=speaker, r="chair of the committee")
        if rng.random() < 0.3:
            cut = rng.randrange(len(paragraph) + 1)
            paragraph = paragraph[:cut] + rng.choice(MARKS + ODD + EMOJI) + paragraph[cut:]
        paragraphs.append(paragraph)
    return rng.choice(("\n\n", "\n", "\r\n\r\n", " ")).join(paragraphs)


GENERATORS: dict[str, Callable[[random.Random, int], str]] = {
    "words": word_text,
    "junk": junk_text,
    "long_line": long_line_text,
    "marks": marks_text,
    "article": article_text,
}


def random_text(rng: random.Random) -> tuple[str, str]:
    """A generator name and its text; mostly small, now and then large."""
    name = rng.choice(list(GENERATORS))
    size = rng.choice((0, 1, 2, 5, 20, 60, 200)) if rng.random() < 0.95 else rng.choice((2000, 8000))
    text = GENERATORS[name](rng, size)
    if rng.random() < 0.05:
        text = "\ufeff" + text
    return name, text


def offset_problems(text: str, quotes: list[Any]) -> list[str]:
    """Every span whose offsets do not cover its text."""
    problems = []
    for number, quote in enumerate(quotes):
        spans = [("quote", quote.start, quote.end, quote.text)]
        spans += [(f"fragment {i}", f.start, f.end, f.text) for i, f in enumerate(quote.fragments)]
        if quote.cue is not None:
            spans.append(("cue", quote.cue.start, quote.cue.end, quote.cue.text))
        if quote.speaker is not None and quote.speaker.mention is not None:
            mention = quote.speaker.mention
            spans.append(("mention", mention.start, mention.end, mention.text))
        for label, start, end, covered in spans:
            if not (0 <= start <= end <= len(text)) or text[start:end] != covered:
                problems.append(
                    f"quote {number} {label} [{start}, {end}) holds {covered!r}, text has {text[start:end]!r}"
                )
        if not 0.0 <= quote.score <= 1.0:
            problems.append(f"quote {number} score {quote.score} outside [0, 1]")
    return problems


def random_scores(rng: random.Random, tokens: int, families: int) -> list[list[list[float]]]:
    """Random log-probability-like scores (tokens, families, 3) that favour runs of B/I tags."""
    rows = []
    state = [0] * families
    for _ in range(tokens):
        row = []
        for f in range(families):
            if rng.random() < 0.15:
                state[f] = rng.choice((0, 1, 2))
            scores = [-5.0, -5.0, -5.0]
            scores[state[f]] = -0.01
            if state[f] == 1:
                state[f] = 2
            row.append(scores)
        rows.append(row)
    return rows


MIN_CHARS_PER_SECOND = 5000  # far below the real model's ~40,000 characters/s on 2 threads


class InputTimeout(Exception):
    """One input ran longer than `--input-timeout` seconds (a hang or a super-linear blow-up)."""


def _alarm(signum: int, frame: Any) -> None:
    raise InputTimeout


def timed(check: Callable[[], list[str]], timeout: float) -> tuple[list[str], BaseException | None, float]:
    """Run one check under a time limit: (offset problems, exception or None, seconds taken)."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    started = time.monotonic()
    try:
        problems = check()
        error: BaseException | None = None
    except InputTimeout:
        problems, error = [], InputTimeout(f"over {timeout:g} s on one input")
    except Exception as exception:
        problems, error = [], exception
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return problems, error, time.monotonic() - started


class Fuzzer:
    """Runs one attributor on random texts and records every failure."""

    def __init__(
        self, attributor: Any, out: Path, seed: int, input_timeout: float = 10.0, random_tags: bool = True
    ) -> None:
        self.attributor = attributor
        self.random_tags = random_tags
        self.out = out
        self.seed = seed
        self.input_timeout = input_timeout
        self.tried: Counter[str] = Counter()
        self.failures: list[Path] = []
        self.kinds: Counter[str] = Counter()
        self.slowest = (0.0, "", 0)
        self.characters = 0
        self.quotes = 0

    def model_check(self, text: str) -> list[str]:
        quotes = self.attributor.predict_many([text])[0]
        self.quotes += len(quotes)
        return offset_problems(text, quotes)

    def tokens(self, text: str) -> Any:
        from quoteattr.model.features import tokenize_texts

        return tokenize_texts([text], self.attributor.tokenizer)[0]

    def link_check(self, text: str, scores: list[list[list[float]]]) -> list[str]:
        import numpy as np

        tokens = self.tokens(text)
        array = np.asarray(scores, dtype=np.float32).reshape(len(tokens.input_ids), -1, 3)
        quotes = self.attributor.link(text, self.attributor.decode(tokens, array))
        self.quotes += len(quotes)
        return offset_problems(text, quotes)

    def run_one(self, rng: random.Random, generator: str, text: str) -> None:
        self.tried[generator] += 1
        self.characters += len(text)
        self.record("model", generator, text, None, lambda: self.model_check(text))
        tokens = len(self.tokens(text).input_ids) if self.random_tags else 0
        if tokens:
            scores = random_scores(rng, tokens, len(self.attributor.scheme.families))
            self.record("link", generator, text, scores, lambda: self.link_check(text, scores))

    def record(
        self,
        mode: str,
        generator: str,
        text: str,
        scores: list[list[list[float]]] | None,
        check: Callable[[], list[str]],
    ) -> None:
        # the model's own cost grows with the text; a hang is slower than MIN_CHARS_PER_SECOND on top of the base
        problems, error, seconds = timed(check, self.input_timeout + len(text) / MIN_CHARS_PER_SECOND)
        if seconds > self.slowest[0]:
            self.slowest = (seconds, f"{mode}/{generator}", len(text))
        if error is None and not problems:
            return
        kind = "hang" if isinstance(error, InputTimeout) else "crash" if error else "offset"
        self.kinds[kind] += 1
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / f"crash-{self.seed}-{len(self.failures) + 1}.json"
        report = {
            "kind": kind,
            "mode": mode,
            "generator": generator,
            "seed": self.seed,
            "text": text,
            "scores": scores,
            "exception": repr(error) if error else None,
            "traceback": "".join(traceback.format_exception(error)) if error else None,
            "offset_problems": problems,
        }
        path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        self.failures.append(path)
        what = repr(error) if error else problems[0]
        print(f"FAIL {kind} [{mode}/{generator}, {len(text)} chars] {what} -> {path}", file=sys.stderr, flush=True)


def replay(attributor: Any, path: Path, timeout: float) -> int:
    """Re-run one saved failure under the same time limit; exit status 1 when it still fails."""
    report = json.loads(path.read_text(encoding="utf-8"))
    fuzzer = Fuzzer(attributor, path.parent / "replay", 0)
    text = report["text"]
    if report["mode"] == "link":
        problems, error, seconds = timed(lambda: fuzzer.link_check(text, report["scores"]), timeout)
    else:
        problems, error, seconds = timed(lambda: fuzzer.model_check(text), timeout)
    print(f"{report['mode']}/{report['generator']}, {len(text)} characters: {seconds:.2f} s")
    if error is not None:
        print("".join(traceback.format_exception(error)).rstrip())
    for problem in problems:
        print(problem)
    failed = error is not None or bool(problems)
    print("still fails" if failed else "passes now")
    return 1 if failed else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", required=True, type=Path, help="quoteattr model directory")
    parser.add_argument("--seconds", type=float, default=180.0, help="how long to fuzz (default 180)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-out"), help="where crash reproducers go")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument(
        "--input-timeout",
        type=float,
        default=10.0,
        help="seconds one input may take, plus 1 s per 5,000 characters, before it counts as a hang",
    )
    parser.add_argument(
        "--no-random-tags", action="store_true", help="only the model's own tags (skip linking random tag sequences)"
    )
    parser.add_argument("--replay", type=Path, help="re-run one saved crash-*.json instead of fuzzing")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    from quoteattr.inference import QuoteAttributor

    torch.set_num_threads(args.threads)
    attributor = QuoteAttributor.load(args.model, device="cpu")
    if args.replay:
        return replay(attributor, args.replay, args.input_timeout)
    rng = random.Random(args.seed)
    fuzzer = Fuzzer(attributor, args.out, args.seed, args.input_timeout, random_tags=not args.no_random_tags)
    started = time.monotonic()
    while time.monotonic() - started < args.seconds:
        generator, text = random_text(rng)
        fuzzer.run_one(rng, generator, text)
    elapsed = time.monotonic() - started
    total = sum(fuzzer.tried.values())
    print(
        f"seed {args.seed}: {total} inputs in {elapsed:.0f} s ({total / elapsed:.1f}/s), {fuzzer.characters} characters"
    )
    print("by generator: " + ", ".join(f"{name} {count}" for name, count in sorted(fuzzer.tried.items())))
    print(f"quotations returned: {fuzzer.quotes}")
    seconds, where, length = fuzzer.slowest
    print(f"slowest check: {seconds:.2f} s ({where}, {length} characters)")
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(fuzzer.kinds.items()))
    print(f"failures: {len(fuzzer.failures)}" + (f" ({kinds}; reproducers in {args.out})" if fuzzer.failures else ""))
    return 1 if fuzzer.failures else 0


if __name__ == "__main__":
    sys.exit(main())
