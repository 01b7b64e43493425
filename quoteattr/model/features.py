"""Turn documents into model rows: paragraph-aware tokenization, windows and per-family labels.

Paragraph breaks matter for quotations (a quotation may run over paragraphs; a new paragraph
often changes speaker), but subword tokenizers drop newlines. Each paragraph is therefore
tokenized on its own and the paragraphs are joined with the tokenizer's separator token, which
has no character offsets and never carries a label.

The encoder is uncased, yet capitals mark names and all-caps words mark transcript speakers, so a
model may also read each word's capitalisation (`case_types`) through its token type embeddings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from transformers import PreTrainedTokenizerBase

if TYPE_CHECKING:
    import datasets

from quoteattr.model.labels import IGNORE, AlignmentReport, LabelScheme, Offsets, spans_to_tags
from quoteattr.model.windows import Window, plan_windows
from quoteattr.schema import Document
from quoteattr.text import PARAGRAPH

WORD = re.compile(r"\S+")
LOWER, CAPITALISED, ALL_CAPS = 0, 1, 2  # token type ids of the case feature
CASE_TYPES = 3


@dataclass(frozen=True)
class TokenizedText:
    """Subword ids of a whole text, each token's character offsets (None for separators), case type,
    and whether it continues the word of the token before it (*##ing*)."""

    input_ids: list[int]
    offsets: list[tuple[int, int] | None]
    case_types: list[int]
    continues_word: list[bool]  # glued to the token before, letters on both sides


def word_case(word: str) -> int:
    """ALL_CAPS for a word of two or more letters all upper case, CAPITALISED when its first letter is, else LOWER."""
    letters = [c for c in word if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return ALL_CAPS
    return CAPITALISED if letters and letters[0].isupper() else LOWER


def word_continuations(text: str, offsets: Sequence[tuple[int, int]]) -> list[bool]:
    """Whether each token continues the previous token's word: it starts where that one ends,
    between two letters or digits (*Pyong|yang*), so no span may start or end between them."""
    return [
        index > 0
        and start == offsets[index - 1][1]
        and 0 < start < len(text)
        and (text[start - 1] + text[start]).isalnum()
        for index, (start, _) in enumerate(offsets)
    ]


def case_types(text: str, offsets: Sequence[tuple[int, int]]) -> list[int]:
    """The case of the whitespace-delimited word each token lies in (LOWER for tokens without letters).

    Offsets must be in text order, as a tokenizer gives them.
    """
    words = [(m.start(), m.end(), word_case(m.group())) for m in WORD.finditer(text)]
    types, w = [], 0
    for start, end in offsets:
        while w < len(words) and words[w][1] <= start:
            w += 1
        inside = w < len(words) and words[w][0] <= start
        has_letters = any(c.isalpha() for c in text[start:end])
        types.append(words[w][2] if inside and has_letters else LOWER)
    return types


Piece = tuple[int, int, bool]
"""A stretch of a text to tokenize: `(start, end, new_paragraph)`; a new paragraph follows a separator."""


def paragraph_pieces(text: str, start: int = 0, end: int | None = None) -> list[Piece]:
    """The paragraphs (non-blank lines) of `text[start:end]`, as pieces."""
    return [(m.start(), m.end(), True) for m in PARAGRAPH.finditer(text, start, len(text) if end is None else end)]


def text_blocks(text: str, block_chars: int) -> Iterator[list[Piece]]:
    """The paragraphs of `text` in blocks of about `block_chars` characters, found lazily.

    A paragraph longer than `block_chars` is cut at the last space or tab before the limit (or at
    the limit, inside a word longer than that), into pieces that continue it without a separator:
    cut at a space, a BERT-style tokenizer gives the same tokens as for the whole paragraph.
    """
    block: list[Piece] = []
    size = 0
    for match in PARAGRAPH.finditer(text):
        start, end = match.span()
        new = True
        while end - start > block_chars:
            cut = max(text.rfind(" ", start + 1, start + block_chars), text.rfind("\t", start + 1, start + block_chars))
            cut = cut if cut > start else start + block_chars
            if block:
                yield block
            yield [(start, cut, new)]
            block, size, start, new = [], 0, cut, False
        if block and size + end - start > block_chars:
            yield block
            block, size = [], 0
        block.append((start, end, new))
        size += end - start
    if block:
        yield block


def tokenize_texts(texts: Sequence[str], tokenizer: PreTrainedTokenizerBase) -> list[TokenizedText]:
    """Tokenize whole texts paragraph by paragraph, with no truncation."""
    return tokenize_pieces([(text, paragraph_pieces(text), False) for text in texts], tokenizer)


def tokenize_pieces(
    parts: Sequence[tuple[str, Sequence[Piece], bool]], tokenizer: PreTrainedTokenizerBase
) -> list[TokenizedText]:
    """Tokenize pieces of texts in one call to the tokenizer, one `TokenizedText` per part.

    A part is `(text, pieces, follows_tokens)`; offsets index `text`. A separator goes before each
    new paragraph that has tokens before it, in this part or (`follows_tokens`) in an earlier one,
    so a text tokenized block by block gives the tokens of the whole text.
    """
    strings: list[str] = []
    owners: list[tuple[int, Piece]] = []
    for index, (text, pieces, _) in enumerate(parts):
        for piece in pieces:
            strings.append(text[piece[0] : piece[1]])
            owners.append((index, piece))
    encoded = tokenizer(strings, add_special_tokens=False, return_offsets_mapping=True) if strings else None
    results = [TokenizedText([], [], [], []) for _ in parts]
    started = [follows for _, _, follows in parts]
    for position, (string, (index, (shift, _, new_paragraph))) in enumerate(zip(strings, owners)):
        result = results[index]
        ids = encoded["input_ids"][position]  # type: ignore[index]
        if started[index] and new_paragraph:
            result.input_ids.append(tokenizer.sep_token_id)  # type: ignore[arg-type]
            result.offsets.append(None)
            result.case_types.append(LOWER)
            result.continues_word.append(False)
        started[index] = started[index] or bool(ids)
        offsets = encoded["offset_mapping"][position]  # type: ignore[index]
        result.input_ids.extend(ids)
        result.offsets.extend((start + shift, end + shift) for start, end in offsets)
        result.case_types.extend(case_types(string, offsets))
        result.continues_word.extend(word_continuations(string, offsets))
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


def token_labels(
    document: Document, offsets: Offsets, scheme: LabelScheme, taught: Collection[str] | None = None
) -> tuple[list[list[int]], AlignmentReport]:
    """Per-token label rows (one tag per family), IGNORE for separators, unannotated families and
    families outside `taught` (when given: the families this document's source should teach)."""
    columns = []
    report = AlignmentReport()
    for family in scheme.families:
        spans = family_spans(document, family) if taught is None or family in taught else None
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
    token_type_ids: list[int]
    labels: list[list[int]] | None = None

    def model_inputs(self, case_features: bool) -> dict[str, Any]:
        """The row as the model and `PaddingCollator` take it: ids, case types if the model reads them, labels."""
        inputs: dict[str, Any] = {"input_ids": self.input_ids}
        if case_features:
            inputs["token_type_ids"] = self.token_type_ids
        if self.labels is not None:
            inputs["labels"] = self.labels
        return inputs


def window_rows(
    tokenized: TokenizedText,
    tokenizer: PreTrainedTokenizerBase,
    max_length: int,
    stride: int,
    doc_index: int = 0,
    labels: list[list[int]] | None = None,
    fit_tail: bool = False,
) -> list[WindowRow]:
    """Cut one tokenized text into overlapping windows of `max_length` tokens including specials.

    `fit_tail` takes the inference plan (see `windows.py`): no longer windows than needed.
    """
    rows = []
    width = len(labels[0]) if labels else 0
    for window in plan_windows(len(tokenized.input_ids), max_length - 2, stride, doc_index, fit_tail):
        row = window_row(tokenized, tokenizer, window)
        if labels is not None:
            row_labels = [[IGNORE] * width, *labels[window.start : window.end], [IGNORE] * width]
            row = WindowRow(window, row.input_ids, row.token_type_ids, row_labels)
        rows.append(row)
    return rows


def window_row(
    tokenized: TokenizedText, tokenizer: PreTrainedTokenizerBase, window: Window, first: int = 0
) -> WindowRow:
    """The model row of one window, framed by the special tokens; `tokenized` starts at token `first`."""
    start, end = window.start - first, window.end - first
    ids = [tokenizer.cls_token_id, *tokenized.input_ids[start:end], tokenizer.sep_token_id]
    types = [LOWER, *tokenized.case_types[start:end], LOWER]
    return WindowRow(window, ids, types)  # type: ignore[arg-type]


def training_rows(
    documents: Sequence[Document],
    tokenizer: PreTrainedTokenizerBase,
    scheme: LabelScheme,
    max_length: int,
    stride: int,
    case_features: bool = False,
    taught: Sequence[Collection[str] | None] | None = None,
) -> tuple[list[dict[str, Any]], AlignmentReport]:
    """Labelled model rows for training or evaluation, as dicts for `datasets.Dataset.from_list`.

    With `case_features`, rows also carry each token's case type as `token_type_ids`; `taught`
    gives, per document, the families it teaches (None: every family it annotates), and each row
    lists the indices of the families its document does not teach as `untaught` and marks which of
    its tokens are text (not special tokens or paragraph separators) in `text_tokens`.
    """
    report = AlignmentReport()
    rows: list[dict[str, Any]] = []
    taught = taught or [None] * len(documents)
    for doc_index, (document, tokenized, families) in enumerate(
        zip(documents, tokenize_texts([d.text for d in documents], tokenizer), taught, strict=True)
    ):
        labels, doc_report = token_labels(document, tokenized.offsets, scheme, families)
        report.add(doc_report)
        untaught = [] if families is None else [f for f, name in enumerate(scheme.families) if name not in families]
        for row in window_rows(tokenized, tokenizer, max_length, stride, doc_index, labels):
            inside = tokenized.offsets[row.window.start : row.window.end]
            text_tokens = [False, *(offset is not None for offset in inside), False]  # not [CLS], [SEP], separators
            rows.append({**row.model_inputs(case_features), "untaught": untaught, "text_tokens": text_tokens})
    return rows, report


def documents_to_dataset(
    documents: Sequence[Document],
    tokenizer: PreTrainedTokenizerBase,
    scheme: LabelScheme,
    max_length: int,
    stride: int,
    case_features: bool = False,
    taught: Sequence[Collection[str] | None] | None = None,
    teacher: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
) -> tuple[datasets.Dataset, AlignmentReport]:
    """A `datasets.Dataset` of labelled windows (`input_ids`, `labels`) covering every token of every document.

    Example:
        >>> dataset, report = documents_to_dataset(docs, tokenizer, LabelScheme(), 256, 32)  # doctest: +SKIP
        >>> report.summary()  # doctest: +SKIP
        '1520 spans kept (3 widened to token edges), 0 dropped for covering no token, ...'
    """
    from datasets import Dataset  # heavy, and only training needs it: keep it out of predict's start-up

    rows, report = training_rows(documents, tokenizer, scheme, max_length, stride, case_features, taught)
    if teacher is not None:
        rows = teacher(rows)
    return Dataset.from_list(rows), report


class PaddingCollator:
    """Pad a batch of rows to its longest row; labels are padded with the ignore index.

    Rows hold `input_ids` and, where present, `token_type_ids` (case types), `labels`, and
    `teacher` (per token and family, the starting model's 3 probabilities; zero where it teaches
    nothing, and rows without it teach nothing through it).
    """

    def __init__(self, pad_token_id: int, families: int) -> None:
        self.pad_token_id = pad_token_id
        self.families = families

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        length = max(len(row["input_ids"]) for row in rows)
        ids = torch.full((len(rows), length), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(rows), length), dtype=torch.long)
        batch = {"input_ids": ids, "attention_mask": mask}
        has_types = "token_type_ids" in rows[0]
        if has_types:
            batch["token_type_ids"] = torch.full((len(rows), length), LOWER, dtype=torch.long)
        has_labels = "labels" in rows[0] and rows[0]["labels"] is not None
        if has_labels:
            batch["labels"] = torch.full((len(rows), length, self.families), IGNORE, dtype=torch.long)
        has_teacher = any(row.get("teacher") is not None for row in rows)
        if has_teacher:
            batch["teacher"] = torch.zeros((len(rows), length, self.families, 3))
        for i, row in enumerate(rows):
            n = len(row["input_ids"])
            ids[i, :n] = torch.tensor(row["input_ids"])
            mask[i, :n] = 1
            if has_types:
                batch["token_type_ids"][i, :n] = torch.tensor(row["token_type_ids"])
            if has_labels:
                batch["labels"][i, :n] = torch.tensor(row["labels"])
            if has_teacher and row.get("teacher") is not None:
                batch["teacher"][i, :n] = torch.tensor(row["teacher"])
        return batch
