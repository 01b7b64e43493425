"""Corpus inputs: JSON Lines and Parquet records with an id and a text; a bad record is one error, the rest run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quoteattr.cli import app
from quoteattr.errors import InputFileError
from quoteattr.tools.corpus import check_corpus, is_corpus, iter_corpus
from quoteattr.tools.reading import InputText

GOOD = '"We will not back down," said Senator Jane Doe.'
LINES = [
    json.dumps({"id": "a1", "text": GOOD}),
    "",  # blank lines are skipped, but still counted
    '{"id": "a2", "text": "broken',  # malformed JSON
    json.dumps(["not", "an", "object"]),
    json.dumps({"id": "a4", "body": GOOD}),
    json.dumps({"id": "a5", "text": 17}),
    json.dumps({"text": GOOD}),
    json.dumps({"id": 6, "text": "Doe said: “It is over.”"}),
    json.dumps({"id": "a7", "text": "   "}),
]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def test_is_corpus() -> None:
    assert is_corpus("a/b.jsonl") and is_corpus("B.PARQUET") and not is_corpus("a.txt") and not is_corpus("a.json")


def test_jsonl_records_and_one_error_per_bad_line(corpus: Path) -> None:
    items = list(iter_corpus(str(corpus)))
    texts = [item for item in items if isinstance(item, InputText)]
    assert [(t.id, t.source) for t in texts] == [("a1", str(corpus)), ("6", str(corpus))]
    errors = [str(item) for item in items if isinstance(item, InputFileError)]
    assert errors == [
        f"{corpus}:3: not valid JSON (unterminated string starting at column 22)",
        f"{corpus}:4: expected a JSON object with 'text' and 'id', found a list",
        f"{corpus}:5: no 'text' field (fields: id, body); name the field with --text-field",
        f"{corpus}:6: 'text' is a number, expected a string",
        f"{corpus}:7: no 'id' field (fields: text); name the field with --id-field",
        f"{corpus}:9: 'text' is empty",
    ]


def test_other_field_names_and_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'{"doc": "x", "body": "He said so."}\n{"doc": "y", "body": "caf\xe9"}\n')
    items = list(iter_corpus(str(path), text_field="body", id_field="doc"))
    assert isinstance(items[0], InputText) and items[0].id == "x"
    assert str(items[1]) == f"{path}:2: not UTF-8 (invalid byte 0xe9 at byte 25)"


def test_check_corpus(tmp_path: Path) -> None:
    missing, empty = tmp_path / "missing.jsonl", tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    assert str(check_corpus(str(missing))) == f"{missing}: no such file or directory"
    assert str(check_corpus(str(empty))) == f"{empty}: empty file"


def test_parquet_records_rows_and_columns(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow", reason="Parquet corpora need pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "corpus.parquet"
    table = pa.table({"key": ["p1", "p2", "p3"], "body": [GOOD, None, "Doe said: “It is over.”"], "x": [1, 2, 3]})
    pq.write_table(table, path)
    items = list(iter_corpus(str(path), text_field="body", id_field="key"))
    assert [item.id for item in items if isinstance(item, InputText)] == ["p1", "p3"]
    assert [str(item) for item in items if isinstance(item, InputFileError)] == [
        f"{path}: row 1: 'body' is null, expected a string"
    ]
    assert check_corpus(str(path), "body", "key") == str(path)
    assert str(check_corpus(str(path))) == (
        f"{path}: no column 'text' or 'id' (columns: key, body, x); name it with --text-field and --id-field"
    )
    not_parquet = tmp_path / "fake.parquet"
    not_parquet.write_text("hello", encoding="utf-8")
    assert "not a Parquet file" in str(check_corpus(str(not_parquet)))


def test_cli_predicts_a_corpus_keyed_by_id_and_reports_bad_lines(
    tiny_model: Path, corpus: Path, tmp_path: Path
) -> None:
    text_file = tmp_path / "article.txt"
    text_file.write_text(GOOD, encoding="utf-8")
    args = ["predict", str(corpus), str(text_file), "--model", str(tiny_model), "--device", "cpu", "-f", "jsonl"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r.get("id"), r["source"]) for r in records] == [
        ("a1", str(corpus)),
        ("6", str(corpus)),
        (None, str(text_file)),
    ]
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped:")]
    assert len(skipped) == 6 and f"{corpus}:3: not valid JSON" in skipped[0]
    assert "6 of 9 inputs failed" in result.stderr


def test_cli_missing_corpus_fails_before_loading_the_model(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["predict", str(tmp_path / "none.parquet"), "--model", str(tmp_path)])
    assert result.exit_code == 1
    assert "none.parquet: no such file or directory" in result.stderr
