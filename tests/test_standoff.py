"""Standoff datasets: records without texts, joined with the shared texts and checked by checksum."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quoteattr.attribution.names import mention_type
from quoteattr.cli import app
from quoteattr.data.jsonl import load_documents, validate_files
from quoteattr.data.standoff import SHARED_ENV, checksum
from quoteattr.data.stats import dataset_stats
from quoteattr.errors import DataFormatError
from tests.conftest import POLNEAR

TEXT = (
    'Headline: "The Art of the Deal"\n\n"We will win," said Jane Roe, the campaign manager. Aides believe she is right.'
)
ROOT = Path(__file__).resolve().parents[1]


def _span(start: int, end: int, with_text: bool = True) -> dict[str, object]:
    span: dict[str, object] = {"start": start, "end": end, "sha1": checksum(TEXT[start:end])}
    if with_text:
        span["text"] = TEXT[start:end]
    return span


def _standoff_record() -> dict[str, object]:
    quote_start = TEXT.index('"We')
    quote_end = TEXT.index(" said")
    speaker = TEXT.index("Jane Roe")
    role = TEXT.index("campaign manager")
    belief = TEXT.index("she is right")
    aides = TEXT.index("Aides")
    title = TEXT.index('"The Art')
    return {
        "id": "doc-1",
        "source": "corpus/texts.jsonl",
        "text_sha1": checksum(TEXT),
        "quotes": [
            {
                **_span(quote_start, quote_end, with_text=False),
                "type": "quotation",
                "kind": "direct",
                "speaker": _span(speaker, speaker + 8),
                "speaker_name": "Jane Roe",
                "role": "campaign manager",
                "cue": _span(quote_end + 1, quote_end + 5),
            },
            {
                **_span(belief, belief + 12, with_text=False),
                "type": "other",
                "kind": "indirect",
                "speaker": _span(aides, aides + 5),
                "speaker_name": "unnamed aides",
                "role": None,
                "cue": _span(aides + 6, aides + 13),
            },
        ],
        "entities": [
            {
                "name": "Jane Roe",
                "type": "person",
                "aliases": [],
                "roles": [_span(role, role + 16)],
                "mentions": [{**_span(speaker, speaker + 8), "type": "name"}],
            },
            {
                "name": "unnamed aides",
                "type": "group",
                "aliases": ["Aides"],
                "roles": [],
                "mentions": [{**_span(aides, aides + 5), "type": "nominal"}],
            },
        ],
        "non_quotations": [{**_span(title, TEXT.index("\n"), with_text=False), "reason": "title"}],
    }


@pytest.fixture
def standoff_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A shared folder with one text and a dataset folder beside it, as the repository has them.

    The folder is found beside the dataset, as it would be without `$QUOTEATTR_SHARED`.
    """
    monkeypatch.delenv(SHARED_ENV, raising=False)
    texts = tmp_path / "shared" / "data" / "corpus"
    texts.mkdir(parents=True)
    (texts / "texts.jsonl").write_text(json.dumps({"id": "doc-1", "text": TEXT}) + "\n", encoding="utf-8")
    dataset = tmp_path / "repo" / "data" / "news"
    dataset.mkdir(parents=True)
    (dataset / "dev.jsonl").write_text(json.dumps(_standoff_record()) + "\n", encoding="utf-8")
    return dataset / "dev.jsonl"


def test_a_standoff_record_joins_its_text_and_keeps_types_and_non_quotations(standoff_dataset: Path) -> None:
    (document,) = load_documents(standoff_dataset)
    assert document.text == TEXT
    quotation, belief = document.quotes
    assert quotation.text == '"We will win,"' and quotation.type == "quotation"
    assert quotation.speaker is not None and quotation.speaker.name == "Jane Roe"
    assert belief.type == "other" and belief.text == "she is right"
    (title,) = document.non_quotations
    assert title.reason == "title" and title.span.text == '"The Art of the Deal"'
    assert document.entities[0].roles[0].text == "campaign manager"


