"""The tagger with the heads that read its encoder's inner states, called like the tagger.

The ROLE head (`role_head.py`) replaces the ROLE family's logits; the quotation decision's readout
(`decision_readout.py`) adds its per-token scores after every family's logits, as `CHANNELS` more
columns. Both read the states the tagger's one pass computes.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from transformers import PreTrainedModel
from transformers.modeling_outputs import TokenClassifierOutput

from quoteattr.model.decision_readout import DecisionReadout
from quoteattr.model.directory import DECISION_READOUT_FILE, ROLE_HEAD_FILE
from quoteattr.model.labels import LabelScheme
from quoteattr.model.role_head import ROLE, RoleHead


class TaggerWithHeads(nn.Module):
    """The tagger, with the ROLE family's logits from a `RoleHead` and the `DecisionReadout`'s scores
    after its logits, where each is given."""

    def __init__(
        self,
        tagger: PreTrainedModel,
        scheme: LabelScheme,
        role_head: RoleHead | None = None,
        readout: DecisionReadout | None = None,
    ) -> None:
        super().__init__()
        self.tagger = tagger
        self.head = role_head
        self.readout = readout
        self.config = tagger.config
        start = 3 * scheme.families.index(ROLE) if ROLE in scheme.families else 0
        self.columns = slice(start, start + 3)

    def forward(self, **inputs: torch.Tensor) -> TokenClassifierOutput:
        outputs = self.tagger(**inputs, output_hidden_states=True)
        logits = outputs.logits  # a new tensor of this call: its ROLE columns are overwritten in place
        if self.head is not None:
            states = outputs.hidden_states[self.head.settings.layer]
            mask = inputs.get("attention_mask")
            mask = torch.ones(states.shape[:2], device=states.device) if mask is None else mask
            logits[..., self.columns] = self.head(states, mask).to(logits.dtype)
        if self.readout is not None:
            logits = torch.cat([logits, self.readout(outputs.hidden_states).to(logits.dtype)], -1)
        return TokenClassifierOutput(logits=logits)


def with_heads(tagger: PreTrainedModel, directory: Path, scheme: LabelScheme) -> nn.Module:
    """The tagger of a model directory with the heads it has, else the tagger itself; ValueError
    when a head's files hold none or it does not fit the encoder."""
    head = RoleHead.load(directory) if ROLE in scheme.families else None
    readout = DecisionReadout.load(directory)
    layers = tagger.config.num_hidden_layers
    if head is not None and (head.size != tagger.config.hidden_size or not 1 <= head.settings.layer <= layers):
        raise ValueError(f"{directory / ROLE_HEAD_FILE}: the role head does not fit this model's encoder")
    if readout is not None and (
        readout.size != tagger.config.hidden_size or not all(1 <= layer <= layers for layer in readout.layers)
    ):
        raise ValueError(f"{directory / DECISION_READOUT_FILE}: the decision readout does not fit this model's encoder")
    if head is None and readout is None:
        return tagger
    return TaggerWithHeads(tagger, scheme, head, readout)
