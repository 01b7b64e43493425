"""Int8 inference: `Int8Linear` against its float layer, and which layers the fast preset quantizes (tiny model)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch
from torch import nn

import quoteattr.hardware as hardware
from quoteattr.inference import FAST_STRIDE, QuoteAttributor
from quoteattr.model.quantization import Int8Linear, quantize_linear_layers
from quoteattr.schema import Document


def _relative_error(got: torch.Tensor, want: torch.Tensor) -> float:
    return float((got - want).norm() / want.norm())


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_int8_linear_matches_its_float_layer(bias: bool) -> None:
    torch.manual_seed(0)
    linear = nn.Linear(48, 24, bias=bias)
    inputs = torch.randn(3, 7, 48)
    got = Int8Linear(linear)(inputs)
    assert got.shape == (3, 7, 24) and got.dtype == torch.float32
    assert _relative_error(got, linear(inputs).detach()) < 0.02


def test_each_token_keeps_its_own_scale() -> None:
    """One token with an outlier feature (as BERT's activations have) leaves the others' precision intact."""
    torch.manual_seed(0)
    linear = nn.Linear(64, 32)
    inputs = torch.randn(4, 64)
    inputs[0, 5] = 500.0
    got, want = Int8Linear(linear)(inputs), linear(inputs).detach()
    assert all(_relative_error(got[row], want[row]) < 0.02 for row in range(4))


def test_each_output_channel_keeps_its_own_scale() -> None:
    torch.manual_seed(0)
    linear = nn.Linear(64, 8, bias=False)
    with torch.no_grad():
        linear.weight[0] *= 1000.0  # one large row must not flatten the small ones
    inputs = torch.randn(5, 64)
    got, want = Int8Linear(linear)(inputs), linear(inputs).detach()
    assert _relative_error(got[:, 1:], want[:, 1:]) < 0.02


def test_quantize_linear_layers_replaces_every_linear_layer() -> None:
    model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Sequential(nn.Linear(8, 4), nn.Linear(4, 2)))
    assert quantize_linear_layers(model) == 3
    assert not any(isinstance(module, nn.Linear) for module in model.modules())
    assert model(torch.randn(2, 8)).shape == (2, 2)


def test_without_vnni_the_fast_preset_stays_in_fp32_and_quantize_warns(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On an AVX2-only CPU torch multiplies int8 matrices 23 times slower than fp32 (issue 13)."""
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx", "avx2", "fma"}))
    monkeypatch.setattr(hardware, "_warned", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fast = QuoteAttributor.load(tiny_model, device="cpu", fast=True)
        assert fast.precision == "fp32" and _int8_layers(fast) == (0, 0)
        assert fast.stride == min(FAST_STRIDE, fast.settings.stride), "the fast preset still shares fewer tokens"
        assert not caught
        quantized = QuoteAttributor.load(tiny_model, device="cpu", quantize=True)
        QuoteAttributor.load(tiny_model, device="cpu", quantize=True)
    assert quantized.precision == "int8" and _int8_layers(quantized)[0] > 0, "an explicit --quantize is kept"
    assert [w.category for w in caught] == [RuntimeWarning], "warned once per process"
    assert "slower than fp32 on this CPU" in str(caught[0].message)


def _int8_layers(attributor: QuoteAttributor) -> tuple[int, int]:
    """The attributor's Int8Linear layers inside its encoder, and outside it."""
    tagger = getattr(attributor.model, "tagger", attributor.model)  # bare when the model has no heads
    encoder = set(tagger.base_model.encoder.modules())
    int8 = [module for module in attributor.model.modules() if isinstance(module, Int8Linear)]
    return sum(m in encoder for m in int8), sum(m not in encoder for m in int8)


def test_fast_preset_runs_the_encoder_in_int8_on_a_cpu_with_vnni(
    tiny_model: Path, tiny_documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx2", "avx512f", "avx512_vnni"}))
    fast = QuoteAttributor.load(tiny_model, device="cpu", fast=True)
    inside, outside = _int8_layers(fast)
    layers = fast.model.config.num_hidden_layers
    assert inside == 6 * layers and outside == 0, "every encoder linear layer, and no head, runs in int8"
    assert fast.precision == "int8"
    assert _int8_layers(QuoteAttributor.load(tiny_model, device="cpu", fast=True, precision="fp32")) == (0, 0)
    assert _int8_layers(QuoteAttributor.load(tiny_model, device="cpu")) == (0, 0)
    assert _int8_layers(QuoteAttributor.load(tiny_model, device="cpu", quantize=True))[0] == 6 * layers
    for document, quotes in zip(tiny_documents, fast.predict_many([d.text for d in tiny_documents])):
        assert all(document.text[q.start : q.end] == q.text for q in quotes)
