"""The `quoteattr` command line: predict, train, evaluate, and dataset tools.

Each command parses its options, calls one library function and prints or writes the result.
Errors that are the user's or the data's (`QuoteAttrError`) end in one line on standard error
and exit status 1; usage errors exit with 2. torch is imported only by commands that need it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from quoteattr.errors import ConfigError, QuoteAttrError

app = typer.Typer(
    help="Find quotations in news text and attribute them to speakers and their roles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Validate, describe and review quotation datasets.", no_args_is_help=True)
app.add_typer(data_app, name="data")

stderr = Console(stderr=True, highlight=False)
DEFAULT_CONFIG = Path("training/configs/minilm.toml")


def _quiet_transformers() -> None:
    """No weight-loading progress bars or load reports on the terminal of a command-line run."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def _fail(message: str) -> NoReturn:
    stderr.print(f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True)
    raise typer.Exit(1)


def _version(value: bool) -> None:
    if value:
        from quoteattr.version import __version__

        typer.echo(f"quoteattr {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Find quotations in news text and attribute them to speakers and their roles."""


def _choose_format(fmt: str | None, output: Path | None) -> str:
    from quoteattr.tools.output import FORMATS, format_for

    if fmt is None:
        if output is not None:
            return format_for(output)
        return "table" if sys.stdout.isatty() else "jsonl"
    if fmt not in FORMATS:
        raise typer.BadParameter(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", param_hint="--format")
    return fmt


def _parse_workers(workers: str) -> int | str:
    if workers.strip().lower() == "auto":
        return "auto"
    if not workers.strip().isdigit() or int(workers) < 1:
        raise typer.BadParameter(f"expected a whole number >= 1 or auto, got {workers!r}", param_hint="--workers")
    return int(workers)


def _parse_kinds(kinds: str | None) -> set[str] | None:
    from quoteattr.schema import QUOTE_KINDS

    if kinds is None:
        return None
    chosen = {k.strip() for k in kinds.split(",") if k.strip()}
    unknown = chosen - set(QUOTE_KINDS)
    if unknown or not chosen:
        raise typer.BadParameter(f"expected a comma-separated list of {', '.join(QUOTE_KINDS)}", param_hint="--kinds")
    return chosen


@app.command()
def predict(
    files: Annotated[
        list[str], typer.Argument(help="Text files, directories of *.txt files, or - for standard input.")
    ],
    model: Annotated[Path | None, typer.Option(help="Model directory (default: the shipped model).")] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="table, json, jsonl, csv or html (default: table on a terminal, else jsonl)."
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    kinds: Annotated[str | None, typer.Option(help="Report only these kinds, e.g. direct,mixed.")] = None,
    min_score: Annotated[float, typer.Option(min=0.0, max=1.0, help="Drop quotations scored below this.")] = 0.0,
    recursive: Annotated[bool, typer.Option("--recursive", "-r", help="Descend into subdirectories.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    quantize: Annotated[
        bool,
        typer.Option(
            help="The encoder in int8 on CPU (faster with VNNI or AMX, slower without; "
            "about 0.3 F1 points less accurate)."
        ),
    ] = False,
    precision: Annotated[
        str, typer.Option(help="auto (bf16 where the CPU or GPU runs it faster than fp32, else fp32), fp32 or bf16.")
    ] = "auto",
    fast: Annotated[
        bool,
        typer.Option(
            help="Fast preset: less window overlap and, on a CPU with VNNI or AMX, the encoder in int8 "
            "(unless --precision is given); attributed F1 within 1 point of the default."
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=4096, help="Windows per forward pass.")] = 16,
    all_attributions: Annotated[
        bool, typer.Option(help="Also report other attributions (beliefs, intentions, plans), typed 'other'.")
    ] = False,
    workers: Annotated[
        str,
        typer.Option(help="Processes that tokenize and link while the model runs: a number, or auto. Same output."),
    ] = "1",
    text_field: Annotated[str, typer.Option(help="The text field of JSONL and Parquet corpus records.")] = "text",
    id_field: Annotated[str, typer.Option(help="The id field of JSONL and Parquet corpus records.")] = "id",
) -> None:
    """Attribute the quotations of text files and corpora (*.jsonl, *.parquet: one document per record).

    Example: quoteattr predict article.txt --format json
    """
    from quoteattr.tools.output import OutputFile, utf8_stdout
    from quoteattr.tools.predict_files import predict_files

    chosen_workers = _parse_workers(workers)
    chosen_format = _choose_format(fmt, output)
    allowed = _parse_kinds(kinds)
    try:
        stream: Any = OutputFile(output) if output else utf8_stdout()
    except QuoteAttrError as error:
        _fail(str(error))
    try:
        summary = predict_files(
            files,
            stream,
            fmt=chosen_format,
            model=model,
            kinds=allowed,
            min_score=min_score,
            recursive=recursive,
            progress=not quiet and stderr.is_terminal,
            device=device,
            quantize=quantize,
            precision=precision,
            fast=fast,
            batch_size=batch_size,
            all_attributions=all_attributions,
            workers=chosen_workers,
            text_field=text_field,
            id_field=id_field,
            on_error=_skipped,
            before_load=_quiet_transformers,
        )
    except QuoteAttrError as error:
        _fail(str(error))
    finally:
        if output:
            stream.close()
    if summary.failed:
        stderr.print(f"{summary.failed} of {summary.failed + summary.done} inputs failed", highlight=False)
        raise typer.Exit(1)


def _skipped(message: str) -> None:
    stderr.print(f"[yellow]skipped:[/] {escape(message)}", markup=True, soft_wrap=True)


@app.command()
def train(
    config: Annotated[Path, typer.Option(help="TOML config from training/configs/.")] = DEFAULT_CONFIG,
    train_data: Annotated[
        list[Path] | None,
        typer.Option("--train", help="Training JSONL file or directory (repeatable; replaces the config's)."),
    ] = None,
    dev_data: Annotated[
        list[Path] | None,
        typer.Option("--dev", help="Dev JSONL file or directory (repeatable; replaces the config's)."),
    ] = None,
    init_model: Annotated[
        str | None, typer.Option(help="quoteattr model directory to fine-tune (instead of a fresh encoder).")
    ] = None,
    output_dir: Annotated[
        str | None, typer.Option(help="Where to write the model directory (never inside models/).")
    ] = None,
    base_model: Annotated[str | None, typer.Option(help="Hugging Face model id or local path of the encoder.")] = None,
    epochs: Annotated[float | None, typer.Option(help="Training epochs.")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Windows per training batch.")] = None,
    learning_rate: Annotated[float | None, typer.Option(help="Peak learning rate.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    device: Annotated[str | None, typer.Option(help="auto, cpu or cuda.")] = None,
    precision: Annotated[str | None, typer.Option(help="auto, fp32, bf16 or fp16.")] = None,
    threads: Annotated[int | None, typer.Option(help="CPU threads for torch.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue from the last checkpoint of this output directory.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Train a model as a config file says; flags override the file. Models go under runs/.

    Fine-tune the shipped model on your own annotated JSONL:
    quoteattr train --config training/configs/finetune.toml --train mine.jsonl --dev mine-dev.jsonl

    Then `quoteattr promote runs/finetune --data mine-dev.jsonl` installs it in models/ if it scores better.
    """
    import logging

    from rich.logging import RichHandler
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    from quoteattr.model.training import TrainConfig
    from quoteattr.model.training import train as run_training

    logging.basicConfig(
        level=logging.INFO, format="%(message)s", handlers=[RichHandler(console=stderr, show_path=False)]
    )
    _quiet_transformers()
    bar = Progress(
        "training",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr,
        disable=quiet or not stderr.is_terminal,
        transient=True,
    )
    task = bar.add_task("training", total=None)
    try:
        settings = TrainConfig.from_toml(
            config,
            train_data=[str(path) for path in train_data] if train_data else None,
            dev_data=[str(path) for path in dev_data] if dev_data else None,
            init_model=init_model,
            output_dir=output_dir,
            base_model=base_model,
            epochs=epochs,
            batch_size=batch_size,
            learning_rate=learning_rate,
            seed=seed,
            device=device,
            precision=precision,
            threads=threads,
        )
        with bar:
            result = run_training(
                settings, resume=resume, on_step=lambda done, total: bar.update(task, completed=done, total=total)
            )
    except QuoteAttrError as error:
        _fail(str(error))
    except OSError as error:  # an output or checkpoint directory that cannot be created or written
        _fail(f"{error.filename}: {error.strerror}" if error.filename and error.strerror else str(error))
    typer.echo(f"model written to {result.output_dir} in {result.train_seconds / 60:.1f} min")
    scores = {name.removeprefix("eval_"): value for name, value in result.metrics.items() if "f1" in name}
    if scores:
        typer.echo("dev window F1 of the kept epoch: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))
    dev = " ".join(f"--data {path}" for path in settings.dev_data) or "--data DEV.jsonl"
    typer.echo(
        f"next: quoteattr evaluate --model {result.output_dir} {dev}\n"
        f"      quoteattr promote {result.output_dir} {dev}   # into models/ only if it scores better"
    )


@app.command()
def promote(
    run: Annotated[Path, typer.Argument(help="A model directory written by quoteattr train (e.g. runs/finetune).")],
    data: Annotated[list[Path], typer.Option(help="Gold JSONL files or directories to compare the models on.")],
    to: Annotated[
        Path | None, typer.Option(help="Where to install it (default: the shipped model's directory).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Install even if it does not score better.")] = False,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
) -> None:
    """Install a trained model in models/ only if it scores better there than the model it replaces.

    Both models are scored on --data (attributed-quotation F1, all kinds); the copy is atomic and
    the new model's metrics.json and card record the score.

    Example: quoteattr promote runs/finetune --data my/dev.jsonl
    """
    from quoteattr.data.jsonl import load_documents
    from quoteattr.evaluation import promote as run_promote
    from quoteattr.inference import shipped_model_path
    from quoteattr.model.promotion import Promotion

    _quiet_transformers()
    target = to or shipped_model_path()
    try:
        documents = load_documents(*data)
        if not documents:
            raise ConfigError(f"{', '.join(map(str, data))}: no documents to compare the models on")
        result = run_promote(run, target, documents, ", ".join(str(p) for p in data), device=device, force=force)
    except QuoteAttrError as error:
        _fail(str(error))
    new = Promotion.score(result.candidate)
    old = f"{Promotion.score(result.current):.4f}" if result.current else "none (no model there yet)"
    typer.echo(f"attributed F1 on {len(documents)} documents: {run} {new:.4f}, {target} {old}")
    if result.promoted:
        typer.echo(f"installed {run} as {target}")
    else:
        typer.echo(f"not installed: {run} does not score better than {target} (--force installs it anyway)")


@app.command()
def evaluate(
    data: Annotated[list[Path], typer.Option(help="Gold JSONL files or directories.")],
    model: Annotated[Path | None, typer.Option(help="Model directory (default: the shipped model).")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Also write the full report as JSON here.")] = None,
    cv: Annotated[bool, typer.Option(help="Leave-one-document-out cross-validation of --config on --data.")] = False,
    speakers: Annotated[int, typer.Option(help="Also list the N speakers with most gold quotations.")] = 0,
    bootstrap: Annotated[
        int, typer.Option(help="Also give 95 % intervals of the main scores, resampling the documents N times.")
    ] = 0,
    config: Annotated[Path, typer.Option(help="Training config for --cv.")] = DEFAULT_CONFIG,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    quantize: Annotated[bool, typer.Option(help="Evaluate with the encoder in int8 (see predict --quantize).")] = False,
    precision: Annotated[str, typer.Option(help="auto, fp32 or bf16.")] = "auto",
    fast: Annotated[bool, typer.Option(help="Evaluate the fast preset (see predict --fast).")] = False,
    record: Annotated[bool, typer.Option(help="Store the scores in the model's metrics.json and card.")] = False,
    all_attributions: Annotated[
        bool, typer.Option(help="Score every attribution (quotations and others), as PolNeAR counts them.")
    ] = False,
) -> None:
    """Score a model on gold data: quotation detection, attribution, roles, seqeval tags.

    Example: quoteattr evaluate --data ../shared/data/polnear/dev.jsonl --json report.json
    """
    from quoteattr.data.jsonl import load_documents
    from quoteattr.tools.reports import print_report

    _quiet_transformers()
    ran_in = "fp32"  # the precision the scores were taken in, as `auto` resolved it
    try:
        documents = load_documents(*data)
        if not documents:
            raise ConfigError(f"{', '.join(map(str, data))}: no documents to evaluate")
        if bootstrap < 0 or (bootstrap and cv):
            raise ConfigError(f"--bootstrap {bootstrap}: give a number of resamples >= 0, and not with --cv")
        if cv:
            from quoteattr.evaluation import cross_validate
            from quoteattr.model.training import TrainConfig

            report, folds = cross_validate(TrainConfig.from_toml(config), documents, device=device)
            for doc_id, fold in folds:
                print_report(fold, f"held out: {doc_id}")
        else:
            from quoteattr.evaluation import score_model
            from quoteattr.inference import load_attributor

            attributor = load_attributor(
                model,
                device=device,
                quantize=quantize,
                precision=precision,
                all_attributions=all_attributions,
                fast=fast,
            )
            ran_in = attributor.precision
            report = score_model(attributor, documents, bootstrap=bootstrap)
    except QuoteAttrError as error:
        _fail(str(error))
    print_report(report, "cross-validated (pooled)" if cv else "evaluation", speakers)
    if json_path:
        json_path.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    if record:
        from quoteattr.inference import shipped_model_path
        from quoteattr.model.model_card import record_scores

        variant = f" ({ran_in})" if ran_in in ("int8", "bf16") else ""
        variant += " (fast)" if fast else ""
        variant += " (all attributions)" if all_attributions else ""
        name = ("cv: " if cv else "") + ", ".join(str(p) for p in data) + variant
        record_scores(model or shipped_model_path(), name, report.to_dict())


@data_app.command("validate")
def data_validate(
    paths: Annotated[list[Path], typer.Argument(help="JSONL files or directories.")],
    strict: Annotated[
        bool, typer.Option(help="Treat warnings (quotations that overlap another) as errors, each listed.")
    ] = False,
) -> None:
    """Check every record; list every problem as file:line: field: problem.

    Overlapping quotations are a warning, counted but not listed: some corpora (PolNeAR) nest or
    repeat attributions on purpose. --strict lists them and fails on them.
    """
    from quoteattr.data.jsonl import dataset_files, validate_files
    from quoteattr.tools.output import counted

    try:
        files = dataset_files(paths)
    except QuoteAttrError as error:
        _fail(str(error))
    warnings: list[str] = []
    checked, problems = validate_files(files, warnings=None if strict else warnings)
    for problem in problems:
        stderr.print(problem, markup=False, highlight=False, soft_wrap=True)
    where = counted(len(files), "file")
    if problems:
        read = f"{counted(checked, 'document')} of {where}" if checked else f"{where} (no document could be read)"
        _fail(f"{counted(len(problems), 'problem')} in {read}")
    if not checked:
        _fail(f"no documents in {where} ({', '.join(map(str, files))}): the files hold no records")
    typer.echo(f"{counted(checked, 'document')} in {where}: valid")
    if warnings:
        stderr.print(
            f"warning: {counted(len(warnings), 'pair')} of overlapping quotations, kept as annotated "
            "(nested or repeated attributions, as in PolNeAR); --strict lists them as errors",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


@data_app.command("stats")
def data_stats(
    paths: Annotated[list[Path], typer.Argument(help="JSONL files or directories.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Documents, quotations by kind, speakers and their roles, mentions by type."""
    from quoteattr.attribution.names import mention_type
    from quoteattr.data.jsonl import dataset_files, load_documents
    from quoteattr.data.stats import dataset_stats
    from quoteattr.tools.reports import print_dataset_stats

    try:
        per_file = {str(path): load_documents(path) for path in dataset_files(paths)}
    except QuoteAttrError as error:
        _fail(str(error))
    stats = dataset_stats((document for documents in per_file.values() for document in documents), mention_type)
    summary = {"documents_by_file": {path: len(documents) for path, documents in per_file.items()}, **stats.to_dict()}
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    print_dataset_stats(summary, stats)


@data_app.command("coverage")
def data_coverage(
    paths: Annotated[list[Path], typer.Argument(help="JSONL files or directories.")],
    exclusions: Annotated[
        Path | None, typer.Option(help="Reviewed exclusions JSON (default: beside the data).")
    ] = None,
    write: Annotated[Path | None, typer.Option(help="Also write the Markdown report here.")] = None,
) -> None:
    """List every quotation-mark span and whether it is annotated or excluded; fail on unreviewed ones."""
    from quoteattr.data.coverage import (
        EXCLUSIONS_FILE,
        coverage_report,
        load_exclusions,
        render_markdown,
        stale_exclusions,
    )
    from quoteattr.data.jsonl import load_documents

    try:
        documents = load_documents(*paths)
        first = paths[0] if paths[0].is_dir() else paths[0].parent
        found = load_exclusions(exclusions or first / EXCLUSIONS_FILE)
    except QuoteAttrError as error:
        _fail(str(error))
    rows = coverage_report(documents, found)
    page = render_markdown(rows, stale_exclusions(rows, found))
    if write:
        write.write_text(page, encoding="utf-8")
    typer.echo(page)
    unreviewed = sum(row.status == "unreviewed" for row in rows)
    if unreviewed:
        _fail(f"{unreviewed} quotation-mark spans are unreviewed")
