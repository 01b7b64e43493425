"""The devices and precisions quoteattr runs on: the one place that names and checks them.

What the CPU can do is read from its flags and vendor. bf16 weights pay only where the CPU
multiplies bf16 fast: with AMX, and with AVX-512 BF16 on AMD (an EPYC with it did 2.4 times the
words per CPU-second of fp32). An Intel Xeon with AVX-512 BF16 but no AMX ran the encoder 26 %
slower in bf16 than in fp32 (quoteattr 36 % slower), and without either torch emulates bf16: on an
AVX2-only EPYC it ran about 2 times slower than fp32 (issue 13). Int8 matrix products
(`torch._int_mm`, `--quantize` and `--fast`) pay only where the CPU has VNNI (AVX-512 VNNI,
AVX-VNNI) or AMX: on an AVX2-only EPYC torch multiplies int8 matrices without vector kernels, 23
times slower than fp32 (951 ms against 41 ms for 4,096 × 384 by 384 × 1,536, 2 threads), and
`--fast` in int8 ran at 151 words/s against 2,232 for the default. The CPU facts are plain Python,
so the benchmarks and the CLI read them without importing torch; the functions that choose a
torch device import it when called.
"""

from __future__ import annotations

import os
import platform
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from quoteattr.errors import ConfigError

if TYPE_CHECKING:
    import torch

DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("auto", "fp32", "bf16")  # the attributor's weights
TRAINING_PRECISIONS = (*PRECISIONS, "fp16")  # training's mixed precision; fp16 needs a GPU

CPUINFO = Path("/proc/cpuinfo")
# Flags and vendors as Linux names them in /proc/cpuinfo.
BF16_VENDORS = ("AuthenticAMD",)  # where AVX-512 BF16 without AMX makes bf16 faster than fp32
INT8_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")  # any of them makes int8 products faster than fp32
_EXTENSIONS = (
    ("AVX2", ("avx2",)),
    ("AVX-512", ("avx512f",)),
    ("AVX-512 VNNI", ("avx512_vnni",)),
    ("AVX-512 BF16", ("avx512_bf16",)),
    ("AMX", ("amx_tile", "amx_bf16")),
)
# The environment settings that keep torch from AVX-512 and AMX, and their values below AVX-512:
# ATen's own kernels, oneDNN's (the matrix products of bf16 and quantized models) and MKL's (those
# of fp32). All three together make a CPU with AVX-512 run as one with AVX2 only (`benchmarks/`).
ISA_CAPS = {
    "ATEN_CPU_CAPABILITY": ("DEFAULT", "AVX2"),
    "ONEDNN_MAX_CPU_ISA": ("SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2"),
    "MKL_ENABLE_INSTRUCTIONS": ("SSE4_2", "AVX", "AVX2"),
}
AVX2_ONLY = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}
_CAPPED = ("avx512", "amx")  # flag prefixes an ISA cap hides
_warned: set[str] = set()  # warnings given once per process


