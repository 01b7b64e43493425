"""Overlapping windows over a long token sequence, and the rule that merges them back.

Merge rule: every token takes its prediction from the window in which it sits farthest from a
window edge (the larger of its distances to the window's first and last token, minimised);
ties go to the earlier window. Each token therefore sees at least `stride // 2` tokens of
context on both sides whenever the document offers them.
"""

from __future__ import annotations

from dataclasses import dataclass

from quoteattr.errors import ConfigError


@dataclass(frozen=True)
class Window:
    """Tokens `[start, end)` of a document, as fed to the model in one row."""

    doc_index: int
    window_index: int
    start: int
    end: int


def plan_windows(n_tokens: int, size: int, stride: int, doc_index: int = 0) -> list[Window]:
    """Windows of at most `size` tokens, consecutive windows sharing `stride` tokens.

    Example:
        >>> [(w.start, w.end) for w in plan_windows(10, size=4, stride=2)]
        [(0, 4), (2, 6), (4, 8), (6, 10)]
    """
    if size < 1 or not 0 <= stride < size:
        raise ConfigError(f"window size must be >= 1 and 0 <= stride < size, got size={size}, stride={stride}")
    if n_tokens <= size:
        return [Window(doc_index, 0, 0, n_tokens)]
    step = size - stride
    starts = [*range(0, n_tokens - size, step), n_tokens - size]
    return [Window(doc_index, i, s, s + size) for i, s in enumerate(starts)]


def owning_windows(n_tokens: int, windows: list[Window]) -> list[int]:
    """For each token, the index (into `windows`) of the window whose prediction it keeps."""
    owner = [0] * n_tokens
    best = [-1] * n_tokens
    for index, window in enumerate(windows):
        for token in range(window.start, window.end):
            margin = min(token - window.start, window.end - 1 - token)
            if margin > best[token]:
                best[token] = margin
                owner[token] = index
    return owner
