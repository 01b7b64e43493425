"""Transcript turns: *PENCE: Well, …* is Pence's direct quotation, the colon its cue."""

from __future__ import annotations

import pytest

from quoteattr.attribution.spans import TaggedSpan
from quoteattr.attribution.transcripts import transcript_turns, with_turns
from tests.tagged import link, who

INTERVIEW = (
    "Gov. Mike Pence spoke to Chris Wallace of Fox News on Sunday.\n\n"
    "WALLACE: Will she be at the debate tomorrow night?\n\n"
    '"PENCE: She will not be attending the debate.\n\n'
    "WALLACE: Why not?\n\n"
    "PENCE: Because it was only a tweet."
)


def _texts(text: str, spans: list[TaggedSpan]) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def test_each_turn_gives_its_label_colon_and_words() -> None:
    turns = transcript_turns(INTERVIEW)
    assert _texts(INTERVIEW, [t.label for t in turns]) == ["WALLACE", "PENCE", "WALLACE", "PENCE"]
    assert _texts(INTERVIEW, [t.colon for t in turns]) == [":"] * 4
    assert _texts(INTERVIEW, [t.content for t in turns])[1] == "She will not be attending the debate."


@pytest.mark.parametrize(
    "text",
    [
        "UPDATE: The vote was moved to Friday.\n\nThe mayor said the plan would fail.",
        "VIDEO: The speech.\n\nThe mayor spoke.\n\nVIDEO: The crowd.",  # one label: no dialogue
        "PENCE: We will win.\n\nThe rally ended at noon.",  # one speaker
        "KIM: Hello.\n\nLEE: Goodbye.",  # neither named elsewhere nor speaking twice
    ],
)
def test_a_text_that_is_no_dialogue_has_no_turns(text: str) -> None:
    assert transcript_turns(text) == []


def test_a_speaker_named_in_full_once_then_by_surname_takes_turns() -> None:
    text = "KATE BOULDUAN: Why not debate?\n\nJOEL BENENSON: We will.\n\nBOULDUAN: When?\n\nBENENSON: Soon."
    assert _texts(text, [t.label for t in transcript_turns(text)]) == [
        "KATE BOULDUAN",
        "JOEL BENENSON",
        "BOULDUAN",
        "BENENSON",
    ]


def test_turns_take_the_place_of_the_tagged_spans_they_overlap() -> None:
    start = INTERVIEW.index("Will she")
    tagged_quote = TaggedSpan(start, start + len("Will she be"), 0.4)
    tagged_speaker = TaggedSpan(0, len("Gov. Mike Pence"), 0.9)
    quotes, speakers, cues = with_turns(transcript_turns(INTERVIEW), [tagged_quote], [tagged_speaker], [])
    assert tagged_quote not in quotes and len(quotes) == 4
    assert speakers[0] == tagged_speaker and _texts(INTERVIEW, speakers[1:]) == ["WALLACE", "PENCE"] * 2
    assert _texts(INTERVIEW, cues) == [":"] * 4


def test_each_turn_is_a_direct_quotation_of_its_speaker() -> None:
    quotes = link(INTERVIEW, [], ["Gov. Mike Pence"])
    assert [q.kind for q in quotes] == ["direct"] * 4
    assert [who(q)[1] for q in quotes] == ["WALLACE", "PENCE", "WALLACE", "PENCE"]  # type: ignore[index]
    assert [who(q)[0] for q in quotes[:2]] == ["Chris Wallace", "Mike Pence"]  # type: ignore[index]
    assert all(q.cue is not None and q.cue.text == ":" for q in quotes)
