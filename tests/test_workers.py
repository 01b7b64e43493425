"""Tokenizing and linking in worker processes: the same output, in the same order, for any number of workers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quoteattr.cli import app
from quoteattr.errors import ConfigError
from quoteattr.inference import QuoteAttributor
from quoteattr.workers import chunks, resolve_workers, split_even, stream_with_workers

TEXTS = [
    '"We will not back down," said Senator Jane Doe, chair of the committee.\n\nDoe added that it was over.',
    "Ambassador Ivan Petrov said on Monday:\r\n\r\n“This is another fake. We reject it.”\r\n\r\nHe added, “No.”",
    "No quotation here at all.",
    "“Short,” she said. " * 40,  # longer than one window of the tiny model
    "Émile Zola wrote: « J'accuse ». 🙂 The minister said the vote would go ahead.",
] * 3


def as_records(results: Iterator[list] | list[list]) -> list[list[dict]]:
    return [[quote.to_dict() for quote in quotes] for quotes in results]


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_give_the_same_output_in_the_same_order(tiny_attributor: QuoteAttributor, workers: int) -> None:
    # small chunks: many chunks in flight at once, each cut into several pieces per worker
    alone = as_records(tiny_attributor.stream(TEXTS, chunk_chars=256))
    assert as_records(tiny_attributor.stream(TEXTS, chunk_chars=256, workers=workers)) == alone
    overlapped = stream_with_workers(tiny_attributor, TEXTS, workers, chunk_chars=256, ahead=2)  # as with a GPU
    assert as_records(overlapped) == alone
    assert as_records(tiny_attributor.predict_many(TEXTS, workers=workers)) == as_records(
        tiny_attributor.predict_many(TEXTS)
    )


def test_long_texts_stream_block_by_block_with_workers_too(
    tiny_attributor: QuoteAttributor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tiny_attributor, "long_text_chars", 300)  # the 800-character text above is long
    alone = as_records(tiny_attributor.stream(TEXTS, chunk_chars=256))
    assert as_records(tiny_attributor.stream(TEXTS, chunk_chars=256, workers=2)) == alone


def test_workers_keep_memory_bounded_by_reading_lazily(tiny_attributor: QuoteAttributor) -> None:
    read = 0

    def texts() -> Iterator[str]:
        nonlocal read
        for text in TEXTS * 20:
            read += 1
            yield text

    results = stream_with_workers(tiny_attributor, texts(), workers=2, chunk_chars=64, ahead=2)
    next(results)
    assert read < 20, "the pipeline read far ahead of what it yields"
    results.close()  # stops the workers; nothing hangs


def test_a_non_string_text_is_a_type_error(tiny_attributor: QuoteAttributor) -> None:
    with pytest.raises(TypeError, match="expected str"):
        list(tiny_attributor.stream(["fine", b"bytes"], workers=2))  # type: ignore[list-item]


def test_resolve_workers() -> None:
    assert resolve_workers(1) == 1
    assert resolve_workers("4") == 4
    assert resolve_workers("auto", "cpu") == 1  # the model uses every core there
    assert 2 <= resolve_workers("auto", "cuda") <= 32
    for bad in (0, -1, "zero", "1.5", True):
        with pytest.raises(ConfigError, match="workers must be"):
            resolve_workers(bad)  # type: ignore[arg-type]


def test_chunks_and_splits() -> None:
    assert list(chunks(["ab", "cd", "e", "fgh"], 3, 100)) == [["ab", "cd"], ["e", "fgh"]]
    assert list(chunks([], 3, 100)) == []
    # a long text goes alone, as `QuoteAttributor.stream` sends it (block by block)
    assert list(chunks(["ab", "c" * 101, "d"], 3, 100)) == [["ab"], ["c" * 101], ["d"]]
    assert split_even(5, 2) == [range(0, 2), range(2, 5)] or split_even(5, 2) == [range(0, 3), range(3, 5)]
    assert split_even(2, 8) == [range(0, 1), range(1, 2)]
    assert [i for part in split_even(17, 4) for i in part] == list(range(17))


def test_cli_workers_write_the_same_bytes(tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for index, text in enumerate(TEXTS):
        (tmp_path / f"{index:02d}.txt").write_text(text, encoding="utf-8", newline="")
    runner = CliRunner()
    outputs = []
    for workers in ("1", "2", "auto"):
        args = ["predict", ".", "--model", str(tiny_model), "--device", "cpu", "-f", "jsonl", "--workers", workers]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout_bytes)
    assert outputs[0] == outputs[1] == outputs[2]
    assert [json.loads(line)["source"] for line in outputs[0].decode().splitlines()] == [
        f"./{index:02d}.txt" for index in range(len(TEXTS))
    ]


def test_cli_rejects_a_bad_workers_value(tiny_model: Path) -> None:
    result = CliRunner().invoke(app, ["predict", "x.txt", "--model", str(tiny_model), "--workers", "0"])
    assert result.exit_code == 2
    assert "--workers" in result.output


def test_a_worker_that_dies_is_one_clear_error(
    tiny_attributor: QuoteAttributor, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from quoteattr import workers
    from quoteattr.errors import QuoteAttrError

    monkeypatch.setattr(workers, "_start_worker", lambda spec: os._exit(9))  # a forked worker runs it at once
    with pytest.raises(QuoteAttrError, match="a worker process died"):
        list(tiny_attributor.stream(TEXTS, workers=2))
