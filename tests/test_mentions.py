"""Quotations → speaker mentions: the nearest or cued mention, continuation, untagged names, cues."""

from __future__ import annotations

import pytest

from quoteattr.attribution.mentions import UNTAGGED_SCORE, joined_mentions, link_speakers
from tests.tagged import link, spans, who


def test_each_quote_takes_the_nearest_speaker_of_its_paragraph() -> None:
    text = '"We will win," said Anna Berg, while Carl Dunn replied: "We will see."'
    first, second = link(text, ['"We will win,"', '"We will see."'], ["Anna Berg", "Carl Dunn"], ["said", "replied"])
    assert who(first) == ("Anna Berg", "Anna Berg")
    assert who(second) == ("Carl Dunn", "Carl Dunn")
    assert first.cue is not None and first.cue.text == "said"
    assert second.cue is not None and second.cue.text == "replied"
    assert first.kind == second.kind == "direct"


def test_a_mention_with_a_cue_beats_a_nearer_one_without() -> None:
    text = 'Anna Berg said the plan, which Carl Dunn drafted, was "a disgrace".'
    (quote,) = link(text, ['"a disgrace"'], ["Anna Berg", "Carl Dunn"], ["said"])
    assert who(quote) == ("Anna Berg", "Anna Berg")
    (uncued,) = link(text, ['"a disgrace"'], ["Anna Berg", "Carl Dunn"])
    assert who(uncued) == ("Carl Dunn", "Carl Dunn")  # without the cue, the nearer mention


def test_reported_speech_prefers_the_mention_before_it() -> None:
    text = 'Anna Berg thinks the plan "is a disgrace" for Carl Dunn.'
    (quote,) = link(text, ['"is a disgrace"'], ["Anna Berg", "Carl Dunn"])
    assert who(quote) == ("Anna Berg", "Anna Berg")
    text = 'Anna Berg thinks the new tax plan, the one passed in a hurry on Friday, "is a disgrace" for Carl Dunn.'
    (far,) = link(text, ['"is a disgrace"'], ["Anna Berg", "Carl Dunn"])
    assert who(far) == ("Carl Dunn", "Carl Dunn")  # a preference, not a rule


def test_a_speaker_in_another_paragraph_is_not_taken() -> None:
    text = "Anna Berg spoke on Monday.\n\nThe plan would fail, according to a memo."
    (quote,) = link(text, ["The plan would fail"], ["Anna Berg"])
    assert quote.speaker is None and quote.kind == "indirect" and quote.role is None


def test_no_speaker_across_another_quotation() -> None:
    text = 'Anna Berg spoke first. "The plan is sound." Then "the plan is a disaster," said Carl Dunn.'
    first, second = link(text, ['"The plan is sound."', '"the plan is a disaster,"'], ["Anna Berg", "Carl Dunn"])
    # Carl Dunn is nearer to the first quotation, but the second quotation stands between them
    assert who(first) == ("Anna Berg", "Anna Berg")
    assert who(second) == ("Carl Dunn", "Carl Dunn")


def test_adjacent_quotes_do_not_reach_past_each_other() -> None:
    text = '"Prices will fall," "wages will rise," Anna Berg said.'
    first, second = link(text, ['"Prices will fall,"', '"wages will rise,"'], ["Anna Berg"])
    assert first.speaker is None
    assert who(second) == ("Anna Berg", "Anna Berg")


def test_a_paragraph_opening_with_a_mark_inherits_the_previous_speaker() -> None:
    text = (
        '"We will not give up," Anna Berg said on Monday.\n\n'
        '"We will fight until the end. Nobody can stop us."\n\n'
        "The plan would fail, according to a memo."
    )
    first, second, third = link(
        text,
        ['"We will not give up,"', '"We will fight until the end. Nobody can stop us."', "The plan would fail"],
        ["Anna Berg"],
        ["said"],
    )
    assert who(first) == who(second) == ("Anna Berg", "Anna Berg")
    assert second.kind == "direct"
    assert third.speaker is None  # a new paragraph without a mark does not continue the quotation


def test_a_quotation_after_a_paragraph_ending_with_a_colon_takes_its_speaker() -> None:
    text = 'Carl Dunn, asked about the budget, told reporters:\n\n"We will cut nothing."'
    (quote,) = link(text, ['"We will cut nothing."'], ["Carl Dunn"], ["told"])
    assert who(quote) == ("Carl Dunn", "Carl Dunn")


