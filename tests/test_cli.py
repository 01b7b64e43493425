"""The `quoteattr` command line, end to end with the tiny model: exit codes, formats, filters, bad inputs."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from quoteattr.cli import app
from quoteattr.schema import QUOTE_KINDS, Document

TESTS = Path(__file__).parent
TINY_DATA = TESTS / "data" / "tiny.jsonl"
REPO = TESTS.parent
STRAIGHT = (
    '"We will not back down," said Senator Jane Doe, chair of the committee.\n\nDoe added that the vote would go ahead.'
)
CURLY = (
    "Ambassador Ivan Petrov said on Monday:\r\n\r\n“This is another fake. We reject it.”\r\n\r\n"
    "He added, “Nothing changes.”"
)

runner = CliRunner()


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    """One torch thread: the tiny model is far faster without thread contention on a busy machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture()
def texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`a.txt` and `b.txt` in a fresh working directory (so sources are short relative names)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_bytes(STRAIGHT.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(CURLY.encode("utf-8"))
    return tmp_path


def run(*args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=input)


def predict(model: Path, *args: str, input: str | None = None) -> Result:
    return run("predict", "--model", str(model), "--device", "cpu", *args, input=input)


def stdout(result: Result) -> str:
    """Standard output exactly as written (`Result.stdout` turns CRLF into LF)."""
    return result.stdout_bytes.decode("utf-8")


def records(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout(result).splitlines()]


def assert_clean(result: Result) -> None:
    """No Python traceback reached the user, and the program ended through its own exit path."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def assert_offsets(text: str, quotes: list[dict[str, Any]]) -> None:
    for quote in quotes:
        assert text[quote["start"] : quote["end"]] == quote["text"]
        for span in (quote["cue"], quote["speaker"] and quote["speaker"]["mention"]):
            if span:
                assert text[span["start"] : span["end"]] == span["text"]


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


# --- help and start-up ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["predict", "--help"]])
def test_help_exits_0_without_importing_torch(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "quoteattr", *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "quoteattr.cli" in imported
    assert not imported & {"torch", "transformers", "numpy", "datasets"}


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("quoteattr ")


# --- predict: inputs ------------------------------------------------------------------------------------------------


def test_predict_one_file(tiny_model: Path, texts: Path) -> None:
    result = predict(tiny_model, "a.txt", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    [record] = records(result)
    assert record["source"] == "a.txt"
    assert record["length"] == len(STRAIGHT)
    assert record["quotes"], "the tiny model finds a quotation here; the filter tests rely on it"
    assert_offsets(STRAIGHT, record["quotes"])


def test_predict_two_files_in_order(tiny_model: Path, texts: Path) -> None:
    result = predict(tiny_model, "b.txt", "a.txt", "-f", "jsonl")
    assert result.exit_code == 0, result.output
    found = records(result)
    assert [r["source"] for r in found] == ["b.txt", "a.txt"]
    assert found[0]["length"] == len(CURLY)  # CRLF kept: offsets index the file as written
    assert_offsets(CURLY, found[0]["quotes"])


@pytest.mark.parametrize(("recursive", "expected"), [(False, ["docs/a.txt"]), (True, ["docs/a.txt", "docs/sub/b.txt"])])
def test_predict_directory(tiny_model: Path, texts: Path, recursive: bool, expected: list[str]) -> None:
    (texts / "docs" / "sub").mkdir(parents=True)
    (texts / "a.txt").rename(texts / "docs" / "a.txt")
    (texts / "b.txt").rename(texts / "docs" / "sub" / "b.txt")
    (texts / "docs" / "notes.md").write_text("not a text file", encoding="utf-8")
    result = predict(tiny_model, "docs", "-f", "jsonl", *(["--recursive"] if recursive else []))
    assert result.exit_code == 0, result.output
    assert [Path(r["source"]).as_posix() for r in records(result)] == expected


def test_predict_directory_without_text_files_fails(tiny_model: Path, texts: Path) -> None:
    (texts / "empty-dir").mkdir()
    result = predict(tiny_model, "empty-dir", "-f", "jsonl")
    assert result.exit_code == 1
    assert_clean(result)
    assert "empty-dir" in result.stderr
    assert result.stdout == ""


def test_predict_stdin(tiny_model: Path, texts: Path) -> None:
    result = predict(tiny_model, "-", "-f", "jsonl", input=STRAIGHT)
    assert result.exit_code == 0, result.output
    [record] = records(result)
    assert record["source"] == "<stdin>"
    assert record["length"] == len(STRAIGHT)
    assert_offsets(STRAIGHT, record["quotes"])


# --- predict: formats and --output ---------------------------------------------------------------------------------


def check_json(output: str) -> None:
    page = json.loads(output)
    assert page["schema_version"] == "1.0"
    assert [d["source"] for d in page["documents"]] == ["a.txt", "b.txt"]
    assert all(d["schema_version"] == "1.0" for d in page["documents"])


def check_jsonl(output: str) -> None:
    lines = output.splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["source"] for line in lines] == ["a.txt", "b.txt"]


def check_csv(output: str) -> None:
    rows = list(csv.DictReader(io.StringIO(output, newline="")))
    assert rows and {row["source"] for row in rows} <= {"a.txt", "b.txt"}
    for row in rows:
        text = STRAIGHT if row["source"] == "a.txt" else CURLY
        assert text[int(row["start"]) : int(row["end"])] == row["text"]
        assert row["kind"] in QUOTE_KINDS
        assert 0.0 <= float(row["score"]) <= 1.0


def check_html(output: str) -> None:
    assert output.lstrip().lower().startswith("<!doctype html")
    assert '<mark class="quote"' in output
    assert "a.txt" in output and "b.txt" in output


def check_table(output: str) -> None:
    assert "a.txt" in output and "b.txt" in output


CHECKS = {"json": check_json, "jsonl": check_jsonl, "csv": check_csv, "html": check_html, "table": check_table}


@pytest.mark.parametrize("fmt", list(CHECKS))
def test_predict_every_format(tiny_model: Path, texts: Path, fmt: str) -> None:
    result = predict(tiny_model, "a.txt", "b.txt", "--format", fmt)
    assert result.exit_code == 0, result.output
    CHECKS[fmt](stdout(result))


@pytest.mark.parametrize(
    ("suffix", "fmt"), [(".json", "json"), (".jsonl", "jsonl"), (".csv", "csv"), (".html", "html")]
)
def test_predict_output_format_from_extension(tiny_model: Path, texts: Path, suffix: str, fmt: str) -> None:
    result = predict(tiny_model, "a.txt", "b.txt", "--output", f"out{suffix}")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    CHECKS[fmt]((texts / f"out{suffix}").read_bytes().decode("utf-8"))


def test_predict_output_explicit_format_wins_over_extension(tiny_model: Path, texts: Path) -> None:
    result = predict(tiny_model, "a.txt", "b.txt", "--output", "report.txt", "--format", "table")
    assert result.exit_code == 0, result.output
    check_table((texts / "report.txt").read_text(encoding="utf-8"))
    result = predict(tiny_model, "a.txt", "b.txt", "--output", "results.unknown")
    assert result.exit_code == 0, result.output
    check_jsonl((texts / "results.unknown").read_text(encoding="utf-8"))


def test_predict_bad_model_leaves_existing_output_untouched(texts: Path) -> None:
    (texts / "out.jsonl").write_text("earlier results\n", encoding="utf-8")
    result = predict(texts / "no-model", "a.txt", "--output", "out.jsonl")
    assert result.exit_code == 1
    assert_clean(result)
    assert (texts / "out.jsonl").read_text(encoding="utf-8") == "earlier results\n"


def test_predict_bad_model_creates_no_output_file(texts: Path) -> None:
    result = predict(texts / "no-model", "a.txt", "--output", "new.json")
    assert result.exit_code == 1
    assert not (texts / "new.json").exists()


def test_predict_output_with_all_inputs_failing_is_still_valid(tiny_model: Path, texts: Path) -> None:
    result = predict(tiny_model, "missing.txt", "--output", "out.json")
    assert result.exit_code == 1
    assert json.loads((texts / "out.json").read_text(encoding="utf-8")) == {"schema_version": "1.0", "documents": []}


@pytest.mark.parametrize("target", ["no-such-dir/out.jsonl", "."])
def test_predict_unwritable_output_is_one_clean_error(tiny_model: Path, texts: Path, target: str) -> None:
    result = predict(tiny_model, "a.txt", "--output", target)
    assert result.exit_code == 1
    assert_clean(result)
    [line] = error_lines(result)
    assert "cannot write" in line


# --- predict: filters ------------------------------------------------------------------------------------------------


def all_quotes(model: Path, *extra: str) -> list[dict[str, Any]]:
    result = predict(model, "a.txt", "b.txt", "-f", "jsonl", *extra)
    assert result.exit_code == 0, result.output
    return [quote for record in records(result) for quote in record["quotes"]]


def test_predict_kinds_filter(tiny_model: Path, texts: Path) -> None:
    everything = all_quotes(tiny_model)
    assert everything
    for kind in QUOTE_KINDS:
        assert all_quotes(tiny_model, "--kinds", kind) == [q for q in everything if q["kind"] == kind]
    assert all_quotes(tiny_model, "--kinds", " direct , mixed,indirect ") == everything


def test_predict_min_score_filter(tiny_model: Path, texts: Path) -> None:
    everything = all_quotes(tiny_model)
    assert everything and all(q["score"] < 1.0 for q in everything)
    assert all_quotes(tiny_model, "--min-score", "0") == everything
    assert all_quotes(tiny_model, "--min-score", "1.0") == []


@pytest.mark.parametrize(
    "args",
    [
        ["--kinds", "direct,quoted"],
        ["--kinds", ","],
        ["--format", "xml"],
        ["--min-score", "1.5"],
        ["--batch-size", "0"],
    ],
)
def test_predict_bad_options_exit_2(tiny_model: Path, texts: Path, args: list[str]) -> None:
    result = predict(tiny_model, "a.txt", *args)
    assert result.exit_code == 2
    assert args[0] in result.stderr
    assert_clean(result)
    assert result.stdout == ""


# --- predict: bad inputs and bad models --------------------------------------------------------------------------


def test_predict_batch_with_bad_files(tiny_model: Path, texts: Path) -> None:
    (texts / "empty.txt").write_bytes(b"")
    (texts / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (texts / "latin.txt").write_bytes("caf\u00e9 ".encode() + b"\x81\x8d broken")  # UTF-8 and stray bytes: no cp1252
    bad = ["empty.txt", "binary.txt", "latin.txt", "missing.txt"]
    result = predict(tiny_model, "empty.txt", "a.txt", "binary.txt", "missing.txt", "b.txt", "latin.txt", "-f", "jsonl")
    assert result.exit_code == 1
    assert_clean(result)
    assert [r["source"] for r in records(result)] == ["a.txt", "b.txt"]
    for name in bad:
        assert len([line for line in result.stderr.splitlines() if name in line]) == 1, (name, result.stderr)
    assert "4 of 6 inputs failed" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
def test_predict_bad_files_keep_whole_page_formats_valid(tiny_model: Path, texts: Path, fmt: str) -> None:
    (texts / "empty.txt").write_bytes(b"   \n")
    result = predict(tiny_model, "a.txt", "empty.txt", "b.txt", "-f", fmt)
    assert result.exit_code == 1
    CHECKS[fmt](stdout(result))


def test_predict_file_names_are_not_console_markup(tiny_model: Path, texts: Path) -> None:
    (texts / "old[").mkdir()
    (texts / "old[" / "notes].txt").write_bytes(b"")
    result = predict(tiny_model, "a.txt", "old[/notes].txt", "-f", "jsonl")
    assert result.exit_code == 1
    assert_clean(result)
    assert "old[/notes].txt: empty file" in result.stderr
    assert [r["source"] for r in records(result)] == ["a.txt"]


def corrupt_weights(model: Path) -> Path:
    weights = model / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    return model


def pickle_only(model: Path) -> Path:
    model.mkdir()
    (model / "pytorch_model.bin").write_bytes(b"\x80\x04N.")
    return model


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda copy: copy.parent / "missing-model", "model directory not found"),
        (lambda copy: pickle_only(copy.parent / "pickled"), "pickle weights are never loaded"),
        (corrupt_weights, "corrupt model files"),
        (lambda copy: copy.parent / "no[/b]such", "model directory not found"),
    ],
    ids=["missing", "pickle-only", "corrupt-safetensors", "markup-in-path"],
)
def test_predict_bad_model_is_one_clean_error(model_copy: Path, texts: Path, make: Any, message: str) -> None:
    model = make(model_copy)
    result = predict(model, "a.txt", "-f", "jsonl")
    assert result.exit_code == 1
    assert_clean(result)
    [line] = error_lines(result)
    assert str(model) in line and message in line
    assert result.stdout == ""


# --- data ------------------------------------------------------------------------------------------------------------


def test_data_validate_good_file() -> None:
    result = run("data", "validate", str(TINY_DATA))
    assert result.exit_code == 0, result.output
    assert "3 documents in 1 file: valid" in result.stdout


def test_data_validate_lists_every_problem(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    good = TINY_DATA.read_text(encoding="utf-8").splitlines()[0]
    lines = [
        '{"id": "a", "text": "no closing brace"',
        json.dumps({"id": "b", "quotes": []}),
        good,
        json.dumps({"id": "c", "text": "Hi there.", "quotes": [{"start": 0, "end": 40, "kind": "direct"}]}),
        json.dumps(
            {"id": "d", "text": "ab [/quote] cd", "quotes": [{"start": 0, "end": 8, "text": "[/quote]", "kind": "x"}]}
        ),
    ]
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("data", "validate", str(broken))
    assert result.exit_code == 1
    assert_clean(result)
    stderr = result.stderr
    assert f"{broken}:1: malformed JSON" in stderr
    assert f"{broken}:2: text: expected a string" in stderr
    assert f"{broken}:3:" not in stderr
    assert f"{broken}:4: quotes[0]: offsets [0, 40) fall outside the text" in stderr
    assert f"{broken}:5: quotes[0]: text '[/quote]' differs" in stderr  # shown as written, not read as markup
    assert f"{broken}:5: quotes[0].kind: expected one of direct, mixed, indirect, found 'x'" in stderr
    assert "error: 5 problems in 5 documents of 1 file" in stderr


def test_data_validate_warns_about_overlaps_and_fails_on_them_only_with_strict(tmp_path: Path) -> None:
    text = '"A b c," she said, "d e."'
    quotes = [{"start": 0, "end": 8, "kind": "direct"}, {"start": 0, "end": 25, "kind": "mixed"}]
    path = tmp_path / "nested.jsonl"
    path.write_text(json.dumps({"id": "n", "text": text, "quotes": quotes}) + "\n", encoding="utf-8")
    result = run("data", "validate", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 document in 1 file: valid\n"
    assert result.stderr.startswith("warning: 1 pair of overlapping quotations, kept as annotated")
    strict = run("data", "validate", "--strict", str(path))
    assert strict.exit_code == 1
    assert f"{path}:1: quotes[0] and quotes[1]: quotations overlap at [0, 8)" in strict.stderr
    assert "error: 1 problem in 1 document of 1 file" in strict.stderr


@pytest.mark.skipif(not (REPO.parent / "shared" / "data" / "polnear").is_dir(), reason="no PolNeAR beside the repo")
def test_data_validate_passes_the_projects_own_training_data() -> None:
    result = run("data", "validate", str(REPO.parent / "shared" / "data" / "polnear"))
    assert result.exit_code == 0, result.stderr[-500:]
    assert "924 documents in 2 files: valid" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "error: no documents in 1 file ({path}): the files hold no records"),
        (b"\xe9\n", "error: 1 problem in 1 file (no document could be read)"),
    ],
    ids=["empty", "undecodable"],
)
def test_data_validate_a_file_without_documents_is_not_valid(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    result = run("data", "validate", str(path))
    assert result.exit_code == 1
    assert message.format(path=path) in result.stderr


def test_data_validate_missing_path(tmp_path: Path) -> None:
    result = run("data", "validate", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 1
    assert_clean(result)
    assert error_lines(result) == [f"error: {tmp_path / 'nope.jsonl'}: no such file or directory"]


def test_data_stats_json(tiny_documents: list[Document]) -> None:
    result = run("data", "stats", "--json", str(TINY_DATA))
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["documents"] == len(tiny_documents) == 3
    assert stats["quotations"] == sum(len(d.quotes) for d in tiny_documents)
    assert sum(stats["quotations_by_kind"].values()) == stats["quotations"]
    assert set(stats["quotations_by_kind"]) == set(QUOTE_KINDS)


def test_data_stats_table() -> None:
    result = run("data", "stats", str(TINY_DATA))
    assert result.exit_code == 0, result.output
    assert "documents: 3" in result.stdout
    assert "Jane Doe" in result.stdout


def test_data_coverage_of_shipped_data() -> None:
    result = run("data", "coverage", str(REPO / "data"))
    assert result.exit_code == 0, result.output
    assert "unreviewed" not in result.stderr


# --- evaluate and train ----------------------------------------------------------------------------------------------


def test_evaluate_writes_json_report(tiny_model: Path, tmp_path: Path) -> None:
    report = tmp_path / "out.json"
    result = run(
        "evaluate", "--model", str(tiny_model), "--data", str(TINY_DATA), "--device", "cpu", "--json", str(report)
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(report.read_text(encoding="utf-8"))
    assert {"detection_overlap", "attributed", "tags_seqeval_strict"} <= set(scores)
    assert scores["documents"] == 3


def test_evaluate_gives_bootstrap_intervals(tiny_model: Path, tmp_path: Path) -> None:
    report = tmp_path / "out.json"
    args = ("evaluate", "--model", str(tiny_model), "--data", str(TINY_DATA), "--device", "cpu")
    result = run(*args, "--bootstrap", "200", "--json", str(report))
    assert result.exit_code == 0, result.output
    assert "95 % intervals, documents resampled: detection F1, all kinds" in result.stdout
    intervals = json.loads(report.read_text(encoding="utf-8"))["bootstrap_95"]
    low, high = intervals["attributed F1, all kinds"]
    assert 0.0 <= low <= high <= 1.0
    refused = run(*args, "--bootstrap", "-1")
    assert refused.exit_code != 0 and "--bootstrap -1" in refused.output


def test_recorded_scores_name_the_precision_auto_chose(model_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--record` keys the scores by data and variant; bf16 is named whether asked for or chosen by `auto`."""
    import quoteattr.hardware as hardware

    monkeypatch.setattr(hardware, "cpu_vendor", lambda: "GenuineIntel")
    for flags in ({"avx2"}, {"avx2", "avx512_bf16", "amx_bf16"}):
        monkeypatch.setattr(hardware, "cpu_flags", lambda flags=flags: frozenset(flags))
        result = run("evaluate", "--model", str(model_copy), "--data", str(TINY_DATA), "--device", "cpu", "--record")
        assert result.exit_code == 0, result.output
    recorded = json.loads((model_copy / "metrics.json").read_text(encoding="utf-8"))
    assert {str(TINY_DATA), f"{TINY_DATA} (bf16)"} <= set(recorded)
    assert f"### {TINY_DATA} (bf16)" in (model_copy / "README.md").read_text(encoding="utf-8")


def test_evaluate_table_is_whole_when_piped(tiny_model: Path, tmp_path: Path) -> None:
    one = tmp_path / "one.jsonl"
    one.write_text(TINY_DATA.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = run("evaluate", "--model", str(tiny_model), "--data", str(one), "--device", "cpu")
    assert result.exit_code == 0, result.output
    assert "evaluation — 1 document " in result.stdout
    for header in ("detect F1 (overlap)", "detect F1 (exact)", "speaker acc.", "attributed P", "direct+mixed"):
        assert header in result.stdout, result.stdout


def test_evaluate_bad_model_is_one_clean_error(tmp_path: Path) -> None:
    result = run("evaluate", "--model", str(tmp_path / "nope"), "--data", str(TINY_DATA), "--device", "cpu")
    assert result.exit_code == 1
    assert_clean(result)
    assert len(error_lines(result)) == 1


def write_config(path: Path, base_model: Path, output_dir: Path, extra: str = "") -> Path:
    path.write_text(
        f"base_model = {json.dumps(base_model.as_posix())}\n"
        f"train_data = [{{ path = {json.dumps(TINY_DATA.as_posix())} }}]\n"
        "dev_data = []\n"
        "epochs = 1\nbatch_size = 8\nmax_length = 32\ntrain_stride = 8\nstride = 8\n"
        'precision = "fp32"\ndevice = "cpu"\nthreads = 1\nsave_half = false\nlog_every = 100\n'
        f"output_dir = {json.dumps(output_dir.as_posix())}\n{extra}",
        encoding="utf-8",
    )
    return path


def test_train_writes_a_model(tiny_base_model: Path, tmp_path: Path) -> None:
    from quoteattr.model.modeling import load_model

    output = tmp_path / "trained"
    config = write_config(tmp_path / "config.toml", tiny_base_model, output)
    result = run("train", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert f"model written to {output}" in result.stdout
    assert {"config.json", "model.safetensors", "quoteattr.json"} <= {p.name for p in output.iterdir()}
    _, _, settings, _ = load_model(output)
    assert settings.max_length == 32


def test_train_unknown_config_key(tiny_base_model: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", tiny_base_model, tmp_path / "out", extra="learning_rat = 0.1\n")
    result = run("train", "--config", str(config))
    assert result.exit_code == 1
    assert_clean(result)
    [line] = error_lines(result)
    assert "learning_rat" in line
    assert not (tmp_path / "out").exists()


def test_train_cuda_without_cuda(tiny_base_model: Path, tmp_path: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    config = write_config(tmp_path / "config.toml", tiny_base_model, tmp_path / "out")
    result = run("train", "--config", str(config), "--device", "cuda")
    assert result.exit_code == 1
    assert_clean(result)
    [line] = error_lines(result)
    assert "cuda" in line and "no CUDA device" in line
    assert not (tmp_path / "out").exists()


def test_train_missing_config(tmp_path: Path) -> None:
    result = run("train", "--config", str(tmp_path / "nope.toml"))
    assert result.exit_code == 1
    assert_clean(result)
    [line] = error_lines(result)
    assert "nope.toml" in line


def test_train_unwritable_output_dir(tiny_base_model: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory", encoding="utf-8")
    config = write_config(tmp_path / "config.toml", tiny_base_model, tmp_path / "a-file" / "model")
    result = run("train", "--config", str(config))
    assert result.exit_code == 1
    assert_clean(result)
    [line] = error_lines(result)
    assert str(tmp_path / "a-file") in line


def test_evaluate_missing_data(tiny_model: Path, tmp_path: Path) -> None:
    result = run("evaluate", "--model", str(tiny_model), "--data", str(tmp_path / "nope.jsonl"), "--device", "cpu")
    assert result.exit_code == 1
    assert_clean(result)
    assert error_lines(result) == [f"error: {tmp_path / 'nope.jsonl'}: no such file or directory"]


def test_train_refuses_to_overwrite_the_shipped_model(tiny_base_model: Path, tmp_path: Path) -> None:
    shipped = REPO / "models" / "quoteattr-minilm"
    before = {p.name: p.stat().st_mtime_ns for p in shipped.iterdir()} if shipped.is_dir() else {}
    config = write_config(tmp_path / "config.toml", tiny_base_model, tmp_path / "out")
    result = run("train", "--config", str(config), "--output-dir", str(shipped))
    assert result.exit_code == 1
    assert_clean(result)
    [line] = error_lines(result)
    assert "training never writes there" in line and "quoteattr promote" in line
    assert ({p.name: p.stat().st_mtime_ns for p in shipped.iterdir()} if shipped.is_dir() else {}) == before


def test_the_fine_tune_recipe_on_a_few_documents(tiny_model: Path, tmp_path: Path) -> None:
    """The README's recipe: fine-tune a model on your own JSONL with the shipped config and --train/--dev."""
    from quoteattr.model.modeling import load_model

    output = tmp_path / "runs" / "finetune"
    result = run(
        "train",
        "--config",
        str(REPO / "training" / "configs" / "finetune.toml"),
        "--init-model",
        str(tiny_model),  # the shipped model in the recipe; a tiny one here
        "--train",
        str(TINY_DATA),
        "--dev",
        str(TINY_DATA),
        "--output-dir",
        str(output),
        "--epochs",
        "2",
        "--device",
        "cpu",
        "--precision",
        "fp32",
    )
    assert result.exit_code == 0, result.output
    assert f"model written to {output}" in result.stdout
    assert "dev window F1 of the kept epoch: f1_QUOTE " in result.stdout
    assert f"quoteattr promote {output} --data {TINY_DATA}" in result.stdout
    _, _, settings, _ = load_model(output)
    assert settings.training["previous_stage"], "continued from the given model"
    assert settings.training["train_documents"] == 3 and settings.training["dev_documents"] == 3


def test_promote_installs_only_a_better_model(tiny_model: Path, tmp_path: Path, monkeypatch: Any) -> None:
    import quoteattr.evaluation as evaluation
    from quoteattr.model.promotion import Promotion

    target = tmp_path / "models" / "current"
    args = ["promote", str(tiny_model), "--data", str(TINY_DATA), "--to", str(target), "--device", "cpu"]
    first = run(*args)
    assert first.exit_code == 0, first.output
    assert f"installed {tiny_model} as {target}" in first.stdout
    assert (target / "model.safetensors").is_file()
    assert str(TINY_DATA) in json.loads((target / "metrics.json").read_text(encoding="utf-8"))
    weights = (target / "model.safetensors").stat().st_mtime_ns
    tie = run(*args)
    assert tie.exit_code == 0, tie.output
    assert "not installed" in tie.stdout and "--force" in tie.stdout
    assert (target / "model.safetensors").stat().st_mtime_ns == weights
    forced = run(*args, "--force")
    assert f"installed {tiny_model} as {target}" in forced.stdout, forced.output
    reports: list[Any] = []  # the candidate is scored first: make it the better one
    real = evaluation.score_model
    monkeypatch.setattr(evaluation, "score_model", lambda *a: reports.append(real(*a)) or reports[-1])
    monkeypatch.setattr(Promotion, "score", staticmethod(lambda report: float(report is reports[0])))
    better = run(*args)
    assert f"installed {tiny_model} as {target}" in better.stdout, better.output


def test_predict_fails_fast_on_bad_inputs_without_loading_the_model(
    texts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import quoteattr.tools.predict_files as predict_files

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded although no input was usable")

    monkeypatch.setattr(predict_files, "_load_attributor", no_model)
    (texts / "binary.txt").write_bytes(b"\x00\x01\x02")
    result = run("predict", "missing.txt", "binary.txt", "-f", "json")
    assert result.exit_code == 1
    assert_clean(result)
    assert "skipped: missing.txt: no such file or directory\n" in result.stderr
    assert "skipped: binary.txt: binary file (NUL bytes)\n" in result.stderr
    assert json.loads(stdout(result))["documents"] == []


def test_predict_on_a_missing_file_does_not_even_import_torch(tmp_path: Path) -> None:
    """`quoteattr predict missing.txt` took 6 s (torch, transformers and the model) to say the file is missing."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "quoteattr", "predict", str(tmp_path / "missing.txt")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"skipped: {tmp_path / 'missing.txt'}: no such file or directory" in done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert not imported & {"torch", "transformers", "numpy"}


def test_predict_progress_bar_knows_the_number_of_files(
    tiny_model: Path, texts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory's progress bar showed n/? : the files were only found while they were read."""
    from rich.progress import Progress

    import quoteattr.tools.predict_files as predict_files

    totals: list[float | None] = []

    class Recording(Progress):
        def add_task(self, description: str, *args: Any, total: float | None = 100.0, **kwargs: Any) -> Any:
            totals.append(total)
            return super().add_task(description, *args, total=total, **kwargs)

    monkeypatch.setattr(predict_files, "Progress", Recording)
    summary = predict_files.predict_files([str(texts)], io.StringIO(), model=tiny_model, device="cpu", progress=True)
    assert (summary.done, totals) == (2, [2])
