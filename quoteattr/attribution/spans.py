"""The tagger's spans as the attribution passes read them: offsets and the model's probability."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from quoteattr.schema import Span
from quoteattr.text import initialism_end


@dataclass(frozen=True)
class TaggedSpan:
    """A span the tagger found, with the model's mean probability for it."""

    start: int
    end: int
    score: float = 1.0


SpanT = TypeVar("SpanT", TaggedSpan, Span)


def starting_within(spans: Sequence[SpanT], starts: Sequence[int], low: int, high: int) -> Sequence[SpanT]:
    """The spans (sorted by start, `starts` their starts) that start in `[low, high]`."""
    return spans[bisect_left(starts, low) : bisect_right(starts, high)]


def joined(
    text: str, spans: Sequence[TaggedSpan], joins_next: Callable[[TaggedSpan], bool], gaps: Sequence[str] = ("", " ")
) -> list[TaggedSpan]:
    """Sorted spans, each that `joins_next` accepts merged with the span after it where only one of
    `gaps` (by default at most one space) lies between them."""
    result: list[TaggedSpan] = []
    for span in spans:
        last = result[-1] if result else None
        if last is not None and text[last.end : span.start] in gaps and joins_next(last):
            result[-1] = TaggedSpan(last.start, max(last.end, span.end), min(last.score, span.score))
        else:
            result.append(span)
    return result


def with_initialisms(text: str, spans: Sequence[TaggedSpan]) -> list[TaggedSpan]:
    """The spans, each that ends on an initialism ending a sentence (*ambassador to the U.N*) with its
    period, which the tagger leaves to the sentence."""
    return [replace(span, end=initialism_end(text, span.end)) for span in spans]
