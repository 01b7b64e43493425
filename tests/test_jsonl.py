"""Reading, validating and writing JSONL datasets: precise problem messages and lossless round trips."""

from __future__ import annotations

import copy
import json
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from quoteattr.data.jsonl import (
    dataset_files,
    document_from_record,
    document_to_record,
    iter_documents,
    load_documents,
    validate_files,
)
from quoteattr.data.validation import overlap_problems, record_problems
from quoteattr.errors import DataFormatError
from quoteattr.schema import Document, Quote, Span

TESTS = Path(__file__).parent
REPO = TESTS.parent
TINY = TESTS / "data" / "tiny.jsonl"
POLNEAR_DEV = REPO.parent / "shared" / "data" / "polnear" / "dev.jsonl"

TEXT = 'Mia Lund said: "It works." Later she said it was fine.'


def valid_record() -> dict[str, Any]:
    """A small valid seed-style record (with entities) over TEXT."""
    return {
        "id": "doc-1",
        "text": TEXT,
        "quotes": [
            {
                "start": 15,
                "end": 26,
                "text": '"It works."',
                "kind": "direct",
                "speaker": {"start": 0, "end": 8, "text": "Mia Lund"},
                "speaker_name": "Mia Lund",
                "speaker_aliases": ["Mia Lund", "she"],
                "role": None,
                "cue": {"start": 9, "end": 13, "text": "said"},
            },
            {
                "start": 42,
                "end": 53,
                "kind": "indirect",
                "speaker": {"start": 33, "end": 36, "text": "she"},
                "speaker_name": "Mia Lund",
                "cue": {"start": 37, "end": 41, "text": "said"},
            },
        ],
        "entities": [
            {
                "name": "Mia Lund",
                "type": "person",
                "aliases": ["she"],
                "roles": [],
                "mentions": [
                    {"start": 0, "end": 8, "text": "Mia Lund", "type": "name"},
                    {"start": 33, "end": 36, "text": "she", "type": "pronoun"},
                ],
            }
        ],
    }


def write_lines(path: Path, *records: Any) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_valid_record_has_no_problem() -> None:
    assert record_problems(valid_record()) == []
    document = document_from_record(valid_record())
    assert [q.text for q in document.quotes] == ['"It works."', "it was fine"]
    assert document.quotes[1].speaker is not None and document.quotes[1].speaker.name == "Mia Lund"
    assert document.quotes[1].speaker.mention == Span(33, 36, "she")
    assert document.quotes[0].speaker is not None
    assert document.quotes[0].speaker.aliases == ("Mia Lund", "she")
    assert document.quotes[0].cue == Span(9, 13, "said")


def test_offsets_out_of_range() -> None:
    record = valid_record()
    record["quotes"][1]["end"] = 99
    assert record_problems(record) == [f"quotes[1]: offsets [42, 99) fall outside the text (length {len(TEXT)})"]
    record = valid_record()
    record["quotes"][0]["cue"] = {"start": -2, "end": 3}
    assert record_problems(record) == [f"quotes[0].cue: offsets [-2, 3) fall outside the text (length {len(TEXT)})"]
    record = valid_record()
    record["quotes"][0]["start"] = 30  # inverted
    record["quotes"][0].pop("text")
    assert record_problems(record) == [f"quotes[0]: offsets [30, 26) fall outside the text (length {len(TEXT)})"]


def test_non_integer_offsets() -> None:
    record = valid_record()
    record["quotes"][0]["start"] = "15"
    assert record_problems(record) == ["quotes[0]: start and end must be integers, found '15' and 26"]
    record = valid_record()
    record["quotes"][0]["end"] = True
    assert record_problems(record) == ["quotes[0]: start and end must be integers, found 15 and True"]


def test_span_text_differs() -> None:
    record = valid_record()
    record["entities"][0]["mentions"][1]["text"] = "She"
    assert record_problems(record) == ["entities[0].mentions[1]: text 'She' differs from the text at [33, 36): 'she'"]


