"""Put a trained model in place of another only when it scores better (`quoteattr promote`).

The scores come from the caller (`quoteattr.evaluation.promote` scores both models on the same
gold documents); this module decides, copies the model atomically and records its score.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from quoteattr.metrics import EvalReport
from quoteattr.model.directory import install_model
from quoteattr.model.model_card import record_scores

PROMOTION_SCORE = ("attributed", "all")  # end-to-end attributed-quotation F1, every kind


@dataclass(frozen=True)
class Promotion:
    """The scores `promote` compared and whether the candidate was installed."""

    candidate: EvalReport
    current: EvalReport | None  # None when there was no model at the target yet
    promoted: bool

    @staticmethod
    def score(report: EvalReport) -> float:
        """The figure models are compared by: attributed-quotation F1 over all kinds."""
        table, group = PROMOTION_SCORE
        return getattr(report, table)[group].f1


def install_if_better(
    candidate: str | Path,
    target: str | Path,
    report: EvalReport,
    current: EvalReport | None,
    dataset: str,
    force: bool = False,
) -> Promotion:
    """Install the model `candidate` at `target` if its `report` beats the `current` model's (or `force`).

    There is nothing to beat when `current` is None (no model at `target`). A tie keeps the current
    model. The copy is atomic, and the installed model's `metrics.json` and card record `report`
    under `dataset`.
    """
    better = current is None or Promotion.score(report) > Promotion.score(current)
    if better or force:
        install_model(candidate, target)
        record_scores(Path(target), dataset, report.to_dict())
    return Promotion(report, current, better or force)
