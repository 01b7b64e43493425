"""Sparse, hashed features: what the learned attribution scorers are made of."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

WORD = re.compile(r"\w+|[^\w\s]")


def hashed(features: Sequence[str], dimensions: int) -> list[int]:
    """Feature indices in a hashed weight vector of `dimensions` entries (stable across processes)."""
    return sorted({zlib.crc32(feature.encode("utf-8")) % dimensions for feature in features})


def bucket(value: float, edges: Sequence[float]) -> int:
    """How many of the sorted `edges` `value` exceeds: a small integer naming its range."""
    return sum(value > edge for edge in edges)