def test_bad_kind() -> None:
    record = valid_record()
    record["quotes"][1]["kind"] = "reported"
    assert record_problems(record) == ["quotes[1].kind: expected one of direct, mixed, indirect, found 'reported'"]
    del record["quotes"][0]["kind"]
    assert record_problems(record)[0] == "quotes[0].kind: expected one of direct, mixed, indirect, found None"


def test_bad_mention_and_entity_types() -> None:
    record = valid_record()
    record["entities"][0]["mentions"][0]["type"] = "person"
    record["entities"][0]["type"] = "robot"
    assert record_problems(record) == [
        "entities[0].type: expected one of person, organization, group, found 'robot'",
        "entities[0].mentions[0].type: expected one of name, pronoun, nominal, found 'person'",
    ]


def test_speaker_name_naming_no_entity() -> None:
    record = valid_record()
    record["quotes"][1]["speaker_name"] = "Mia Lunde"
    assert record_problems(record) == ["quotes[1].speaker_name: 'Mia Lunde' names no entity of the document"]


def test_speaker_name_is_free_without_entities() -> None:
    record = valid_record()
    del record["entities"]
    record["quotes"][1]["speaker_name"] = "Anyone at all"
    assert record_problems(record) == []
    assert not document_from_record(record).has_roles


def test_speaker_mention_not_among_entity_mentions() -> None:
    record = valid_record()
    record["quotes"][0]["speaker"] = {"start": 4, "end": 8, "text": "Lund"}
    assert record_problems(record) == ["quotes[0].speaker: mention [4, 8) is not a mention of any entity"]


def test_record_level_problems() -> None:
    assert record_problems([1, 2]) == ["record: expected a JSON object, found list"]
    assert record_problems("text") == ["record: expected a JSON object, found str"]
    record = valid_record()
    del record["text"]
    assert record_problems(record) == ["text: expected a string, found NoneType"]
    record = valid_record()
    record["quotes"] = {"start": 0}
    assert record_problems(record) == ["quotes: expected a list, found dict"]
    record = valid_record()
    record["entities"] = "Mia Lund"
    assert record_problems(record) == ["entities: expected a list, found str"]
    record = valid_record()
    record["id"] = ""
    record["text"] = 5
    assert record_problems(record) == [
        "id: expected a non-empty string, found ''",
        "text: expected a string, found int",
    ]


def test_bad_fragments() -> None:
    record = valid_record()
    record["quotes"][0]["fragments"] = [[15, 20], [21], [20, 90]]
    assert record_problems(record) == [
        "quotes[0].fragments[1]: expected [start, end], found [21]",
        f"quotes[0].fragments[2]: offsets [20, 90) fall outside the text (length {len(TEXT)})",
    ]


def test_overlapping_quotations() -> None:
    text = "abcdefghijklmnopqrstuvwxyz"
    quotes = (
        Quote(text[0:10], 0, 10, "indirect"),
        Quote(text[5:8], 5, 8, "indirect"),
        Quote(text[12:15], 12, 15, "indirect"),
    )
    assert overlap_problems(Document("d", text, quotes)) == ["quotes[0] and quotes[1]: quotations overlap at [5, 8)"]
    touching = (Quote(text[0:5], 0, 5, "indirect"), Quote(text[5:9], 5, 9, "indirect"))
    assert overlap_problems(Document("d", text, touching)) == []
    one_character = (Quote(text[4:9], 4, 9, "indirect"), Quote(text[0:5], 0, 5, "indirect"))
    assert overlap_problems(Document("d", text, one_character)) == [
        "quotes[1] and quotes[0]: quotations overlap at [4, 5)"
    ]


def test_overlap_with_an_earlier_long_quotation_is_reported() -> None:
    text = "abcdefghijklmnopqrstuvwxyz"
    long, inner, later = (
        Quote(text[0:20], 0, 20, "indirect"),
        Quote(text[2:5], 2, 5, "indirect"),
        Quote(text[8:12], 8, 12, "indirect"),
    )
    problems = overlap_problems(Document("d", text, (later, long, inner)))
    assert problems == [
        "quotes[1] and quotes[2]: quotations overlap at [2, 5)",
        "quotes[1] and quotes[0]: quotations overlap at [8, 12)",
    ]


