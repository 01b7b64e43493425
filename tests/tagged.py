"""Tagged spans written by hand, and their attribution, for the tests of the attribution passes."""

from __future__ import annotations

from quoteattr.attribution.pipeline import attribute
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.schema import Quote


def at(text: str, fragment: str, occurrence: int = 0, score: float = 1.0) -> TaggedSpan:
    """The span of the `occurrence`-th (0-based) appearance of `fragment` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(fragment, start + 1)
    return TaggedSpan(start, start + len(fragment), score)


Fragment = str | tuple[str, int]


def spans(text: str, fragments: list[Fragment]) -> list[TaggedSpan]:
    return [at(text, f) if isinstance(f, str) else at(text, *f) for f in fragments]


def link(
    text: str,
    quotes: list[Fragment],
    speakers: list[Fragment] = [],  # noqa: B006 - never mutated
    cues: list[Fragment] = [],  # noqa: B006
    roles: list[Fragment] = [],  # noqa: B006
) -> list[Quote]:
    result = attribute(text, spans(text, quotes), spans(text, speakers), spans(text, cues), spans(text, roles))
    check_offsets(text, result)
    return result


def check_offsets(text: str, quotes: list[Quote]) -> None:
    """Every span of the output covers exactly the text it claims."""
    for quote in quotes:
        assert text[quote.start : quote.end] == quote.text
        for span in (quote.cue, quote.speaker.mention if quote.speaker else None, *quote.fragments):
            if span is not None:
                assert text[span.start : span.end] == span.text


def who(quote: Quote) -> tuple[str, str] | None:
    """(canonical name, mention text) of a quotation's speaker."""
    if quote.speaker is None:
        return None
    assert quote.speaker.mention is not None
    return quote.speaker.name, quote.speaker.mention.text
