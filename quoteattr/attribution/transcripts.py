"""Transcript turns: a line that opens with a speaker's name in capitals and a colon (*PENCE: Well,
look, …*) is that speaker's direct quotation, the colon its cue.

A typographic convention, as quotation marks are: the guidelines annotate such turns as direct
quotations, but the tagger never learned them (PolNeAR has few transcripts; the news corpus has two
interviews). A line counts as a turn only where its label names someone the text writes elsewhere
(*PENCE* and *Gov. Mike Pence*) or opens another turn too (*WALLACE*), and a text as a transcript
only where two speakers at least take turns, so that *UPDATE:* or *VIDEO:* lines are left to the
tagger. The turns' spans take the place of what the tagger found there; linking, naming and the
quotation decision then treat them as any other.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from quoteattr.attribution.spans import TaggedSpan

MIN_SPEAKERS = 2  # a transcript is a dialogue: two speakers at least
NAME_WRITTEN = re.compile(r"\b[A-Z][a-z][\w'’-]*")  # a capitalised word, as a name is written in running text
# An optional opening mark, one to four words in capitals (*KATE BOULDUAN*, *SEN. GRAHAM*), a colon, the words.
TURN = re.compile(r"^[\"“]?((?:[A-Z][A-Z.'’-]+)(?: [A-Z][A-Z.'’-]+){0,3})(:)[ \t]+(\S[^\n]*?)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Turn:
    """One turn of a transcript: who speaks (the label), the colon, and what they say."""

    label: TaggedSpan
    colon: TaggedSpan
    content: TaggedSpan


def transcript_turns(text: str) -> list[Turn]:
    """The turns of `text` when it is a transcript (see the module's docstring), else none."""
    matches = list(TURN.finditer(text))
    if not matches:
        return []
    surnames = Counter(_surname(match) for match in matches)  # KATE BOULDUAN, then BOULDUAN: one speaker
    written = set(NAME_WRITTEN.findall(text))  # a label is in capitals, so these are written elsewhere

    def speaker(match: re.Match[str]) -> bool:
        names = [word.strip(".'’-").title() for word in match.group(1).split()]
        return any(len(name) > 2 and name in written for name in names) or surnames[_surname(match)] >= 2

    turns = [match for match in matches if speaker(match)]
    if len({_surname(match) for match in turns}) < MIN_SPEAKERS:
        return []
    return [Turn(*(TaggedSpan(match.start(group), match.end(group)) for group in (1, 2, 3))) for match in turns]


def _surname(match: re.Match[str]) -> str:
    """The last word of a turn's label: who speaks, however fully the label names them."""
    return match.group(1).split()[-1]


def with_turns(
    turns: Sequence[Turn], quotes: Sequence[TaggedSpan], speakers: Sequence[TaggedSpan], cues: Sequence[TaggedSpan]
) -> tuple[list[TaggedSpan], list[TaggedSpan], list[TaggedSpan]]:
    """The tagged quotation, speaker and cue spans with each turn's content, label and colon in place
    of the spans of the same kind that overlap them."""
    return (
        _replaced(quotes, [turn.content for turn in turns]),
        _replaced(speakers, [turn.label for turn in turns]),
        _replaced(cues, [turn.colon for turn in turns]),
    )


def _replaced(spans: Sequence[TaggedSpan], found: Sequence[TaggedSpan]) -> list[TaggedSpan]:
    """`spans` without those overlapping one of `found` (sorted, apart), with `found` in their place."""
    if not found:
        return list(spans)
    ends = [f.end for f in found]

    def overlaps(span: TaggedSpan) -> bool:
        at = bisect_right(ends, span.start)  # the first found span ending after this one starts
        return at < len(found) and found[at].start < span.end

    return sorted([*(s for s in spans if not overlaps(s)), *found], key=lambda span: (span.start, span.end))
