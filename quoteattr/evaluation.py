"""Score a model on gold documents, promote a better model, and cross-validate a training config.

Predictions come from the attributor itself (`QuoteAttributor.predict_tagged`), so a model is
scored on what `quoteattr predict` outputs; the figures are the pure functions of `metrics`.
Cross-validation trains in memory (no fold is written to a file); it is the one part of this
module that needs the training stack, which it imports only when it runs.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from quoteattr.data.jsonl import dataset_files, iter_documents
from quoteattr.inference import QuoteAttributor
from quoteattr.metrics import EvalReport, bootstrap_intervals, evaluate
from quoteattr.model.features import token_labels
from quoteattr.model.labels import IGNORE, bio_strings
from quoteattr.model.promotion import Promotion, install_if_better
from quoteattr.schema import Document

if TYPE_CHECKING:
    from quoteattr.model.training import DataSource, TrainConfig

TagSequences = tuple[list[list[str]], list[list[str]]]
"""(gold, predicted) IOB2 tag sequences, one per document and label family, for seqeval."""
DOCUMENTS_PER_CALL = 64  # documents handed to the attributor at a time


def predict_documents(
    attributor: QuoteAttributor, documents: Sequence[Document], batch_size: int = 16
) -> tuple[list[Document], TagSequences]:
    """The attributor's documents (the gold texts with predicted quotations) and the tags to score.

    A family the gold document does not annotate (PolNeAR has no roles) gets no tag sequence.
    """
    predicted: list[Document] = []
    gold_tags: list[list[str]] = []
    pred_tags: list[list[str]] = []
    for start in range(0, len(documents), DOCUMENTS_PER_CALL):
        chunk = documents[start : start + DOCUMENTS_PER_CALL]
        for document, tagged in zip(chunk, attributor.predict_tagged([d.text for d in chunk], batch_size)):
            labels, _ = token_labels(document, tagged.tags.offsets, attributor.scheme)
            for f, family in enumerate(attributor.scheme.families):
                column = [row[f] for row in labels]
                if column and column[0] != IGNORE:
                    gold_tags.append(bio_strings(column, family))
                    pred_tags.append(bio_strings(tagged.tags.tags[:, f].tolist(), family))
            predicted.append(Document(document.id, document.text, tuple(tagged.quotes)))
    return predicted, (gold_tags, pred_tags)


def score_model(
    attributor: QuoteAttributor, documents: Sequence[Document], batch_size: int = 16, bootstrap: int = 0
) -> EvalReport:
    """Evaluate a loaded model on gold documents (quotation, attribution, role and seqeval scores),
    with 95 % intervals of the headline scores from `bootstrap` resamples of the documents (none for 0).

    Unless the attributor reports every attribution, gold records typed `other` (beliefs,
    intentions) are left out: the model is scored on the quotations it is meant to output.
    """
    predicted, tags = predict_documents(attributor, documents, batch_size)
    if not attributor.all_attributions:
        documents = [quotations_only(document) for document in documents]
    report = evaluate(documents, predicted, tags)
    report.intervals = bootstrap_intervals(documents, predicted, bootstrap)
    return report


def quotations_only(document: Document) -> Document:
    """The document with its records of type `other` left out."""
    return dataclasses.replace(document, quotes=tuple(q for q in document.quotes if q.type == "quotation"))


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
    `dataset` (see `quoteattr.model.promotion`).

    Example:
        >>> dev = load_documents("my/dev.jsonl")  # doctest: +SKIP
        >>> promote("runs/finetune", "models/quoteattr-minilm", dev, "my/dev.jsonl").promoted  # doctest: +SKIP
        True
    """
    report = score_model(QuoteAttributor.load(candidate, device=device), documents)
    current = None
    if Path(target).exists():
        current = score_model(QuoteAttributor.load(target, device=device), documents)
    return install_if_better(candidate, target, report, current, dataset, force)


def cross_validate(
    config: TrainConfig, documents: Sequence[Document], device: str = "auto"
) -> tuple[EvalReport, list[tuple[str, EvalReport]]]:
    """Leave-one-document-out: for each document, train on the others as `config` says, score it.

    The config's training sources that are not these documents (e.g. a PolNeAR subset) stay; the
    first source's repeat count applies to the fold's documents, which go to training in memory.
    Each fold's model is written to a temporary directory, removed at the end. Returns the pooled
    report over all held-out documents and one report per fold.
    """
    from quoteattr.model.training import DataSource, train  # the training stack, only when cross-validating

    per_fold: list[tuple[str, EvalReport]] = []
    all_pred: list[Document] = []
    gold_tags: list[list[str]] = []
    pred_tags: list[list[str]] = []
    ids = {d.id for d in documents}
    kept = [source for source in config.train_data if not _holds_any(source, ids)]
    repeat = config.train_data[0].repeat
    with tempfile.TemporaryDirectory(prefix="quoteattr-cv-") as scratch:
        for held_out in documents:
            fold = DataSource(
                f"cross-validation fold without {held_out.id}",
                repeat=repeat,
                documents=[d for d in documents if d.id != held_out.id],
            )
            fold_config = dataclasses.replace(
                config,
                train_data=[fold, *kept],
                dev_data=[],
                output_dir=str(Path(scratch) / f"model-{held_out.id}"),
                device=device,
            )
            result = train(fold_config)
            attributor = QuoteAttributor.load(result.output_dir, device=device)
            predicted, (gold, pred) = predict_documents(attributor, [held_out])
            per_fold.append((held_out.id, evaluate([held_out], predicted, (gold, pred))))
            all_pred.extend(predicted)
            gold_tags.extend(gold)
            pred_tags.extend(pred)
    return evaluate(list(documents), all_pred, (gold_tags, pred_tags)), per_fold


def _holds_any(source: DataSource, ids: set[str]) -> bool:
    """Whether a training source (documents in memory, a dataset file or a directory) holds any of `ids`."""
    if source.documents is not None:
        return any(d.id in ids for d in source.documents)
    path = Path(source.path)
    if not path.exists():
        return False
    return any(d.id in ids for f in dataset_files([path]) for d in iter_documents(f))
