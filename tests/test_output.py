"""The prediction writers: every format written from hand-made quotations and read back."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quoteattr.errors import QuoteAttrError
from quoteattr.schema import SCHEMA_VERSION, Quote, Span, Speaker
from quoteattr.tools.output import (
    CSV_COLUMNS,
    FORMATS,
    PALETTE,
    DocumentResult,
    OutputFile,
    document_record,
    format_for,
    open_writer,
)

TEXT = (
    "“We will win 😀,\nwe will,” said Jane Doe, the mayor.\n"
    'John Roe, a senator, said "<script>alert(1)</script> is not a plan."\n'
    "“Never.”“Not today.” Doe said."
)


def span(text: str, occurrence: int = 0) -> Span:
    """The span of the `occurrence`-th appearance of `text` in TEXT."""
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(text, start + 1)
    return Span.of(TEXT, start, start + len(text))


def quote(text: str, speaker: Speaker | None, role: str | None, cue: Span | None, score: float) -> Quote:
    where = span(text)
    return Quote(where.text, where.start, where.end, "direct", speaker, role, cue, score)


JANE = Speaker("Jane Doe", span("Jane Doe"))
JOHN = Speaker("John Roe", span("John Roe"))
QUOTES = (
    quote("“We will win 😀,\nwe will,”", JANE, "mayor", span("said"), 0.912),
    quote('"<script>alert(1)</script> is not a plan."', JOHN, "senator", span("said", 1), 0.876),
    quote("“Never.”", Speaker("Jane Doe", span("Doe", 1)), None, span("said", 2), 0.5),
    quote("“Not today.”", None, None, None, 0.25),
)
RESULTS = (DocumentResult("news/a.txt", TEXT, QUOTES), DocumentResult("empty.txt", "Nothing quoted here.", ()))


def written(fmt: str, results: tuple[DocumentResult, ...] = RESULTS) -> str:
    stream = io.StringIO()
    with open_writer(fmt, stream) as writer:
        for result in results:
            writer.write(result)
    return stream.getvalue()


def test_quotes_index_the_text() -> None:
    assert [TEXT[q.start : q.end] for q in QUOTES] == [q.text for q in QUOTES]
    assert QUOTES[2].end == QUOTES[3].start  # adjacent quotations


def test_document_record() -> None:
    record = document_record(RESULTS[1])
    assert record == {"schema_version": SCHEMA_VERSION, "source": "empty.txt", "length": 20, "quotes": []}


def test_json_holds_every_field() -> None:
    data = json.loads(written("json"))
    assert data["schema_version"] == SCHEMA_VERSION
    assert [doc["source"] for doc in data["documents"]] == ["news/a.txt", "empty.txt"]
    first = data["documents"][0]
    assert first["length"] == len(TEXT)
    assert "text" not in first
    assert first["quotes"][0] == {
        "text": "“We will win 😀,\nwe will,”",
        "start": 0,
        "end": 25,
        "kind": "direct",
        "type": "quotation",
        "speaker": {
            "name": "Jane Doe",
            "mention": {"text": "Jane Doe", "start": 31, "end": 39},
            "aliases": [],
        },
        "role": "mayor",
        "cue": {"text": "said", "start": 26, "end": 30},
        "score": 0.912,
    }
    assert first["quotes"][3]["speaker"] is None
    assert first["quotes"][3]["cue"] is None
    assert [TEXT[q["start"] : q["end"]] for q in first["quotes"]] == [q.text for q in QUOTES]
    assert data["documents"][1]["quotes"] == []


def test_json_without_documents_is_valid() -> None:
    assert json.loads(written("json", ())) == {"schema_version": SCHEMA_VERSION, "documents": []}


def test_json_is_streamed_per_document() -> None:
    stream = io.StringIO()
    writer = open_writer("json", stream)
    writer.write(RESULTS[0])
    assert '"source": "news/a.txt"' in stream.getvalue()
    writer.close()
    assert json.loads(stream.getvalue())["documents"][0]["source"] == "news/a.txt"


def test_jsonl_writes_one_record_per_line_as_documents_come() -> None:
    stream = io.StringIO()
    writer = open_writer("jsonl", stream)
    writer.write(RESULTS[0])
    assert stream.getvalue().count("\n") == 1
    writer.write(RESULTS[1])
    writer.close()
    lines = stream.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [document_record(result) for result in RESULTS]


def test_csv_rows_read_back() -> None:
    rows = list(csv.DictReader(io.StringIO(written("csv"), newline="")))
    assert len(rows) == len(QUOTES)
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [TEXT[int(row["start"]) : int(row["end"])] for row in rows] == [q.text for q in QUOTES]
    assert [row["text"] for row in rows] == [q.text for q in QUOTES]  # newline and straight quotes survive
    assert rows[0] == {
        "source": "news/a.txt",
        "start": "0",
        "end": "25",
        "kind": "direct",
        "type": "quotation",
        "text": "“We will win 😀,\nwe will,”",
        "speaker": "Jane Doe",
        "speaker_mention": "Jane Doe",
        "mention_start": "31",
        "mention_end": "39",
        "role": "mayor",
        "cue": "said",
        "cue_start": "26",
        "cue_end": "30",
        "score": "0.912",
    }
    assert TEXT[int(rows[1]["mention_start"]) : int(rows[1]["mention_end"])] == "John Roe"
    assert (rows[3]["speaker"], rows[3]["role"], rows[3]["cue_start"]) == ("", "", "")


def test_csv_without_quotations_has_only_the_header() -> None:
    assert written("csv", RESULTS[1:]) == ",".join(CSV_COLUMNS) + "\n"


def test_table_shows_speakers_scores_and_empty_documents() -> None:
    output = written("table")
    for expected in ("news/a.txt", "Jane Doe", "John Roe", "senator", "0.91", "0.88", "0.25"):
        assert expected in output
    assert "empty.txt: no quotations found" in output
    assert "<script>alert(1)</script>" in output  # plain text, not console markup


def test_table_shortens_long_quotations() -> None:
    long_text = "“" + "word " * 40 + "end.”"
    long_quote = Quote(long_text, 0, len(long_text), "direct", Speaker("Ann Lee"))
    output = written("table", (DocumentResult("long.txt", long_text, (long_quote,)),))
    assert "…" in output
    assert "end.”" not in output


def marks(page: str) -> list[str]:
    return re.findall(r'<mark class="quote" data-speaker="([^"]*)"', page)


def document_text(page: str, index: int = 0) -> str:
    """The text of the `index`-th document of an HTML page, tags stripped and entities unescaped."""
    body = re.findall(r'<div class="text">(.*?)</div>', page, flags=re.DOTALL)[index]
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_html_marks_each_quotation_by_speaker() -> None:
    page = written("html")
    assert page.count('<mark class="quote"') == len(QUOTES)
    assert marks(page) == ["Jane Doe", "John Roe", "Jane Doe", ""]
    colours = re.findall(r'<mark class="quote"[^>]*?(?:style="background: (#\w+)")?>', page)
    assert colours == [PALETTE[0], PALETTE[1], PALETTE[0], ""]
    assert 'data-label="John Roe · senator"' in page
    assert 'data-label="unattributed"' in page
    assert "<title>Quotations found by quoteattr</title>" in page


def test_html_gives_every_speaker_of_a_document_its_own_colour() -> None:
    """Twelve palette colours were cycled: a page's 13th speaker got the 1st one's colour."""
    names = [f"Speaker {chr(65 + i)}" for i in range(30)]
    text = " ".join(f'"Q{i}," said {name}.' for i, name in enumerate(names))
    quotes = []
    for i, name in enumerate(names):
        start = text.index(f'"Q{i},"')
        quotes.append(Quote(f'"Q{i},"', start, start + len(f'"Q{i},"'), "direct", Speaker(name)))
    first = DocumentResult("a.txt", text, tuple(quotes[:8]))
    second = DocumentResult("b.txt", text, tuple(quotes))
    page = written("html", (first, second))
    second_section = page[page.index("<h2>b.txt</h2>") :]
    colours = re.findall(r'<mark class="quote"[^>]*? style="background: ([^"]+)"', second_section)
    assert len(colours) == len(set(colours)) == 30


def test_html_text_reassembles_the_documents() -> None:
    page = written("html")
    assert document_text(page, 0) == TEXT
    assert document_text(page, 1) == "Nothing quoted here."
    assert "“Never.”</mark><mark" in page  # adjacent quotations stay two marks


def test_html_escapes_and_is_self_contained() -> None:
    page = written("html")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"\b(src|href)=|@import|url\(", page)
    assert "white-space: pre-wrap" in page


def test_html_legend_and_empty_document() -> None:
    page = written("html")
    legend = re.findall(r'<ul class="legend">(.*?)</ul>', page)
    assert len(legend) == 1  # the empty document has none
    assert re.findall(r'</span>([^<]+) <span class="meta">\(([^)]*)\)', legend[0]) == [
        ("Jane Doe", "mayor; 2 quotations"),
        ("John Roe", "senator; 1 quotation"),
        ("unattributed", "1 quotation"),
    ]
    assert "no quotations found" in page
    assert "2 documents, 4 quotations, 2 speakers" in page


def test_html_overlapping_quotations_keep_the_text() -> None:
    outer, inner = span("John Roe, a senator"), span("a senator")
    overlapping = (
        Quote(outer.text, outer.start, outer.end, "indirect", JOHN),
        Quote(inner.text, inner.start, inner.end, "indirect", JANE),
    )
    page = written("html", (DocumentResult("x.txt", TEXT, overlapping),))
    assert marks(page) == ["John Roe"]
    assert document_text(page) == TEXT


def test_html_without_documents() -> None:
    page = written("html", ())
    assert "No documents." in page
    assert marks(page) == []


def test_unknown_format() -> None:
    assert FORMATS == ("table", "json", "jsonl", "csv", "html")
    with pytest.raises(ValueError, match="unknown output format 'xml'; choose one of table, json, jsonl, csv, html"):
        open_writer("xml", io.StringIO())


def test_writers_do_not_import_torch() -> None:
    code = "import sys, quoteattr.tools.output, quoteattr.tools.reading; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_an_output_file_is_emptied_only_by_the_first_write(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("earlier results\n", encoding="utf-8")
    output = OutputFile(path)
    output.close()  # nothing written: a run that failed before its first result
    assert path.read_text(encoding="utf-8") == "earlier results\n"
    output = OutputFile(path)
    output.write("new\n")
    output.close()
    assert path.read_text(encoding="utf-8") == "new\n"
    for bad in (tmp_path, tmp_path / "missing" / "out.jsonl"):
        with pytest.raises(QuoteAttrError, match="cannot write"):
            OutputFile(bad)
    assert format_for(Path("a.HTM")) == "html" and format_for(Path("a.txt")) == "jsonl"
