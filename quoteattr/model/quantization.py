"""Int8 inference on the CPU: the encoder's linear layers as 8-bit integer matrix products.

Each weight row (output channel) has its own scale, and each token's input its own scale, taken
as the token passes (dynamic); `torch._int_mm` multiplies the int8 matrices into int32, which the
two scales turn back into floats. Per-token scales keep the outlier features of BERT's
activations from flattening every other token's input, which a single scale per tensor does: on
PolNeAR dev that scheme (torch's deprecated `quantize_dynamic`) lost 2.7 points of attributed F1,
this one 0.3 (`benchmarks/README.md`). The task heads and the embeddings stay in float.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import PreTrainedModel

INT8_MAX = 127


class Int8Linear(nn.Module):
    """A linear layer whose product runs in int8: weights per output channel, inputs per token."""

    weight_t: torch.Tensor
    scale: torch.Tensor
    bias: torch.Tensor | None

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        weight = linear.weight.detach().float()
        scale = weight.abs().amax(dim=1).clamp_min(torch.finfo(torch.float32).tiny) / INT8_MAX
        # stored as (in, out): the transposed view of the (out, in) rows `_int_mm` reads fastest
        self.register_buffer("weight_t", (weight / scale[:, None]).round().to(torch.int8).t())
        self.register_buffer("scale", scale)
        self.register_buffer("bias", None if linear.bias is None else linear.bias.detach().float())

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        rows = inputs.reshape(-1, inputs.shape[-1]).float()
        largest = torch.maximum(rows.amax(dim=1, keepdim=True), rows.amin(dim=1, keepdim=True).neg_())
        token_scale = largest.clamp_min_(torch.finfo(torch.float32).tiny).div_(INT8_MAX)
        product = torch._int_mm(torch.div(rows, token_scale).round_().to(torch.int8), self.weight_t)
        # the int32 products become floats in their own memory: one layer ran 1.5-2.6x fp32's speed
        # so, and slower than fp32 with a fresh tensor for them (its pages cost more than the arithmetic)
        result = product.view(torch.float32)
        result.copy_(product)
        result.mul_(token_scale).mul_(self.scale)
        if self.bias is not None:
            result.add_(self.bias)
        return result.reshape(*inputs.shape[:-1], -1).to(inputs.dtype)


def quantize_encoder(tagger: PreTrainedModel) -> int:
    """Run the linear layers of the tagger's encoder in int8, in place; the number replaced."""
    return quantize_linear_layers(tagger.base_model.get_submodule("encoder"))


def quantize_linear_layers(module: nn.Module) -> int:
    """Replace every `nn.Linear` inside `module` by its `Int8Linear`, in place; the number replaced."""
    replaced = 0
    for parent in list(module.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Linear):
                setattr(parent, name, Int8Linear(child))
                replaced += 1
    return replaced
