"""Overlapping windows over a long token sequence, and the rule that merges them back.

Merge rule: every token takes its prediction from the window in which it sits farthest from a
window edge (the larger of its distances to the window's first and last token, minimised);
ties go to the earlier window. Each token therefore sees at least `stride // 2` tokens of
context on both sides whenever the document offers them.

Two plans. The training plan (`fit_tail=False`) cuts full windows and aligns the last one with
the end of the text. The inference plan (`fit_tail=True`) wastes less: full windows while more
than two windows' worth of tokens remain, then the rest in one window, or in two equal windows
sharing at least `stride` tokens, so the model sees `n + (windows - 1) * stride` tokens (plus one
for rounding) and no window is longer than it needs. Its windows depend only on the tokens
before them until the last two, so a text can be planned as it streams in (`next_windows`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quoteattr.errors import ConfigError


@dataclass(frozen=True)
class Window:
    """Tokens `[start, end)` of a document, as fed to the model in one row."""

    doc_index: int
    window_index: int
    start: int
    end: int


def _check(size: int, stride: int) -> None:
    if size < 1 or not 0 <= stride < size:
        raise ConfigError(f"window size must be >= 1 and 0 <= stride < size, got size={size}, stride={stride}")


def next_windows(start: int, known: int, size: int, stride: int, final: bool) -> tuple[list[tuple[int, int]], int]:
    """The inference plan's windows from token `start` on, as far as `known` tokens decide them.

    Returns the `(start, end)` windows and where the next window will start. Before the end of the
    text (`final=False`) only full windows are given, and only while more than `2 * size - stride`
    tokens lie beyond their start; with `final`, the rest of the text is covered too.

    Example:
        >>> next_windows(0, 20, size=8, stride=2, final=False)
        ([(0, 8)], 6)
        >>> next_windows(6, 20, size=8, stride=2, final=True)
        ([(6, 14), (12, 20)], 20)
    """
    _check(size, stride)
    step = size - stride
    spans = []
    while known - start > 2 * size - stride:
        spans.append((start, start + size))
        start += step
    if final:
        rest = known - start
        if rest <= size:
            spans.append((start, known))
        else:
            width = -(-(rest + stride) // 2)
            spans += [(start, start + width), (known - width, known)]
        start = known
    return spans, start


def plan_windows(n_tokens: int, size: int, stride: int, doc_index: int = 0, fit_tail: bool = False) -> list[Window]:
    """Windows of at most `size` tokens, consecutive windows sharing at least `stride` tokens.

    Example:
        >>> [(w.start, w.end) for w in plan_windows(10, size=4, stride=2)]
        [(0, 4), (2, 6), (4, 8), (6, 10)]
        >>> [(w.start, w.end) for w in plan_windows(10, size=6, stride=2, fit_tail=True)]
        [(0, 6), (4, 10)]
        >>> [(w.start, w.end) for w in plan_windows(7, size=6, stride=2, fit_tail=True)]
        [(0, 5), (2, 7)]
    """
    _check(size, stride)
    if fit_tail:
        spans, _ = next_windows(0, n_tokens, size, stride, final=True)
        return [Window(doc_index, i, s, e) for i, (s, e) in enumerate(spans)]
    if n_tokens <= size:
        return [Window(doc_index, 0, 0, n_tokens)]
    step = size - stride
    starts = [*range(0, n_tokens - size, step), n_tokens - size]
    return [Window(doc_index, i, s, s + size) for i, s in enumerate(starts)]


def owning_windows(n_tokens: int, windows: list[Window], first: int = 0) -> list[int]:
    """For each of the tokens `first .. first + n_tokens - 1`, the index (into `windows`) of the
    window whose prediction it keeps."""
    owner = np.zeros(n_tokens, dtype=np.int64)
    best = np.full(n_tokens, -1, dtype=np.int64)
    for index, window in enumerate(windows):
        low, high = max(window.start, first), min(window.end, first + n_tokens)
        if low >= high:
            continue
        tokens = np.arange(low, high)
        margin = np.minimum(tokens - window.start, window.end - 1 - tokens)
        better = margin > best[low - first : high - first]
        best[low - first : high - first][better] = margin[better]
        owner[low - first : high - first][better] = index
    return owner.tolist()


def merge_windows(outputs: list[tuple[Window, np.ndarray]], first: int, stop: int, width: int) -> np.ndarray:
    """Rows (tokens, `width`) of tokens `[first, stop)`, each from the output of the window that owns
    it (`owning_windows`); a window's output starts with the row of its leading [CLS]."""
    merged = np.zeros((stop - first, width), dtype=np.float32)
    owners = np.asarray(owning_windows(stop - first, [window for window, _ in outputs], first))
    for index, (window, out) in enumerate(outputs):
        tokens = np.nonzero(owners == index)[0]
        merged[tokens] = out[tokens + first - window.start + 1]
    return merged
