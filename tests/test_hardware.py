"""CPU facts from /proc/cpuinfo, the precision chosen from them (issue 13), and the device and precision checks."""

from __future__ import annotations

from pathlib import Path

import pytest

import quoteattr.hardware as hardware
from quoteattr.errors import ConfigError
from quoteattr.hardware import (
    bf16_pays,
    choose_cpu_precision,
    choose_int8,
    cpu_flags,
    cpu_model,
    cpu_vendor,
    int8_pays,
    resolve_device,
    resolve_int8,
    resolve_precision,
    training_precision,
    vector_extensions,
)

AVX2_ONLY = {"fpu", "sse4_2", "avx", "avx2", "fma"}
AVX512 = AVX2_ONLY | {"avx512f", "avx512bw", "avx512_vnni"}
AVX512_BF16 = AVX512 | {"avx512_bf16"}
AMX = AVX512_BF16 | {"amx_tile", "amx_bf16", "amx_int8"}


def cpuinfo(tmp_path: Path, flags: set[str], model: str = "AMD EPYC 7B13") -> Path:
    path = tmp_path / "cpuinfo"
    flag_line = " ".join(sorted(flags))
    processor = f"processor\t: {{n}}\nvendor_id\t: AuthenticAMD\nmodel name\t: {model}\nflags\t\t: {flag_line}\n\n"
    path.write_text(processor.format(n=0) + processor.format(n=1), encoding="utf-8")
    return path


AMD, INTEL = "AuthenticAMD", "GenuineIntel"


@pytest.mark.parametrize(
    ("flags", "vendor", "expected"),
    [
        (AVX2_ONLY, AMD, "fp32"),
        (AVX512, AMD, "fp32"),
        (AVX512_BF16, AMD, "bf16"),
        (AVX512_BF16, INTEL, "fp32"),  # a Xeon without AMX: bf16 26 % slower than fp32
        (AMX, INTEL, "bf16"),
        (set(), "", "fp32"),
    ],
    ids=["avx2", "avx512", "avx512-bf16-amd", "avx512-bf16-intel", "amx", "unknown"],
)
def test_auto_takes_bf16_only_where_it_pays(flags: set[str], vendor: str, expected: str) -> None:
    assert choose_cpu_precision("auto", flags, vendor) == (expected, None)
    assert bf16_pays(flags, vendor) is (expected == "bf16")


@pytest.mark.parametrize(
    ("flags", "vendor"), [(AVX2_ONLY, AMD), (AVX512_BF16, INTEL), (set(), "")], ids=["avx2", "intel-bf16", "unknown"]
)
def test_explicit_bf16_where_it_does_not_pay_is_kept_with_a_warning(flags: set[str], vendor: str) -> None:
    precision, warning = choose_cpu_precision("bf16", flags, vendor)
    assert precision == "bf16"
    assert warning is not None and "slower" in warning and "--precision auto" in warning


@pytest.mark.parametrize("flags", [AVX2_ONLY, AMX], ids=["avx2", "amx"])
def test_explicit_choices_are_kept(flags: set[str]) -> None:
    assert choose_cpu_precision("fp32", flags, INTEL) == ("fp32", None)
    assert choose_cpu_precision("bf16", AMX, INTEL) == ("bf16", None)


@pytest.mark.parametrize(
    ("flags", "pays"),
    [
        (AVX2_ONLY, False),
        (AVX2_ONLY | {"avx_vnni"}, True),
        (AVX512 - {"avx512_vnni"}, False),
        (AVX512, True),
        (AMX, True),
    ],
    ids=["avx2", "avx-vnni", "avx512", "avx512-vnni", "amx"],
)
def test_int8_only_where_the_cpu_multiplies_it_fast(flags: set[str], pays: bool) -> None:
    assert int8_pays(flags) is pays
    assert choose_int8(quantize=False, fast=True, flags=flags) == (pays, None)
    assert choose_int8(quantize=False, fast=False, flags=flags) == (False, None)
    int8, warning = choose_int8(quantize=True, fast=False, flags=flags)
    assert int8 and (warning is None) is pays


