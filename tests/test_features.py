"""Paragraph-aware tokenization, per-family token labels and windowed model rows (tiny tokenizer)."""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from quoteattr.model.features import (
    ALL_CAPS,
    CAPITALISED,
    LOWER,
    PaddingCollator,
    TokenizedText,
    family_spans,
    token_labels,
    tokenize_texts,
    training_rows,
    window_rows,
    word_case,
    word_continuations,
)
from quoteattr.model.labels import (
    BEGIN,
    IGNORE,
    INSIDE,
    OUTSIDE,
    LabelScheme,
    tags_to_token_spans,
)
from quoteattr.model.windows import owning_windows
from quoteattr.schema import Document, Entity, Quote, Span, Speaker
from tests.helpers import token_spans_to_chars

SCHEME = LabelScheme()
QUOTE, SPEAKER, CUE, ROLE = range(4)

# Words of the tiny corpus (in the tiny vocabulary) and a few that are not (split into characters).
LONG_TEXT = (
    '"We will not back down," said Senator Jane Doe, chair of the committee.\n\n'
    "Doe added that the vote would go ahead. Zorb quux plinth.\n"
    "   \n"
    "“This is another fake. We reject it,” Ivan Petrov said, according to a statement."
)


@pytest.fixture(scope="module")
def tokenizer(tiny_base_model: Path) -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(tiny_base_model)


@pytest.fixture(scope="module")
def long_tokenized(word_tokenizer: PreTrainedTokenizerBase) -> TokenizedText:
    return tokenize_texts([LONG_TEXT], word_tokenizer)[0]


def test_fixture_tokenizer_knows_the_tiny_vocabulary(tokenizer: PreTrainedTokenizerBase) -> None:
    assert tokenizer.tokenize("we will not back down") == ["we", "will", "not", "back", "down"]


def test_word_tokenizer_knows_the_tiny_vocabulary(word_tokenizer: PreTrainedTokenizerBase) -> None:
    assert word_tokenizer.tokenize("we will zorb") == ["we", "will", "z", "##o", "##r", "##b"]


def check_offsets(text: str, tokenized: TokenizedText, tokenizer: PreTrainedTokenizerBase) -> None:
    """Offsets index `text`, increase, cover every word exactly and match the tokens' own text."""
    real = [o for o in tokenized.offsets if o is not None]
    assert all(0 <= s < e <= len(text) for s, e in real)
    assert all(a[1] <= b[0] for a, b in pairwise(real))
    units = [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)]
    assert units, "the test text must hold words"
    for s, e in units:  # each word or punctuation mark is covered exactly by consecutive tokens
        inside = [o for o in real if s <= o[0] and o[1] <= e]
        assert inside and inside[0][0] == s and inside[-1][1] == e
        assert all(a[1] == b[0] for a, b in pairwise(inside))
    assert sum(1 for o in real if not any(s <= o[0] and o[1] <= e for s, e in units)) == 0
    pieces = tokenizer.convert_ids_to_tokens(tokenized.input_ids)
    for piece, offset in zip(pieces, tokenized.offsets, strict=True):
        if offset is None:
            assert piece == tokenizer.sep_token
        elif piece != tokenizer.unk_token:
            plain = unicodedata.normalize("NFKD", text[offset[0] : offset[1]].lower())
            assert "".join(c for c in plain if not unicodedata.combining(c)) == piece.removeprefix("##")


@pytest.mark.parametrize("which", ["tokenizer", "word_tokenizer"])
def test_offsets_index_the_original_text(which: str, request: pytest.FixtureRequest) -> None:
    tokenizer = request.getfixturevalue(which)
    (tokenized,) = tokenize_texts([LONG_TEXT], tokenizer)
    check_offsets(LONG_TEXT, tokenized, tokenizer)
    assert tokenized.offsets[0] == (0, 1) and tokenized.offsets[-1] == (len(LONG_TEXT) - 1, len(LONG_TEXT))


