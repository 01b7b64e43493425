"""The shipped model on the seed articles: the attributions a reader of the articles would give."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SEEDS, SHIPPED_MODEL

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SHIPPED_MODEL / "model.safetensors").is_file(), reason="no shipped model in models/"),
    pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed articles (../shared/seeds) are not beside the repository"),
]

# who must be found in each seed article, and a word their role must contain
EXPECTED = {
    "000": {"Nebenzya": "ambassador"},
    "001": {"Kirby": "coordinator"},
    "002": {"Miller": "spokesperson"},
    "003": {"Watson": "spokesperson", "Pak": "secretary", "Kirby": "coordinator"},
    "004": {"Kirby": "spokesman"},
}


@pytest.fixture(scope="module")
def predictions() -> dict[str, list]:
    from quoteattr.inference import QuoteAttributor

    attributor = QuoteAttributor.load(SHIPPED_MODEL, device="cpu")
    files = sorted(SEEDS.glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    return {f.name[:3]: quotes for f, quotes in zip(files, attributor.predict_many(texts))}


@pytest.mark.parametrize("article", sorted(EXPECTED))
def test_named_speakers_are_found_with_their_roles(predictions: dict[str, list], article: str) -> None:
    quotes = predictions[article]
    for surname, role_word in EXPECTED[article].items():
        theirs = [q for q in quotes if q.speaker and surname in q.speaker.name]
        assert theirs, f"{article}: no quotation attributed to {surname}; speakers: {[q.speaker for q in quotes]}"
        roles = {q.role for q in theirs}
        assert any(r and role_word in r.lower() for r in roles), f"{article}: {surname} roles {roles}"


def test_offsets_index_the_article(predictions: dict[str, list]) -> None:
    for article, quotes in predictions.items():
        text = next(SEEDS.glob(f"{article}_*.txt")).read_text(encoding="utf-8")
        for quote in quotes:
            assert text[quote.start : quote.end] == quote.text


def test_cli_predict_on_a_seed_article_names_the_speaker(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from quoteattr.cli import app

    article = next(SEEDS.glob("000_*.txt"))
    result = CliRunner().invoke(app, ["predict", str(article), "--format", "jsonl", "--quiet"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.splitlines()[0])
    names = {q["speaker"]["name"] for q in record["quotes"] if q["speaker"]}
    assert any("Nebenzya" in name for name in names), names


def test_readme_output_example_is_what_the_shipped_model_gives() -> None:
    import json
    import re

    from quoteattr.inference import QuoteAttributor

    readme = (SHIPPED_MODEL.parent.parent / "README.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(\{\n  \"schema_version\".*?)```", readme, re.S).group(1))  # type: ignore[union-attr]
    documented = example["quotes"][0]
    text = (SHIPPED_MODEL.parent.parent / example["source"]).read_text(encoding="utf-8")
    assert len(text) == example["length"]
    found = [q.to_dict() for q in QuoteAttributor.load(SHIPPED_MODEL, device="cpu")(text)]
    match = next(q for q in found if q["start"] == documented["start"])
    assert {k: v for k, v in match.items() if k != "score"} == {k: v for k, v in documented.items() if k != "score"}
    assert abs(match["score"] - documented["score"]) < 0.05


def _run_readme_snippet(text: str) -> list[tuple[tuple[int, int], list[int]]]:
    import re

    readme = (SHIPPED_MODEL.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Without quoteattr") :]
    snippet = re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    namespace: dict = {"text": text}
    exec(snippet.replace('"models/quoteattr-minilm"', repr(str(SHIPPED_MODEL))), namespace)
    return namespace["token_tags"]


def _quoteattr_tags(text: str) -> list[tuple[tuple[int, int], list[int]]]:
    from quoteattr.inference import QuoteAttributor

    attributor = QuoteAttributor.load(SHIPPED_MODEL, device="cpu")
    ((tokens, scores),) = attributor.token_scores([text])
    real = [i for i, offset in enumerate(tokens.offsets) if offset is not None]
    families = len(attributor.scheme.families)  # the decision readout's scores follow the families
    return [(tokens.offsets[i], scores[i, :families].argmax(-1).tolist()) for i in real]  # type: ignore[misc]


def test_readme_plain_transformers_snippet_gives_quoteattrs_tags() -> None:
    text = '"We are troubled by these reports," Senator Marco Rubio said on Thursday.'
    # a one-paragraph text is one window: [CLS] tokens [SEP], exactly what the snippet feeds the model
    assert _run_readme_snippet(text) == _quoteattr_tags(text)


def test_readme_plain_transformers_snippet_reads_a_text_over_512_tokens() -> None:
    """The snippet fed the whole text at once and crashed on any article over 512 tokens."""
    sentence = '"We will not back down on the export rules," said Transport Secretary Alan Brooks on Monday. '
    text = sentence * 60  # one paragraph of about 1,300 tokens
    snippet_tags = _run_readme_snippet(text)
    expected = _quoteattr_tags(text)
    assert len(expected) > 1000
    assert [span for span, _ in snippet_tags] == [span for span, _ in expected]
    agree = sum(a == b for (_, a), (_, b) in zip(snippet_tags, expected))
    assert agree / len(expected) > 0.98  # only the last window is cut differently