def test_validate_files_reports_every_problem(tmp_path: Path) -> None:
    first = valid_record()
    bad_kind = valid_record()
    bad_kind["id"] = "doc-2"
    bad_kind["quotes"][0]["kind"] = "quoted"
    bad_kind["quotes"][1]["end"] = 80
    overlapping = valid_record()
    overlapping["id"] = "doc-3"
    overlapping["quotes"][1] = {**overlapping["quotes"][1], "start": 20, "end": 45}
    a = write_lines(tmp_path / "a.jsonl", first, "{not json", "", bad_kind, overlapping, ["list"])
    duplicate = valid_record()
    b = write_lines(tmp_path / "b.jsonl", duplicate)
    checked, problems = validate_files([a, b])
    assert checked == 6
    assert problems == [
        f"{a}:2: malformed JSON: Expecting property name enclosed in double quotes at column 2",
        f"{a}:4: quotes[0].kind: expected one of direct, mixed, indirect, found 'quoted'",
        f"{a}:4: quotes[1]: offsets [42, 80) fall outside the text (length {len(TEXT)})",
        f"{a}:5: quotes[0] and quotes[1]: quotations overlap at [20, 26)",
        f"{a}:6: record: expected a JSON object, found list",
        f"{b}:1: id: duplicate id 'doc-1' (first at {a}:1)",
    ]


def test_validate_files_goes_on_after_an_unreadable_file(tmp_path: Path) -> None:
    broken = tmp_path / "latin1.jsonl"
    broken.write_bytes(b'{"id": "x", "text": "caf\xe9"}\n')
    missing = tmp_path / "missing.jsonl"
    good = write_lines(tmp_path / "good.jsonl", valid_record())
    checked, problems = validate_files([broken, missing, good])
    assert checked == 1
    assert len(problems) == 2
    assert problems[0].startswith(f"{broken}: not UTF-8 text (")
    assert problems[1] == f"{missing}: cannot read (No such file or directory)"


def test_iter_documents_raises_at_first_bad_record(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "x.jsonl", valid_record(), '{"id": "y", "text": "t", "quotes": [}')
    documents = iter_documents(path)
    assert next(documents).id == "doc-1"
    with pytest.raises(DataFormatError) as caught:
        next(documents)
    assert str(caught.value).startswith(f"{path}:2: malformed JSON: ")
    bad = valid_record()
    bad["quotes"][0]["kind"] = "odd"
    path = write_lines(tmp_path / "y.jsonl", bad)
    with pytest.raises(DataFormatError, match=r"y\.jsonl:1: quotes\[0\]\.kind: expected one of"):
        load_documents(path)


def test_non_utf8_and_missing_files_give_one_clean_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b'{"id": "x", "text": "\xff\xfe"}\n')
    with pytest.raises(DataFormatError) as caught:
        load_documents(broken)
    assert str(caught.value) == f"{broken}: not UTF-8 text (invalid start byte at byte 21)"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    with pytest.raises(DataFormatError) as caught:
        load_documents(tmp_path / "nope.jsonl")
    assert str(caught.value) == f"{tmp_path / 'nope.jsonl'}: no such file or directory"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataFormatError, match=r"directory holds no \*\.jsonl file"):
        dataset_files([empty])


def test_dataset_files_expands_directories_sorted(tmp_path: Path) -> None:
    for name in ("b.jsonl", "a.jsonl", "c.txt"):
        (tmp_path / name).write_text("", encoding="utf-8")
    single = tmp_path / "c.txt"
    assert dataset_files([tmp_path, single]) == [tmp_path / "a.jsonl", tmp_path / "b.jsonl", single]
    assert load_documents(tmp_path) == []