def test_word_pieces_match_their_text(word_tokenizer: PreTrainedTokenizerBase) -> None:
    text = "The vote would go ahead, Zorb said."
    (tokenized,) = tokenize_texts([text], word_tokenizer)
    pieces = word_tokenizer.convert_ids_to_tokens(tokenized.input_ids)
    assert pieces == ["the", "vote", "would", "go", "ahead", ",", "z", "##o", "##r", "##b", "said", "."]
    assert [text[s:e] for s, e in tokenized.offsets] == [  # type: ignore[misc]
        "The", "vote", "would", "go", "ahead", ",", "Z", "o", "r", "b", "said", ".",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [
        ("one two", ["one two"]),
        ("one\ntwo", ["one", "two"]),
        ("one\n\n\n\ntwo", ["one", "two"]),
        ("one\r\n\r\ntwo\r\n", ["one", "two"]),
        ("\n\n  one two  \n \t \n\r\nthree\n\n", ["one two", "three"]),
        ("a\nb\nc", ["a", "b", "c"]),
    ],
)
def test_paragraphs_are_joined_by_one_separator(
    text: str, paragraphs: list[str], word_tokenizer: PreTrainedTokenizerBase
) -> None:
    (tokenized,) = tokenize_texts([text], word_tokenizer)
    sep = word_tokenizer.sep_token_id
    assert tokenized.offsets.count(None) == len(paragraphs) - 1
    assert [i for i, o in enumerate(tokenized.offsets) if o is None] == [
        i for i, t in enumerate(tokenized.input_ids) if t == sep
    ]
    groups: list[list[tuple[int, int]]] = [[]]
    for offset in tokenized.offsets:
        if offset is None:
            groups.append([])
        else:
            groups[-1].append(offset)
    found = [text[group[0][0] : group[-1][1]] for group in groups]
    assert found == paragraphs
    for group in groups:  # a separator never stands where no newline is, nor next to another
        assert group
    check_offsets(text, tokenized, word_tokenizer)


def test_empty_and_blank_texts_give_no_tokens(tokenizer: PreTrainedTokenizerBase) -> None:
    results = tokenize_texts(["", " \n\r\n\t ", "Doe"], tokenizer)
    assert results[0] == TokenizedText([], [], [], []) and results[1] == TokenizedText([], [], [], [])
    assert results[2].offsets == [(0, 3)]
    assert tokenize_texts([], tokenizer) == []
    assert tokenize_texts(["", ""], tokenizer) == [TokenizedText([], [], [], []), TokenizedText([], [], [], [])]


def test_texts_are_tokenized_independently(word_tokenizer: PreTrainedTokenizerBase) -> None:
    texts = ["We will.\n\nDoe said.", "", "go ahead"]
    together = tokenize_texts(texts, word_tokenizer)
    alone = [tokenize_texts([text], word_tokenizer)[0] for text in texts]
    assert together == alone


def test_tiny_documents_offsets(tiny_documents: list[Document], word_tokenizer: PreTrainedTokenizerBase) -> None:
    for document, tokenized in zip(
        tiny_documents, tokenize_texts([d.text for d in tiny_documents], word_tokenizer), strict=True
    ):
        check_offsets(document.text, tokenized, word_tokenizer)
    crlf = tiny_documents[1]
    (tokenized,) = tokenize_texts([crlf.text], word_tokenizer)
    assert tokenized.offsets.count(None) == 2  # three paragraphs with CRLF blank lines between them


def test_family_spans(tiny_documents: list[Document]) -> None:
    straight, _, polnear = tiny_documents
    assert family_spans(straight, "QUOTE") == [(0, 24), (88, 111)]
    assert family_spans(straight, "SPEAKER") == [(30, 46), (73, 76)]
    assert family_spans(straight, "CUE") == [(25, 29), (77, 82)]
    assert family_spans(straight, "ROLE") == [(48, 70)]
    assert family_spans(polnear, "QUOTE") == [(22, 41), (70, 85), (96, 112)]  # fragments, not the whole span
    assert family_spans(polnear, "ROLE") is None
    with pytest.raises(ValueError, match="unknown label family 'PERSON'"):
        family_spans(straight, "PERSON")


def column(labels: list[list[int]], family: int) -> list[int]:
    return [row[family] for row in labels]


