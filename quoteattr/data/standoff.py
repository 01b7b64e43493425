"""Standoff datasets: annotations kept apart from the texts they annotate.

The gold news corpus (`data/news/`) annotates PolNeAR articles whose texts stay in the shared data
folder, out of the repository. A standoff record has no `text`; it names its `source` (a JSONL
file under the shared `data/` folder, e.g. `polnear/train.jsonl`), the text's checksum, and per
span its offsets and a checksum of the text they cover. `join_record` turns it into an ordinary
dataset record, so everything downstream reads it like any other JSONL.

The shared folder is `$QUOTEATTR_SHARED` when set, else the nearest `shared/` folder beside an
ancestor of the dataset file (the repository's `../shared`).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from quoteattr.errors import DataFormatError

SHARED_ENV = "QUOTEATTR_SHARED"
CHECKSUM_CHARS = 10


def checksum(text: str) -> str:
    """The short SHA-1 a standoff file stores for a text or a span's text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:CHECKSUM_CHARS]


def is_standoff(record: Any) -> bool:
    """Whether a decoded record is a standoff record (a `source` and no `text`)."""
    return isinstance(record, dict) and "text" not in record and "source" in record


def shared_folder(dataset: Path) -> Path | None:
    """The shared folder that holds the texts of a standoff dataset file, or None if none is found."""
    if os.environ.get(SHARED_ENV):
        return Path(os.environ[SHARED_ENV])
    for ancestor in dataset.resolve().parents:
        candidate = ancestor / "shared"
        if (candidate / "data").is_dir():
            return candidate
    return None


@cache
def _texts(source: Path, modified: int) -> dict[str, str]:
    """Document id -> text of a source file (cached per path and modification time)."""
    texts: dict[str, str] = {}
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                texts[record["id"]] = record["text"]
    return texts


def source_text(dataset: Path, source: str, doc_id: str) -> str:
    """The text of `doc_id` in the shared `source` file, with an error saying how to fix a missing one."""
    shared = shared_folder(dataset)
    if shared is None:
        raise DataFormatError(
            f"document {doc_id}: its text lives in the shared data folder ({source}), which was not found "
            f"beside the repository; put it at ../shared or set {SHARED_ENV} to its path"
        )
    path = shared / "data" / source
    if not path.is_file():
        raise DataFormatError(
            f"document {doc_id}: text source {path} not found (set {SHARED_ENV} to the shared folder)"
        )
    try:
        texts = _texts(path, path.stat().st_mtime_ns)
    except (OSError, ValueError, KeyError) as error:
        raise DataFormatError(f"document {doc_id}: cannot read text source {path} ({error})") from None
    if doc_id not in texts:
        raise DataFormatError(f"document {doc_id}: not in text source {path}")
    return texts[doc_id]


def _join_span(value: Any, text: str, field: str, doc_id: str) -> Any:
    """Check a span's checksum against the text and give it back with its text."""
    if not isinstance(value, dict) or "sha1" not in value:
        return value
    start, end = value.get("start"), value.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end <= len(text):
        return value  # record validation names the bad offsets
    piece = text[start:end]
    if checksum(piece) != value["sha1"]:
        raise DataFormatError(
            f"document {doc_id}: {field}: checksum mismatch at [{start}, {end}): the shared text changed or the "
            "offsets are wrong"
        )
    joined = {key: item for key, item in value.items() if key != "sha1"}
    joined["text"] = piece
    return joined


def join_record(record: dict[str, Any], dataset: Path) -> dict[str, Any]:
    """An ordinary dataset record from a standoff one: its text joined, every checksum verified."""
    doc_id = str(record.get("id"))
    source = record.get("source")
    if not isinstance(source, str):
        raise DataFormatError(f"document {doc_id}: source: expected a file name under the shared data folder")
    text = source_text(dataset, source, doc_id)
    if "text_sha1" in record and checksum(text) != record["text_sha1"]:
        raise DataFormatError(f"document {doc_id}: the text in {source} does not match the annotation's checksum")
    joined: dict[str, Any] = {key: value for key, value in record.items() if key not in ("source", "text_sha1")}
    joined["text"] = text
    quotes = []
    for index, quote in enumerate(record.get("quotes") or []):
        field = f"quotes[{index}]"
        quote = _join_span(quote, text, field, doc_id)
        if isinstance(quote, dict):
            for key in ("speaker", "cue"):
                quote[key] = _join_span(quote.get(key), text, f"{field}.{key}", doc_id)
        quotes.append(quote)
    joined["quotes"] = quotes
    entities = []
    for index, entity in enumerate(record.get("entities") or []):
        if isinstance(entity, dict):
            entity = dict(entity)
            for key in ("roles", "mentions"):
                entity[key] = [
                    _join_span(span, text, f"entities[{index}].{key}[{number}]", doc_id)
                    for number, span in enumerate(entity.get(key) or [])
                ]
        entities.append(entity)
    if "entities" in record:
        joined["entities"] = entities
    if "non_quotations" in record:
        joined["non_quotations"] = [
            _join_span(span, text, f"non_quotations[{index}]", doc_id)
            for index, span in enumerate(record.get("non_quotations") or [])
        ]
    return joined