def test_blank_lines_are_skipped_and_line_numbers_kept(tmp_path: Path) -> None:
    bad = valid_record()
    bad["quotes"][0]["kind"] = None
    path = write_lines(tmp_path / "x.jsonl", "", "   ", bad)
    checked, problems = validate_files([path])
    assert checked == 1
    assert problems == [f"{path}:3: quotes[0].kind: expected one of direct, mixed, indirect, found None"]


def roundtrip(documents: list[Document]) -> None:
    for document in documents:
        record = document_to_record(document)
        assert record_problems(record) == []
        again = document_from_record(json.loads(json.dumps(record, ensure_ascii=False)))
        assert again == document
        assert again.meta == document.meta
        assert document_to_record(again) == record


def test_roundtrip_tiny() -> None:
    documents = load_documents(TINY)
    assert [d.id for d in documents] == ["tiny-straight", "tiny-curly-crlf", "tiny-polnear-like"]
    discontinuous = documents[2].quotes[1]
    assert discontinuous.fragments == (Span(70, 85, "“We are ready,”"), Span(96, 112, "“We will fight.”"))
    assert documents[0].entities[0].roles == (Span(48, 70, "chair of the committee"),)
    roundtrip(documents)


@pytest.mark.parametrize("name", ["train.jsonl", "dev.jsonl", "test.jsonl"])
def test_roundtrip_seed_data(name: str) -> None:
    path = REPO / "data" / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    documents = load_documents(path)
    assert documents
    assert sum(len(d.quotes) for d in documents) > 0
    roundtrip(documents)


def test_validate_seed_and_tiny_data_is_clean() -> None:
    paths = [TINY, *sorted((REPO / "data").glob("*.jsonl"))]
    checked, problems = validate_files(paths)
    assert problems == []
    assert checked >= 3


def test_load_a_few_polnear_documents() -> None:
    if not POLNEAR_DEV.exists():
        pytest.skip(f"PolNeAR dev set not found at {POLNEAR_DEV}")
    documents = list(islice(iter_documents(POLNEAR_DEV), 5))
    assert len(documents) == 5
    assert all(not d.has_roles for d in documents)
    for document in documents:
        for quote in document.quotes:
            assert document.text[quote.start : quote.end] == quote.text
            assert quote.kind in ("direct", "mixed", "indirect")
            assert quote.role is None
    assert sum(len(d.quotes) for d in documents) > 0
    roundtrip(documents)
    assert load_documents(POLNEAR_DEV)[:5] == documents


def test_document_to_record_keeps_meta_and_fragments() -> None:
    text = '"A," he said. "B."'
    quote = Quote(text, 0, len(text), "direct", fragments=(Span.of(text, 0, 4), Span.of(text, 14, 18)))
    document = Document("m", text, (quote,), meta={"source": "unit"})
    record = document_to_record(document)
    assert record["meta"] == {"source": "unit"}
    assert record["quotes"][0]["fragments"] == [[0, 4], [14, 18]]
    assert record["quotes"][0]["speaker"] is None and record["quotes"][0]["speaker_name"] is None
    assert "entities" not in record
    assert document_from_record(copy.deepcopy(record)) == document


def test_non_list_containers_are_reported_not_crashed_on() -> None:
    record = valid_record()
    record["quotes"][0]["fragments"] = 5
    record["entities"][0]["mentions"] = None
    record["entities"][0]["roles"] = {"start": 0, "end": 3}
    assert record_problems(record) == [
        "entities[0].roles: expected a list, found dict",
        "entities[0].mentions: expected a list, found NoneType",
        "quotes[0].fragments: expected a list, found int",
    ]


def test_validate_files_can_keep_overlaps_apart_as_warnings(tmp_path: Path) -> None:
    overlapping = valid_record()
    overlapping["quotes"][1] = {**overlapping["quotes"][1], "start": 20, "end": 45}
    path = write_lines(tmp_path / "a.jsonl", overlapping)
    warnings: list[str] = []
    assert validate_files([path], warnings=warnings) == (1, [])
    assert warnings == [f"{path}:1: quotes[0] and quotes[1]: quotations overlap at [20, 26)"]
