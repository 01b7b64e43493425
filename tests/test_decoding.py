"""Constrained Viterbi decoding of per-family O/B/I scores."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from quoteattr.model.decoding import decode_tags, log_softmax, tag_probabilities
from quoteattr.model.labels import BEGIN, INSIDE, OUTSIDE


def well_formed(tags: list[int]) -> bool:
    return all(tag != INSIDE or (i > 0 and tags[i - 1] != OUTSIDE) for i, tag in enumerate(tags))


def keeps_words_whole(tags: list[int], continues_word: list[bool]) -> bool:
    """No span starts or ends between a token and the word piece that continues it."""
    return all(
        tags[i] != BEGIN and (tags[i] == OUTSIDE) == (tags[i - 1] == OUTSIDE)
        for i, continues in enumerate(continues_word)
        if continues and i
    )


def brute_force(scores: np.ndarray, continues_word: list[bool] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Best valid path and its score for every family, by enumerating all 3**T sequences."""
    n_tokens, n_families, _ = scores.shape
    paths, values = [], []
    for family in range(n_families):
        best_value, best_path = -np.inf, None
        for path in product(range(3), repeat=n_tokens):
            if not well_formed(list(path)) or not keeps_words_whole(list(path), continues_word or []):
                continue
            value = sum(scores[t, family, tag] for t, tag in enumerate(path))
            if value > best_value:
                best_value, best_path = value, path
        paths.append(best_path)
        values.append(best_value)
    return np.array(paths, dtype=np.int64).T.reshape(n_tokens, n_families), np.array(values)


def path_values(scores: np.ndarray, tags: np.ndarray) -> np.ndarray:
    return np.take_along_axis(scores, tags[:, :, None], axis=2)[:, :, 0].sum(axis=0)


logits_strategy = st.integers(1, 5).flatmap(
    lambda t: st.integers(1, 2).flatmap(
        lambda f: arrays(np.float64, (t, f, 3), elements=st.floats(-8, 8, allow_nan=False, width=32))
    )
)


def test_empty_sequence() -> None:
    tags = decode_tags(np.zeros((0, 4, 3)))
    assert tags.shape == (0, 4) and tags.dtype == np.int64


def test_single_token_never_starts_inside() -> None:
    scores = log_softmax(np.array([[[0.0, 1.0, 5.0]]]))
    assert decode_tags(scores).tolist() == [[BEGIN]]


def test_inside_after_outside_is_repaired_as_a_whole_path() -> None:
    # argmax is O I I: the best valid path turns the first I into B rather than dropping the span
    scores = np.log(np.array([[[0.9, 0.05, 0.05]], [[0.1, 0.3, 0.6]], [[0.1, 0.1, 0.8]]]))
    assert decode_tags(scores)[:, 0].tolist() == [OUTSIDE, BEGIN, INSIDE]
    # when O is far more likely at the second token, the span shrinks to start at the third
    scores = np.log(np.array([[[0.9, 0.05, 0.05]], [[0.5, 0.01, 0.49]], [[0.1, 0.3, 0.6]]]))
    assert decode_tags(scores)[:, 0].tolist() == [OUTSIDE, OUTSIDE, BEGIN]


def test_families_are_decoded_independently() -> None:
    quote = [[0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.8, 0.1, 0.1]]
    cue = [[0.8, 0.1, 0.1], [0.1, 0.3, 0.6], [0.1, 0.8, 0.1]]
    scores = np.log(np.array([quote, cue]).transpose(1, 0, 2))
    assert decode_tags(scores).tolist() == [[BEGIN, OUTSIDE], [INSIDE, BEGIN], [OUTSIDE, BEGIN]]


def test_log_softmax_and_probabilities() -> None:
    logits = np.array([[[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]]])
    scores = log_softmax(logits)
    assert np.allclose(np.exp(scores).sum(axis=-1), 1.0)
    assert np.isfinite(scores[0, 0]).all()
    expected = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    assert np.allclose(np.exp(scores[0, 0]), expected)
    tags = np.array([[2, 0]])
    assert tag_probabilities(scores, tags) == pytest.approx(np.array([[expected[2], 1.0]]))


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 30), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_decoded_tags_are_always_well_formed(n_tokens: int, n_families: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = log_softmax(rng.normal(scale=3.0, size=(n_tokens, n_families, 3)))
    scores[:, :, INSIDE] += rng.uniform(0, 3)  # push towards I to provoke invalid argmax paths
    tags = decode_tags(scores)
    assert tags.shape == (n_tokens, n_families)
    for family in range(n_families):
        assert well_formed(tags[:, family].tolist())


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 30), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_well_formed_argmax_is_kept(n_tokens: int, n_families: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = log_softmax(rng.normal(scale=3.0, size=(n_tokens, n_families, 3)))
    argmax = scores.argmax(axis=-1)
    for family in range(n_families):  # make the argmax well formed: an I after O or at start becomes B
        for t in range(n_tokens):
            if argmax[t, family] == INSIDE and (t == 0 or argmax[t - 1, family] == OUTSIDE):
                scores[t, family, [BEGIN, INSIDE]] = scores[t, family, [INSIDE, BEGIN]]
                argmax[t, family] = BEGIN
    assert (scores.argmax(axis=-1) == argmax).all()
    assert (decode_tags(scores) == argmax).all()


@settings(max_examples=400, deadline=None)
@given(logits_strategy)
def test_viterbi_equals_brute_force(logits: np.ndarray) -> None:
    scores = log_softmax(logits)
    tags = decode_tags(scores)
    best_paths, best_values = brute_force(scores)
    for family in range(scores.shape[1]):
        assert well_formed(tags[:, family].tolist())
    assert np.allclose(path_values(scores, tags), best_values)
    unique = [
        sum(
            abs(path_values(scores[:, [f]], np.array(p, dtype=np.int64)[:, None])[0] - best_values[f]) < 1e-9
            for p in product(range(3), repeat=scores.shape[0])
            if well_formed(list(p))
        )
        == 1
        for f in range(scores.shape[1])
    ]
    for family, is_unique in enumerate(unique):
        if is_unique:
            assert tags[:, family].tolist() == best_paths[:, family].tolist()


@settings(max_examples=300, deadline=None)
@given(logits_strategy, st.lists(st.booleans(), min_size=5, max_size=5))
def test_viterbi_with_word_pieces_equals_brute_force(logits: np.ndarray, continues: list[bool]) -> None:
    scores = log_softmax(logits)
    continues_word = [False, *continues[1 : scores.shape[0]]]
    tags = decode_tags(scores, continues_word)
    _, best_values = brute_force(scores, continues_word)
    for family in range(scores.shape[1]):
        assert well_formed(tags[:, family].tolist())
        assert keeps_words_whole(tags[:, family].tolist(), continues_word)
    assert np.allclose(path_values(scores, tags), best_values)


def test_a_span_never_starts_or_ends_inside_a_word() -> None:
    # tokens: "Pyong" "##yang" "said": the model wants a span on "##yang said" only
    scores = log_softmax(np.array([[[2.0, 0.0, 0.0]], [[0.0, 3.0, 0.0]], [[0.0, 0.0, 3.0]]]))
    assert decode_tags(scores)[:, 0].tolist() == [OUTSIDE, BEGIN, INSIDE]
    assert decode_tags(scores, [False, True, False])[:, 0].tolist() == [BEGIN, INSIDE, INSIDE]
