"""Decode per-family O/B/I scores into well-formed tag sequences (constrained Viterbi): no I after
an O, and, where the caller says which tokens continue a word, no span boundary inside a word."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from quoteattr.model.labels import BEGIN, INSIDE, OUTSIDE

# Allowed transitions previous -> next over (O, B, I): I may only follow B or I.
_BLOCKED = np.zeros((3, 3))
_BLOCKED[OUTSIDE, INSIDE] = -np.inf
# Inside a word (a token that continues the word before it) a span may neither start nor end.
_INSIDE_WORD = np.full((3, 3), -np.inf)
_INSIDE_WORD[OUTSIDE, OUTSIDE] = _INSIDE_WORD[BEGIN, INSIDE] = _INSIDE_WORD[INSIDE, INSIDE] = 0


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Log-probabilities over the last axis."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def decode_tags(scores: np.ndarray, continues_word: Sequence[bool] | None = None) -> np.ndarray:
    """Best well-formed BIO path for every family at once.

    Args:
        scores: log-probabilities of shape (tokens, families, 3).
        continues_word: per token, whether it continues the word of the token before it; such a
            token takes the span membership of that token (annotated spans never split a word).

    Returns:
        Integer tags of shape (tokens, families); no I ever follows an O or starts a sequence.
    """
    n_tokens, n_families, _ = scores.shape
    if n_tokens == 0:
        return np.zeros((0, n_families), dtype=np.int64)
    backpointers = np.zeros((n_tokens, n_families, 3), dtype=np.int64)
    best = scores[0].copy()
    best[:, INSIDE] = -np.inf
    for t in range(1, n_tokens):
        allowed = _INSIDE_WORD if continues_word is not None and continues_word[t] else _BLOCKED
        candidates = best[:, :, None] + allowed[None]  # (families, previous, next)
        backpointers[t] = candidates.argmax(axis=1)
        best = candidates.max(axis=1) + scores[t]
    tags = np.zeros((n_tokens, n_families), dtype=np.int64)
    tags[-1] = best.argmax(axis=1)
    families = np.arange(n_families)
    for t in range(n_tokens - 1, 0, -1):
        tags[t - 1] = backpointers[t, families, tags[t]]
    return tags


def tag_probabilities(scores: np.ndarray, tags: np.ndarray) -> np.ndarray:
    """Probability the model gave to each chosen tag, shape (tokens, families)."""
    return np.exp(np.take_along_axis(scores, tags[:, :, None], axis=2)[:, :, 0])
