"""Run a model over gold documents and score it; promote a better model; leave-one-document-out cross-validation."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from quoteattr.data.jsonl import dataset_files, document_to_record, iter_documents
from quoteattr.inference import QuoteAttributor
from quoteattr.metrics import EvalReport, evaluate
from quoteattr.model.features import token_labels
from quoteattr.model.labels import IGNORE, bio_strings
from quoteattr.model.model_card import record_scores
from quoteattr.model.modeling import install_model
from quoteattr.model.training import DataSource, TrainConfig, train
from quoteattr.schema import Document


def predict_documents(
    attributor: QuoteAttributor, documents: Sequence[Document], batch_size: int = 16
) -> tuple[list[Document], tuple[list[list[str]], list[list[str]]]]:
    """Predicted documents and the (gold, predicted) IOB2 tag sequences, one per document and family."""
    predicted, gold_tags, pred_tags = [], [], []
    families = attributor.scheme.families
    for start in range(0, len(documents), 64):
        chunk = documents[start : start + 64]
        for document, (tokens, scores) in zip(chunk, attributor.tag_scores([d.text for d in chunk], batch_size)):
            decoded = attributor.decode(tokens, scores)
            labels, _ = token_labels(document, decoded.offsets, attributor.scheme)
            for f, family in enumerate(families):
                column = [row[f] for row in labels]
                if column and column[0] != IGNORE:
                    gold_tags.append(bio_strings(column, family))
                    pred_tags.append(bio_strings(decoded.tags[:, f].tolist(), family))
            quotes = attributor.link(document.text, decoded)
            predicted.append(Document(document.id, document.text, tuple(quotes)))
    return predicted, (gold_tags, pred_tags)


def score_model(attributor: QuoteAttributor, documents: Sequence[Document], batch_size: int = 16) -> EvalReport:
    """Evaluate a loaded model on gold documents (quotation, attribution, role and seqeval scores).

    Unless the attributor reports every attribution, gold records typed `other` (beliefs,
    intentions) are left out: the model is scored on the quotations it is meant to output.
    """
    predicted, tags = predict_documents(attributor, documents, batch_size)
    if not attributor.all_attributions:
        documents = [quotations_only(document) for document in documents]
    return evaluate(documents, predicted, tags)


def quotations_only(document: Document) -> Document:
    """The document with its records of type `other` left out."""
    return dataclasses.replace(document, quotes=tuple(q for q in document.quotes if q.type == "quotation"))


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


def promote(
    candidate: str | Path,
    target: str | Path,
    documents: Sequence[Document],
    dataset: str,
    device: str = "auto",
    force: bool = False,
) -> Promotion:
    """Install the model `candidate` at `target` (e.g. `models/quoteattr-minilm`) if it scores better there.

    Both models are scored on the same gold `documents`; the candidate replaces the current one
    only when its attributed F1 is strictly higher (or `force`, or there is no model at `target`).
    The copy is atomic, and the installed model's `metrics.json` and card record the score under
    `dataset`.

    Example:
        >>> dev = load_documents("my/dev.jsonl")  # doctest: +SKIP
        >>> promote("runs/finetune", "models/quoteattr-minilm", dev, "my/dev.jsonl").promoted  # doctest: +SKIP
        True
    """
    report = score_model(QuoteAttributor.load(candidate, device=device), documents)
    current = None
    if Path(target).exists():
        current = score_model(QuoteAttributor.load(target, device=device), documents)
    better = current is None or Promotion.score(report) > Promotion.score(current)
    if better or force:
        install_model(candidate, target)
        record_scores(Path(target), dataset, report.to_dict())
    return Promotion(report, current, better or force)


def cross_validate(
    config: TrainConfig, documents: Sequence[Document], device: str = "auto"
) -> tuple[EvalReport, list[tuple[str, EvalReport]]]:
    """Leave-one-document-out: for each document, train on the others as `config` says, score it.

    The config's training sources that are not these documents (e.g. a PolNeAR subset) stay; the
    first source's repeat count applies to the fold's documents. Returns the pooled report over
    all held-out documents and one report per fold.
    """
    per_fold: list[tuple[str, EvalReport]] = []
    all_gold: list[Document] = []
    all_pred: list[Document] = []
    gold_tags: list[list[str]] = []
    pred_tags: list[list[str]] = []
    ids = {d.id for d in documents}
    with tempfile.TemporaryDirectory(prefix="quoteattr-cv-") as scratch:
        for held_out in documents:
            fold_file = Path(scratch) / f"train-{held_out.id}.jsonl"
            fold_file.write_text(
                "".join(json.dumps(document_to_record(d)) + "\n" for d in documents if d.id != held_out.id),
                encoding="utf-8",
            )
            kept = [s for s in config.train_data if not _holds_any(Path(s.path), ids)]
            repeat = config.train_data[0].repeat
            fold_config = dataclasses.replace(
                config,
                train_data=[DataSource(str(fold_file), repeat=repeat), *kept],
                dev_data=[],
                output_dir=str(Path(scratch) / f"model-{held_out.id}"),
                device=device,
            )
            result = train(fold_config)
            attributor = QuoteAttributor.load(result.output_dir, device=device)
            predicted, (gold, pred) = predict_documents(attributor, [held_out])
            per_fold.append((held_out.id, evaluate([held_out], predicted, (gold, pred))))
            all_gold.append(held_out)
            all_pred.extend(predicted)
            gold_tags.extend(gold)
            pred_tags.extend(pred)
    return evaluate(all_gold, all_pred, (gold_tags, pred_tags)), per_fold


def _holds_any(path: Path, ids: set[str]) -> bool:
    """Whether a dataset file or directory contains any of the given document ids."""
    if not path.exists():
        return False
    return any(d.id in ids for f in dataset_files([path]) for d in iter_documents(f))
