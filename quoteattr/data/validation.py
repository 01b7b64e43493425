"""What a valid dataset record is: every problem of a record as `field: problem`, and overlapping quotations.

The record format is the PolNeAR-compatible one of `data/README.md`; `data/jsonl.py` reads the
files and puts `file:line:` before each problem, so a user can open the file and fix it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from quoteattr.schema import (
    ATTRIBUTION_TYPES,
    ENTITY_TYPES,
    MENTION_TYPES,
    NON_QUOTATION_REASONS,
    QUOTE_KINDS,
    Document,
)


def _span_problems(value: Any, field: str, text: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{field}: expected an object with start/end, found {type(value).__name__}"]
    start, end = value.get("start"), value.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        return [f"{field}: start and end must be integers, found {start!r} and {end!r}"]
    if not 0 <= start <= end <= len(text):
        return [f"{field}: offsets [{start}, {end}) fall outside the text (length {len(text)})"]
    if "text" in value and value["text"] != text[start:end]:
        return [f"{field}: text {value['text']!r} differs from the text at [{start}, {end}): {text[start:end]!r}"]
    return []


def _quote_problems(quote: Any, field: str, text: str, entity_names: set[str] | None) -> list[str]:
    if not isinstance(quote, dict):
        return [f"{field}: expected an object, found {type(quote).__name__}"]
    problems = _span_problems(quote, field, text)
    if quote.get("kind") not in QUOTE_KINDS:
        problems.append(f"{field}.kind: expected one of {', '.join(QUOTE_KINDS)}, found {quote.get('kind')!r}")
    if quote.get("type", "quotation") not in ATTRIBUTION_TYPES:
        problems.append(f"{field}.type: expected one of {', '.join(ATTRIBUTION_TYPES)}, found {quote.get('type')!r}")
    for key in ("speaker", "cue"):
        if quote.get(key) is not None:
            problems += _span_problems(quote[key], f"{field}.{key}", text)
    fragments = quote.get("fragments") or []
    if not isinstance(fragments, list):
        problems.append(f"{field}.fragments: expected a list, found {type(fragments).__name__}")
        fragments = []
    for index, fragment in enumerate(fragments):
        if not (isinstance(fragment, list) and len(fragment) == 2):
            problems.append(f"{field}.fragments[{index}]: expected [start, end], found {fragment!r}")
        else:
            problems += _span_problems({"start": fragment[0], "end": fragment[1]}, f"{field}.fragments[{index}]", text)
    name = quote.get("speaker_name")
    if name is not None and not isinstance(name, str):
        problems.append(f"{field}.speaker_name: expected a string or null, found {type(name).__name__}")
    elif entity_names is not None and name is not None and name not in entity_names:
        problems.append(f"{field}.speaker_name: {name!r} names no entity of the document")
    if quote.get("role") is not None and not isinstance(quote["role"], str):
        problems.append(f"{field}.role: expected a string or null, found {type(quote['role']).__name__}")
    return problems


def _entity_problems(entity: Any, field: str, text: str) -> list[str]:
    if not isinstance(entity, dict) or not isinstance(entity.get("name"), str):
        return [f"{field}: expected an object with a string name"]
    problems = []
    if entity.get("type", "person") not in ENTITY_TYPES:
        problems.append(f"{field}.type: expected one of {', '.join(ENTITY_TYPES)}, found {entity.get('type')!r}")
    not_lists = [key for key in ("aliases", "roles", "mentions") if not isinstance(entity.get(key, []), list)]
    if not_lists:
        return [*problems, *(f"{field}.{k}: expected a list, found {type(entity[k]).__name__}" for k in not_lists)]
    for index, role in enumerate(entity.get("roles", [])):
        problems += _span_problems(role, f"{field}.roles[{index}]", text)
    return problems + _labelled_span_problems(
        entity.get("mentions", []), f"{field}.mentions", text, "type", MENTION_TYPES
    )


def _labelled_span_problems(spans: list[Any], field: str, text: str, key: str, allowed: Sequence[str]) -> list[str]:
    """Problems of spans that each carry a label `key` from `allowed` (mention types, non-quotation reasons)."""
    problems = []
    for index, span in enumerate(spans):
        problems += _span_problems(span, f"{field}[{index}]", text)
        if isinstance(span, dict) and span.get(key) not in allowed:
            problems.append(f"{field}[{index}].{key}: expected one of {', '.join(allowed)}, found {span.get(key)!r}")
    return problems


def record_problems(record: Any) -> list[str]:
    """Every problem of one document record, each as `field: problem` (empty when valid)."""
    if not isinstance(record, dict):
        return [f"record: expected a JSON object, found {type(record).__name__}"]
    problems = []
    if not isinstance(record.get("id"), str) or not record.get("id"):
        problems.append(f"id: expected a non-empty string, found {record.get('id')!r}")
    text = record.get("text")
    if not isinstance(text, str):
        return [*problems, f"text: expected a string, found {type(text).__name__}"]
    quotes = record.get("quotes", [])
    if not isinstance(quotes, list):
        return [*problems, f"quotes: expected a list, found {type(quotes).__name__}"]
    entities = record.get("entities")
    entity_names = None
    if entities is not None:
        if not isinstance(entities, list):
            return [*problems, f"entities: expected a list, found {type(entities).__name__}"]
        for index, entity in enumerate(entities):
            problems += _entity_problems(entity, f"entities[{index}]", text)
        entity_names = {e["name"] for e in entities if isinstance(e, dict) and isinstance(e.get("name"), str)}
    for index, quote in enumerate(quotes):
        problems += _quote_problems(quote, f"quotes[{index}]", text, entity_names)
    non_quotations = record.get("non_quotations", [])
    if not isinstance(non_quotations, list):
        return [*problems, f"non_quotations: expected a list, found {type(non_quotations).__name__}"]
    problems += _labelled_span_problems(non_quotations, "non_quotations", text, "reason", NON_QUOTATION_REASONS)
    if problems or entities is None:
        return problems
    mentions = {(m["start"], m["end"]) for e in entities for m in e.get("mentions", []) if isinstance(m, dict)}
    for index, quote in enumerate(quotes):
        speaker = quote.get("speaker")
        if speaker is not None and (speaker["start"], speaker["end"]) not in mentions:
            problems.append(
                f"quotes[{index}].speaker: mention [{speaker['start']}, {speaker['end']}) is not a mention "
                "of any entity"
            )
    return problems


def overlap_problems(document: Document) -> list[str]:
    """Pairs of quotations of a document that overlap each other."""
    ordered = sorted(enumerate(document.quotes), key=lambda item: item[1].start)
    return [
        f"quotes[{i}] and quotes[{j}]: quotations overlap at [{b.start}, {min(a.end, b.end)})"
        for position, (j, b) in enumerate(ordered)
        for i, a in ordered[:position]
        if b.start < a.end
    ]
