"""Records of the schema: span invariants and the JSON shape of a quotation."""

from __future__ import annotations

import pytest

from quoteattr.schema import Document, Entity, Quote, Span, Speaker


def test_span_of_takes_the_text_between_offsets() -> None:
    span = Span.of("Hello brave world", 6, 11)
    assert span == Span(6, 11, "brave")
    assert span.to_dict() == {"text": "brave", "start": 6, "end": 11}


@pytest.mark.parametrize(
    ("start", "end", "text", "message"),
    [
        (0, 3, "ab", "span text has 2 characters but offsets [0, 3) cover 3"),
        (2, 3, "abc", "span text has 3 characters but offsets [2, 3) cover 1"),
        (-1, 2, "abc", "0 <= start <= end, got [-1, 2)"),
        (5, 2, "", "0 <= start <= end, got [5, 2)"),
        (-3, -1, "ab", "0 <= start <= end, got [-3, -1)"),
    ],
)
def test_span_rejects_bad_offsets(start: int, end: int, text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        Span(start, end, text)
    assert message in str(caught.value)


def test_empty_span_is_allowed() -> None:
    assert Span(4, 4, "").to_dict() == {"text": "", "start": 4, "end": 4}


def test_span_overlap_is_strict() -> None:
    a = Span(0, 5, "abcde")
    assert a.overlaps(Span(4, 6, "ef"))
    assert not a.overlaps(Span(5, 7, "fg"))
    assert Span(5, 7, "fg").overlaps(Span(6, 9, "ghi"))
    assert not Span(5, 7, "fg").overlaps(a)


def test_quote_to_dict_has_exactly_the_interchange_keys() -> None:
    quote = Quote(
        text="“We won,”",
        start=0,
        end=9,
        kind="direct",
        speaker=Speaker("Ada Brook", Span(15, 18, "Ada"), ("Ada", "Brook")),
        role="coach",
        cue=Span(10, 14, "said"),
        score=0.123456,
        fragments=(Span(0, 9, "“We won,”"),),
    )
    record = quote.to_dict()
    assert list(record) == ["text", "start", "end", "kind", "type", "speaker", "role", "cue", "score"]
    assert record == {
        "text": "“We won,”",
        "start": 0,
        "end": 9,
        "kind": "direct",
        "type": "quotation",
        "speaker": {
            "name": "Ada Brook",
            "mention": {"text": "Ada", "start": 15, "end": 18},
            "aliases": ["Ada", "Brook"],
        },
        "role": "coach",
        "cue": {"text": "said", "start": 10, "end": 14},
        "score": 0.1235,
    }
    assert set(record["speaker"]) == {"name", "mention", "aliases"}
    assert set(record["speaker"]["mention"]) == {"text", "start", "end"}


def test_quote_to_dict_without_speaker_or_cue() -> None:
    record = Quote("x", 3, 4, "indirect", type="other").to_dict()
    assert record == {
        "text": "x",
        "start": 3,
        "end": 4,
        "kind": "indirect",
        "type": "other",
        "speaker": None,
        "role": None,
        "cue": None,
        "score": 1.0,
    }
    assert Speaker("Someone").to_dict() == {"name": "Someone", "mention": None, "aliases": []}


def test_quote_span_and_document_roles() -> None:
    assert Quote("ab", 2, 4, "mixed").span == Span(2, 4, "ab")
    with pytest.raises(ValueError):
        _ = Quote("abc", 2, 4, "mixed").span
    assert not Document("d", "text").has_roles
    assert Document("d", "text", entities=(Entity("Ada"),)).has_roles
