"""Bounded inference (issue 13): the streaming window plan, block tokenization, long texts in blocks
and sections, the precision choice at load time and the fast preset (tiny random model)."""

from __future__ import annotations

import warnings
from itertools import pairwise
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers import AutoTokenizer, PreTrainedTokenizerBase

import quoteattr.hardware as hardware
import quoteattr.long_text as long_text_module
from quoteattr.inference import FAST_STRIDE, QuoteAttributor
from quoteattr.model.features import TokenizedText, paragraph_pieces, text_blocks, tokenize_pieces, tokenize_texts
from quoteattr.model.windows import next_windows, plan_windows
from quoteattr.schema import Document


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 120), st.integers(1, 20), st.data())
def test_windows_planned_as_tokens_stream_in_are_the_whole_text_plan(
    n_tokens: int, size: int, data: st.DataObject
) -> None:
    stride = data.draw(st.integers(0, size - 1))
    arrivals = sorted(data.draw(st.lists(st.integers(0, n_tokens), max_size=6)))
    spans, start = [], 0
    for known in arrivals:
        more, start = next_windows(start, known, size, stride, final=False)
        spans += more
        assert all(end <= known for _, end in more)
    more, _ = next_windows(start, n_tokens, size, stride, final=True)
    whole = plan_windows(n_tokens, size, stride, fit_tail=True)
    assert spans + more == [(w.start, w.end) for w in whole]
    assert whole[0].start == 0 and whole[-1].end == n_tokens
    assert all(w.end - w.start <= size for w in whole)
    assert all(a.end - b.start >= stride for a, b in pairwise(whole))
    # no more tokens than the overlaps need, plus one for rounding the last two windows
    seen = sum(w.end - w.start for w in whole)
    assert seen <= n_tokens + (len(whole) - 1) * stride + 1


def test_the_inference_plan_sees_fewer_tokens() -> None:
    old = plan_windows(300, 254, 64)
    new = plan_windows(300, 254, 64, fit_tail=True)
    assert [(w.start, w.end) for w in new] == [(0, 182), (118, 300)]
    assert sum(w.end - w.start for w in new) == 364 < sum(w.end - w.start for w in old) == 508


@pytest.fixture(scope="module")
def tokenizer(tiny_base_model: Path) -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(tiny_base_model)


def test_text_blocks_cut_long_paragraphs_at_spaces() -> None:
    text = "one two three four five six\n\nseven eight\nnine"
    blocks = list(text_blocks(text, 12))
    pieces = [piece for block in blocks for piece in block]
    assert [text[a:b] for a, b, _ in pieces] == ["one two", " three four", " five six", "seven eight", "nine"]
    assert [new for _, _, new in pieces] == [True, False, False, True, True]
    assert all(sum(b - a for a, b, _ in block) <= 12 for block in blocks)
    assert list(text_blocks(text, 1000)) == [paragraph_pieces(text)]
    assert list(text_blocks("", 10)) == [] and list(text_blocks("x" * 25, 10)) == [
        [(0, 10, True)],
        [(10, 20, False)],
        [(20, 25, False)],
    ]


@pytest.mark.parametrize("block_chars", [13, 17, 40, 10_000])  # longer than any word
def test_block_by_block_tokenization_gives_the_whole_text_tokens(
    tiny_documents: list[Document], tokenizer: PreTrainedTokenizerBase, block_chars: int
) -> None:
    text = "\n\n \n".join(document.text for document in tiny_documents)
    whole = tokenize_texts([text], tokenizer)[0]
    joined = TokenizedText([], [], [], [])
    for block in text_blocks(text, block_chars):
        part = tokenize_pieces([(text, block, bool(joined.input_ids))], tokenizer)[0]
        joined.input_ids.extend(part.input_ids)
        joined.offsets.extend(part.offsets)
        joined.case_types.extend(part.case_types)
        joined.continues_word.extend(part.continues_word)
    assert joined == whole


@pytest.fixture(scope="module")
def attributor(tiny_model: Path) -> QuoteAttributor:
    return QuoteAttributor.load(tiny_model, device="cpu", precision="fp32", batch_size=1)


@pytest.fixture(scope="module")
def long_text(tiny_documents: list[Document]) -> str:
    return "\n\n".join(document.text for document in tiny_documents * 3)


