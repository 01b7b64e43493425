"""The label scheme and the conversions between character spans, token tags and back."""

from __future__ import annotations

from itertools import pairwise
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteattr.errors import ConfigError
from quoteattr.model.labels import (
    BEGIN,
    INSIDE,
    OUTSIDE,
    AlignmentReport,
    LabelScheme,
    bio_strings,
    spans_to_tags,
    tags_to_token_spans,
)
from tests.helpers import token_spans_to_chars


def t(letters: str) -> list[int]:
    """Tags written as letters: t("BIO") == [BEGIN, INSIDE, OUTSIDE]."""
    return [{"O": OUTSIDE, "B": BEGIN, "I": INSIDE}[c] for c in letters]


Offset = tuple[int, int] | None

# "We will win" said Ann .  -> word tokens with their offsets in this text
TEXT = '"We will win" said Ann.'
WORDS: list[Offset] = [(0, 1), (1, 3), (4, 8), (9, 12), (12, 13), (14, 18), (19, 22), (22, 23)]


def test_default_scheme_labels() -> None:
    scheme = LabelScheme()
    assert scheme.families == ("QUOTE", "SPEAKER", "CUE", "ROLE")
    assert scheme.num_labels == 12
    assert scheme.id2label[0] == "O-QUOTE"
    assert scheme.id2label[4] == "B-SPEAKER"
    assert scheme.id2label[11] == "I-ROLE"
    assert scheme.label2id["I-CUE"] == 8
    assert list(scheme.id2label) == list(range(12))


@pytest.mark.parametrize("families", [("QUOTE",), ("QUOTE", "SPEAKER"), ("QUOTE", "SPEAKER", "CUE", "ROLE")])
def test_scheme_round_trips_through_id2label(families: tuple[str, ...]) -> None:
    scheme = LabelScheme(families)
    assert LabelScheme.from_id2label(scheme.id2label) == scheme
    assert {i: label for label, i in scheme.label2id.items()} == scheme.id2label
    shuffled = dict(reversed(list(scheme.id2label.items())))
    assert LabelScheme.from_id2label(shuffled) == scheme


def test_foreign_scheme_names_both_label_lists() -> None:
    with pytest.raises(ConfigError) as caught:
        LabelScheme.from_id2label({0: "O", 1: "B-PER", 2: "I-PER"})
    message = str(caught.value)
    assert "['O', 'B-PER', 'I-PER']" in message
    assert "'O-QUOTE', 'B-QUOTE', 'I-QUOTE', 'O-SPEAKER'" in message
    assert "'I-ROLE'" in message


@pytest.mark.parametrize(
    "labels",
    [
        ["B-QUOTE", "O-QUOTE", "I-QUOTE"],
        ["O-QUOTE", "B-QUOTE", "I-QUOTE", "O-CUE"],
        ["O-QUOTE", "B-QUOTE", "I-QUOTE", "O-QUOTE", "B-QUOTE", "I-QUOTE"],
        ["LABEL_0", "LABEL_1", "LABEL_2"],
        [],
    ],
)
def test_other_foreign_schemes_are_rejected(labels: list[str]) -> None:
    with pytest.raises(ConfigError, match=r"not a quoteattr label scheme|distinct and non-empty"):
        LabelScheme.from_id2label(dict(enumerate(labels)))


def test_families_must_be_distinct_and_non_empty() -> None:
    with pytest.raises(ConfigError, match="distinct and non-empty"):
        LabelScheme(())
    with pytest.raises(ConfigError, match=r"\['QUOTE', 'QUOTE'\]"):
        LabelScheme(("QUOTE", "QUOTE"))


def test_span_tags_begin_then_inside() -> None:
    tags, report = spans_to_tags(WORDS, [(0, 13), (19, 22)])
    assert tags == t("BIIIIOBO")
    assert report == AlignmentReport(kept=2, adjusted=0, dropped_no_token=0, dropped_overlap=0)


def test_span_is_widened_to_token_edges() -> None:
    tags, report = spans_to_tags(WORDS, [(5, 10)])  # "ill wi" touches "will" and "win"
    assert tags == t("OOBIOOOO")
    assert report.kept == 1 and report.adjusted == 1
    assert token_spans_to_chars(WORDS, tags_to_token_spans(tags)) == [(4, 12)]


def test_touching_spans_stay_separate() -> None:
    tags, report = spans_to_tags(WORDS, [(14, 18), (19, 23), (4, 8), (9, 12)])
    assert tags == t("OOBBOBBI")
    assert report.kept == 4
    assert tags_to_token_spans(tags) == [(2, 3), (3, 4), (5, 6), (6, 8)]


def test_overlapping_spans_keep_the_longer() -> None:
    tags, report = spans_to_tags(WORDS, [(4, 12), (0, 13), (19, 22)])
    assert tags == t("BIIIIOBO")
    assert report == AlignmentReport(kept=2, adjusted=0, dropped_no_token=0, dropped_overlap=1)
    # spans that touch one shared token also overlap at token level: the longer wins
    tags, report = spans_to_tags(WORDS, [(14, 20), (20, 23)])
    assert tags == t("OOOOOBIO")
    assert report.dropped_overlap == 1 and report.kept == 1 and report.adjusted == 1