def test_role_is_ignored_without_entities(
    tiny_documents: list[Document], word_tokenizer: PreTrainedTokenizerBase
) -> None:
    polnear = tiny_documents[2]
    assert not polnear.has_roles
    (tokenized,) = tokenize_texts([polnear.text], word_tokenizer)
    labels, report = token_labels(polnear, tokenized.offsets, SCHEME)
    assert len(labels) == len(tokenized.offsets) and all(len(row) == 4 for row in labels)
    assert column(labels, ROLE) == [IGNORE] * len(labels)
    assert BEGIN in column(labels, QUOTE) and BEGIN in column(labels, SPEAKER)
    assert report.kept == 3 + 2 + 2 and report.dropped_overlap == report.dropped_no_token == 0
    quote_spans = token_spans_to_chars(tokenized.offsets, tags_to_token_spans(column(labels, QUOTE)))
    assert quote_spans == [(22, 41), (70, 85), (96, 112)]


def test_role_is_tagged_with_entities(tiny_documents: list[Document], word_tokenizer: PreTrainedTokenizerBase) -> None:
    straight = tiny_documents[0]
    (tokenized,) = tokenize_texts([straight.text], word_tokenizer)
    labels, _ = token_labels(straight, tokenized.offsets, SCHEME)
    roles = column(labels, ROLE)
    assert IGNORE not in [r for r, o in zip(roles, tokenized.offsets, strict=True) if o is not None]
    assert token_spans_to_chars(tokenized.offsets, tags_to_token_spans([max(r, 0) for r in roles])) == [(48, 70)]
    pieces = word_tokenizer.convert_ids_to_tokens(tokenized.input_ids)
    assert [p for p, r in zip(pieces, roles, strict=True) if r in (BEGIN, INSIDE)] == [
        "chair",
        "of",
        "the",
        "committee",
    ]
    # separators are IGNORE in every family
    for row, offset in zip(labels, tokenized.offsets, strict=True):
        if offset is None:
            assert row == [IGNORE] * 4
        else:
            assert IGNORE not in row


def test_a_shared_speaker_mention_is_not_reported_as_dropped(word_tokenizer: PreTrainedTokenizerBase) -> None:
    text = "Doe said the vote would go ahead and the talks were over."
    doe = Speaker("Doe", Span.of(text, 0, 3))
    quotes = (
        Quote(text[9:32], 9, 32, "indirect", speaker=doe),
        Quote(text[37:56], 37, 56, "indirect", speaker=doe),
    )
    document = Document("shared", text, quotes)
    (tokenized,) = tokenize_texts([text], word_tokenizer)
    labels, report = token_labels(document, tokenized.offsets, SCHEME)
    assert column(labels, SPEAKER)[:2] == [BEGIN, OUTSIDE]
    assert report.dropped_overlap == 0
    assert report.kept == 3


def test_custom_scheme_columns(tiny_documents: list[Document], word_tokenizer: PreTrainedTokenizerBase) -> None:
    straight = tiny_documents[0]
    (tokenized,) = tokenize_texts([straight.text], word_tokenizer)
    full, _ = token_labels(straight, tokenized.offsets, SCHEME)
    partial, report = token_labels(straight, tokenized.offsets, LabelScheme(("CUE", "QUOTE")))
    assert partial == [[row[CUE], row[QUOTE]] for row in full]
    assert report.kept == 4


def test_window_rows_frame_and_label_every_window(
    tiny_documents: list[Document], word_tokenizer: PreTrainedTokenizerBase
) -> None:
    document = tiny_documents[1]
    (tokenized,) = tokenize_texts([document.text], word_tokenizer)
    labels, _ = token_labels(document, tokenized.offsets, SCHEME)
    n = len(tokenized.input_ids)
    rows = window_rows(tokenized, word_tokenizer, max_length=12, stride=4, doc_index=7, labels=labels)
    assert len(rows) > 2
    covered = set()
    for row in rows:
        window = row.window
        assert window.doc_index == 7
        assert row.input_ids[0] == word_tokenizer.cls_token_id and row.input_ids[-1] == word_tokenizer.sep_token_id
        assert len(row.input_ids) <= 12 and len(row.input_ids) == window.end - window.start + 2
        assert row.input_ids[1:-1] == tokenized.input_ids[window.start : window.end]
        assert row.labels is not None and len(row.labels) == len(row.input_ids)
        assert row.labels[0] == row.labels[-1] == [IGNORE] * 4
        assert row.labels[1:-1] == labels[window.start : window.end]
        covered |= set(range(window.start, window.end))
    assert covered == set(range(n))
    unlabelled = window_rows(tokenized, word_tokenizer, max_length=12, stride=4)
    assert [r.input_ids for r in unlabelled] == [r.input_ids for r in rows]
    assert all(r.labels is None for r in unlabelled)


