"""Window planning over long token sequences and the rule that picks each token's owning window."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteattr.errors import ConfigError
from quoteattr.model.windows import Window, owning_windows, plan_windows


def bounds(windows: list[Window]) -> list[tuple[int, int]]:
    return [(w.start, w.end) for w in windows]


def test_plan_example() -> None:
    assert bounds(plan_windows(10, size=4, stride=2)) == [(0, 4), (2, 6), (4, 8), (6, 10)]
    assert bounds(plan_windows(11, size=4, stride=2)) == [(0, 4), (2, 6), (4, 8), (6, 10), (7, 11)]
    assert bounds(plan_windows(9, size=4, stride=0)) == [(0, 4), (4, 8), (5, 9)]


def test_short_documents_get_one_window() -> None:
    assert plan_windows(0, 8, 2, doc_index=3) == [Window(3, 0, 0, 0)]
    assert plan_windows(5, 8, 2) == [Window(0, 0, 0, 5)]
    assert plan_windows(8, 8, 7) == [Window(0, 0, 0, 8)]


def test_indices_are_recorded() -> None:
    windows = plan_windows(7, 4, 1, doc_index=5)
    assert [(w.doc_index, w.window_index) for w in windows] == [(5, 0), (5, 1)]
    assert bounds(windows) == [(0, 4), (3, 7)]


@pytest.mark.parametrize(("size", "stride"), [(0, 0), (-1, 0), (4, 4), (4, 5), (4, -1), (1, 1)])
def test_bad_size_or_stride(size: int, stride: int) -> None:
    with pytest.raises(ConfigError, match=f"size={size}, stride={stride}"):
        plan_windows(10, size, stride)


def test_size_one_windows() -> None:
    assert bounds(plan_windows(3, 1, 0)) == [(0, 1), (1, 2), (2, 3)]
    assert owning_windows(3, plan_windows(3, 1, 0)) == [0, 1, 2]


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 80), st.integers(1, 20), st.data())
def test_plan_windows_properties(n_tokens: int, size: int, data: st.DataObject) -> None:
    stride = data.draw(st.integers(0, size - 1))
    windows = plan_windows(n_tokens, size, stride)
    assert [w.window_index for w in windows] == list(range(len(windows)))
    assert windows[0].start == 0 and windows[-1].end == n_tokens
    if n_tokens <= size:
        assert len(windows) == 1
        return
    for window in windows:
        assert window.end - window.start == size
    covered = {token for w in windows for token in range(w.start, w.end)}
    assert covered == set(range(n_tokens))
    overlaps = [a.end - b.start for a, b in pairwise(windows)]
    assert all(b.start > a.start for a, b in pairwise(windows))
    assert overlaps[:-1] == [stride] * (len(overlaps) - 1)
    assert stride <= overlaps[-1] < size


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 80), st.integers(1, 20), st.data())
def test_owning_windows_maximise_margin(n_tokens: int, size: int, data: st.DataObject) -> None:
    stride = data.draw(st.integers(0, size - 1))
    windows = plan_windows(n_tokens, size, stride)
    owners = owning_windows(n_tokens, windows)
    assert len(owners) == n_tokens

    def margin(token: int, window: Window) -> int:
        return min(token - window.start, window.end - 1 - token)

    for token, owner in enumerate(owners):
        window = windows[owner]
        assert window.start <= token < window.end
        containing = [i for i, w in enumerate(windows) if w.start <= token < w.end]
        best = max(margin(token, windows[i]) for i in containing)
        assert margin(token, window) == best
        assert owner == min(i for i in containing if margin(token, windows[i]) == best)  # ties: earlier
        # each token sees at least stride // 2 tokens of context on both sides when the document has them
        context = min(stride // 2, token, n_tokens - 1 - token)
        assert margin(token, window) >= context


def test_owning_windows_example() -> None:
    windows = plan_windows(10, 4, 2)
    assert owning_windows(10, windows) == [0, 0, 0, 1, 1, 2, 2, 3, 3, 3]
