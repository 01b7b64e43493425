"""Quotation-mark coverage: is every span between quotation marks annotated, or excluded on purpose?

A span runs from an opening quotation mark to its closing mark. Marks pair within a paragraph (a
non-empty line); a mark left open at a paragraph end continues into the next paragraph when that
paragraph opens with a mark of the same family (the newspaper convention for long quotations),
and otherwise ends, unclosed, at the paragraph end. Apostrophes are not marks (`quoteattr.text.is_mark`),
and a single closing mark with no single quotation open is taken as an apostrophe (*the Koreas’*).

Every span is `annotated` (it lies inside an annotated quotation), `excluded` (a reviewed decision
from the exclusions file, e.g. a photo caption) or `unreviewed` (nobody has decided yet).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from quoteattr.errors import DataFormatError
from quoteattr.schema import Document
from quoteattr.text import CLOSING_MARKS, DOUBLE_MARKS, OPENING_MARKS, is_mark, paragraphs

CoverageStatus = Literal["annotated", "excluded", "unreviewed"]
STATUSES: tuple[CoverageStatus, ...] = ("annotated", "excluded", "unreviewed")
Exclusions = dict[tuple[str, str], str]
"""(document id, text the span starts with) -> reason the span is not annotated."""

EXCLUSIONS_FILE = "coverage_exclusions.json"
SNIPPET_CHARS = 60


@dataclass(frozen=True)
class MarkSpan:
    """A span delimited by quotation marks, `[start, end)`, with how its marks paired."""

    start: int
    end: int
    unclosed: bool = False
    continued: bool = False
    stray: bool = False

    def flags(self) -> list[str]:
        """Notes on unusual pairing, for the report."""
        notes = []
        if self.unclosed:
            notes.append("quotation mark never closed; span runs to paragraph end")
        if self.continued:
            notes.append("multi-paragraph")
        if self.stray:
            notes.append("stray closing mark")
        return notes


@dataclass(frozen=True)
class CoverageRow:
    """One quotation-mark span of a document and whether the annotation covers it."""

    doc_id: str
    start: int
    end: int
    snippet: str
    status: CoverageStatus
    reason: str = ""


def _family(char: str) -> str:
    return "double" if char in DOUBLE_MARKS else "single"


def _scan_mark(text: str, index: int, open_marks: dict[str, MarkSpan], spans: list[MarkSpan]) -> None:
    """Pair the mark at `index` (if it is one) with the open mark of its family."""
    if not is_mark(text, index):
        return
    char = text[index]
    family = _family(char)
    current = open_marks.get(family)
    if char in OPENING_MARKS or (char not in CLOSING_MARKS and current is None):
        if family == "single" and char not in OPENING_MARKS and index > 0 and text[index - 1].isalnum():
            return  # a straight ' after a word ends the word (the senators' letter)
        if current is not None:
            spans.append(MarkSpan(current.start, index, unclosed=True, continued=current.continued))
        open_marks[family] = MarkSpan(index, index)
    elif current is not None:
        spans.append(MarkSpan(current.start, index + 1, continued=current.continued))
        del open_marks[family]
    elif family == "double":
        spans.append(MarkSpan(index, index + 1, stray=True))


def _reopens(text: str, index: int, family: str) -> bool:
    """Whether the paragraph starting at `index` opens with a mark of `family`."""
    return is_mark(text, index) and _family(text[index]) == family and text[index] not in CLOSING_MARKS


def mark_spans(text: str) -> list[MarkSpan]:
    """Every span delimited by quotation marks in `text`, in order of start."""
    spans: list[MarkSpan] = []
    open_marks: dict[str, MarkSpan] = {}
    bounds = paragraphs(text)
    skip = -1  # the re-opening mark of a continuation paragraph
    for number, (start, end) in enumerate(bounds):
        for index in range(start, end):
            if index != skip:
                _scan_mark(text, index, open_marks, spans)
        following = bounds[number + 1][0] if number + 1 < len(bounds) else None
        for family, current in list(open_marks.items()):
            if following is not None and _reopens(text, following, family):
                open_marks[family] = MarkSpan(current.start, current.end, continued=True)
                skip = following
            else:
                spans.append(MarkSpan(current.start, end, unclosed=True, continued=current.continued))
                del open_marks[family]
    return sorted(spans, key=lambda span: (span.start, span.end))


def _snippet(text: str) -> str:
    return text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS] + "…"


def _annotation(document: Document, span: MarkSpan) -> tuple[CoverageStatus, str] | None:
    for number, quote in enumerate(document.quotes):
        if quote.start <= span.start and span.end <= quote.end:
            speaker = quote.speaker.name if quote.speaker else "no speaker"
            return "annotated", f"{quote.kind} quote #{number} ({speaker})"
    return None


def _exclusion(document: Document, span: MarkSpan, exclusions: Exclusions) -> str | None:
    quoted = document.text[span.start : span.end]
    for (doc_id, prefix), reason in exclusions.items():
        if doc_id == document.id and quoted.startswith(prefix):
            return reason
    return None


def _overlap_hint(document: Document, span: MarkSpan) -> str:
    for number, quote in enumerate(document.quotes):
        if quote.start < span.end and span.start < quote.end:
            return f"overlaps quote #{number} but is not inside it"
    return ""


def _row(document: Document, span: MarkSpan, exclusions: Exclusions) -> CoverageRow:
    found = _annotation(document, span)
    status: CoverageStatus
    if found is not None:
        status, reason = found
    else:
        excluded = _exclusion(document, span, exclusions)
        status, reason = (
            ("excluded", excluded) if excluded is not None else ("unreviewed", _overlap_hint(document, span))
        )
    flags = span.flags()
    if flags:
        reason = f"{reason} [{'; '.join(flags)}]".strip()
    snippet = _snippet(document.text[span.start : span.end])
    return CoverageRow(document.id, span.start, span.end, snippet, status, reason)


def coverage_report(documents: Iterable[Document], exclusions: Exclusions) -> list[CoverageRow]:
    """Every quotation-mark span of the documents with its status, ordered by document id and offset.

    An exclusion applies to a span of its document whose text starts with its `starts_with` string;
    a span inside an annotated quotation is `annotated` whatever the exclusions say.
    """
    rows = [_row(document, span, exclusions) for document in documents for span in mark_spans(document.text)]
    return sorted(rows, key=lambda row: (row.doc_id, row.start, row.end))


def stale_exclusions(rows: Iterable[CoverageRow], exclusions: Exclusions) -> list[tuple[str, str]]:
    """Exclusion keys that excluded no span (the text changed, or the span is now annotated)."""
    excluded = [row for row in rows if row.status == "excluded"]
    return sorted(
        key
        for key in exclusions
        if not any(row.doc_id == key[0] and row.snippet.startswith(key[1]) for row in excluded)
    )


def _exclusion_problems(entry: Any, index: int) -> list[str]:
    if not isinstance(entry, dict):
        return [f"[{index}]: expected an object with doc_id, starts_with and reason, found {type(entry).__name__}"]
    problems = []
    for key in ("doc_id", "starts_with", "reason"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"[{index}].{key}: expected a non-empty string, found {value!r}")
    prefix = entry.get("starts_with")
    if isinstance(prefix, str) and len(prefix) > SNIPPET_CHARS:
        problems.append(f"[{index}].starts_with: longer than {SNIPPET_CHARS} characters ({len(prefix)})")
    return problems


def load_exclusions(path: str | Path) -> Exclusions:
    """Read reviewed exclusions: a JSON list of `{"doc_id", "starts_with", "reason"}` objects."""
    path = Path(path)
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DataFormatError(f"{path}: cannot read ({error.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataFormatError(f"{path}: not a JSON file ({error})") from None
    if not isinstance(entries, list):
        raise DataFormatError(f"{path}: expected a JSON list of exclusions, found {type(entries).__name__}")
    exclusions: Exclusions = {}
    for index, entry in enumerate(entries):
        problems = _exclusion_problems(entry, index)
        if problems:
            raise DataFormatError(f"{path}: {problems[0]}")
        key = (entry["doc_id"], entry["starts_with"])
        if key in exclusions:
            raise DataFormatError(f"{path}: [{index}]: duplicate exclusion for {key[0]} {key[1]!r}")
        exclusions[key] = entry["reason"]
    return exclusions


def _cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ⏎ ")


def render_markdown(rows: Sequence[CoverageRow], stale: Sequence[tuple[str, str]] = ()) -> str:
    """The coverage report as a Markdown page: totals, one table row a span, stale exclusions."""
    counts = {status: sum(row.status == status for row in rows) for status in STATUSES}
    lines = [
        "# Quotation-mark coverage",
        "",
        "Generated by `quoteattr data coverage` (`quoteattr.data.coverage`). Every span delimited by",
        'quotation marks (" “ ” ‘ ’) in the documents, with its status: `annotated` (the span lies',
        "inside an annotated quote record; quote numbers are the 0-based index in the document's",
        f"`quotes` list), `excluded: <reason>` (a reviewed decision in `{EXCLUSIONS_FILE}`) or",
        "`unreviewed` (to be annotated or excluded).",
        "",
        "Totals: " + ", ".join(f"{counts[status]} {status}" for status in STATUSES) + ".",
        "",
        "| document | offset | span (first 60 chars) | status |",
        "|---|---:|---|---|",
    ]
    for row in rows:
        status = f"{row.status}: {row.reason}" if row.reason else row.status
        lines.append(f"| {row.doc_id} | {row.start} | {_cell(row.snippet)} | {_cell(status)} |")
    if stale:
        lines += ["", "## Stale exclusions", "", *(f"- {doc_id}: {prefix!r}" for doc_id, prefix in stale)]
    return "\n".join(lines) + "\n"
