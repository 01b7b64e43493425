"""Write predictions as a rich table, JSON, JSON Lines, CSV or one self-contained HTML page.

`open_writer(fmt, stream)` gives a writer that takes one `DocumentResult` at a time; `close()` finishes
the output (closing brackets, the HTML page) and flushes, but leaves the stream itself open. The
stream is standard output (`utf8_stdout`) or an `OutputFile`, which is not emptied before the
first write.
"""

from __future__ import annotations

import csv
import html
import json
import sys
import textwrap
from abc import ABC, abstractmethod
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from types import TracebackType
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from quoteattr.errors import QuoteAttrError
from quoteattr.schema import SCHEMA_VERSION, Quote

CSV_COLUMNS = (
    "source",
    "start",
    "end",
    "kind",
    "type",
    "text",
    "speaker",
    "speaker_mention",
    "mention_start",
    "mention_end",
    "role",
    "cue",
    "cue_start",
    "cue_end",
    "score",
)
# ColorBrewer "Set3": twelve light colours that stay distinguishable and keep black text readable.
PALETTE = (
    "#8dd3c7",
    "#ffffb3",
    "#bebada",
    "#fb8072",
    "#80b1d3",
    "#fdb462",
    "#b3de69",
    "#fccde5",
    "#d9d9d9",
    "#bc80bd",
    "#ccebc5",
    "#ffed6f",
)
TABLE_QUOTE_CHARS = 80
UNATTRIBUTED = "unattributed"


@dataclass(frozen=True)
class DocumentResult:
    """The predicted quotations of one input text."""

    source: str
    text: str
    quotes: tuple[Quote, ...]
    id: str | None = None  # the record's id, for a document read from a corpus file

    @property
    def label(self) -> str:
        """What names the document in a table, a page or a CSV row: its id, else its source."""
        return self.source if self.id is None else self.id


def document_record(result: DocumentResult) -> dict[str, Any]:
    """The JSON record of one document: its id (corpus records), source, text length and quotations (not the text)."""
    return {
        "schema_version": SCHEMA_VERSION,
        **({"id": result.id} if result.id is not None else {}),
        "source": result.source,
        "length": len(result.text),
        "quotes": [quote.to_dict() for quote in result.quotes],
    }


class Writer(ABC):
    """Writes documents to a stream as they come; use `close()` (or a `with` block) to finish the output."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    @abstractmethod
    def write(self, result: DocumentResult) -> None:
        """Write (or, for a whole-page format, take in) one document."""

    def close(self) -> None:
        """Finish the output and flush the stream (which stays open)."""
        self.stream.flush()

    def __enter__(self) -> Writer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


class JsonlWriter(Writer):
    """One document record per line, flushed after each document."""

    def write(self, result: DocumentResult) -> None:
        self.stream.write(json.dumps(document_record(result), ensure_ascii=False) + "\n")
        self.stream.flush()


class JsonWriter(Writer):
    """One JSON object `{"schema_version": ..., "documents": [...]}`, streamed document by document."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.count = 0
        stream.write(f'{{"schema_version": {json.dumps(SCHEMA_VERSION)}, "documents": [')

    def write(self, result: DocumentResult) -> None:
        record = json.dumps(document_record(result), ensure_ascii=False, indent=2)
        self.stream.write(("," if self.count else "") + "\n" + textwrap.indent(record, "  "))
        self.count += 1
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n]}\n")
        super().close()


class CsvWriter(Writer):
    """One quotation per row under a header of `CSV_COLUMNS`; empty cells stand for missing values."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.rows = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n")
        self.rows.writeheader()

    def write(self, result: DocumentResult) -> None:
        self.rows.writerows(csv_row(result.label, quote) for quote in result.quotes)
        self.stream.flush()


def csv_row(source: str, quote: Quote) -> dict[str, Any]:
    """The CSV row of one quotation."""
    mention = quote.speaker.mention if quote.speaker else None
    return {
        "source": source,
        "start": quote.start,
        "end": quote.end,
        "kind": quote.kind,
        "type": quote.type,
        "text": quote.text,
        "speaker": quote.speaker.name if quote.speaker else None,
        "speaker_mention": mention.text if mention else None,
        "mention_start": mention.start if mention else None,
        "mention_end": mention.end if mention else None,
        "role": quote.role,
        "cue": quote.cue.text if quote.cue else None,
        "cue_start": quote.cue.start if quote.cue else None,
        "cue_end": quote.cue.end if quote.cue else None,
        "score": round(quote.score, 4),
    }


class TableWriter(Writer):
    """A rich table per document: shortened quotation, speaker, role, cue and score."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.console = Console(file=stream, highlight=False)

    def write(self, result: DocumentResult) -> None:
        if result.quotes:
            self.console.print(quote_table(result))
        else:
            self.console.print(Text(f"{result.label}: no quotations found"))
        self.stream.flush()


