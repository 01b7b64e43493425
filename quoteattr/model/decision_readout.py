"""The quotation decision's readout: a linear map from the encoder's inner states to per-token scores.

The decision (`attribution/decisions.py`) reads sparse features of a linked span, and also what the
encoder knows of it: the mean of its states over the span's tokens, over its cue's and over the
three tokens before it (each the states after `layers`, side by side). Its weights on those means
are linear, so the mean of each token's projection is the projection of the mean: this head
projects every token's states to one score per part (content, cue, before) and decision, the
windows are merged as the tags are, and the decision averages the scores over each part's tokens.

Its weights are learned with the decision's (`training/decisions.py`) and saved beside the model as
safetensors, with the layers they read as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from quoteattr.attribution.decisions import DECISIONS, READOUT_PARTS
from quoteattr.model.directory import DECISION_READOUT_FILE

CHANNELS = len(READOUT_PARTS) * len(DECISIONS)  # one score per part and decision, part-major


class DecisionReadout(nn.Module):
    """Per-token scores (batch, tokens, CHANNELS) from the encoder states after each of `layers` (1 = the first)."""

    def __init__(self, size: int, layers: Sequence[int]) -> None:
        super().__init__()
        self.size = size  # the encoder's hidden size
        self.layers = tuple(layers)
        self.projection = nn.Linear(size * len(self.layers), CHANNELS, bias=False)

    def forward(self, hidden_states: Sequence[torch.Tensor]) -> torch.Tensor:
        """`hidden_states` as transformers gives them (the embeddings first, then each layer's output)."""
        return self.projection(torch.cat([hidden_states[layer] for layer in self.layers], -1))

    def save(self, directory: Path) -> None:
        """Write the weights (fp32 safetensors: the scores are sums over hundreds of states) and the layers (JSON)."""
        path = directory / DECISION_READOUT_FILE
        save_file({"projection": self.projection.weight.detach().to("cpu", torch.float32).contiguous()}, str(path))
        path.chmod(0o644)
        settings = {"size": self.size, "layers": list(self.layers)}
        path.with_suffix(".json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> DecisionReadout | None:
        """The readout saved in a model directory, or None when it has none; ValueError when its files hold none."""
        path = directory / DECISION_READOUT_FILE
        if not path.is_file():
            return None
        try:
            raw = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            readout = cls(int(raw["size"]), [int(layer) for layer in raw["layers"]])
            readout.projection.weight.data = load_file(str(path))["projection"].float()
            if readout.projection.weight.shape != (CHANNELS, readout.size * len(readout.layers)):
                raise ValueError(f"weights of shape {tuple(readout.projection.weight.shape)}")
        except (OSError, SafetensorError, KeyError, TypeError, ValueError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ValueError(f"{path}: not a decision readout ({reason})") from None
        return readout.eval()
