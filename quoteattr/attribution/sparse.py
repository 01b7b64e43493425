"""Sparse, hashed features: what the learned attribution scorers are made of."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file

WORD = re.compile(r"\w+|[^\w\s]")
Candidate = TypeVar("Candidate")


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


@dataclass
class HashedScorer:
    """Weights over hashed sparse features, saved beside a model as safetensors: what the learned
    attribution scorers share. A candidate scores the sum of its features' weights; "none" scores 0.
    Each scorer names its file and its number of weights."""

    weights: np.ndarray
    weights_file: ClassVar[str]
    dimensions: ClassVar[int]

    def score(self, features: Sequence[str]) -> float:
        return float(self.weights[hashed(features, self.dimensions)].sum())

    def best(self, candidates: Iterable[tuple[Candidate, Sequence[str]]]) -> Candidate | None:
        """Of (candidate, features) pairs, the candidate scoring highest above 0 (the first on a
        tie), or None when none does."""
        chosen, top = None, 0.0
        for candidate, features in candidates:
            value = self.score(features)
            if value > top:
                chosen, top = candidate, value
        return chosen

    def settings(self) -> dict[str, Any]:
        """What is written beside the weights (JSON)."""
        return {"dimensions": self.dimensions}

    def save(self, directory: Path) -> None:
        save_weights(directory / self.weights_file, self.weights, self.settings())

    @classmethod
    def load(cls, directory: Path) -> Self | None:
        """The scorer saved in a model directory, or None when it has none; ValueError when its
        file holds no such scorer."""
        weights = load_weights(directory / cls.weights_file, (cls.dimensions,))
        return None if weights is None else cls(weights)


def fit_listwise(
    rows: Sequence[Sequence[int]],
    labels: Sequence[int],
    groups: Sequence[int],
    dimensions: int,
    epochs: int = 300,
    l2: float = 1e-5,
    learning_rate: float = 0.05,
) -> np.ndarray:
    """Hashed weights for a scorer that picks one candidate of a group, or none (`SpeakerLinker`,
    `RoleLinker`, `NameScorer`, `CoreferenceScorer`): full-batch Adam on the mean negative
    log-probability, per group, of its gold candidates among the group's rows and a 'none' that
    scores 0 (a group without a gold candidate should choose none), plus `l2` times the squared
    weights.

    `rows` are each candidate's hashed feature indices, `labels` 1 for a gold candidate, and
    `groups` number each row's group, from 0.
    """
    weights = np.zeros(dimensions)
    if not rows:
        return weights.astype(np.float32)
    flat = np.fromiter((i for row in rows for i in row), dtype=np.int64)
    owner = np.repeat(np.arange(len(rows)), [len(row) for row in rows])
    group = np.asarray(groups, dtype=np.int64)
    label = np.asarray(labels, dtype=np.float64)
    count = int(group.max()) + 1
    has_gold = np.bincount(group, weights=label, minlength=count) > 0
    moment, second = np.zeros(dimensions), np.zeros(dimensions)
    for step in range(1, epochs + 1):
        scores = np.bincount(owner, weights=weights[flat], minlength=len(rows))
        top = np.zeros(count)  # 'none' scores 0
        np.maximum.at(top, group, scores)
        exp = np.exp(scores - top[group])
        total = np.exp(-top) + np.bincount(group, weights=exp, minlength=count)
        gold = np.bincount(group, weights=label * exp, minlength=count)
        # d(-log p(gold)) / d score of each row: its probability, less its share of the gold mass
        share = np.where(has_gold[group], label * exp / np.maximum(gold[group], 1e-300), 0.0)
        by_row = (exp / total[group] - share) / count
        gradient = np.bincount(flat, weights=by_row[owner], minlength=dimensions) + 2 * l2 * weights
        moment = 0.9 * moment + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient**2
        weights -= learning_rate * (moment / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
    return weights.astype(np.float32)
