"""Quotation marks versus apostrophes, the kind of a quotation span, paragraphs, sentences and head words."""

from __future__ import annotations

import pytest

from quoteattr.text import (
    head_word,
    initialism_end,
    is_mark,
    paragraph_bounds,
    paragraphs,
    previous_paragraph,
    quote_kind,
    sentence_start,
    trimmed,
)


def marks(text: str) -> list[int]:
    return [i for i in range(len(text)) if is_mark(text, i)]


@pytest.mark.parametrize(
    "text",
    [
        "don't",
        "Don’t",
        "Russia's plan",
        "Russia’s plan",
        "the senators' votes",
        "the senators’ votes",
        "the Koreas’ border",
        "in the ’90s",
        "back in '08, it rained",
        "rock'n'roll",
    ],
)
def test_apostrophes_are_not_marks(text: str) -> None:
    assert marks(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('he said "no" twice', [8, 11]),
        ("he said “no” twice", [8, 11]),
        ("«Non», dit-il", [0, 4]),
        ("„Ja“ sagte er", [0, 3]),
        ("‘yes’", [0, 4]),
        ("'yes'", [0, 4]),
        ("‘We back the senators’ he said", [0, 21]),  # a word-final mark closes an open single quotation
        ("'We back the senators' he said", [0, 21]),
        ("‘Yes’ said the senators’ aide", [0, 4]),  # closed already, so the second is an apostrophe
        ("'1990 was good'", [0, 14]),  # a year is not elided
        ("She wrote ''Go home.''", [10, 11, 20, 21]),  # doubled straight singles as double marks
        ("the ’90s\n‘senators’", [9, 18]),  # the open quotation of another paragraph does not count
    ],
)
def test_quotation_marks(text: str, expected: list[int]) -> None:
    assert marks(text) == expected


def test_marks_at_text_edges() -> None:
    assert is_mark('"', 0)
    assert is_mark("'", 0)
    assert is_mark("a'", 1) is False  # a word-final straight mark with nothing open
    assert is_mark("x", 0) is False


TEXT = 'He said: "We will win." Bob said the plan was "bold and new" today. Weather was fine.'