def test_stats_count_quotations_apart_from_other_attributions(standoff_dataset: Path) -> None:
    stats = dataset_stats(load_documents(standoff_dataset), mention_type)
    assert stats.quotations == 1 and stats.other_attributions == 1
    assert stats.quotations_with_role == 1 and stats.role_coverage == 1.0
    assert stats.non_quotations_by_reason == {"title": 1}
    assert [speaker.name for speaker in stats.speakers] == ["Jane Roe"]


def test_a_checksum_mismatch_names_the_document_and_the_span(standoff_dataset: Path) -> None:
    record = _standoff_record()
    record["quotes"][0]["speaker"]["sha1"] = "0000000000"  # type: ignore[index]
    standoff_dataset.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"dev.jsonl:1: document doc-1: quotes\[0\].speaker: checksum mismatch"):
        load_documents(standoff_dataset)


def test_a_changed_text_is_reported(standoff_dataset: Path) -> None:
    source = standoff_dataset.parents[3] / "shared" / "data" / "corpus" / "texts.jsonl"
    source.write_text(json.dumps({"id": "doc-1", "text": TEXT.upper()}) + "\n", encoding="utf-8")
    checked, problems = validate_files([standoff_dataset])
    assert checked == 1
    assert len(problems) == 1 and "does not match the annotation's checksum" in problems[0]


def test_a_missing_shared_folder_says_how_to_fix_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SHARED_ENV, raising=False)
    path = tmp_path / "alone.jsonl"
    path.write_text(json.dumps(_standoff_record()) + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=f"document doc-1: .*not found.*{SHARED_ENV}"):
        load_documents(path)


def test_the_environment_variable_points_at_the_shared_folder(
    standoff_dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moved = tmp_path / "elsewhere.jsonl"
    moved.write_text(standoff_dataset.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv(SHARED_ENV, str(tmp_path / "shared"))
    assert load_documents(moved)[0].text == TEXT


def test_one_bad_record_does_not_hide_the_others(standoff_dataset: Path) -> None:
    good = _standoff_record()
    bad = {**_standoff_record(), "id": "doc-2"}
    standoff_dataset.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    checked, problems = validate_files([standoff_dataset])
    assert checked == 2
    assert problems == [
        f"{standoff_dataset}:2: document doc-2: not in text source "
        f"{standoff_dataset.parents[3] / 'shared' / 'data' / 'corpus' / 'texts.jsonl'}"
    ]


NEWS = ROOT / "data" / "news"
needs_shared = pytest.mark.skipif(
    not POLNEAR.is_dir(), reason="the news corpus texts live in ../shared/data/polnear, which is absent here"
)


@needs_shared
def test_the_news_corpus_validates_and_has_its_documents() -> None:
    result = CliRunner().invoke(app, ["data", "validate", str(NEWS)])
    assert result.exit_code == 0, result.output
    stats = CliRunner().invoke(app, ["data", "stats", str(NEWS), "--json"])
    summary = json.loads(stats.output)
    by_file = {Path(path).name: count for path, count in summary["documents_by_file"].items()}
    drawn = json.loads((NEWS / "draw.json").read_text(encoding="utf-8"))["splits"]
    assert by_file == {"train.jsonl": len(drawn["train"]), "dev.jsonl": len(drawn["dev"])}, "not every drawn document"
    assert summary["quotations"] > 1000 and summary["mentions_by_type"]["pronoun"] > 0


def test_no_string_in_the_news_corpus_files_is_longer_than_200_characters() -> None:
    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for item in value.values() for s in strings(item)]
        if isinstance(value, list):
            return [s for item in value for s in strings(item)]
        return []

    files = sorted(NEWS.glob("*.jsonl"))
    assert files, "data/news holds no JSONL file"
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            longest = max(strings(json.loads(line)), key=len)
            assert len(longest) <= 200, f"{path.name}: a string of {len(longest)} characters"
