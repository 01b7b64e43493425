"""Helpers shared by tests."""

from __future__ import annotations

from collections.abc import Sequence

from quoteattr.model.labels import Offsets


def token_spans_to_chars(offsets: Offsets, token_spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans from token ranges, skipping tokens without offsets at either edge (to read tags back)."""
    result = []
    for first, stop in token_spans:
        real = [offsets[i] for i in range(first, stop) if offsets[i] is not None]
        if real:
            result.append((real[0][0], real[-1][1]))  # type: ignore[index]
    return result
