"""Quotations → speaker mentions: who is written as saying each quotation, and with which cue.

- A quotation takes the nearest speaker mention in its paragraph that no other quotation stands
  between (`choose_speaker`), or the learned linker's choice where one is given.
- A quotation with none inherits the speaker of the quotation just before it when it continues
  that one (a new paragraph that opens with a quotation mark, the second half of a split
  quotation), or the last speaker of a paragraph that ends with a colon (`inherited_speaker`);
  else a full name the tagger missed that is written at its cue (*said Rosa Alvarez*) speaks it.
- A title and a name tagged as two touching mentions are one (`joined_mentions`).
- Each quotation's cue is the one between it and its speaker, else the one next to either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quoteattr.attribution.lexicon import LINK_WORDS
from quoteattr.attribution.names import FULL_NAME
from quoteattr.attribution.spans import TaggedSpan, joined, starting_within, with_initialisms
from quoteattr.text import SENTENCE_END, is_mark, paragraph_bounds, previous_paragraph, sentence_start

if TYPE_CHECKING:
    from quoteattr.attribution.speaker_links import SpeakerLinker

MAX_SPEAKER_DISTANCE = 200  # characters between a quotation and its speaker mention
SENTENCE_PENALTY = 120  # a sentence end between quotation and mention counts as this many characters more
AFTER_PENALTY = 40  # a mention after the quotation counts as this many characters farther than one before it
CUE_BONUS = 60  # a mention with a cue next to it counts as this many characters nearer
CUE_REACH = 60  # characters between a cue and the mention (or quotation) it goes with
CUE_BEFORE = 5  # characters from a cue to the mention right after it (*said Kirby*)
CUE_AFTER = 40  # characters from a mention to its cue (*Kirby, the spokesman, said*)
MAX_CUE_LENGTH = 60  # characters; a longer cue before a mention is not looked for
MAX_MENTION_LENGTH = 500  # characters; a tagged mention longer than this is not checked for overlap
UNTAGGED_SCORE = 0.5  # the score of a speaker mention found by `untagged_speaker`, not by the tagger


@dataclass(frozen=True)
class SpeakerLinks:
    """What this pass found: every speaker mention in text order (tagged, and untagged ones chosen),
    and for each quotation its speaker mention and its cue (None where there is none)."""

    mentions: list[TaggedSpan]
    speakers: list[TaggedSpan | None]
    cues: list[TaggedSpan | None]


def link_speakers(
    text: str,
    quotes: Sequence[TaggedSpan],
    speakers: Sequence[TaggedSpan],
    cues: Sequence[TaggedSpan],
    linker: SpeakerLinker | None = None,
) -> SpeakerLinks:
    """The speaker mention and cue of each of the sorted, disjoint `quotes`.

    `linker`, a learned quotation → mention scorer, chooses the mentions where given (the rule's
    choice is one of its features); otherwise the nearest-mention rule of `choose_speaker` does.
    """
    speakers = joined_mentions(text, sorted(speakers, key=lambda s: s.start))
    starts = [s.start for s in speakers]
    cues = sorted(cues, key=lambda c: c.start)
    cue_starts = [c.start for c in cues]
    cued = cue_next_to(cues, cue_starts)
    mention_of = [choose_speaker(text, quotes, i, speakers, starts, cued) for i in range(len(quotes))]
    if linker is not None:
        mention_of = [linker.choose(text, quotes, i, speakers, starts, cues, mention_of) for i in range(len(quotes))]
    for i, quote in enumerate(quotes):
        if mention_of[i] is None:
            previous = quotes[i - 1] if i else None
            mention_of[i] = inherited_speaker(text, quote, previous, mention_of[i - 1] if i else None, speakers)
        if mention_of[i] is None:
            mention_of[i] = untagged_speaker(text, choose_cue(quote, None, cues, cue_starts), speakers, starts)
    mentions = sorted(set(speakers) | {m for m in mention_of if m is not None}, key=lambda m: m.start)
    cue_of = [choose_cue(quote, mention, cues, cue_starts) for quote, mention in zip(quotes, mention_of)]
    return SpeakerLinks(mentions, mention_of, cue_of)


def joined_mentions(text: str, speakers: Sequence[TaggedSpan]) -> list[TaggedSpan]:
    """Sorted speaker mentions with those that touch across one space joined into one: a title
    and the name after it (*Senators* | *Marco Rubio and Bill Hagerty*) are one mention. Then a
    mention that ends a sentence on an initialism takes its period (*the U.N.*)."""
    return with_initialisms(text, joined(text, speakers, lambda _: True))


def choose_speaker(
    text: str,
    quotes: Sequence[TaggedSpan],
    index: int,
    speakers: Sequence[TaggedSpan],
    starts: Sequence[int],
    cued: Callable[[TaggedSpan], bool],
) -> TaggedSpan | None:
    """The nearest speaker mention in the quotation's paragraph(s) with no other quotation in between.

    Nearness is in characters, adjusted for what English news does: a sentence end between the
    two adds SENTENCE_PENALTY; a mention after the quotation adds AFTER_PENALTY, since reported
    speech follows its speaker (*Japan branded North Korea an "outlaw nation"*) and only direct
    quotations often come first; a mention with a cue next to it (`cued`: *Kirby said*, *said
    Kirby*) subtracts CUE_BONUS, since a person merely named near a quotation is not its speaker.
    `quotes` are sorted and disjoint, so only the neighbouring quotations can stand in between;
    `speakers` are sorted by start, and `starts` lists their starts for the range search.
    """
    quote = quotes[index]
    first, _ = paragraph_bounds(text, quote.start)
    _, last = paragraph_bounds(text, max(quote.start, quote.end - 1))
    reach = MAX_SPEAKER_DISTANCE + SENTENCE_PENALTY
    neighbours = [quotes[i] for i in (index - 1, index + 1) if 0 <= i < len(quotes)]
    best, best_distance = None, float("inf")
    for speaker in starting_within(speakers, starts, max(first, quote.start - reach), quote.end + reach):
        if speaker.start < first or speaker.end > last or (speaker.start < quote.end and speaker.end > quote.start):
            continue
        gap = (speaker.end, quote.start) if speaker.end <= quote.start else (quote.end, speaker.start)
        if any(q.start < gap[1] and q.end > gap[0] for q in neighbours):
            continue
        distance = gap[1] - gap[0] + SENTENCE_PENALTY * bool(SENTENCE_END.search(text, gap[0], gap[1] + 1))
        if distance > reach:
            continue
        distance += AFTER_PENALTY * (speaker.start >= quote.end) - CUE_BONUS * cued(speaker)
        if distance < best_distance:
            best, best_distance = speaker, distance
    return best


def cue_next_to(cues: Sequence[TaggedSpan], starts: Sequence[int]) -> Callable[[TaggedSpan], bool]:
    """Whether a speaker mention has a cue right before it (*said Kirby*) or soon after it (*Kirby, 45, said*)."""

    def cued(speaker: TaggedSpan) -> bool:
        nearby = starting_within(cues, starts, speaker.start - CUE_BEFORE - MAX_CUE_LENGTH, speaker.end + CUE_AFTER)
        return any(
            0 <= speaker.start - cue.end <= CUE_BEFORE or 0 <= cue.start - speaker.end <= CUE_AFTER for cue in nearby
        )

    return cued


def choose_cue(
    quote: TaggedSpan, speaker: TaggedSpan | None, cues: Sequence[TaggedSpan], starts: Sequence[int]
) -> TaggedSpan | None:
    """The cue between the quotation and its speaker (the one nearest the quotation where several
    are: *a spokeswoman, who asked not to be named, said …*), else the cue within CUE_REACH of the
    speaker, or of the quotation when it has no speaker.

    `cues` are sorted by start and `starts` lists their starts.
    """
    anchor = speaker or quote
    best, best_key = None, (2, 0)
    low = min(quote.start, anchor.start) - CUE_REACH - 40
    for cue in starting_within(cues, starts, low, max(quote.end, anchor.end) + CUE_REACH):
        if cue.start < quote.end and cue.end > quote.start:
            continue
        between = (
            speaker is not None
            and min(quote.end, speaker.end) <= cue.start
            and cue.end <= max(quote.start, speaker.start)
        )
        if between:
            key = (0, min(abs(cue.start - quote.end), abs(quote.start - cue.end)))
        else:
            key = (1, min(abs(cue.start - anchor.end), abs(anchor.start - cue.end)))
            if key[1] >= CUE_REACH:
                continue
        if key < best_key:
            best, best_key = cue, key
    return best


def untagged_speaker(
    text: str, cue: TaggedSpan | None, speakers: Sequence[TaggedSpan], starts: Sequence[int]
) -> TaggedSpan | None:
    """A full name the tagger missed, written right at the quotation's cue: after it (*said Rosa
    Alvarez*) or right before it (*The union's vice president, Jackson Potter, said*). None where
    the name overlaps a tagged mention (linking turned that one down) or no such name is written.
    `speakers` are sorted, `starts` their starts."""
    if cue is None:
        return None
    found = None
    after = FULL_NAME.match(text, cue.end + 1) if text[cue.end : cue.end + 1] == " " else None
    if after is not None:
        found = _name_span(text, after.start(), after.end())
    else:
        opening = sentence_start(text, cue.start, MAX_SPEAKER_DISTANCE)
        if opening is None:
            opening = max(0, cue.start - MAX_SPEAKER_DISTANCE)
        names = list(FULL_NAME.finditer(text, opening, cue.start))
        between = text[names[-1].end() : cue.start].strip() if names else ""
        if names and between in ("", ","):
            found = _name_span(text, names[-1].start(), names[-1].end())
    if found is None:
        return None
    nearby = starting_within(speakers, starts, found.start - MAX_MENTION_LENGTH, found.end)
    return None if any(s.start < found.end and found.start < s.end for s in nearby) else found


def _name_span(text: str, start: int, end: int) -> TaggedSpan | None:
    """The span of a run of capitalised words, unless it ends in a name particle."""
    if text[start:end].split()[-1] in LINK_WORDS:
        return None
    return TaggedSpan(start, end, UNTAGGED_SCORE)


def inherited_speaker(
    text: str,
    quote: TaggedSpan,
    previous: TaggedSpan | None,
    previous_speaker: TaggedSpan | None,
    speakers: Sequence[TaggedSpan],
) -> TaggedSpan | None:
    """The speaker of a quotation that has none of its own in its paragraph.

    - after a paragraph that ends with a colon, the last speaker mention of that paragraph;
    - the second half of a split quotation (same paragraph) keeps the previous speaker;
    - a paragraph opening with a quotation mark continues the quotation of the paragraph before.
    """
    before = previous_paragraph(text, quote.start)
    if before is not None and text[before[0] : before[1]].rstrip().endswith(":"):
        inside = [s for s in speakers if before[0] <= s.start and s.end <= before[1]]
        if inside:
            return inside[-1]
    if previous is None or previous_speaker is None:
        return None
    first, _ = paragraph_bounds(text, quote.start)
    if previous.end > first:
        return previous_speaker
    opens_paragraph = is_mark(text, quote.start) and not text[first : quote.start].strip()
    if opens_paragraph and before is not None and previous.end > before[0]:
        return previous_speaker
    return None