def test_equal_length_overlap_keeps_the_earlier() -> None:
    tags, report = spans_to_tags([(0, 2), (3, 5), (6, 8)], [(3, 8), (0, 5)])
    assert tags == t("BIO")
    assert report.dropped_overlap == 1


def test_whitespace_only_span_covers_no_token() -> None:
    offsets: list[Offset] = [(0, 3), (6, 9)]  # "abc   def"
    tags, report = spans_to_tags(offsets, [(3, 6), (4, 5)])
    assert tags == t("OO")
    assert report == AlignmentReport(kept=0, adjusted=0, dropped_no_token=2, dropped_overlap=0)
    tags, report = spans_to_tags(offsets, [(20, 30)])
    assert report.dropped_no_token == 1


def test_none_offsets_are_never_tagged() -> None:
    offsets: list[Offset] = [None, (0, 2), None, (3, 5), (5, 5), None]
    tags, report = spans_to_tags(offsets, [(0, 5)])
    assert tags == t("OBOIOO")
    assert report.kept == 1


def test_alignment_report_add_and_summary() -> None:
    report = AlignmentReport(1, 2, 3, 4)
    report.add(AlignmentReport(10, 20, 30, 40))
    assert report == AlignmentReport(11, 22, 33, 44)
    assert report.summary() == (
        "11 spans kept (22 widened to token edges), 33 dropped for covering no token, "
        "44 dropped for overlapping a longer span of the same family"
    )


@pytest.mark.parametrize(
    ("tags", "spans"),
    [
        ([], []),
        (t("OO"), []),
        (t("BIOB"), [(0, 2), (3, 4)]),
        (t("IIO"), [(0, 2)]),
        (t("OIIBI"), [(1, 3), (3, 5)]),
        (t("BBB"), [(0, 1), (1, 2), (2, 3)]),
        (t("OIOI"), [(1, 2), (3, 4)]),
    ],
)
def test_tags_to_token_spans(tags: list[int], spans: list[tuple[int, int]]) -> None:
    assert tags_to_token_spans(tags) == spans


def test_bio_strings() -> None:
    assert bio_strings(t("OBIO"), "CUE") == ["O", "B-CUE", "I-CUE", "O"]


@st.composite
def offsets_and_spans(draw: st.DrawFn) -> tuple[list[Offset], list[tuple[int, int]], list[tuple[int, int]]]:
    """Token offsets (with separators), non-overlapping character spans, and the spans at token granularity."""
    n_real = draw(st.integers(1, 14))
    position = draw(st.integers(0, 3))
    real: list[tuple[int, int]] = []
    for _ in range(n_real):
        length = draw(st.integers(1, 4))
        real.append((position, position + length))
        position += length + draw(st.integers(0, 3))
    text_length = real[-1][1] + draw(st.integers(0, 3))
    # separators (None) may sit between real tokens; spans never cross them
    breaks = draw(st.sets(st.integers(0, n_real), max_size=3))
    offsets: list[Offset] = []
    segment_of: list[int] = []
    for index, offset in enumerate(real):
        if index in breaks:
            offsets.append(None)
        offsets.append(offset)
        segment_of.append(len([b for b in breaks if b <= index]))
    if n_real in breaks:
        offsets.append(None)
    # disjoint runs of real tokens, each inside one segment
    cuts = sorted(draw(st.sets(st.integers(0, n_real), min_size=2, max_size=8)))
    runs = [(a, b) for a, b in pairwise(cuts) if draw(st.booleans()) and segment_of[a] == segment_of[b - 1]]
    spans, widened = [], []
    for a, b in runs:
        before = real[a - 1][1] if a > 0 else 0
        after = real[b][0] if b < n_real else text_length
        low = (before + real[a][0] + 1) // 2  # the gap before a run is shared at its midpoint
        high = (real[b - 1][1] + after) // 2
        start = draw(st.integers(low, real[a][1] - 1))
        end = draw(st.integers(max(start, real[b - 1][0]) + 1, high))
        spans.append((start, end))
        widened.append((real[a][0], real[b - 1][1]))
    return offsets, spans, widened


@settings(max_examples=300, deadline=None)
@given(offsets_and_spans(), st.randoms(use_true_random=False))
def test_spans_survive_tags_at_token_granularity(
    case: tuple[list[Offset], list[tuple[int, int]], list[tuple[int, int]]], rng: Random
) -> None:
    offsets, spans, widened = case
    assert all(start < end for start, end in spans)
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start  # the generated spans do not overlap
    shuffled = list(spans)
    rng.shuffle(shuffled)
    tags, report = spans_to_tags(offsets, shuffled)
    assert report.kept == len(spans)
    assert report.dropped_no_token == report.dropped_overlap == 0
    assert report.adjusted == sum(s != w for s, w in zip(spans, widened, strict=True))
    assert all(tag == OUTSIDE for tag, offset in zip(tags, offsets, strict=True) if offset is None)
    assert token_spans_to_chars(offsets, tags_to_token_spans(tags)) == widened


def test_a_span_listed_twice_counts_once() -> None:
    tags, report = spans_to_tags(WORDS, [(19, 22), (0, 13), (19, 22)])
    assert tags == t("BIIIIOBO")
    assert report == AlignmentReport(kept=2, adjusted=0, dropped_no_token=0, dropped_overlap=0)
