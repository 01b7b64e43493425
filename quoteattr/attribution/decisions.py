"""Spans → quotations, learned: is a tagged content span a quotation, another attribution, or neither?

The tagger learned PolNeAR's notion of an attribution (any belief, plan or topic credited to
anyone). This pass decides, per linked span, between `quotation` (something said or written),
`other` (a belief, intention, plan, finding) and `not` (a topic of talk, a title, a headline,
scare quotes). It is a multinomial logistic scorer over sparse features of the span, its cue,
its speaker and the words around it, hashed into a fixed-size weight matrix, plus, where the model
has one, the encoder's own view of the span: the scores of the decision readout
(`model/decision_readout.py`) averaged over the span's tokens, its cue's and the three tokens
before it (`TokenReadout`). It is trained on the gold news corpus (`training/decisions.py`) and
saved beside the model as safetensors. It reads no role, so that a new role head or role linker
leaves the decision as it is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from quoteattr.attribution import sparse
from quoteattr.attribution.names import mention_type
from quoteattr.attribution.sparse import WORD, bucket
from quoteattr.schema import Quote
from quoteattr.text import paragraph_bounds, previous_paragraph

WEIGHTS_FILE = "decisions.safetensors"
DECISIONS: tuple[Literal["quotation", "other", "not"], ...] = ("quotation", "other", "not")
DIMENSIONS = 1 << 16
_LENGTHS = (1, 2, 3, 5, 8, 15, 30, 60)
READOUT_PARTS = ("content", "cue", "before")  # the token runs the readout's scores are averaged over
BEFORE_TOKENS = 3  # tokens before the span that make its `before` part


def readout_parts(starts: np.ndarray, ends: np.ndarray, quote: Quote) -> tuple[slice, slice, slice]:
    """The token runs of `quote`'s parts among tokens with these character `starts` and `ends` (in
    text order): the tokens its span overlaps, those its cue overlaps (empty without a cue) and
    the `BEFORE_TOKENS` tokens before the first of its own."""

    def overlapping(start: int, end: int) -> slice:
        return slice(int(np.searchsorted(ends, start, side="right")), int(np.searchsorted(starts, end, side="left")))

    content = overlapping(quote.start, quote.end)
    cue = overlapping(quote.cue.start, quote.cue.end) if quote.cue is not None else slice(0, 0)
    return content, cue, slice(max(0, content.start - BEFORE_TOKENS), content.start)


@dataclass(frozen=True)
class TokenReadout:
    """The decision readout's scores on a text's tokens: `values` (tokens, parts, decisions), by offsets."""

    starts: np.ndarray
    ends: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, offsets: Sequence[tuple[int, int]], values: np.ndarray) -> TokenReadout:
        return cls(
            np.array([s for s, _ in offsets], dtype=np.int64), np.array([e for _, e in offsets], dtype=np.int64), values
        )

    def scores(self, quote: Quote) -> np.ndarray:
        """Per decision, the sum over `quote`'s parts of the part's mean scores (0 for an empty part)."""
        total = np.zeros(len(DECISIONS), dtype=np.float64)
        for part, run in enumerate(readout_parts(self.starts, self.ends, quote)):
            if run.stop > run.start:
                total += self.values[run, part].mean(axis=0)
        return total


def _words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


def decision_features(text: str, quote: Quote) -> list[str]:
    """The sparse features of one linked quotation."""
    content = _words(quote.text)
    inner = [w for w in WORD.findall(quote.text) if w.isalpha()]
    capitalised = sum(w[:1].isupper() for w in inner) / len(inner) if inner else 0.0
    first, last = paragraph_bounds(text, quote.start)
    paragraph = text[first:last]
    paragraph_words = [w for w in paragraph.split() if w[:1].isalpha()]
    title_case = sum(w[:1].isupper() for w in paragraph_words) / len(paragraph_words) if paragraph_words else 0.0
    features = [
        "bias",
        f"kind={quote.kind}",
        f"length={quote.kind}:{bucket(len(content), _LENGTHS)}",
        f"capitalised={quote.kind}:{bucket(capitalised, (0.2, 0.5, 0.8))}",
        f"first_paragraph={previous_paragraph(text, quote.start) is None}",
        f"title_case_paragraph={bucket(title_case, (0.5, 0.75))}",
        f"paragraph_ends={paragraph.rstrip()[-1:] or 'none'}",
        f"speaker={mention_type(quote.speaker.mention.text) if quote.speaker and quote.speaker.mention else 'none'}",
        f"score={bucket(quote.score, (0.5, 0.7, 0.85, 0.95))}",
    ]
    features += [f"first={w}" for w in content[:2]] + [f"first2={' '.join(content[:2])}"]
    features += [f"last={w}" for w in content[-1:]]
    if quote.cue is not None:
        cue = _words(quote.cue.text)
        features += [f"cue={w}" for w in cue] + [f"cue_stem={w[:5]}" for w in cue[:1]] + [f"cue_all={' '.join(cue)}"]
        before_cue = _words(text[max(0, quote.cue.start - 30) : quote.cue.start])[-2:]
        features += [f"before_cue={w}" for w in before_cue] + [f"before_cue2={' '.join(before_cue)}"]
        features.append(f"cue_side={'before' if quote.cue.end <= quote.start else 'after'}")
    else:
        features.append("cue=none")
    before = _words(text[max(0, quote.start - 40) : quote.start])[-3:]
    after = _words(text[quote.end : quote.end + 30])[:2]
    features += [f"before={w}" for w in before] + [f"before1={before[-1] if before else 'none'}"]
    features += [f"after={w}" for w in after] + [f"after1={after[0] if after else 'none'}"]
    return features


def hashed(features: Sequence[str]) -> list[int]:
    """Feature indices in this scorer's hashed weights."""
    return sparse.hashed(features, DIMENSIONS)