def test_both_halves_of_a_split_quote_share_the_speaker() -> None:
    text = 'Nobody expected it. "We will win," Anna Berg said, "and we will win soon." The crowd cheered.'
    first, second = link(text, ['"We will win,"', '"and we will win soon."'], ["Anna Berg"], ["said"])
    assert who(first) == who(second) == ("Anna Berg", "Anna Berg")
    assert first.cue == second.cue and first.cue is not None and first.cue.text == "said"


def test_split_quote_second_half_inherits_when_its_speaker_is_out_of_reach() -> None:
    filler = "and we will keep going " * 12
    text = f'"We will win," Anna Berg said, "{filler.strip()}."'
    first, second = link(text, ['"We will win,"', f'"{filler.strip()}."'], ["Anna Berg"])
    assert who(first) == ("Anna Berg", "Anna Berg")
    assert who(second) == ("Anna Berg", "Anna Berg")


def test_a_speaker_in_the_next_sentence_loses_to_the_speaker_of_the_same_sentence() -> None:
    text = (
        "Lena Hartwell, a Treasury spokeswoman, said the figures were final. General Omar Reyes said troops were ready."
    )
    first, second = link(
        text,
        ["the figures were final", "troops were ready"],
        ["Lena Hartwell", "General Omar Reyes"],
        ["said", ("said", 1)],
    )
    assert who(second) == ("Omar Reyes", "General Omar Reyes")
    assert who(first) == ("Lena Hartwell", "Lena Hartwell")


def test_of_two_cues_between_speaker_and_quotation_the_one_nearer_the_quotation_wins() -> None:
    text = "A company spokeswoman, who asked not to be named, said the offer was fair."
    (quote,) = link(text, ["the offer was fair"], ["A company spokeswoman"], ["asked", "said"])
    assert quote.cue is not None and quote.cue.text == "said"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('"It\'s a start," said Lydia Edwards, a former councilor.', "Lydia Edwards"),
        ("The union's vice president, Jackson Potter, said members were ready.", "Jackson Potter"),
    ],
)
def test_a_name_the_tagger_missed_at_the_cue_is_the_speaker(text: str, name: str) -> None:
    quote_text = '"It\'s a start,"' if text.startswith('"') else "members were ready"
    (quote,) = link(text, [quote_text], [], ["said"])
    assert quote.speaker is not None and quote.speaker.name == name
    assert quote.score < 1.0  # the mention's lower score says the tagger did not find it


@pytest.mark.parametrize(
    "text",
    [
        "He did not say whether the US would punish North Korea, Russia or both, saying that it was too early.",
        "In Washington, officials said that it was too early.",
    ],
)
def test_no_untagged_speaker_from_lists_or_places(text: str) -> None:
    cue = "saying" if "saying" in text else ("Saying" if "Saying" in text else "said")
    content = text[text.index(cue) + len(cue) + 1 :].rstrip(".")
    (quote,) = link(text, [content], [], [cue])
    assert quote.speaker is None


def test_the_pass_gives_each_quotation_its_mention_and_cue_and_lists_every_mention() -> None:
    text = '"We will win," said Rosa Alvarez.\n\nCarl Dunn, the mayor, disagreed that it was over.'
    quotes = spans(text, ['"We will win,"', "it was over"])
    links = link_speakers(text, quotes, spans(text, ["Carl Dunn"]), spans(text, ["said", "disagreed"]))
    untagged, tagged = links.mentions  # the name the tagger missed at the cue is a mention too
    assert text[untagged.start : untagged.end] == "Rosa Alvarez" and untagged.score == UNTAGGED_SCORE
    assert text[tagged.start : tagged.end] == "Carl Dunn"
    assert links.speakers == [untagged, tagged]
    assert [text[c.start : c.end] if c else None for c in links.cues] == ["said", "disagreed"]


def test_touching_mentions_are_joined() -> None:
    text = "Senators Marco Rubio and Bill Hagerty wrote."
    (joined,) = joined_mentions(text, spans(text, ["Senators", "Marco Rubio and Bill Hagerty"]))
    assert text[joined.start : joined.end] == "Senators Marco Rubio and Bill Hagerty"


def test_a_mention_ending_a_sentence_on_an_initialism_takes_its_period_and_no_more() -> None:
    text = "Vasily Nebenzya, Russia's ambassador to the U.N. He said it was fake."
    first, second = joined_mentions(text, spans(text, ["Vasily Nebenzya, Russia's ambassador to the U.N", "He"]))
    assert text[first.start : first.end] == "Vasily Nebenzya, Russia's ambassador to the U.N."
    assert text[second.start : second.end] == "He"