def cpu_flags(cpuinfo: Path = CPUINFO, environ: Mapping[str, str] = os.environ) -> frozenset[str]:
    """The flags of the first CPU in /proc/cpuinfo that torch may use; empty where there is none
    (macOS, Windows). An instruction-set cap in `environ` (`isa_cap`) hides AVX-512 and AMX."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(("flags", "Features")):
                flags = frozenset(line.split(":", 1)[1].split())
                return frozenset(f for f in flags if not f.startswith(_CAPPED)) if isa_cap(environ) else flags
    except OSError:
        pass
    return frozenset()


def isa_cap(environ: Mapping[str, str] = os.environ) -> str | None:
    """The settings of `ISA_CAPS` in `environ` that keep torch's kernels below AVX-512, as
    `NAME=value` joined by spaces, or None when there are none."""
    capped = [f"{name}={environ[name]}" for name, below in ISA_CAPS.items() if environ.get(name, "").upper() in below]
    return " ".join(capped) or None


def cpu_model(cpuinfo: Path = CPUINFO) -> str:
    """The CPU model name from /proc/cpuinfo, or what `platform` knows elsewhere."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def cpu_vendor(cpuinfo: Path = CPUINFO) -> str:
    """The CPU vendor from /proc/cpuinfo (`GenuineIntel`, `AuthenticAMD`), or '' where it says none."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("vendor_id"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def bf16_pays(flags: Iterable[str], vendor: str) -> bool:
    """Whether bf16 weights run faster than fp32 on this CPU: with AMX, or with AVX-512 BF16 on a
    vendor of `BF16_VENDORS` (see the module's figures)."""
    have = set(flags)
    return "amx_bf16" in have or ("avx512_bf16" in have and vendor in BF16_VENDORS)


def int8_pays(flags: Iterable[str]) -> bool:
    """Whether int8 matrix products run faster than fp32 on this CPU: with one of `INT8_FLAGS`
    (see the module's figures).

    Example:
        >>> int8_pays({"avx2", "avx512f", "avx512_vnni"}), int8_pays({"avx2", "fma"})
        (True, False)
    """
    return not set(INT8_FLAGS).isdisjoint(flags)


def choose_int8(quantize: bool, fast: bool, flags: Iterable[str]) -> tuple[bool, str | None]:
    """Whether the encoder runs in int8 on this CPU, and a warning when an explicit choice will be slow.

    `quantize` is kept as asked, with a warning where int8 does not pay (`int8_pays`); the `fast`
    preset takes int8 only where it pays.
    """
    pays = int8_pays(flags)
    if quantize and not pays:
        return True, (
            "--quantize runs slower than fp32 on this CPU (int8 pays with AVX-512 VNNI, AVX-VNNI or AMX); "
            "drop it, or use --fast, which runs in fp32 here"
        )
    return quantize or (fast and pays), None


def vector_extensions(flags: Iterable[str]) -> list[str]:
    """The vector extensions that matter for inference speed, e.g. ['AVX2', 'AVX-512', 'AVX-512 BF16']."""
    have = set(flags)
    return [name for name, needed in _EXTENSIONS if any(flag in have for flag in needed)]


def choose_cpu_precision(requested: str, flags: Iterable[str], vendor: str) -> tuple[str, str | None]:
    """The precision to run on this CPU, and a warning when an explicit choice will be slow.

    `auto` is bf16 where it pays (`bf16_pays`) and fp32 elsewhere; `fp32` and `bf16` are kept as
    asked, but bf16 where it does not pay comes with a warning that it is slower.

    Example:
        >>> choose_cpu_precision("auto", {"avx2", "avx512_bf16"}, "AuthenticAMD")
        ('bf16', None)
        >>> choose_cpu_precision("auto", {"avx2", "avx512_bf16"}, "GenuineIntel")
        ('fp32', None)
    """
    pays = bf16_pays(flags, vendor)
    if requested == "auto":
        return ("bf16" if pays else "fp32"), None
    if requested == "bf16" and not pays:
        return "bf16", (
            "precision bf16 runs slower than fp32 on this CPU (bf16 pays with AMX, or with AVX-512 BF16 "
            "on AMD); use --precision auto or fp32"
        )
    return requested, None


def resolve_device(device: str) -> torch.device:
    """The torch device for `auto`, `cpu` or `cuda`: `auto` picks CUDA when present; `cuda` without one is an error."""
    import torch

    if device not in DEVICES:
        raise ConfigError(f"device must be auto, cpu or cuda, got {device!r}")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device 'cuda' was asked for but torch sees no CUDA device; use cpu or auto")
    return torch.device(device)


def resolve_precision(precision: str, device: torch.device, quantize: bool = False) -> str:
    """`fp32` or `bf16` for the attributor's weights on `device`: `auto` takes bf16 only where it pays.

    On a GPU that is one that supports bf16; on a CPU see `choose_cpu_precision`. An explicit bf16
    on a CPU where it does not pay warns (once per process) that it is slower. `quantize` (int8 on
    the CPU) runs on fp32 weights.
    """
    import torch

    if precision not in PRECISIONS:
        raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if quantize:  # `resolve_int8` has refused bf16 with it
        return "fp32"
    if device.type != "cpu":
        if precision == "auto":
            return "bf16" if device.type == "cuda" and torch.cuda.is_bf16_supported() else "fp32"
        return precision
    chosen, warning = choose_cpu_precision(precision, cpu_flags(), cpu_vendor())
    warn_once(warning)
    return chosen


def resolve_int8(quantize: bool, fast: bool, precision: str, device: torch.device) -> bool:
    """Whether the encoder runs in int8: with `quantize` (CPU only, not with bf16), or with the
    `fast` preset on a CPU where int8 pays and no `precision` was asked for (`choose_int8`). An
    explicit `quantize` where int8 does not pay warns (once per process) that it is slower."""
    if quantize and device.type != "cpu":
        raise ConfigError("--quantize works on CPU only; drop it or use --device cpu")
    if quantize and precision == "bf16":
        raise ConfigError("--quantize and --precision bf16 exclude each other; choose one")
    if device.type != "cpu" or not (quantize or (fast and precision == "auto")):
        return False
    int8, warning = choose_int8(quantize, fast, cpu_flags())
    warn_once(warning)
    return int8


def warn_once(warning: str | None) -> None:
    """Warn (a RuntimeWarning) unless this process has given the same warning already."""
    if warning and warning not in _warned:
        _warned.add(warning)
        warnings.warn(warning, RuntimeWarning, stacklevel=4)


def training_precision(precision: str, device: torch.device) -> str:
    """The mixed precision training runs in on `device`: `fp32`, `bf16` or `fp16`.

    `auto` is bf16 on a GPU that supports it, else fp16 (the Trainer scales fp16 losses); on a CPU
    it is bf16 only with AMX tiles, fp32 elsewhere. fp16 needs a GPU.
    """
    import torch

    if precision not in TRAINING_PRECISIONS:
        raise ConfigError(f"precision must be one of {', '.join(TRAINING_PRECISIONS)}, got {precision!r}")
    on_gpu = device.type == "cuda"
    if precision == "auto":
        if on_gpu:
            precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        else:
            amx = getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)()
            precision = "bf16" if amx else "fp32"
    if precision == "fp16" and not on_gpu:
        raise ConfigError("precision='fp16' needs a CUDA device; use bf16 or fp32 on CPU")
    return precision