@dataclass
class QuotationDecider:
    """A trained decision: each quotation's type, and the probability of it as the quotation's score.

    `reads_states`: it was trained with the readout's scores (`TokenReadout`), which the model
    directory then holds too (`model/decision_readout.py`)."""

    weights: np.ndarray  # (len(DECISIONS), DIMENSIONS)
    reads_states: bool = False

    def probabilities(self, text: str, quote: Quote, readout: TokenReadout | None = None) -> np.ndarray:
        scores = self.weights[:, hashed(decision_features(text, quote))].sum(axis=1)
        if readout is not None:
            scores = scores + readout.scores(quote)
        exp = np.exp(scores - scores.max())
        return exp / exp.sum()

    def decide(
        self, text: str, quotes: Sequence[Quote], keep_all: bool = False, readout: TokenReadout | None = None
    ) -> list[Quote]:
        """The quotations typed `quotation` or `other` and scored by the probability of their type.

        Spans decided `not` (a topic, a title, scare quotes) are dropped, unless `keep_all`: then,
        as PolNeAR counts every attribution, they are kept as `other`, and an `other` span scores
        the probability that it is no quotation. `readout`: the text's readout scores, for a
        decider that `reads_states`.
        """
        kept = []
        for quote in quotes:
            probabilities = self.probabilities(text, quote, readout)
            decision = DECISIONS[int(probabilities.argmax())]
            if decision == "quotation":
                kept.append(replace(quote, type="quotation", score=round(float(probabilities[0]), 4)))
            elif decision == "other" or keep_all:
                score = 1.0 - float(probabilities[0]) if keep_all else float(probabilities[1])
                kept.append(replace(quote, type="other", score=round(score, 4)))
        return kept

    def save(self, directory: Path) -> None:
        settings = {"dimensions": DIMENSIONS, "decisions": list(DECISIONS), "reads_states": self.reads_states}
        sparse.save_weights(directory / WEIGHTS_FILE, self.weights, settings)

    @classmethod
    def load(cls, directory: Path) -> QuotationDecider | None:
        """The decider saved in a model directory, or None when it has none."""
        path = directory / WEIGHTS_FILE
        weights = sparse.load_weights(path, (len(DECISIONS), DIMENSIONS))
        if weights is None:
            return None
        settings_path = path.with_suffix(".json")
        try:
            settings = json.loads(settings_path.read_text(encoding="utf-8")) if settings_path.is_file() else {}
        except (OSError, ValueError) as error:
            raise ValueError(f"{settings_path}: not the decision's settings ({error})") from None
        return cls(weights, bool(settings.get("reads_states", False)))