def quote_table(result: DocumentResult) -> Table:
    """The rich table of one document's quotations (cells are plain text, never console markup)."""
    table = Table(title=Text(result.label), title_justify="left", show_lines=True)
    for name in ("Quotation", "Speaker", "Role", "Cue"):
        table.add_column(name, overflow="fold")
    table.add_column("Score", justify="right")
    for quote in result.quotes:
        table.add_row(
            Text(shorten(quote.text, TABLE_QUOTE_CHARS)),
            Text(quote.speaker.name if quote.speaker else "—"),
            Text(quote.role or "—"),
            Text(quote.cue.text if quote.cue else "—"),
            f"{quote.score:.2f}",
        )
    return table


def speaker_colour(index: int) -> str:
    """The `index`-th speaker colour: the twelve of `PALETTE`, then light colours of other hues.

    Past the palette, hues step by the golden angle (137.5 degrees), so consecutive colours are
    far apart and none repeats for thousands of speakers; black text stays readable on them.
    """
    if index < len(PALETTE):
        return PALETTE[index]
    return f"hsl({(index - len(PALETTE)) * 137.508 % 360:.1f}, 70%, 82%)"


def shorten(text: str, width: int) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis when longer."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


class HtmlWriter(Writer):
    """One self-contained HTML page for all documents, written by `close()`.

    Each quotation is a `<mark class="quote" data-speaker=...>` in its speaker's colour (the same
    colour for the same name throughout the page); a CSS label shows the speaker and role without
    adding to the text, so the page's text of a document is exactly the document.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.colours: dict[str, str] = {}
        self.sections: list[str] = []
        self.quote_count = 0

    def colour(self, speaker: str) -> str:
        """The colour of `speaker`, given out in order of first appearance: no two speakers of a page share one."""
        return self.colours.setdefault(speaker, speaker_colour(len(self.colours)))

    def write(self, result: DocumentResult) -> None:
        quotes = sorted(result.quotes, key=lambda quote: (quote.start, quote.end))
        self.sections.append(self.section(result.label, result.text, quotes))
        self.quote_count += len(quotes)

    def section(self, source: str, text: str, quotes: list[Quote]) -> str:
        """The HTML of one document, its quotations sorted by offset."""
        found = counted(len(quotes), "quotation") if quotes else "no quotations found"
        return (
            f'<section class="document">\n<h2>{html.escape(source)}</h2>\n'
            f'<p class="meta">{found} · {counted(len(text), "character")}</p>\n{self.legend(quotes)}'
            f'<div class="text">{self.marked_text(text, quotes)}</div>\n</section>'
        )

    def legend(self, quotes: list[Quote]) -> str:
        """The speakers of a document in order of appearance, with their colours, roles and quotation counts."""
        said: dict[str, list[Quote]] = {}
        for quote in quotes:
            said.setdefault(_speaker_name(quote), []).append(quote)
        items = "".join(self.legend_item(name, speaker_quotes) for name, speaker_quotes in said.items())
        return f'<ul class="legend">{items}</ul>\n' if items else ""

    def legend_item(self, name: str, quotes: list[Quote]) -> str:
        roles = dict.fromkeys(quote.role for quote in quotes if quote.role)
        details = "; ".join([*roles, counted(len(quotes), "quotation")])
        return (
            f'<li><span class="swatch"{self.background(name)}></span>{html.escape(name or UNATTRIBUTED)} '
            f'<span class="meta">({html.escape(details)})</span></li>'
        )

    def background(self, name: str) -> str:
        """The style attribute colouring `name`'s quotations (none for unattributed ones: CSS styles those)."""
        return f' style="background: {self.colour(name)}"' if name else ""

    def marked_text(self, text: str, quotes: list[Quote]) -> str:
        """`text` escaped, each quotation wrapped in a mark by its offsets.

        Quotations must not overlap: a part already marked is not marked again.
        """
        pieces, cursor = [], 0
        for quote in quotes:
            start, end = max(quote.start, cursor), min(quote.end, len(text))
            if start < end:
                pieces += [html.escape(text[cursor:start], quote=False), self.mark(quote, text[start:end])]
                cursor = end
        pieces.append(html.escape(text[cursor:], quote=False))
        return "".join(pieces)

    def mark(self, quote: Quote, covered: str) -> str:
        """One quotation's `<mark>`, labelled (by CSS) with its speaker and role."""
        name = _speaker_name(quote)
        label = " · ".join(part for part in (name or UNATTRIBUTED, quote.role) if part)
        tip = f"{label} ({quote.kind}, score {quote.score:.2f})"
        return (
            f'<mark class="quote" data-speaker="{html.escape(name)}" data-kind="{quote.kind}"'
            f' data-label="{html.escape(label)}" title="{html.escape(tip)}"{self.background(name)}>'
            f"{html.escape(covered, quote=False)}</mark>"
        )

    def close(self) -> None:
        counts = (
            counted(len(self.sections), "document"),
            counted(self.quote_count, "quotation"),
            counted(len(self.colours), "speaker"),
        )
        page = Template(resources.files("quoteattr").joinpath("templates/report.html").read_text(encoding="utf-8"))
        self.stream.write(
            page.substitute(
                title="Quotations found by quoteattr",
                summary=", ".join(counts),
                documents="\n".join(self.sections) or '<p class="none">No documents.</p>',
            )
        )
        super().close()


