"""Wall time of `quoteattr train` for one or more configs run in order (e.g. the two stages of the shipped model).

Each config runs as `quoteattr train --config C --threads T` in a fresh process from the repo root.
With `--scratch` every stage writes into a temporary directory (`--output-dir`) instead of the
config's `output_dir`, and a later stage whose `init_model` names an earlier stage's `output_dir`
continues from that stage's scratch output. Arguments after `--` go to every `quoteattr train`.

Example:
    python benchmarks/train_time.py --scratch \\
        --config training/configs/polnear.toml --config training/configs/minilm.toml
    python benchmarks/train_time.py --scratch --config training/configs/smoke.toml -- --epochs 0.1
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from common import (
    REPO,
    check_ok,
    default_json,
    machine_info,
    print_machine,
    quoteattr_command,
    result_payload,
    run_measured,
    thread_env,
    write_json,
)

DEFAULT_CONFIG = REPO / "training" / "configs" / "minilm.toml"


@dataclass
class Stage:
    """One finished `quoteattr train` run."""

    config: str
    output_dir: str
    seconds: float
    peak_rss_mb: float
    trainer_seconds: float | None  # the Trainer loop alone, as the model records it
    train_windows: int | None
    recorded_machine: str | None  # what training wrote about threads and torch
    metrics: dict[str, float]


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The options, and the arguments after `--` for `quoteattr train`."""
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--config", type=Path, action="append", default=None, help="TOML config; repeat to run stages in order"
    )
    parser.add_argument("--scratch", action="store_true", help="train into a temporary directory, removed afterwards")
    parser.add_argument("--keep", action="store_true", help="with --scratch: keep the temporary directory")
    parser.add_argument("--threads", type=int, default=2, help="--threads for quoteattr train (default 2)")
    parser.add_argument("--json", type=Path, default=default_json(__file__), help="where to write the JSON result")
    args = parser.parse_args(argv)
    args.config = [path.expanduser().resolve() for path in args.config or [DEFAULT_CONFIG]]
    missing = [str(path) for path in args.config if not path.is_file()]
    if missing:
        parser.error(f"no such config: {', '.join(missing)}")
    return args, extra


def toml_value(value: Any) -> str:
    """A TOML literal for the values training configs hold."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def repo_path(value: str) -> Path:
    """A config path as training resolves it (relative to the repo root)."""
    return (REPO / value).resolve()


def scratch_config(config: Path, scratch: Path, name: str, outputs: dict[Path, Path]) -> Path:
    """`config`, rewritten into `scratch` when its `init_model` is an earlier stage's output."""
    raw = tomllib.loads(config.read_text(encoding="utf-8"))
    init = raw.get("init_model")
    if not init or repo_path(init) not in outputs:
        return config
    raw["init_model"] = str(outputs[repo_path(init)])
    copy = scratch / f"{name}.toml"
    copy.write_text("".join(f"{key} = {toml_value(value)}\n" for key, value in raw.items()), encoding="utf-8")
    print(f"  init_model {init} -> {raw['init_model']} (scratch output of an earlier stage)")
    return copy


def recorded(output_dir: Path) -> dict[str, Any]:
    """The `training` block that quoteattr wrote into the model's quoteattr.json, if any."""
    from quoteattr.model.directory import SETTINGS_FILE

    try:
        return json.loads((output_dir / SETTINGS_FILE).read_text(encoding="utf-8")).get("training", {})
    except (OSError, ValueError):
        return {}


def run_stage(
    index: int,
    config: Path,
    args: argparse.Namespace,
    extra: list[str],
    scratch: Path | None,
    outputs: dict[Path, Path],
) -> Stage:
    """Train one config and time it; `outputs` maps each earlier config's output_dir to where it really went."""
    raw = tomllib.loads(config.read_text(encoding="utf-8"))
    print(f"\n== stage {index}: {config}")
    command = [*quoteattr_command(), "train", "--threads", str(args.threads)]
    if scratch is not None:
        name = f"{index}-{config.stem}"
        output = scratch / name
        command += ["--config", str(scratch_config(config, scratch, name, outputs)), "--output-dir", str(output)]
    else:
        output = repo_path(raw.get("output_dir", "runs/quoteattr-minilm"))
        command += ["--config", str(config)]
        print(f"  writing to {output} (the config's output_dir; use --scratch to train into a temporary directory)")
    outputs[repo_path(raw.get("output_dir", "runs/quoteattr-minilm"))] = output
    with tempfile.TemporaryFile("w+") as out:
        measured = run_measured([*command, *extra], env=thread_env(args.threads), stdout=out, capture_stderr=False)
        out.seek(0)
        stdout = out.read()
    print(stdout, end="")
    check_ok(measured, f"quoteattr train --config {config}")
    info = recorded(output)
    return Stage(
        config=str(config),
        output_dir=str(output),
        seconds=measured.seconds,
        peak_rss_mb=measured.peak_rss_mb,
        trainer_seconds=info.get("train_seconds"),
        train_windows=info.get("train_windows"),
        recorded_machine=info.get("machine"),
        metrics=info.get("dev_window_metrics") or {},
    )


def print_stages(stages: list[Stage], threads: int) -> None:
    print(f"\n{'config':<40} {'wall min':>9} {'trainer min':>12} {'windows':>8} {'peak RSS':>9}")
    for stage in stages:
        trainer = f"{stage.trainer_seconds / 60:.1f}" if stage.trainer_seconds is not None else "?"
        print(
            f"{Path(stage.config).name:<40} {stage.seconds / 60:>9.1f} {trainer:>12} "
            f"{stage.train_windows if stage.train_windows is not None else '?':>8} {stage.peak_rss_mb:>7.0f}MB"
        )
    print(f"{'total':<40} {sum(stage.seconds for stage in stages) / 60:>9.1f}")
    recorded_by = {stage.recorded_machine for stage in stages if stage.recorded_machine}
    print(
        f"threads: --threads {threads}"
        + (f"; training recorded: {'; '.join(sorted(recorded_by))}" if recorded_by else "")
    )


def main() -> None:
    args, extra = parse_args(sys.argv[1:])
    env = thread_env(args.threads)
    import torch

    torch.set_num_threads(args.threads)  # so that the recorded thread count is the child's
    machine = machine_info(env)
    print_machine(machine)
    scratch = Path(tempfile.mkdtemp(prefix="quoteattr-train-")) if args.scratch else None
    outputs: dict[Path, Path] = {}
    try:
        stages = [run_stage(i, config, args, extra, scratch, outputs) for i, config in enumerate(args.config, 1)]
    finally:
        if scratch is not None and not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
        elif scratch is not None:
            print(f"kept {scratch}")
    print_stages(stages, args.threads)

    settings = {
        "configs": [str(path) for path in args.config],
        "scratch": args.scratch,
        "threads": args.threads,
        "extra_train_args": extra,
        "launcher": quoteattr_command(),
    }
    results = {"stages": [asdict(stage) for stage in stages], "total_seconds": sum(s.seconds for s in stages)}
    write_json(args.json, result_payload(__file__, machine, settings, results))


if __name__ == "__main__":
    main()
