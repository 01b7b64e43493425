"""Spans → quotations: the tagged content spans that are quotation candidates, and the decision on them.

The tagger sometimes opens a content span twice: a short fragment with no quotation mark and no
sentence end (*told a briefing that | China would …*, *However, | debates are not likely …*) joins
the span right after it. Once the later passes have given each candidate its speaker, cue and
role, the learned decision (`decisions.py`) says what it is: a quotation, another attribution (a
belief, a plan) or none (a title, scare quotes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from quoteattr.attribution.spans import TaggedSpan, joined
from quoteattr.schema import Quote
from quoteattr.text import is_mark

if TYPE_CHECKING:
    from quoteattr.attribution.decisions import QuotationDecider, TokenReadout

FRAGMENT_WORDS = 3  # at most this many words make a fragment that opens the next span
FRAGMENT_GAPS = ("", " ", ",", ", ")  # what may lie between a fragment and the span it opens


def quotation_candidates(text: str, quotes: Sequence[TaggedSpan]) -> list[TaggedSpan]:
    """The tagged content spans in text order, each fragment joined to the span right after it."""
    ordered = sorted(quotes, key=lambda q: q.start)
    return joined(text, ordered, lambda quote: opens_next(text, quote), FRAGMENT_GAPS)


def opens_next(text: str, span: TaggedSpan) -> bool:
    """Whether a content span is a fragment: at most FRAGMENT_WORDS words, no quotation mark and
    no sentence end in it."""
    words = text[span.start : span.end]
    return (
        len(words.split()) <= FRAGMENT_WORDS
        and words.rstrip()[-1:] not in (".", "!", "?")
        and not any(is_mark(text, i) for i in range(span.start, span.end))
    )


def decided(
    text: str,
    quotes: Sequence[Quote],
    decider: QuotationDecider | None,
    all_attributions: bool = False,
    readout: TokenReadout | None = None,
) -> list[Quote]:
    """The attributed candidates the decision keeps: quotations, and with `all_attributions` every
    attribution typed `quotation` or `other`. Without a decider every candidate is kept as it is.
    `readout`: the model's decision readout on the text's tokens, where it has one."""
    if decider is None:
        return list(quotes)
    kept = decider.decide(text, quotes, keep_all=all_attributions, readout=readout)
    return kept if all_attributions else [quote for quote in kept if quote.type == "quotation"]
