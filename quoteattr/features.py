"""Turn documents into model rows: paragraph-aware tokenization, windows and per-family labels.

Paragraph breaks matter for quotations (a quotation may run over paragraphs; a new paragraph
often changes speaker), but subword tokenizers drop newlines. Each paragraph is therefore
tokenized on its own and the paragraphs are joined with the tokenizer's separator token, which
has no character offsets and never carries a label.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from transformers import PreTrainedTokenizerBase

if TYPE_CHECKING:
    import datasets

from quoteattr.labels import IGNORE, AlignmentReport, LabelScheme, Offsets, spans_to_tags
from quoteattr.schema import Document
from quoteattr.windows import Window, plan_windows

PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")


@dataclass(frozen=True)
class TokenizedText:
    """Subword ids of a whole text and each token's character offsets (None for separators)."""

    input_ids: list[int]
    offsets: list[tuple[int, int] | None]


def tokenize_texts(texts: Sequence[str], tokenizer: PreTrainedTokenizerBase) -> list[TokenizedText]:
    """Tokenize whole texts paragraph by paragraph, with no truncation."""
    pieces: list[str] = []
    owners: list[tuple[int, int]] = []  # (text index, paragraph start offset)
    for index, text in enumerate(texts):
        for match in PARAGRAPH.finditer(text):
            pieces.append(match.group())
            owners.append((index, match.start()))
    encoded = tokenizer(pieces, add_special_tokens=False, return_offsets_mapping=True) if pieces else None
    results = [TokenizedText([], []) for _ in texts]
    for position, (index, shift) in enumerate(owners):
        result = results[index]
        if result.input_ids:
            result.input_ids.append(tokenizer.sep_token_id)  # type: ignore[arg-type]
            result.offsets.append(None)
        result.input_ids.extend(encoded["input_ids"][position])  # type: ignore[index]
        result.offsets.extend((start + shift, end + shift) for start, end in encoded["offset_mapping"][position])  # type: ignore[index]
    return results


def family_spans(document: Document, family: str) -> list[tuple[int, int]] | None:
    """The gold character spans of one label family, or None where the document leaves it unannotated."""
    if family == "QUOTE":
        return [(f.start, f.end) for q in document.quotes for f in q.fragments or (q.span,)]
    if family == "SPEAKER":
        return [
            (q.speaker.mention.start, q.speaker.mention.end) for q in document.quotes if q.speaker and q.speaker.mention
        ]
    if family == "CUE":
        return [(q.cue.start, q.cue.end) for q in document.quotes if q.cue]
    if family == "ROLE":
        return [(r.start, r.end) for e in document.entities for r in e.roles] if document.has_roles else None
    raise ValueError(f"unknown label family {family!r}")


def token_labels(document: Document, offsets: Offsets, scheme: LabelScheme) -> tuple[list[list[int]], AlignmentReport]:
    """Per-token label rows (one tag per family), IGNORE for separators and unannotated families."""
    columns = []
    report = AlignmentReport()
    for family in scheme.families:
        spans = family_spans(document, family)
        if spans is None:
            columns.append([IGNORE] * len(offsets))
            continue
        tags, family_report = spans_to_tags(offsets, spans)
        report.add(family_report)
        columns.append([IGNORE if o is None else t for t, o in zip(tags, offsets)])
    return [list(row) for row in zip(*columns)], report


@dataclass(frozen=True)
class WindowRow:
    """One model row: a window of a document framed by the special tokens."""

    window: Window
    input_ids: list[int]
    labels: list[list[int]] | None = None


def window_rows(
    tokenized: TokenizedText,
    tokenizer: PreTrainedTokenizerBase,
    max_length: int,
    stride: int,
    doc_index: int = 0,
    labels: list[list[int]] | None = None,
) -> list[WindowRow]:
    """Cut one tokenized text into overlapping windows of `max_length` tokens including specials."""
    rows = []
    width = len(labels[0]) if labels else 0
    for window in plan_windows(len(tokenized.input_ids), max_length - 2, stride, doc_index):
        ids = [tokenizer.cls_token_id, *tokenized.input_ids[window.start : window.end], tokenizer.sep_token_id]
        row_labels = None
        if labels is not None:
            row_labels = [[IGNORE] * width, *labels[window.start : window.end], [IGNORE] * width]
        rows.append(WindowRow(window, ids, row_labels))  # type: ignore[arg-type]
    return rows


def training_rows(
    documents: Sequence[Document],
    tokenizer: PreTrainedTokenizerBase,
    scheme: LabelScheme,
    max_length: int,
    stride: int,
) -> tuple[list[dict[str, Any]], AlignmentReport]:
    """Labelled model rows for training or evaluation, as dicts for `datasets.Dataset.from_list`."""
    report = AlignmentReport()
    rows = []
    for doc_index, (document, tokenized) in enumerate(
        zip(documents, tokenize_texts([d.text for d in documents], tokenizer))
    ):
        labels, doc_report = token_labels(document, tokenized.offsets, scheme)
        report.add(doc_report)
        for row in window_rows(tokenized, tokenizer, max_length, stride, doc_index, labels):
            rows.append({"input_ids": row.input_ids, "labels": row.labels})
    return rows, report


def documents_to_dataset(
    documents: Sequence[Document],
    tokenizer: PreTrainedTokenizerBase,
    scheme: LabelScheme,
    max_length: int,
    stride: int,
) -> tuple[datasets.Dataset, AlignmentReport]:
    """A `datasets.Dataset` of labelled windows (`input_ids`, `labels`) covering every token of every document.

    Example:
        >>> dataset, report = documents_to_dataset(docs, tokenizer, LabelScheme(), 256, 32)  # doctest: +SKIP
        >>> report.summary()  # doctest: +SKIP
        '1520 spans kept (3 widened to token edges), 0 dropped for covering no token, ...'
    """
    from datasets import Dataset  # heavy, and only training needs it: keep it out of predict's start-up

    rows, report = training_rows(documents, tokenizer, scheme, max_length, stride)
    return Dataset.from_list(rows), report


class PaddingCollator:
    """Pad a batch of rows to its longest row; labels are padded with the ignore index."""

    def __init__(self, pad_token_id: int, families: int) -> None:
        self.pad_token_id = pad_token_id
        self.families = families

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        length = max(len(row["input_ids"]) for row in rows)
        ids = torch.full((len(rows), length), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(rows), length), dtype=torch.long)
        batch = {"input_ids": ids, "attention_mask": mask}
        has_labels = "labels" in rows[0] and rows[0]["labels"] is not None
        if has_labels:
            batch["labels"] = torch.full((len(rows), length, self.families), IGNORE, dtype=torch.long)
        for i, row in enumerate(rows):
            n = len(row["input_ids"])
            ids[i, :n] = torch.tensor(row["input_ids"])
            mask[i, :n] = 1
            if has_labels:
                batch["labels"][i, :n] = torch.tensor(row["labels"])
        return batch
