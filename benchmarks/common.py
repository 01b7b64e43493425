"""Helpers shared by the benchmark scripts: machine facts, the corpus, child processes, RSS, JSON output."""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import cycle, islice
from pathlib import Path
from typing import IO, Any

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
RESULTS = BENCHMARKS / "results"
POLNEAR_DEV = REPO.parent / "shared" / "data" / "polnear" / "dev.jsonl"
SEED_DATA = REPO / "data"

# The project's targets (2 CPU threads); see benchmarks/README.md.
TARGETS = {
    "words_per_second_fp32": 4000.0,
    "words_per_second_int8": 7000.0,
    "words_per_second_fast": 7500.0,
    "long_text_peak_rss_mb": 1536.0,
    "long_text_words_per_second_ratio": 0.8,
    "predict_peak_rss_mb": 1024.0,
    "help_seconds": 0.5,
    "predict_one_article_seconds": 4.0,
}


@dataclass(frozen=True)
class Corpus:
    """Benchmark texts and where they came from."""

    texts: list[str]
    source: str


@dataclass(frozen=True)
class Measured:
    """One finished child process: exit status, wall time and its own peak RSS."""

    returncode: int
    seconds: float
    peak_rss_mb: float
    stderr_tail: str


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, or what `platform` knows elsewhere."""
    use_checkout()
    from quoteattr.hardware import cpu_model as model

    return model()


def cpu_extensions() -> list[str]:
    """The CPU's vector extensions that matter for speed (AVX2, AVX-512, AVX-512 BF16, AMX) and
    that torch may use (an instruction-set cap hides AVX-512 and AMX: see `run_as_avx2_only`)."""
    use_checkout()
    from quoteattr.hardware import cpu_flags, vector_extensions

    return vector_extensions(cpu_flags())


def run_as_avx2_only() -> None:
    """Run this script again with torch's kernels kept to AVX2 (`quoteattr.hardware.AVX2_ONLY`),
    so that a CPU with AVX-512 stands in for one with AVX2 only; nothing when already so."""
    use_checkout()
    from quoteattr.hardware import AVX2_ONLY

    if all(os.environ.get(name) == value for name, value in AVX2_ONLY.items()):
        return
    argv = [a for a in sys.argv if a != "--avx2-only"]
    os.execve(sys.executable, [sys.executable, *argv, "--avx2-only"], {**os.environ, **AVX2_ONLY})


def use_checkout() -> None:
    """Import quoteattr from this checkout even when it is not installed."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))


def quoteattr_version() -> str:
    """`quoteattr.__version__` of the checkout these scripts live in."""
    use_checkout()
    import quoteattr

    return quoteattr.__version__


def machine_info(child_env: dict[str, str] | None = None) -> dict[str, Any]:
    """CPU, cores, Python, torch and thread count, and any instruction-set cap; `child_env` notes
    the thread variables given to children."""
    import torch

    from quoteattr.hardware import isa_cap

    info: dict[str, Any] = {
        "cpu_model": cpu_model(),
        "cpu_extensions": cpu_extensions(),
        "logical_cores": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "quoteattr": quoteattr_version(),
        "platform": platform.platform(),
        "isa_cap": isa_cap(),
    }
    if child_env is not None:
        info["child_thread_env"] = {k: child_env[k] for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS") if k in child_env}
    return info


def print_machine(info: dict[str, Any]) -> None:
    """One readable line about the machine."""
    extensions = ", ".join(info["cpu_extensions"]) or "no AVX2"
    if info.get("isa_cap"):
        extensions += f"; AVX-512 and AMX kept unused by {info['isa_cap']}"
    print(
        f"machine: {info['cpu_model']} ({extensions}), {info['logical_cores']} logical cores, torch {info['torch']} "
        f"({info['torch_threads']} threads), quoteattr {info['quoteattr']}, Python {info['python']}"
    )


def load_corpus() -> Corpus:
    """Texts of the PolNeAR dev set beside the repo, else of the seed corpus `data/*.jsonl`."""
    files = [POLNEAR_DEV] if POLNEAR_DEV.is_file() else sorted(SEED_DATA.glob("*.jsonl"))
    texts: list[str] = []
    for path in files:
        with path.open(encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line in handle if line.strip())
    if not texts:
        raise SystemExit(f"no benchmark texts found in {POLNEAR_DEV} or {SEED_DATA}/*.jsonl")
    source = ", ".join(_shown(path) for path in files)
    return Corpus(texts, source)


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path, REPO)
    except ValueError:
        return str(path)