def span(text: str, inner: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(inner, start + 1)
    return start, start + len(inner)


@pytest.mark.parametrize(
    ("inner", "kind"),
    [
        ('"We will win."', "direct"),
        ('"We will win." ', "direct"),
        ('We will win."', "direct"),  # the opening mark touches the span from outside
        ("We will win.", "direct"),  # both marks outside, past the trimmed full stop
        ("We will win", "mixed"),  # the closing mark is beyond the full stop left out of the span
        ("will win", "indirect"),  # no mark in or touching the span
        ('the plan was "bold and new"', "mixed"),
        ('"bold and new" today', "mixed"),
        ("bold and new", "direct"),
        ("the plan was", "indirect"),
        ("Weather was fine", "indirect"),
        (". ", "indirect"),
    ],
)
def test_quote_kind(inner: str, kind: str) -> None:
    start, end = span(TEXT, inner)
    assert quote_kind(TEXT, start, end) == kind


@pytest.mark.parametrize(
    ("text", "inner", "kind"),
    [
        ("“We will fight on the beaches\n\n“We shall never surrender.”", "“We will fight on the beaches", "direct"),
        ("He said:\r\n“We will fight on\r\n\r\nNext.", "“We will fight on", "direct"),
        ("“We will fight on.\nNext paragraph.", "We will fight on", "direct"),
        ("“We will fight on the beaches and then", "“We will fight on the", "mixed"),  # open, but not at the end
        ("“We will fight,” he said, “and win.”", "“We will fight,” he said, “and win.”", "direct"),  # a split quote
        ("“We will fight,” he said, and win.", "“We will fight,” he said, and win", "mixed"),
        ("“Fight” is what he said.", "“Fight” is what he said", "mixed"),
        ("The senators' plan would fail.", "The senators' plan would fail", "indirect"),
        ("It was big in the ’90s, he said.", "It was big in the ’90s", "indirect"),
        ("He said ‘we won’ again.", "we won", "direct"),
        ("   ", "   ", "indirect"),
    ],
)
def test_quote_kind_edges(text: str, inner: str, kind: str) -> None:
    start, end = span(text, inner)
    assert quote_kind(text, start, end) == kind


def test_trimmed() -> None:
    text = "  “Hello, world.”  "
    assert trimmed(text, 0, len(text)) == (3, 15)
    assert text[3:15] == "Hello, world"
    assert trimmed('"(yes) - no!"', 0, 13) == (2, 11)
    assert trimmed("...", 0, 3) == (3, 3)
    assert trimmed("abc", 1, 1) == (1, 1)
    assert trimmed("a 'b' c", 2, 5) == (3, 4)
    assert trimmed("«Non» ‹oui›", 0, 11) == (1, 10)  # every quotation mark is trimmed


PARAGRAPHS = "First line.\n\n  Second, indented.  \r\n\n\nThird."


def test_a_paragraph_is_a_line() -> None:
    second = PARAGRAPHS.index("Second")
    assert paragraph_bounds(PARAGRAPHS, second) == (13, PARAGRAPHS.index("\r\n") + 1)  # the \r stays in the line
    assert paragraph_bounds(PARAGRAPHS, 0) == (0, 11)
    assert paragraph_bounds(PARAGRAPHS, len(PARAGRAPHS)) == (PARAGRAPHS.index("Third"), len(PARAGRAPHS))
    assert paragraph_bounds(PARAGRAPHS, 12) == (12, 12)  # a blank line


def test_the_previous_paragraph_skips_blank_lines() -> None:
    third = PARAGRAPHS.index("Third")
    start, end = previous_paragraph(PARAGRAPHS, third) or (0, 0)
    assert PARAGRAPHS[start:end].strip() == "Second, indented."
    assert previous_paragraph(PARAGRAPHS, PARAGRAPHS.index("Second")) == (0, 11)
    assert previous_paragraph(PARAGRAPHS, 3) is None


def test_paragraphs_are_the_lines_with_something_on_them_stripped() -> None:
    assert [PARAGRAPHS[s:e] for s, e in paragraphs(PARAGRAPHS)] == ["First line.", "Second, indented.", "Third."]
    assert paragraphs(" \n\t\n") == []


@pytest.mark.parametrize(
    ("text", "fragment", "start"),
    [
        ("He left. Then Anna Berg, the mayor, said so.", "said", "Then"),
        ("“We won.” Anna Berg said so.", "said", "Anna"),
        ("The U.S. envoy Anna Berg said so.", "said", "The"),  # no sentence end before a lower-case word
        ("Old news.\nAnna Berg said so.", "said", "Anna"),  # a paragraph starts a sentence
    ],
)
def test_sentence_start(text: str, fragment: str, start: str) -> None:
    assert sentence_start(text, text.index(fragment), 200) == text.index(start)


def test_no_sentence_start_out_of_reach() -> None:
    text = "x" * 300 + " Anna Berg said so."
    assert sentence_start(text, text.index("said"), 200) is None
    assert sentence_start(text, text.index("said"), 400) == 0


@pytest.mark.parametrize(
    ("phrase", "head"),
    [
        ("a spokesperson for the State Department", "spokesperson"),
        ("coordinator for communications John Kirby", "Kirby"),
        ("Jung Pak, deputy assistant secretary", "Pak"),
        ("Transport Secretary", "Secretary"),
        ("Russian Ambassador to North Korea", "Ambassador"),
        ("spokesman from the ministry", "spokesman"),
        ("analyst at Compass Point Research & Trading", "analyst"),  # a name joined by & is one name
        ("director of Information Programs and Services", "director"),
        ("Senators Marco Rubio and Bill Hagerty", "Hagerty"),
        ("much of which was proposed during President", "President"),  # a title ends the phrase: its head
        ("the officials,", "officials"),
        ("Sen. Lindsey Graham (R-S.C.)", "Graham"),  # a parenthesis is no part of the phrase
        ("Mr. Burman (a view echoed by everyone", "Burman"),
        ("(AP) officials", "officials"),
        ("Aaron Kall -- co-editor of a book on debates", "Kall"),  # nor is an aside after a dash
        ("", ""),
    ],
)
def test_head_word(phrase: str, head: str) -> None:
    assert head_word(phrase) == head


@pytest.mark.parametrize(
    ("text", "word", "closed"),
    [
        ("He spoke at the U.N. Then he left.", "U.N", True),
        ("They met in Washington, D.C. on Monday.", "D.C", True),
        ("It is the U.S.A.", "U.S.A", True),
        ("He said it. Then he left.", "it", False),  # a sentence's own period
        ("It is the UN. Then he left.", "UN", False),  # no period inside: no initialism
        ("Ask J. Smith.", "J", False),  # an initial alone is no initialism
    ],
)
def test_the_period_of_an_initialism_is_part_of_it(text: str, word: str, closed: bool) -> None:
    end = text.index(word) + len(word)
    assert initialism_end(text, end) == end + closed
