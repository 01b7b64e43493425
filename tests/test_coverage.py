"""Quotation-mark coverage: mark pairing, statuses, exclusions file, and the shipped seed data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quoteattr.data.coverage import (
    EXCLUSIONS_FILE,
    coverage_report,
    load_exclusions,
    mark_spans,
    render_markdown,
    stale_exclusions,
)
from quoteattr.data.jsonl import load_documents
from quoteattr.errors import DataFormatError
from quoteattr.schema import Document, Quote, Speaker

DATA = Path(__file__).resolve().parents[1] / "data"

TEXT = (
    'Russia\'s envoy said "it is fake" on Monday.\n'
    "The senators' letter called it a “strategic pause”.\n"
    "\n"
    "Officials don’t deny the ‘Kremlin’s begging’ claim.\n"
    "“We will monitor this,\n"
    "“and we will act,” Kirby said.\n"
)


def _quote(text: str, start_needle: str, end_needle: str, speaker: str) -> Quote:
    start = text.index(start_needle)
    end = text.index(end_needle, start) + len(end_needle)
    return Quote(text[start:end], start, end, "direct", speaker=Speaker(speaker))


@pytest.fixture
def document() -> Document:
    quotes = (
        _quote(TEXT, '"it is fake"', '"it is fake"', "Vasily Nebenzya"),
        _quote(TEXT, "“We will monitor", "act,”", "John Kirby"),
    )
    return Document("doc", TEXT, quotes)


EXCLUSIONS = {("doc", "“strategic"): "label, not speech", ("other", "‘begging"): "another document"}


def test_mark_spans_skip_apostrophes_and_join_paragraphs() -> None:
    spans = [(span.start, span.end) for span in mark_spans(TEXT)]
    fake = TEXT.index('"it is fake"')
    pause = TEXT.index("“strategic pause”")
    begging = TEXT.index("‘Kremlin’s begging’")
    monitor = TEXT.index("“We will monitor")
    act_end = TEXT.index("act,”") + len("act,”")
    assert spans == [
        (fake, fake + len('"it is fake"')),
        (pause, pause + len("“strategic pause”")),
        (begging, begging + len("‘Kremlin’s begging’")),
        (monitor, act_end),
    ]
    assert [span.continued for span in mark_spans(TEXT)] == [False, False, False, True]


def test_unclosed_mark_ends_at_paragraph_end_when_next_paragraph_is_not_a_quotation() -> None:
    text = "He added: “no comment\nNothing else was said.\n"
    (span,) = mark_spans(text)
    assert (span.start, span.end, span.unclosed, span.continued) == (10, 21, True, False)


def test_stray_closing_double_mark_is_reported() -> None:
    (span,) = mark_spans("It was final” then.")
    assert (span.start, span.end, span.stray) == (12, 13, True)


def test_report_statuses(document: Document) -> None:
    rows = coverage_report([document], EXCLUSIONS)
    assert [(row.snippet[:10], row.status) for row in rows] == [
        ('"it is fak', "annotated"),
        ("“strategic", "excluded"),
        ("‘Kremlin’s", "unreviewed"),
        ("“We will m", "annotated"),
    ]
    assert rows[0].reason == "direct quote #0 (Vasily Nebenzya)"
    assert rows[1].reason == "label, not speech"
    assert rows[3].reason == "direct quote #1 (John Kirby) [multi-paragraph]"
    assert "\n" in rows[3].snippet


def test_span_partly_inside_a_quotation_is_unreviewed() -> None:
    text = 'She said "we will wait and see" today.'
    start = text.index("we will")
    quote = Quote(text[start : start + 7], start, start + 7, "mixed")
    (row,) = coverage_report([Document("d", text, (quote,))], {})
    assert row.status == "unreviewed"
    assert row.reason == "overlaps quote #0 but is not inside it"


def test_stale_exclusions_and_markdown(document: Document) -> None:
    rows = coverage_report([document], EXCLUSIONS)
    stale = stale_exclusions(rows, EXCLUSIONS)
    assert stale == [("other", "‘begging")]
    markdown = render_markdown(rows, stale)
    assert "Totals: 2 annotated, 1 excluded, 1 unreviewed." in markdown
    assert f"| doc | {TEXT.index('‘Kremlin’s begging’')} | ‘Kremlin’s begging’ | unreviewed |" in markdown
    assert " ⏎ " in markdown
    assert markdown.rstrip().endswith("- other: '‘begging'")


def test_load_exclusions(tmp_path: Path) -> None:
    path = tmp_path / "ex.json"
    path.write_text(json.dumps([{"doc_id": "d", "starts_with": "“x", "reason": "caption"}]), encoding="utf-8")
    assert load_exclusions(path) == {("d", "“x"): "caption"}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{}", "expected a JSON list"),
        ("[{]", "not a JSON file"),
        ('[{"doc_id": "d", "starts_with": "", "reason": "r"}]', "[0].starts_with: expected a non-empty string"),
        (
            '[{"doc_id": "d", "starts_with": "x", "reason": "r"}, {"doc_id": "d", "starts_with": "x", "reason": "s"}]',
            "[1]: duplicate exclusion",
        ),
    ],
)
def test_load_exclusions_rejects_bad_files(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "ex.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"ex\.json: ") as error:
        load_exclusions(path)
    assert problem in str(error.value)


def test_seed_data_has_no_unreviewed_span() -> None:
    exclusions = load_exclusions(DATA / EXCLUSIONS_FILE)
    rows = coverage_report(load_documents(DATA), exclusions)
    assert len(rows) == 53
    assert [row for row in rows if row.status == "unreviewed"] == []
    assert sum(row.status == "excluded" for row in rows) == len(exclusions)
    assert stale_exclusions(rows, exclusions) == []


def test_seed_coverage_page_is_up_to_date() -> None:
    exclusions = load_exclusions(DATA / EXCLUSIONS_FILE)
    rows = coverage_report(load_documents(DATA), exclusions)
    assert (DATA / "coverage.md").read_text(encoding="utf-8") == render_markdown(rows)