def _speaker_name(quote: Quote) -> str:
    return quote.speaker.name if quote.speaker else ""


def counted(number: int, noun: str) -> str:
    """`1 document`, `2 documents`."""
    return f"{number} {noun}{'s' * (number != 1)}"


_WRITERS: dict[str, type[Writer]] = {
    "table": TableWriter,
    "json": JsonWriter,
    "jsonl": JsonlWriter,
    "csv": CsvWriter,
    "html": HtmlWriter,
}
FORMATS = tuple(_WRITERS)
EXTENSION_FORMATS = {".json": "json", ".jsonl": "jsonl", ".csv": "csv", ".html": "html", ".htm": "html"}


def format_for(path: Path) -> str:
    """The format a file is written in, by its extension (JSON Lines for any other)."""
    return EXTENSION_FORMATS.get(path.suffix.lower(), "jsonl")


def open_writer(fmt: str, stream: TextIO) -> Writer:
    """A writer of format `fmt` (one of `FORMATS`) on `stream`."""
    if fmt not in _WRITERS:
        raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return _WRITERS[fmt](stream)


class OutputFile:
    """A file to write results to, opened (and so emptied) at the first write, not before (`--output`).

    A run that fails before writing anything (a bad model) leaves an existing file as it was. A
    path that cannot be a file (a directory, a missing folder) fails at once, with a one-line
    `QuoteAttrError`, as does every write that fails.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: TextIO | None = None
        if path.is_dir() or not path.parent.is_dir():
            problem = "is a directory" if path.is_dir() else "no such directory"
            raise QuoteAttrError(f"{path}: cannot write ({problem})")

    def _open(self) -> TextIO:
        if self.file is None:
            try:
                self.file = self.path.open("w", encoding="utf-8", newline="")
            except OSError as error:
                raise QuoteAttrError(f"{self.path}: cannot write ({error.strerror})") from None
        return self.file

    def write(self, text: str) -> int:
        try:
            return self._open().write(text)
        except OSError as error:
            raise QuoteAttrError(f"{self.path}: cannot write ({error.strerror})") from None

    def flush(self) -> None:
        try:
            self._open().flush()
        except OSError as error:
            raise QuoteAttrError(f"{self.path}: cannot write ({error.strerror})") from None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def utf8_stdout() -> TextIO:
    """Standard output, set to UTF-8 (whatever the locale says) where it can be."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    return sys.stdout
