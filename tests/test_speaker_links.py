"""The learned quotation → speaker-mention scorer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from quoteattr.attribution.pipeline import attribute
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.attribution.speaker_links import (
    DIMENSIONS,
    SpeakerLinker,
    candidate_features,
    candidates,
    hashed,
    pair_features,
)

TEXT = 'Ann Lee spoke first.\n"We will win," said Bob Roe, her rival. Carl Dunn listened.\n\nOther news.'


def _span(fragment: str) -> TaggedSpan:
    start = TEXT.index(fragment)
    return TaggedSpan(start, start + len(fragment))


QUOTE = _span('"We will win,"')
MENTIONS = [_span("Ann Lee"), _span("Bob Roe"), _span("Carl Dunn")]
CUES = [_span("said")]
STARTS = [m.start for m in MENTIONS]


def _linker(*weighted: tuple[str, float]) -> SpeakerLinker:
    weights = np.zeros(DIMENSIONS, dtype=np.float32)
    for feature, weight in weighted:
        weights[hashed([feature])[0]] += weight
    return SpeakerLinker(weights)


def test_candidates_are_the_mentions_of_the_paragraph_and_the_one_before() -> None:
    assert candidates(TEXT, QUOTE, MENTIONS, STARTS) == MENTIONS
    later = _span("Other news")  # two paragraphs after Ann Lee's
    assert candidates(TEXT, later, MENTIONS, STARTS) == MENTIONS[1:]


def test_features_see_the_cue_between_and_the_side() -> None:
    features = pair_features(TEXT, [QUOTE], 0, MENTIONS[1], MENTIONS, CUES)
    assert {"side=after", "cue_between=after:True", "cue_before_mention=True", "type=name"} <= set(features)
    assert "side=before" in pair_features(TEXT, [QUOTE], 0, MENTIONS[0], MENTIONS, CUES)


def test_the_highest_scoring_candidate_above_none_is_chosen() -> None:
    by_cue = _linker(("cue_before_mention=True", 2.0))
    assert by_cue.choose(TEXT, [QUOTE], 0, MENTIONS, STARTS, CUES, [None]) == MENTIONS[1]
    before = _linker(("side=before", 1.0))
    assert before.choose(TEXT, [QUOTE], 0, MENTIONS, STARTS, CUES, [None]) == MENTIONS[0]
    nobody = _linker(("bias", -1.0))
    assert nobody.choose(TEXT, [QUOTE], 0, MENTIONS, STARTS, CUES, [None]) is None


def test_attribute_uses_the_linker_instead_of_the_nearest_mention_rule() -> None:
    (by_rule,) = attribute(TEXT, [QUOTE], MENTIONS, CUES, [])
    (learned,) = attribute(TEXT, [QUOTE], MENTIONS, CUES, [], linker=_linker(("side=before", 1.0)))
    assert by_rule.speaker is not None and by_rule.speaker.name == "Bob Roe"
    assert learned.speaker is not None and learned.speaker.name == "Ann Lee"


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    linker = _linker(("cue_before_mention=True", 2.0))
    linker.save(tmp_path)
    loaded = SpeakerLinker.load(tmp_path)
    assert loaded is not None and loaded.choose(TEXT, [QUOTE], 0, MENTIONS, STARTS, CUES, [None]) == MENTIONS[1]
    assert SpeakerLinker.load(tmp_path / "elsewhere") is None


@pytest.mark.parametrize("separator", ["\n", "\n\n", "\r\n\r\n", "\n\n\n"])
def test_the_paragraph_before_is_the_last_one_with_words_whatever_the_blank_lines(separator: str) -> None:
    text = f"Ann Lee spoke first.{separator}“We will win,” Bob Roe said."
    mentions = [TaggedSpan(0, 7), TaggedSpan(text.index("Bob"), text.index("Bob") + 7)]
    quote = TaggedSpan(text.index("“"), text.index("”") + 1)
    assert candidates(text, quote, mentions, [m.start for m in mentions]) == mentions


COMMENTS = '"We will win." ― Ann Lee\n"We lost," said Bob Roe.'


def _in_comments(fragment: str) -> TaggedSpan:
    start = COMMENTS.index(fragment)
    return TaggedSpan(start, start + len(fragment))


COMMENT_QUOTES = [_in_comments('"We will win."'), _in_comments('"We lost,"')]
COMMENTERS = [_in_comments("Ann Lee"), _in_comments("Bob Roe")]


def _comment_features(index: int, text: str = COMMENTS) -> dict[str, list[str]]:
    starts = [m.start for m in COMMENTERS]
    cues = [_in_comments("said")]
    rule_picks = COMMENTERS  # each comment's own commenter, as `choose_speaker` finds
    found = candidate_features(text, COMMENT_QUOTES, index, COMMENTERS, starts, cues, rule_picks)
    return {text[m.start : m.end]: features for m, features in found}


@pytest.mark.parametrize("dash", ["―", "—", "–", "-"])
def test_every_dash_is_one_word_and_a_line_break_is_one_too(dash: str) -> None:
    features = _comment_features(0, COMMENTS.replace("―", dash))
    assert "gap=after:—" in features["Ann Lee"]
    assert "gap=before:¶" in _comment_features(1)["Ann Lee"]


def test_features_see_the_lines_and_the_neighbours_speaker() -> None:
    (first,) = _comment_features(0).values()
    assert {"mention_edges=after:False:False:True", "quote_edges=after:True:False", "claimed=after:False:True"} <= set(
        first
    )
    second = _comment_features(1)
    assert {"claimed=before:True:False", "other_paragraph_quoted=before:True"} <= set(second["Ann Lee"])
    assert {"claimed=after:False:True", "other_paragraph_quoted=after:False"} <= set(second["Bob Roe"])


def test_a_mention_the_rule_gives_the_quotation_before_can_be_turned_down() -> None:
    starts, cues = [m.start for m in COMMENTERS], [_in_comments("said")]
    flat = _linker(("bias", 1.0))
    assert flat.choose(COMMENTS, COMMENT_QUOTES, 1, COMMENTERS, starts, cues, [COMMENTERS[0], None]) == COMMENTERS[0]
    wary = _linker(("bias", 1.0), ("claimed=before:True:False", -2.0))
    assert wary.choose(COMMENTS, COMMENT_QUOTES, 1, COMMENTERS, starts, cues, [COMMENTERS[0], None]) == COMMENTERS[1]


def test_the_model_card_describes_the_speaker_linker_only_where_the_model_has_one(model_copy: Path) -> None:
    from quoteattr.model.model_card import SPEAKER_LINKS_NOTE, render_card

    assert "## Speaker linker" not in render_card(model_copy)
    SpeakerLinker(np.zeros(DIMENSIONS, dtype=np.float32)).save(model_copy)
    card = render_card(model_copy)
    assert SPEAKER_LINKS_NOTE.strip() in card and "$" not in card
