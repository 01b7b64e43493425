"""What the CPU can do, read from its flags, and the precision that suits it.

bf16 pays only where the CPU multiplies bf16 natively (AMX, or AVX-512 BF16): on an AMD EPYC with
AVX-512 BF16, quoteattr in bf16 did 2.4 times the words per CPU-second of fp32. Elsewhere torch
emulates bf16: on an AVX2-only EPYC, bf16 ran about 2 times slower than fp32 (issue 13).
Plain Python: the benchmarks and the CLI read these facts without importing torch.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
# Flags as Linux names them in /proc/cpuinfo.
NATIVE_BF16_FLAGS = ("amx_bf16", "avx512_bf16")
_EXTENSIONS = (
    ("AVX2", ("avx2",)),
    ("AVX-512", ("avx512f",)),
    ("AVX-512 VNNI", ("avx512_vnni",)),
    ("AVX-512 BF16", ("avx512_bf16",)),
    ("AMX", ("amx_tile", "amx_bf16")),
)


def cpu_flags(cpuinfo: Path = CPUINFO) -> frozenset[str]:
    """The flags of the first CPU in /proc/cpuinfo; empty where there is none (macOS, Windows)."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(("flags", "Features")):
                return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def cpu_model(cpuinfo: Path = CPUINFO) -> str:
    """The CPU model name from /proc/cpuinfo, or what `platform` knows elsewhere."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def native_bf16(flags: Iterable[str]) -> bool:
    """Whether the CPU multiplies bf16 in hardware (AMX or AVX-512 BF16)."""
    return any(flag in NATIVE_BF16_FLAGS for flag in flags)


def vector_extensions(flags: Iterable[str]) -> list[str]:
    """The vector extensions that matter for inference speed, e.g. ['AVX2', 'AVX-512', 'AVX-512 BF16']."""
    have = set(flags)
    return [name for name, needed in _EXTENSIONS if any(flag in have for flag in needed)]


def describe_cpu(cpuinfo: Path = CPUINFO) -> str:
    """One line: the model and its vector extensions, e.g. 'AMD EPYC (AVX2, AVX-512, AVX-512 BF16)'."""
    extensions = vector_extensions(cpu_flags(cpuinfo))
    return f"{cpu_model(cpuinfo)} ({', '.join(extensions) or 'no AVX2'})"


def choose_cpu_precision(requested: str, flags: Iterable[str]) -> tuple[str, str | None]:
    """The precision to run on this CPU, and a warning when an explicit choice will be slow.

    `auto` is bf16 where the CPU has native bf16 and fp32 elsewhere; `fp32` and `bf16` are kept
    as asked, but bf16 on a CPU without native bf16 comes with a warning that it is slower.

    Example:
        >>> choose_cpu_precision("auto", {"avx2", "avx512_bf16"})
        ('bf16', None)
        >>> choose_cpu_precision("auto", {"avx2"})
        ('fp32', None)
    """
    native = native_bf16(flags)
    if requested == "auto":
        return ("bf16" if native else "fp32"), None
    if requested == "bf16" and not native:
        return "bf16", (
            "precision bf16 on a CPU without native bf16 (no AMX, no AVX-512 BF16): it runs about "
            "2x slower than fp32 here; use --precision auto or fp32"
        )
    return requested, None