def test_window_rows_for_an_empty_text(tokenizer: PreTrainedTokenizerBase) -> None:
    (row,) = window_rows(TokenizedText([], [], [], []), tokenizer, max_length=8, stride=2, labels=[])
    assert row.input_ids == [tokenizer.cls_token_id, tokenizer.sep_token_id]
    assert row.labels == [[], []]


def test_training_rows(tiny_documents: list[Document], word_tokenizer: PreTrainedTokenizerBase) -> None:
    rows, report = training_rows(tiny_documents, word_tokenizer, SCHEME, max_length=16, stride=4)
    assert report.kept == 7 + 7 + 7 and report.dropped_overlap == report.dropped_no_token == 0
    assert all(set(row) == {"input_ids", "labels", "untaught", "text_tokens"} and row["untaught"] == [] for row in rows)
    for row in rows:  # text tokens are those with labels: not [CLS], [SEP] or a paragraph separator
        assert row["text_tokens"] == [any(label != IGNORE for label in labels) for labels in row["labels"]]
    assert all(len(row["input_ids"]) <= 16 and len(row["labels"]) == len(row["input_ids"]) for row in rows)
    sizes = [len(t.input_ids) for t in tokenize_texts([d.text for d in tiny_documents], word_tokenizer)]
    expected_rows = sum(1 if n <= 14 else -(-(n - 14) // 10) + 1 for n in sizes)
    assert len(rows) == expected_rows


def test_padding_collator() -> None:
    collate = PaddingCollator(pad_token_id=0, families=2)
    batch = collate(
        [
            {"input_ids": [5, 6, 7], "labels": [[IGNORE, IGNORE], [1, 0], [IGNORE, IGNORE]]},
            {"input_ids": [5, 7], "labels": [[IGNORE, IGNORE], [IGNORE, IGNORE]]},
        ]
    )
    assert batch["input_ids"].tolist() == [[5, 6, 7], [5, 7, 0]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]
    assert batch["labels"].shape == (2, 3, 2) and batch["labels"].dtype == torch.long
    assert batch["labels"][0, 1].tolist() == [1, 0]
    assert batch["labels"][1, 2].tolist() == [IGNORE, IGNORE]
    assert set(collate([{"input_ids": [1]}])) == {"input_ids", "attention_mask"}


@st.composite
def token_ranges(draw: st.DrawFn, offsets: list[tuple[int, int] | None]) -> list[tuple[int, int]]:
    """Disjoint runs of real tokens that never cross a paragraph separator."""
    n = len(offsets)
    cuts = sorted(draw(st.sets(st.integers(0, n), max_size=12)))
    return [
        (a, b) for a, b in pairwise(cuts) if all(offsets[i] is not None for i in range(a, b)) and draw(st.booleans())
    ]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), max_length=st.integers(3, 24))
