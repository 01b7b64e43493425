"""Spans → quotations: candidates in text order, joined fragments, scores, offsets and the decision hook."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from quoteattr.attribution.decisions import DECISIONS, DIMENSIONS, QuotationDecider, hashed
from quoteattr.attribution.pipeline import attribute
from quoteattr.attribution.quotations import decided, quotation_candidates
from quoteattr.attribution.spans import TaggedSpan
from tests.tagged import at, check_offsets, link, who


def test_output_is_in_text_order_with_combined_scores() -> None:
    text = '"We will see," Carl Dunn said. Anna Berg said the vote was close.'
    quotes = [at(text, "the vote was close", score=0.5), at(text, '"We will see,"', score=0.81)]
    speakers = [at(text, "Anna Berg", score=0.98), at(text, "Carl Dunn", score=0.64)]
    cues = [at(text, "said", 1), at(text, "said")]
    result = attribute(text, quotes, speakers, cues, [])
    check_offsets(text, result)
    assert [q.text for q in result] == ['"We will see,"', "the vote was close"]
    assert result[0].score == 0.72  # sqrt(0.81 * 0.64)
    assert result[1].score == 0.7  # sqrt(0.5 * 0.98)
    assert [q.cue.start if q.cue else None for q in result] == [cues[1].start, cues[0].start]
    alone = attribute(text, [at(text, "the vote was close", score=0.37)], [], [], [])
    assert alone[0].score == 0.37 and alone[0].speaker is None and alone[0].cue is None


def test_no_quotes_no_output() -> None:
    assert attribute("Anna Berg said nothing.", [], [TaggedSpan(0, 9)], [TaggedSpan(10, 14)], []) == []
    assert attribute("", [], [], [], []) == []


def test_every_span_matches_the_text_with_crlf_and_unicode() -> None:
    text = "Café owner Zoë Ångström said:\r\n\r\n“We’re open — always.”\r\n\r\n“Même le dimanche,” she added. 🙂"
    result = link(
        text,
        ["“We’re open — always.”", "“Même le dimanche,”"],
        ["Zoë Ångström", "she"],
        ["said", "added"],
        ["Café owner"],
    )
    assert [q.kind for q in result] == ["direct", "direct"]
    assert who(result[0]) == ("Zoë Ångström", "Zoë Ångström")
    assert who(result[1]) == ("Zoë Ångström", "she")
    assert result[0].role == result[1].role == "Café owner"


def test_a_lone_that_opening_the_content_joins_the_content_after_it() -> None:
    text = "Spokeswoman He Yadong told a briefing that China would take measures. She gave no details."
    (quote,) = link(text, ["that", "China would take measures"], ["Spokeswoman He Yadong", "She"], ["told"])
    assert quote.text == "that China would take measures"
    assert who(quote) == ("He Yadong", "Spokeswoman He Yadong")
    first, second = link(text, ["told", "China would take measures"], ["Spokeswoman He Yadong"])
    assert (first.text, second.text) == ("told", "China would take measures")  # only a complementizer joins


def test_candidates_are_in_text_order_with_a_lone_complementizer_joined() -> None:
    text = "She said that prices rise. Whether wages follow is open."
    tagged = [at(text, "wages follow is open"), at(text, "prices rise"), at(text, "that")]
    assert [text[c.start : c.end] for c in quotation_candidates(text, tagged)] == [
        "that prices rise",
        "wages follow is open",
    ]


@pytest.mark.parametrize(
    ("fragment", "rest", "joins"),
    [
        ("However", "debates in and of themselves are not likely to alter the race", True),
        ("In addition", "the campaign plans to release more records", True),
        ("then,", "was that Trump had attacked his family", True),
        ("That’s why", "the party should plan ahead", True),  # an apostrophe is no quotation mark
        ("“Never,”", "the party should plan ahead", False),  # a quotation of its own
        ("It failed.", "The party should plan ahead", False),  # a sentence of its own
        ("The party leaders in the House", "should plan ahead", False),  # more than a fragment
    ],
)
def test_a_fragment_opening_the_content_joins_the_span_after_it(fragment: str, rest: str, joins: bool) -> None:
    text = f"He said {fragment}{', ' if not fragment.endswith((',', '.')) else ' '}{rest}."
    candidates = quotation_candidates(text, [at(text, fragment), at(text, rest)])
    texts = [text[c.start : c.end] for c in candidates]
    assert texts == ([text[text.index(fragment) : text.index(rest) + len(rest)]] if joins else [fragment, rest])


def _always(decision: str) -> QuotationDecider:
    weights = np.zeros((len(DECISIONS), DIMENSIONS), dtype=np.float32)
    weights[DECISIONS.index(decision), hashed(["bias"])[0]] = 5.0
    return QuotationDecider(weights)


def test_the_decision_keeps_quotations_and_other_attributions_only_when_asked() -> None:
    text = "Anna Berg said the vote was close."
    linked = link(text, ["the vote was close"], ["Anna Berg"], ["said"])
    assert decided(text, linked, None) == linked
    assert decided(text, linked, _always("other")) == []
    assert [q.type for q in decided(text, linked, _always("other"), all_attributions=True)] == ["other"]
    assert [q.type for q in decided(text, linked, _always("quotation"))] == ["quotation"]
    assert decided(text, linked, _always("not")) == []


def test_the_attribution_passes_import_no_torch() -> None:
    code = "import sys, quoteattr.attribution.pipeline; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
