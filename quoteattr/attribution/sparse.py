"""Sparse, hashed features: what the learned attribution scorers are made of."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file

WORD = re.compile(r"\w+|[^\w\s]")


def hashed(features: Sequence[str], dimensions: int) -> list[int]:
    """Feature indices in a hashed weight vector of `dimensions` entries (stable across processes)."""
    return sorted({zlib.crc32(feature.encode("utf-8")) % dimensions for feature in features})


def bucket(value: float, edges: Sequence[float]) -> int:
    """How many of the sorted `edges` `value` exceeds: a small integer naming its range."""
    return sum(value > edge for edge in edges)


def save_weights(path: Path, weights: np.ndarray, settings: dict[str, Any]) -> None:
    """Write a scorer's weights (fp16 safetensors, readable by all) and its settings beside them (JSON)."""
    save_file({"weights": weights.astype(np.float16)}, str(path))
    path.chmod(0o644)
    path.with_suffix(".json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")


def load_weights(path: Path, shape: tuple[int, ...]) -> np.ndarray | None:
    """A scorer's weights as float32, or None when the file is absent; ValueError when it is not one."""
    if not path.is_file():
        return None
    try:
        weights = load_file(str(path))["weights"].astype(np.float32)
    except (SafetensorError, KeyError) as error:
        raise ValueError(f"{path}: not a weights file of this kind ({error})") from None
    if weights.shape != shape:
        raise ValueError(f"{path}: expected weights of shape {shape}, found {weights.shape}")
    return weights
