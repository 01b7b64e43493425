"""A ROLE head on an inner layer of the tagger's encoder, learned apart from the tagger.

The tagger learned its families from PolNeAR, which has no roles, so its own ROLE outputs find
nothing; fine-tuning the whole encoder on the news corpus's roles teaches them, but moves the other
families too (PolNeAR dev attributed F1 0.897 -> 0.889). The role head reads the encoder's states
after `layer` of its layers, which it does not change: a convolution over neighbouring tokens and,
where `context` asks for one, a bidirectional GRU over the whole window (a role's span often runs
past what five tokens see: *president of* | *the American Action Forum*), then a linear layer over
their outputs and the states themselves. Its logits replace the tagger's ROLE
logits; every other family's logits stay bit for bit what they were. Inner layers serve: the last
one was trained to drop what PolNeAR did not ask for (news dev ROLE F1 about 0.2 from the last
layer, 0.5 from the third of six).

`RoleHead.fit` learns it from documents with gold roles (`training/role_head.py`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from quoteattr.metrics import seqeval_scores
from quoteattr.model.decoding import decode_tags, log_softmax
from quoteattr.model.directory import ROLE_HEAD_FILE
from quoteattr.model.features import PaddingCollator, training_rows
from quoteattr.model.labels import IGNORE, LabelScheme, bio_strings
from quoteattr.model.modeling import ModelSettings
from quoteattr.schema import Document

ROLE = "ROLE"


@dataclass(frozen=True)
class RoleHeadSettings:
    """The head's shape: which encoder layer it reads (1 = the first), its window and width."""

    layer: int = 3
    width: int = 5  # tokens the convolution sees at once
    hidden: int = 256  # convolution channels
    context: int = 0  # units per direction of a bidirectional GRU over the window's states (0: none)