def test_windows_reassemble_the_document_labels(
    data: st.DataObject, max_length: int, word_tokenizer: PreTrainedTokenizerBase, long_tokenized: TokenizedText
) -> None:
    tokenized = long_tokenized
    offsets = tokenized.offsets
    ranges = data.draw(token_ranges(offsets))
    spans = []
    for a, b in ranges:  # a character span that starts and ends anywhere inside its edge tokens
        start = data.draw(st.integers(offsets[a][0], offsets[a][1] - 1))  # type: ignore[index]
        end = data.draw(st.integers(max(start, offsets[b - 1][0]) + 1, offsets[b - 1][1]))  # type: ignore[index]
        spans.append((start, end))
    quotes = tuple(Quote(LONG_TEXT[s:e], s, e, "indirect") for s, e in spans)
    document = Document("d", LONG_TEXT, quotes, entities=(Entity("Nobody"),))
    labels, report = token_labels(document, offsets, SCHEME)
    assert report.kept == len(spans)
    stride = data.draw(st.integers(0, max_length - 3))
    rows = window_rows(tokenized, word_tokenizer, max_length, stride, labels=labels)
    windows = [row.window for row in rows]
    owners = owning_windows(len(offsets), windows)
    merged = []
    for token, owner in enumerate(owners):
        row = rows[owner]
        assert len(row.input_ids) <= max_length
        assert row.labels is not None
        merged.append(row.labels[token - row.window.start + 1])
    assert merged == labels
    tags = [OUTSIDE if tag == IGNORE else tag for tag in column(merged, QUOTE)]
    decoded = token_spans_to_chars(offsets, tags_to_token_spans(tags))
    assert decoded == [(offsets[a][0], offsets[b - 1][1]) for a, b in ranges]  # type: ignore[index]


# --- case types ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "case"),
    [
        ("said", LOWER),
        ("Kirby,", CAPITALISED),
        ('"We', CAPITALISED),
        ("WALLACE:", ALL_CAPS),
        ("U.N.", ALL_CAPS),
        ("I", CAPITALISED),
        ("iPhone", LOWER),
        ("1,200", LOWER),
        ("Éric", CAPITALISED),
    ],
)
def test_word_case(word: str, case: int) -> None:
    assert word_case(word) == case


def test_case_types_give_every_piece_its_word_case(tokenizer: PreTrainedTokenizerBase) -> None:
    text = 'PENCE: "Doe said," the aide\nsaid.'
    tokenized = tokenize_texts([text], tokenizer)[0]
    assert len(tokenized.case_types) == len(tokenized.input_ids)
    for offset, case in zip(tokenized.offsets, tokenized.case_types):
        if offset is None:
            assert case == LOWER
            continue
        piece = text[offset[0] : offset[1]]
        word = next(m for m in re.finditer(r"\S+", text) if m.start() <= offset[0] < m.end()).group()
        assert case == (word_case(word) if any(c.isalpha() for c in piece) else LOWER), piece
    assert {ALL_CAPS, CAPITALISED, LOWER} <= set(tokenized.case_types)


def test_window_rows_carry_case_types(word_tokenizer: PreTrainedTokenizerBase) -> None:
    tokenized = tokenize_texts(["Doe SAID it " * 6], word_tokenizer)[0]
    for row in window_rows(tokenized, word_tokenizer, max_length=8, stride=2):
        assert row.token_type_ids == [LOWER, *tokenized.case_types[row.window.start : row.window.end], LOWER]


def test_collator_pads_case_types() -> None:
    batch = PaddingCollator(pad_token_id=0, families=1)(
        [{"input_ids": [5, 6, 7], "token_type_ids": [0, 2, 1]}, {"input_ids": [5], "token_type_ids": [1]}]
    )
    assert batch["token_type_ids"].tolist() == [[0, 2, 1], [1, 0, 0]]
    assert "token_type_ids" not in PaddingCollator(pad_token_id=0, families=1)([{"input_ids": [5]}])


def test_word_continuations_mark_pieces_glued_inside_a_word() -> None:
    text = "Pyongyang's test, said Kim"
    offsets = [(0, 5), (5, 9), (9, 10), (10, 11), (12, 16), (16, 17), (18, 22), (23, 26)]
    assert word_continuations(text, offsets) == [False, True, False, False, False, False, False, False]


def test_tokenized_texts_say_which_pieces_continue_a_word(tokenizer: PreTrainedTokenizerBase) -> None:
    text = "Pyongyang reaffirmed it.\n\nUnquestionably so."
    (tokenized,) = tokenize_texts([text], tokenizer)
    assert len(tokenized.continues_word) == len(tokenized.input_ids)
    for index, (offset, continues) in enumerate(zip(tokenized.offsets, tokenized.continues_word)):
        previous = tokenized.offsets[index - 1] if index else None
        glued = offset is not None and previous is not None and previous[1] == offset[0]
        assert continues == (glued and (text[offset[0] - 1] + text[offset[0]]).isalnum())  # type: ignore[index]
    assert any(tokenized.continues_word)
