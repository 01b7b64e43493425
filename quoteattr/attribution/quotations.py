"""Spans → quotations: the tagged content spans that are quotation candidates, and the decision on them.

The tagger sometimes opens a content span twice (*told a briefing that | China would …*): a lone
complementizer joins the span right after it. Once the later passes have given each candidate
its speaker, cue and role, the learned decision (`decisions.py`) says what it is: a quotation,
another attribution (a belief, a plan) or none (a title, scare quotes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from quoteattr.attribution.lexicon import COMPLEMENTIZERS
from quoteattr.attribution.spans import TaggedSpan, joined
from quoteattr.schema import Quote

if TYPE_CHECKING:
    from quoteattr.attribution.decisions import QuotationDecider, TokenReadout


def quotation_candidates(text: str, quotes: Sequence[TaggedSpan]) -> list[TaggedSpan]:
    """The tagged content spans in text order, a lone *that* (*whether*, *if*) joined to the span right after it."""
    ordered = sorted(quotes, key=lambda q: q.start)
    return joined(text, ordered, lambda quote: text[quote.start : quote.end].lower() in COMPLEMENTIZERS)


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