def test_flags_and_model_are_read_from_cpuinfo(tmp_path: Path) -> None:
    path = cpuinfo(tmp_path, AMX, "Intel(R) Xeon(R) Platinum 8480+")
    assert cpu_flags(path, environ={}) == frozenset(AMX)
    assert cpu_model(path) == "Intel(R) Xeon(R) Platinum 8480+"
    assert cpu_vendor(path) == "AuthenticAMD"  # as `cpuinfo` writes it
    assert vector_extensions(cpu_flags(path, environ={})) == ["AVX2", "AVX-512", "AVX-512 VNNI", "AVX-512 BF16", "AMX"]
    assert vector_extensions(cpu_flags(cpuinfo(tmp_path, AVX2_ONLY), environ={})) == ["AVX2"]


@pytest.mark.parametrize(
    ("environ", "capped"),
    [
        ({"ONEDNN_MAX_CPU_ISA": "AVX2"}, True),
        ({"ATEN_CPU_CAPABILITY": "avx2"}, True),
        ({"MKL_ENABLE_INSTRUCTIONS": "AVX2"}, True),
        (hardware.AVX2_ONLY, True),
        ({"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_AMX"}, False),
        ({"ATEN_CPU_CAPABILITY": "avx512"}, False),
        ({}, False),
    ],
)
def test_an_instruction_set_cap_hides_avx512_and_amx(tmp_path: Path, environ: dict[str, str], capped: bool) -> None:
    """Torch kept below AVX-512 runs as on a CPU without it: bf16 is then no longer native."""
    flags = cpu_flags(cpuinfo(tmp_path, AMX), environ=environ)
    assert vector_extensions(flags) == (
        ["AVX2"] if capped else ["AVX2", "AVX-512", "AVX-512 VNNI", "AVX-512 BF16", "AMX"]
    )
    assert choose_cpu_precision("auto", flags, INTEL)[0] == ("fp32" if capped else "bf16")
    assert (hardware.isa_cap(environ) is not None) is capped


def test_no_cpuinfo_means_no_flags(tmp_path: Path) -> None:
    assert cpu_flags(tmp_path / "missing", environ={}) == frozenset()
    assert vector_extensions(set()) == []
    assert cpu_vendor(tmp_path / "missing") == ""
    assert choose_cpu_precision("auto", cpu_flags(tmp_path / "missing"), "") == ("fp32", None)


def test_devices_and_precisions_are_checked_in_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    with pytest.raises(ConfigError, match="device must be auto, cpu or cuda, got 'tpu'"):
        resolve_device("tpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu") == resolve_device("cpu")
    with pytest.raises(ConfigError, match="no CUDA device; use cpu or auto"):
        resolve_device("cuda")
    cpu = torch.device("cpu")
    with pytest.raises(ConfigError, match="precision must be one of auto, fp32, bf16, got 'fp16'"):
        resolve_precision("fp16", cpu)  # the attributor's weights are never fp16
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset(AMX))
    assert resolve_precision("auto", cpu) == "bf16" and resolve_precision("auto", cpu, quantize=True) == "fp32"
    with pytest.raises(ConfigError, match="exclude each other"):
        resolve_int8(quantize=True, fast=False, precision="bf16", device=cpu)
    with pytest.raises(ConfigError, match="CPU only"):
        resolve_int8(quantize=True, fast=False, precision="auto", device=torch.device("cuda"))
    assert resolve_int8(quantize=False, fast=True, precision="auto", device=cpu), "int8 pays with AMX"
    assert not resolve_int8(quantize=False, fast=True, precision="fp32", device=cpu), "an explicit precision wins"
    with pytest.raises(ConfigError, match="needs a CUDA device"):
        training_precision("fp16", cpu)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    assert training_precision("auto", cpu) == "fp32" and training_precision("bf16", cpu) == "bf16"
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True, raising=False)
    assert training_precision("auto", cpu) == "bf16"
