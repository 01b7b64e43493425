"""Read, validate and write quotation datasets in JSONL (one document a line).

The record format is the PolNeAR-compatible one described in `data/README.md`. Every problem is
reported as `file:line: field: problem`, so a user can open the file and fix it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from quoteattr.data.standoff import is_standoff, join_record
from quoteattr.data.validation import overlap_problems, record_problems
from quoteattr.errors import DataFormatError
from quoteattr.schema import (
    Document,
    Entity,
    Mention,
    NonQuotation,
    Quote,
    Span,
    Speaker,
)


def dataset_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into their `*.jsonl` files (sorted); keep files as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.jsonl"))
            if not found:
                raise DataFormatError(f"{path}: directory holds no *.jsonl file")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise DataFormatError(f"{path}: no such file or directory")
    return files


def _span(value: dict[str, Any] | None, text: str) -> Span | None:
    return None if value is None else Span.of(text, value["start"], value["end"])


def document_from_record(record: dict[str, Any]) -> Document:
    """Build a `Document` from a record that `record_problems` found valid."""
    text = record["text"]
    quotes = []
    for raw in record.get("quotes", []):
        name = raw.get("speaker_name")
        mention = _span(raw.get("speaker"), text)
        speaker = None
        if name is not None or mention is not None:
            speaker = Speaker(
                name=name if name is not None else mention.text,  # type: ignore[union-attr]
                mention=mention,
                aliases=tuple(raw.get("speaker_aliases") or ()),
            )
        quotes.append(
            Quote(
                text=text[raw["start"] : raw["end"]],
                start=raw["start"],
                end=raw["end"],
                kind=raw["kind"],
                speaker=speaker,
                role=raw.get("role"),
                cue=_span(raw.get("cue"), text),
                fragments=tuple(Span.of(text, s, e) for s, e in raw.get("fragments") or ()),
                type=raw.get("type", "quotation"),
            )
        )
    entities = tuple(
        Entity(
            name=raw["name"],
            type=raw.get("type", "person"),
            aliases=tuple(raw.get("aliases", ())),
            roles=tuple(Span.of(text, r["start"], r["end"]) for r in raw.get("roles", [])),
            mentions=tuple(Mention(Span.of(text, m["start"], m["end"]), m["type"]) for m in raw.get("mentions", [])),
        )
        for raw in record.get("entities") or ()
    )
    non_quotations = tuple(
        NonQuotation(Span.of(text, raw["start"], raw["end"]), raw["reason"])
        for raw in record.get("non_quotations") or ()
    )
    return Document(record["id"], text, tuple(quotes), entities, dict(record.get("meta") or {}), non_quotations)


def _records(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    """Yield (line number, decoded record or None, problem or None) for non-blank lines.

    Standoff records (`quoteattr.data.standoff`) come back joined with their texts.
    """
    try:
        handle = path.open(encoding="utf-8")
        with handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    yield number, None, f"malformed JSON: {error.msg} at column {error.colno}"
                    continue
                if not is_standoff(record):
                    yield number, record, None
                    continue
                try:
                    yield number, join_record(record, path), None
                except DataFormatError as error:
                    yield number, None, str(error)
    except UnicodeDecodeError as error:
        raise DataFormatError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise DataFormatError(f"{path}: cannot read ({error.strerror})") from None


def iter_documents(path: Path) -> Iterator[Document]:
    """Stream the documents of one JSONL file, raising `DataFormatError` at the first bad record."""
    for number, record, json_problem in _records(path):
        problems = [json_problem] if json_problem else record_problems(record)
        if problems:
            raise DataFormatError(f"{path}:{number}: {problems[0]}")
        yield document_from_record(record)


def load_documents(*paths: str | Path) -> list[Document]:
    """Load every document of the given JSONL files or directories of them.

    Example:
        >>> docs = load_documents("data/train.jsonl")  # doctest: +SKIP
        >>> docs[0].quotes[0].speaker.name  # doctest: +SKIP
        'John Kirby'
    """
    documents: list[Document] = []
    for path in dataset_files(Path(p) for p in paths):
        documents.extend(iter_documents(path))
    return documents


def validate_files(paths: Iterable[Path], warnings: list[str] | None = None) -> tuple[int, list[str]]:
    """Check every record of every file; return (documents checked, all problems found).

    Overlapping quotations are a known property of some corpora (PolNeAR nests and repeats
    attributions), not a broken record: when a `warnings` list is given they go there, in the
    same `file:line: problem` form, instead of into the problems.
    """
    problems: list[str] = []
    seen_ids: dict[str, str] = {}
    checked = 0
    for path in paths:
        try:
            for number, record, json_problem in _records(path):
                where = f"{path}:{number}"
                found = [json_problem] if json_problem else record_problems(record)
                if not found:
                    document = document_from_record(record)
                    overlaps = overlap_problems(document)
                    if warnings is None:
                        found = overlaps
                    else:
                        warnings.extend(f"{where}: {overlap}" for overlap in overlaps)
                    if document.id in seen_ids:
                        found.append(f"id: duplicate id {document.id!r} (first at {seen_ids[document.id]})")
                    seen_ids.setdefault(document.id, where)
                checked += 1
                problems.extend(f"{where}: {problem}" for problem in found)
        except DataFormatError as error:
            problems.append(str(error))
    return checked, problems


def document_to_record(document: Document) -> dict[str, Any]:
    """The dataset record of a document (inverse of `document_from_record`)."""
    quotes = []
    for quote in document.quotes:
        record: dict[str, Any] = {"start": quote.start, "end": quote.end, "text": quote.text, "kind": quote.kind}
        record["speaker"] = quote.speaker.mention.to_dict() if quote.speaker and quote.speaker.mention else None
        record["speaker_name"] = quote.speaker.name if quote.speaker else None
        record["speaker_aliases"] = list(quote.speaker.aliases) if quote.speaker else []
        record["role"] = quote.role
        record["cue"] = quote.cue.to_dict() if quote.cue else None
        if quote.fragments:
            record["fragments"] = [[f.start, f.end] for f in quote.fragments]
        if quote.type != "quotation":
            record["type"] = quote.type
        quotes.append(record)
    result: dict[str, Any] = {"id": document.id, "text": document.text, "quotes": quotes}
    if document.entities:
        result["entities"] = [
            {
                "name": e.name,
                "type": e.type,
                "aliases": list(e.aliases),
                "roles": [r.to_dict() for r in e.roles],
                "mentions": [{**m.span.to_dict(), "type": m.type} for m in e.mentions],
            }
            for e in document.entities
        ]
    if document.non_quotations:
        result["non_quotations"] = [{**n.span.to_dict(), "reason": n.reason} for n in document.non_quotations]
    if document.meta:
        result["meta"] = document.meta
    return result