def repeat_texts(texts: list[str], count: int) -> list[str]:
    """`count` texts, cycling through `texts`."""
    return list(islice(cycle(texts), count))


def word_count(texts: list[str]) -> int:
    """Whitespace-separated words, the unit of the words/s targets."""
    return sum(len(text.split()) for text in texts)


def parse_sizes(value: str) -> list[int]:
    """`100,1000,5000` -> [100, 1000, 5000] (argparse type)."""
    try:
        sizes = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"expected comma-separated integers, got {value!r}") from None
    if not sizes or min(sizes) < 1:
        raise ValueError(f"expected positive sizes, got {value!r}")
    return sizes


def default_json(script: str) -> Path:
    """benchmarks/results/<script>.json."""
    return RESULTS / f"{Path(script).stem}.json"


def default_model() -> Path:
    """The shipped model directory (or `$QUOTEATTR_MODEL`)."""
    use_checkout()
    from quoteattr.inference import shipped_model_path

    return shipped_model_path()


def require_model(path: Path) -> Path:
    """`path` made absolute; exit with a hint when it is not a model directory."""
    path = path.expanduser().resolve()
    if not (path / "config.json").is_file():
        raise SystemExit(f"no model at {path}: train it first or pass --model DIR")
    return path


def start_in_process(threads: int, model: Path | None) -> tuple[Path, Corpus, dict[str, Any]]:
    """For a benchmark that runs the model in this process: the checkout's package on `threads`
    torch threads, the model path, the corpus, and the machine (printed)."""
    use_checkout()
    import torch

    torch.set_num_threads(threads)
    path = require_model(model or default_model())
    corpus = load_corpus()
    machine = machine_info()
    print_machine(machine)
    return path, corpus, machine


def result_payload(script: str, machine: dict[str, Any], settings: dict[str, Any], results: Any) -> dict[str, Any]:
    """The common shape of every JSON result."""
    return {
        "benchmark": Path(script).stem,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "settings": settings,
        "results": results,
    }


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write `payload` as indented JSON, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {path}")


def _maxrss_mb(ru_maxrss: int) -> float:
    """ru_maxrss is KiB on Linux, bytes on macOS."""
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return _maxrss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def current_rss_mb() -> float | None:
    """Resident memory of this process now, in MiB (Linux only)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def thread_env(threads: int) -> dict[str, str]:
    """This environment with torch's thread count pinned for child processes."""
    return {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}


def quoteattr_command() -> list[str]:
    """`python -m quoteattr` when quoteattr/__main__.py exists, else the `quoteattr` console script."""
    if (REPO / "quoteattr" / "__main__.py").is_file():
        return [sys.executable, "-m", "quoteattr"]
    script = shutil.which("quoteattr", path=str(Path(sys.executable).parent)) or shutil.which("quoteattr")
    if script is None:
        raise SystemExit("neither quoteattr/__main__.py nor a `quoteattr` console script was found")
    return [script]


def run_measured(
    command: list[str],
    env: dict[str, str] | None = None,
    stdout: int | IO[Any] | None = subprocess.DEVNULL,
    capture_stderr: bool = True,
) -> Measured:
    """Run `command` in the repo root; wall time and the child's own peak RSS (from wait4's rusage)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=stdout, stderr=err if capture_stderr else None)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", errors="replace")
    return Measured(process.returncode, seconds, _maxrss_mb(usage.ru_maxrss), tail)


def check_ok(measured: Measured, what: str) -> None:
    """Exit with the child's stderr when it failed."""
    if measured.returncode != 0:
        raise SystemExit(f"{what} failed with exit status {measured.returncode}:\n{measured.stderr_tail}")


def verdict(value: float, target: float, higher_is_better: bool) -> str:
    """`met` or `NOT met` for a figure against its target."""
    ok = value >= target if higher_is_better else value <= target
    return "met" if ok else "NOT met"