@pytest.mark.parametrize("block_chars", [13, 60, 500])  # longer than any word
def test_a_long_text_in_tiny_blocks_gives_the_whole_text_quotes(
    attributor: QuoteAttributor, long_text: str, block_chars: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = attributor(long_text)
    assert whole, "the tiny model finds quotations in the tiny documents"
    monkeypatch.setattr(attributor, "long_text_chars", 0)
    monkeypatch.setattr(attributor, "block_chars", block_chars)
    streamed = list(attributor.stream([long_text, "Short text.", long_text]))
    assert streamed[0] == whole and streamed[2] == whole
    assert streamed[1] == attributor("Short text.")


def test_long_text_scores_are_the_whole_text_scores(
    attributor: QuoteAttributor, long_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attributor, "block_chars", 60)
    ((tokens, scores),) = attributor.token_scores([long_text], batch_size=1)
    runs = list(long_text_module.scored_runs(attributor, long_text, batch_size=1))
    assert len(runs) > 1
    assert [i for run, _ in runs for i in run.input_ids] == tokens.input_ids
    assert torch.equal(torch.from_numpy(scores), torch.cat([torch.from_numpy(s) for _, s in runs]))


def test_sections_link_a_long_text_piece_by_piece(
    attributor: QuoteAttributor, long_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attributor, "long_text_chars", 0)
    monkeypatch.setattr(attributor, "block_chars", 80)
    monkeypatch.setattr(attributor, "section_chars", 200)
    sections: list[tuple[int, int]] = []
    link = long_text_module.link_section

    def recorded(attributor: QuoteAttributor, text: str, start: int, stop: int, *args: object) -> object:
        sections.append((start, stop))
        return link(attributor, text, start, stop, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(long_text_module, "link_section", recorded)
    quotes = attributor(long_text)
    assert len(sections) > 2 and sections[0][0] == 0 and sections[-1][1] == len(long_text)
    assert all(a[1] == b[0] for a, b in pairwise(sections))
    # a section ends where no predicted span runs on (the random model's spans run over paragraphs)
    assert all(any(a <= q.start and q.end <= b for a, b in sections) for q in quotes)
    assert quotes and quotes == sorted(quotes, key=lambda q: q.start)
    for quote in quotes:
        assert long_text[quote.start : quote.end] == quote.text
        if quote.speaker and quote.speaker.mention:
            mention = quote.speaker.mention
            assert long_text[mention.start : mention.end] == mention.text
        if quote.cue:
            assert long_text[quote.cue.start : quote.cue.end] == quote.cue.text


def test_auto_precision_follows_the_cpu_flags(tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hardware, "cpu_vendor", lambda: "AuthenticAMD")
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx2", "avx512_bf16"}))
    native = QuoteAttributor.load(tiny_model, device="cpu")
    assert native.precision == "bf16" and next(native.model.parameters()).dtype == torch.bfloat16
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx2"}))
    plain = QuoteAttributor.load(tiny_model, device="cpu")
    assert plain.precision == "fp32" and next(plain.model.parameters()).dtype == torch.float32


def test_bf16_where_it_does_not_pay_warns_once(tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx2"}))
    monkeypatch.setattr(hardware, "_warned", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        QuoteAttributor.load(tiny_model, device="cpu", precision="bf16")
        QuoteAttributor.load(tiny_model, device="cpu", precision="bf16")
        QuoteAttributor.load(tiny_model, device="cpu", precision="auto")
    assert [w.category for w in caught] == [RuntimeWarning]
    assert "slower" in str(caught[0].message)


def test_the_fast_preset_loads_and_predicts(tiny_model: Path, tiny_documents: list[Document]) -> None:
    fast = QuoteAttributor.load(tiny_model, device="cpu", fast=True)
    default = QuoteAttributor.load(tiny_model, device="cpu")
    assert fast.stride == min(FAST_STRIDE, fast.settings.stride) and default.stride == default.settings.stride
    assert QuoteAttributor.load(tiny_model, device="cpu", stride=2).stride == 2
    for document, quotes in zip(tiny_documents, fast.predict_many([d.text for d in tiny_documents])):
        assert all(document.text[q.start : q.end] == q.text for q in quotes)
