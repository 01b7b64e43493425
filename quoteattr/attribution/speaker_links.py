"""Quotations → speaker mentions, learned: a logistic scorer over (quotation, candidate mention) pairs.

Each candidate is a tagged speaker mention in the quotation's paragraph or the one before it,
within `REACH` characters. A pair is described by sparse features (direction and distance, the
sentence and paragraph between, cues beside the mention or between the two, other quotations
and mentions in between, the mention's type, whether the nearest-mention rule picks it for this
quotation or a neighbouring one, whether each of the two opens or closes its line, and the words
joining the two: *", said"*, *"according to"*, *" ― "*, any dash as one), hashed into a
fixed-size weight vector. The scorer is trained on gold source–content links
(`training/speaker_links.py`, PolNeAR's ~20,000) and saved beside the model as safetensors; the
highest-scoring candidate above 0 (the score of "none") speaks the quotation.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from quoteattr.attribution import sparse
from quoteattr.attribution.names import mention_type
from quoteattr.attribution.spans import TaggedSpan, starting_within
from quoteattr.attribution.sparse import bucket
from quoteattr.schema import QuoteKind
from quoteattr.text import SENTENCE_END, paragraph_bounds, previous_paragraph, quote_kind

WEIGHTS_FILE = "speaker_links.safetensors"
DIMENSIONS = 1 << 18
REACH = 600  # characters between a quotation and a candidate mention
_DISTANCES = (0, 2, 5, 12, 25, 50, 100, 200, 400)
_TOKEN = re.compile(r"\w+|\n|[^\w\s]")  # `sparse.WORD`, with line breaks
_WORDLIKE = re.compile(r"\w")
_ONE_DASH = str.maketrans(dict.fromkeys("‐‑‒–—―-", "—"))


def candidates(text: str, quote: TaggedSpan, speakers: Sequence[TaggedSpan], starts: Sequence[int]) -> list[TaggedSpan]:
    """The tagged mentions that may speak `quote`: in its paragraph or the one before, within REACH."""
    first, _ = paragraph_bounds(text, quote.start)
    previous = previous_paragraph(text, quote.start)
    _, last = paragraph_bounds(text, max(quote.start, quote.end - 1))
    low = max(previous[0] if previous else first, quote.start - REACH)
    return [
        s
        for s in starting_within(speakers, starts, low, min(last, quote.end + REACH))
        if s.end <= last and not (s.start < quote.end and quote.start < s.end)
    ]


def candidate_features(
    text: str,
    quotes: Sequence[TaggedSpan],
    index: int,
    speakers: Sequence[TaggedSpan],
    starts: Sequence[int],
    cues: Sequence[TaggedSpan],
    rule_picks: Sequence[TaggedSpan | None],
) -> list[tuple[TaggedSpan, list[str]]]:
    """Each candidate speaker of `quotes[index]` with its features; `speakers` and `cues` are sorted
    by start (`starts`: the speakers' starts) and `rule_picks` are the nearest-mention rule's
    choices for every quotation (`mentions.choose_speaker`)."""
    found = candidates(text, quotes[index], speakers, starts)
    neighbours = (rule_picks[i] for i in (index - 1, index + 1) if 0 <= i < len(quotes))
    claimed = {pick for pick in neighbours if pick is not None}
    kind = quote_kind(text, quotes[index].start, quotes[index].end)
    return [(m, pair_features(text, quotes, index, m, found, cues, rule_picks[index], claimed, kind)) for m in found]


def pair_features(
    text: str,
    quotes: Sequence[TaggedSpan],
    index: int,
    mention: TaggedSpan,
    found: Sequence[TaggedSpan],
    cues: Sequence[TaggedSpan],
    rule_pick: TaggedSpan | None = None,
    claimed: Collection[TaggedSpan] = (),
    kind: QuoteKind | None = None,
) -> list[str]:
    """The sparse features of one (quotation, candidate mention) pair; `found` are all candidates,
    `rule_pick` the mention the nearest-mention rule (`mentions.choose_speaker`) chooses, and
    `claimed` the mentions it chooses for the quotations just before and after; `kind` is the
    quotation's (`text.quote_kind`), computed here when not given."""
    quote = quotes[index]
    after = mention.start >= quote.end
    side = "after" if after else "before"
    gap_start, gap_end = (quote.end, mention.start) if after else (mention.end, quote.start)
    gap = text[gap_start:gap_end]
    kind = kind or quote_kind(text, quote.start, quote.end)
    features = [
        "bias",
        f"side={side}",
        f"dist={side}:{bucket(gap_end - gap_start, _DISTANCES)}",
        f"sentences={side}:{min(2, len(SENTENCE_END.findall(gap)))}",
        f"paragraphs={side}:{min(2, gap.count(chr(10)))}",
        f"type={mention_type(text[mention.start : mention.end])}",
        f"length={bucket(mention.end - mention.start, (3, 8, 20, 40))}",
        f"kind={side}:{kind}",
    ]
    between_quotes = sum(1 for q in quotes if q is not quote and gap_start <= q.start and q.end <= gap_end)
    features.append(f"quotes_between={side}:{min(2, between_quotes)}")
    nearer = sum(
        1
        for m in found
        if m is not mention and (m.start >= quote.end) == after and _gap(quote, m) < _gap(quote, mention)
    )
    features.append(f"rank={side}:{min(3, nearer)}")
    own_gap = gap_end - gap_start
    closer_quote = any(
        q is not quote and _gap(q, mention) < own_gap and not (q.start < mention.end and mention.start < q.end)
        for q in quotes[max(0, index - 3) : index + 4]
    )
    features.append(f"closer_quote={side}:{closer_quote}")
    trails_other = any(
        q is not quote and 0 <= mention.start - q.end <= 6 for q in quotes[max(0, index - 3) : index + 4]
    )
    features.append(f"trails_other_quote={side}:{trails_other}")
    features.append(f"rule_pick={side}:{mention == rule_pick}")
    features.append(f"claimed={side}:{mention in claimed}:{mention == rule_pick}")
    features += _layout(text, quotes, index, mention, side)
    cue_between = any(gap_start <= c.start and c.end <= gap_end for c in cues)
    cue_after = any(0 <= c.start - mention.end <= 40 for c in cues)
    cue_before = any(0 <= mention.start - c.end <= 5 for c in cues)
    features += [
        f"cue_between={side}:{cue_between}",
        f"cue_after_mention={cue_after}",
        f"cue_before_mention={cue_before}",
    ]
    features.append(f"cue_pattern={side}:{cue_between}:{cue_after}:{cue_before}:{min(2, nearer)}")
    features += [f"{kind}|{feature}" for feature in features[1:]]
    words = _words(gap)
    if len(words) <= 6:
        features.append(f"gap={side}:{' '.join(words)}")
    features += [f"gap_first={side}:{w}" for w in words[:2]] + [f"gap_last={side}:{w}" for w in words[-2:]]
    before = _words(text[max(0, mention.start - 30) : mention.start])
    following = _words(text[mention.end : mention.end + 30])
    features += [f"word_before={w}" for w in before[-1:]] + [f"word_after={w}" for w in following[:2]]
    return features


def _layout(text: str, quotes: Sequence[TaggedSpan], index: int, mention: TaggedSpan, side: str) -> list[str]:
    """Where the mention and the quotation stand in their lines: whether each opens or closes its
    paragraph (nothing but punctuation beside it), whether they share one, and whether the mention's
    own paragraph, when another, holds a quotation of its own."""
    quote = quotes[index]
    first, last = paragraph_bounds(text, mention.start)
    quote_first, quote_last = paragraph_bounds(text, quote.start)
    mention_edges = f"{_bare(text[first : mention.start])}:{_bare(text[mention.end : last])}"
    quote_edges = f"{_bare(text[quote_first : quote.start])}:{_bare(text[quote.end : quote_last])}"
    elsewhere = first != quote_first
    quoted = elsewhere and any(first <= q.start < last for q in quotes[max(0, index - 3) : index])
    return [
        f"mention_edges={side}:{elsewhere}:{mention_edges}",
        f"quote_edges={side}:{quote_edges}",
        f"edges={side}:{elsewhere}:{mention_edges}:{quote_edges}",
        f"other_paragraph_quoted={side}:{quoted}",
    ]


def _bare(text: str) -> bool:
    """Whether `text` holds no word: only spaces and punctuation."""
    return _WORDLIKE.search(text) is None


def _words(text: str) -> list[str]:
    """Lower-cased words and punctuation, every kind of dash as one and a line break as "¶"."""
    return [w.lower().replace("\n", "¶") for w in _TOKEN.findall(text.translate(_ONE_DASH))]


def _gap(quote: TaggedSpan, mention: TaggedSpan) -> int:
    return mention.start - quote.end if mention.start >= quote.end else quote.start - mention.end


def hashed(features: Sequence[str]) -> list[int]:
    """Feature indices in this scorer's hashed weights."""
    return sparse.hashed(features, DIMENSIONS)


class SpeakerLinker(sparse.HashedScorer):
    """A trained pair scorer: `choose` picks the speaker mention of a quotation, or None.

    Each candidate scores the sum of its features' weights; "no candidate" scores 0, so a
    quotation whose candidates all score below 0 has no speaker here (linking then looks for one
    the way continuation paragraphs and untagged names are found).
    """

    weights_file = WEIGHTS_FILE
    dimensions = DIMENSIONS

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "reach": REACH}

    def choose(
        self,
        text: str,
        quotes: Sequence[TaggedSpan],
        index: int,
        speakers: Sequence[TaggedSpan],
        starts: Sequence[int],
        cues: Sequence[TaggedSpan],
        rule_picks: Sequence[TaggedSpan | None],
    ) -> TaggedSpan | None:
        """The speaker mention of `quotes[index]`, or None; `rule_picks` are the nearest-mention
        rule's choices for every quotation."""
        return self.best(candidate_features(text, quotes, index, speakers, starts, cues, rule_picks))