class RoleHead(nn.Module):
    """O/B/I logits of the ROLE family from one encoder layer's token states."""

    def __init__(self, size: int, settings: RoleHeadSettings) -> None:
        super().__init__()
        self.size = size  # the encoder's hidden size
        self.settings = settings
        self.convolution = nn.Conv1d(size, settings.hidden, settings.width, padding=settings.width // 2)
        self.recurrent = (
            nn.GRU(size, settings.context, batch_first=True, bidirectional=True) if settings.context else None
        )
        self.dropout = nn.Dropout(0.2)
        self.output = nn.Linear(settings.hidden + size + 2 * settings.context, 3)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """`states` (batch, tokens, size) and `mask` (batch, tokens; 1 on real tokens, padding at the
        end) to logits (batch, tokens, 3).

        Padding is zeroed first and the GRU stops at each row's last real token, so a token's logits
        do not depend on how long its batch's rows are."""
        states = states * mask.unsqueeze(-1).to(states.dtype)
        parts = [torch.relu(self.convolution(states.transpose(1, 2))).transpose(1, 2), states]
        if self.recurrent is not None:
            lengths = mask.sum(1).clamp(min=1).long().cpu()
            packed = pack_padded_sequence(states, lengths, batch_first=True, enforce_sorted=False)
            context, _ = pad_packed_sequence(self.recurrent(packed)[0], batch_first=True, total_length=states.shape[1])
            parts.append(context)
        return self.output(self.dropout(torch.cat(parts, -1)))

    def save(self, directory: Path) -> None:
        """Write the weights (fp16 safetensors) and the settings (JSON) into a model directory."""
        tensors = {name: value.detach().to("cpu", torch.float16) for name, value in self.state_dict().items()}
        path = directory / ROLE_HEAD_FILE
        save_file(tensors, str(path))
        path.chmod(0o644)
        settings = {**asdict(self.settings), "size": self.size}
        path.with_suffix(".json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> RoleHead | None:
        """The head saved in a model directory, or None when it has none; ValueError when its files hold none."""
        path = directory / ROLE_HEAD_FILE
        if not path.is_file():
            return None
        try:
            raw = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            size = int(raw.pop("size"))
            head = cls(size, RoleHeadSettings(**raw))
            head.load_state_dict({name: value.float() for name, value in load_file(str(path)).items()})
        except (OSError, SafetensorError, KeyError, TypeError, RuntimeError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ValueError(f"{path}: not a role head ({reason})") from None
        return head.eval()

    @classmethod
    def fit(
        cls,
        tagger: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        settings: ModelSettings,
        documents: Sequence[Document],
        head_settings: RoleHeadSettings = RoleHeadSettings(),
        epochs: int = 8,
        learning_rate: float = 2e-3,
        seed: int = 13,
        on_epoch: Callable[[int, RoleHead], None] | None = None,
        teacher: nn.Module | None = None,
        unlabelled: Sequence[Document] = (),
    ) -> RoleHead:
        """Learn a head on the tagger's frozen states from `documents`' gold roles and, with a
        `teacher` (a tagger whose own ROLE outputs were taught, e.g. by `training/configs/roles.toml`),
        from the teacher's ROLE probabilities on the `unlabelled` documents.

        The teacher's encoder was fine-tuned, so it cannot serve in the tagger's place without
        moving the other families; the head learns what it knows of roles on many more texts than
        carry gold roles. The states of every training window (overlapping as at inference) are
        computed once; the head then learns for `epochs` passes over them (AdamW, a one-cycle
        schedule, 8 windows a step side by side, the mean cross-entropy over gold tags and teacher
        distributions). `on_epoch(epoch, head)` is called after each pass (to score a held-out set).
        """
        torch.manual_seed(seed)
        layer = head_settings.layer
        windows = window_states(tagger, tokenizer, settings, documents, layer, settings.stride)
        if teacher is not None:
            windows += window_states(tagger, tokenizer, settings, unlabelled, layer, settings.stride, teacher)
        head = cls(tagger.config.hidden_size, head_settings)
        optimizer = torch.optim.AdamW(head.parameters(), lr=learning_rate, weight_decay=0.01)
        order = list(range(len(windows)))
        steps = epochs * ((len(order) + 7) // 8)
        schedule = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=learning_rate, total_steps=steps, pct_start=0.1, anneal_strategy="linear"
        )
        shuffler = random.Random(seed)
        head.train()
        for epoch in range(1, epochs + 1):
            shuffler.shuffle(order)
            for first in range(0, len(order), 8):
                states, mask, labels, taught = padded([windows[i] for i in order[first : first + 8]])
                logits = head(states, mask)
                known = labels != IGNORE
                loss = nn.functional.cross_entropy(logits[known], labels[known], reduction="sum")
                loss = loss - (taught * logits.log_softmax(-1)).sum()
                count = int(known.sum()) + int((taught.sum(-1) > 0).sum())
                optimizer.zero_grad()
                (loss / max(count, 1)).backward()
                optimizer.step()
                schedule.step()
            if on_epoch is not None:
                head.eval()
                on_epoch(epoch, head)
                head.train()
        return head.eval()


@dataclass(frozen=True)
class RoleWindow:
    """One window's encoder states after the head's layer (fp16), its gold ROLE tags (IGNORE where
    untaught) and, where a teacher was given, the teacher's ROLE probabilities (fp16)."""

    states: torch.Tensor
    labels: torch.Tensor
    teacher: torch.Tensor | None = None


def padded(windows: Sequence[RoleWindow]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """`windows` side by side, padded at the end: their states (float), mask, gold tags (IGNORE on
    padding) and teacher probabilities (zeros where there is no teacher and on padding)."""
    length = max(len(window.states) for window in windows)
    states = torch.zeros(len(windows), length, windows[0].states.shape[-1])
    mask = torch.zeros(len(windows), length)
    labels = torch.full((len(windows), length), IGNORE, dtype=torch.long)
    taught = torch.zeros(len(windows), length, 3)
    for row, window in enumerate(windows):
        size = len(window.states)
        states[row, :size], mask[row, :size], labels[row, :size] = window.states.float(), 1, window.labels
        if window.teacher is not None:
            taught[row, :size] = window.teacher.float()
    return states, mask, labels, taught


def span_f1(head: RoleHead, windows: Sequence[RoleWindow]) -> float:
    """Strict span F1 of the head's ROLE tags (decoded as `quoteattr predict` decodes them) against
    the gold tags of `windows` (from `window_states`)."""
    gold: list[list[str]] = []
    pred: list[list[str]] = []
    with torch.inference_mode():
        for window in windows:
            taught = window.labels != IGNORE
            logits = head(window.states.float()[None], torch.ones(1, len(window.states)))[0][taught]
            tags = decode_tags(log_softmax(logits.numpy()[:, None, :]))[:, 0]
            gold.append(bio_strings(window.labels[taught].tolist(), ROLE))
            pred.append(bio_strings(tags.tolist(), ROLE))
    scores = seqeval_scores(gold, pred).get(ROLE)
    return scores.f1 if scores else 0.0


def window_states(
    tagger: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    settings: ModelSettings,
    documents: Sequence[Document],
    layer: int,
    stride: int,
    teacher: nn.Module | None = None,
) -> list[RoleWindow]:
    """The `RoleWindow` of every window of `documents`, the teacher's probabilities with them where one is given."""
    scheme = LabelScheme(settings.families)
    rows, _ = training_rows(
        documents, tokenizer, scheme, settings.max_length, stride, settings.case_features, [[ROLE]] * len(documents)
    )
    collate = PaddingCollator(tokenizer.pad_token_id or 0, len(scheme.families))
    column = scheme.families.index(ROLE)
    models = [tagger] + ([teacher] if teacher is not None else [])
    modes = [model.training for model in models]
    for model in models:
        model.eval()
    out: list[RoleWindow] = []
    for first in range(0, len(rows), 32):
        chunk = rows[first : first + 32]
        batch = collate([{k: row[k] for k in ("input_ids", "token_type_ids", "labels") if k in row} for row in chunk])
        labels = batch.pop("labels")
        with torch.inference_mode():
            hidden = tagger(**batch, output_hidden_states=True).hidden_states[layer]
            taught = None if teacher is None else teacher(**batch).logits.float()[..., 3 * column : 3 * column + 3]
        for i, length in enumerate(batch["attention_mask"].sum(1).tolist()):
            probabilities = None if taught is None else taught[i, :length].softmax(-1).half().clone()
            out.append(RoleWindow(hidden[i, :length].half().clone(), labels[i, :length, column].clone(), probabilities))
    for model, mode in zip(models, modes):
        model.train(mode)
    return out
