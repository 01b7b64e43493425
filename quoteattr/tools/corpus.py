"""Read corpora: JSON Lines and Parquet files of records with an id and a text, one document each.

An archive of a million articles need not become a million files: `quoteattr predict corpus.jsonl`
reads the records one by one (Parquet a row group slice at a time), so memory stays flat. A record
that cannot be used becomes an `InputFileError` naming the file and the line (JSON Lines) or row
(Parquet), never an exception, and the records after it still run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from quoteattr.errors import InputFileError
from quoteattr.tools.reading import InputText

JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")
CORPUS_SUFFIXES = JSONL_SUFFIXES + PARQUET_SUFFIXES
DEFAULT_TEXT_FIELD = "text"
DEFAULT_ID_FIELD = "id"
_PARQUET_ROWS = 1024  # rows read at a time


def is_corpus(path: str) -> bool:
    """Whether `path` names a corpus file (by its suffix) rather than a text file."""
    return path.lower().endswith(CORPUS_SUFFIXES)


def check_corpus(
    path: str, text_field: str = DEFAULT_TEXT_FIELD, id_field: str = DEFAULT_ID_FIELD
) -> str | InputFileError:
    """`path` itself if it can be read as a corpus, else one `InputFileError` saying why (before any model loads).

    A Parquet file's schema must have both columns; a JSON Lines file must exist and hold a line.
    """
    try:
        if path.lower().endswith(PARQUET_SUFFIXES):
            names = _parquet_file(path).schema_arrow.names
            missing = [field for field in (text_field, id_field) if field not in names]
            if missing:
                return InputFileError(
                    f"{path}: no column {_names(missing)} (columns: {', '.join(names)}); {_hint(missing, text_field)}"
                )
            return path
        with open(path, "rb") as file:
            if not file.read(65536).strip():
                return InputFileError(f"{path}: empty file")
        return path
    except _Unreadable as error:
        return InputFileError(f"{path}: {error}")
    except OSError as error:
        return InputFileError(f"{path}: {_os_problem(error)}")


def iter_corpus(
    path: str, text_field: str = DEFAULT_TEXT_FIELD, id_field: str = DEFAULT_ID_FIELD
) -> Iterator[InputText | InputFileError]:
    """Each record of a corpus file as an `InputText` (`source` the path, `id` the record's id), in file order."""
    try:
        if path.lower().endswith(PARQUET_SUFFIXES):
            yield from _iter_parquet(path, text_field, id_field)
        else:
            yield from _iter_jsonl(path, text_field, id_field)
    except _Unreadable as error:
        yield InputFileError(f"{path}: {error}")
    except OSError as error:
        yield InputFileError(f"{path}: {_os_problem(error)}")


class _Unreadable(Exception):
    """The whole file cannot be read on (the message names the problem, not the file)."""


def _iter_jsonl(path: str, text_field: str, id_field: str) -> Iterator[InputText | InputFileError]:
    with open(path, "rb") as file:
        for number, raw in enumerate(file, start=1):
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                yield InputFileError(
                    f"{where}: not UTF-8 (invalid byte 0x{raw[error.start]:02x} at byte {error.start})"
                )
                continue
            try:
                record = json.loads(line.rstrip("\r\n"))
            except json.JSONDecodeError as error:
                problem = error.msg.removesuffix(" at")  # "Unterminated string starting at"
                problem = problem[:1].lower() + problem[1:]
                yield InputFileError(f"{where}: not valid JSON ({problem} at column {error.colno})")
                continue
            if not isinstance(record, dict):
                yield InputFileError(
                    f"{where}: expected a JSON object with {text_field!r} and {id_field!r}, found {_json_type(record)}"
                )
                continue
            yield _record(where, path, record, text_field, id_field)


def _iter_parquet(path: str, text_field: str, id_field: str) -> Iterator[InputText | InputFileError]:
    parquet = _parquet_file(path)
    names = parquet.schema_arrow.names
    missing = [field for field in (text_field, id_field) if field not in names]
    if missing:
        raise _Unreadable(f"no column {_names(missing)} (columns: {', '.join(names)}); {_hint(missing, text_field)}")
    row = 0
    for batch in parquet.iter_batches(batch_size=_PARQUET_ROWS, columns=list(dict.fromkeys([id_field, text_field]))):
        for record in batch.to_pylist():
            yield _record(f"{path}: row {row}", path, record, text_field, id_field)
            row += 1


def _record(
    where: str, source: str, record: dict[str, Any], text_field: str, id_field: str
) -> InputText | InputFileError:
    fields = ", ".join(map(str, record)) or "none"
    for field, option in ((text_field, "--text-field"), (id_field, "--id-field")):
        if field not in record:
            return InputFileError(f"{where}: no {field!r} field (fields: {fields}); name the field with {option}")
    text, key = record[text_field], record[id_field]
    if not isinstance(text, str):
        return InputFileError(f"{where}: {text_field!r} is {_json_type(text)}, expected a string")
    if not text.strip():
        return InputFileError(f"{where}: {text_field!r} is empty")
    if isinstance(key, bool) or not isinstance(key, str | int) or key == "":
        return InputFileError(
            f"{where}: {id_field!r} is {_json_type(key) if key != '' else 'empty'}, expected a string or a whole number"
        )
    return InputText(source, text, str(key))


def _parquet_file(path: str) -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise _Unreadable("reading Parquet needs pyarrow: pip install pyarrow") from None
    if not os.path.exists(path):
        raise FileNotFoundError(path)
    try:
        return pq.ParquetFile(path)
    except OSError as error:  # pyarrow's ArrowInvalid is a ValueError, its ArrowIOError an OSError
        raise _Unreadable(f"not a readable Parquet file ({error})") from None
    except ValueError as error:
        raise _Unreadable(f"not a Parquet file ({error})") from None


def _names(fields: list[str]) -> str:
    return " or ".join(repr(field) for field in fields)


def _hint(missing: list[str], text_field: str) -> str:
    return "name it with " + " and ".join("--text-field" if field == text_field else "--id-field" for field in missing)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _os_problem(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file or directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, IsADirectoryError):
        return "is a directory"
    return f"cannot read ({error.strerror or error})"
