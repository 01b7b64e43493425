"""Attribute the quotations of a text of any length in bounded memory (issue 13).

A text longer than `QuoteAttributor.long_text_chars` is read `block_chars` characters at a time:
each block is tokenized, the windows it completes are planned (`windows.next_windows`) and run,
and the tokens whose windows are all done get their merged scores, exactly as `token_scores` gives
them for the whole text. The scores are decoded and linked a section of about `section_chars`
characters at a time, so neither the tokens, the logits nor the linker's work grow with the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from quoteattr.model.decoding import decode_tags
from quoteattr.model.features import TokenizedText, text_blocks, tokenize_pieces, window_row
from quoteattr.model.labels import INSIDE
from quoteattr.model.windows import Window, next_windows
from quoteattr.schema import Quote, Span

if TYPE_CHECKING:
    from quoteattr.inference import QuoteAttributor


def scored_runs(attributor: QuoteAttributor, text: str, batch_size: int) -> Iterator[tuple[TokenizedText, np.ndarray]]:
    """Tokens and merged log-probabilities of one text, run after run in text order, `block_chars` at a time.

    Windows are planned as the tokens come (`next_windows`), so every token gets the scores
    it would get from `token_scores` on the whole text; only the windows that reach past the
    tokens already given are kept between blocks.
    """
    size, stride = attributor.settings.max_length - 2, attributor.stride
    buffer = TokenizedText([], [], [], [])
    base = 0  # index in the text's tokens of buffer[0]; the next window starts here
    kept: list[tuple[Window, np.ndarray]] = []
    blocks = text_blocks(text, attributor.block_chars)
    block = next(blocks, [])
    follows = False
    while True:
        upcoming = next(blocks, None)
        with attributor._tokenizer_lock:
            tokens = tokenize_pieces([(text, block, follows)], attributor.tokenizer)[0]
        follows = follows or bool(tokens.input_ids)
        for mine, theirs in zip(_fields(buffer), _fields(tokens)):
            mine.extend(theirs)  # type: ignore[attr-defined]
        spans, upto = next_windows(base, base + len(buffer.input_ids), size, stride, final=upcoming is None)
        windows = [Window(0, 0, start, end) for start, end in spans]
        rows = [window_row(buffer, attributor.tokenizer, window, base) for window in windows]
        computed = [*kept, *zip(windows, attributor._window_logits(rows, batch_size))]
        if upto > base:
            done = upto - base
            yield TokenizedText(*(field[:done] for field in _fields(buffer))), attributor._merge(computed, base, upto)  # type: ignore[arg-type]
            buffer = TokenizedText(*(field[done:] for field in _fields(buffer)))  # type: ignore[arg-type]
            base = upto
        kept = [(window, out) for window, out in computed if window.end > upto]
        if upcoming is None:
            return
        block = upcoming


def predict_long(attributor: QuoteAttributor, text: str, batch_size: int) -> list[Quote]:
    """The quotations of a long text with memory bounded by the block and section sizes, not the text.

    Scores stream in runs (`scored_runs`); they are decoded and linked a section of about
    `section_chars` characters at a time, cut at a paragraph break that no predicted span
    runs across, so a speaker is resolved within its section (far longer than a news article).
    """
    quotes: list[Quote] = []
    runs: list[tuple[TokenizedText, np.ndarray]] = []
    section_start = 0  # character offset of the current section in text
    for run in scored_runs(attributor, text, batch_size):
        runs.append(run)
        last = _last_offset(run[0])
        if last is None or last - section_start < attributor.section_chars:
            continue
        tokens, scores = _joined(runs)
        cut = section_cut(attributor.section_chars, tokens, scores[:, : len(attributor.scheme.families)], section_start)
        if cut is None:
            continue
        stop = tokens.offsets[cut][0]  # type: ignore[index]
        quotes.extend(link_section(attributor, text, section_start, stop, _sliced(tokens, 0, cut), scores[:cut]))
        runs = [(_sliced(tokens, cut, len(tokens.input_ids)), scores[cut:])]
        section_start = stop
    tokens, scores = _joined(runs)
    quotes.extend(link_section(attributor, text, section_start, len(text), tokens, scores))
    return quotes


def section_cut(section_chars: int, tokens: TokenizedText, scores: np.ndarray, section_start: int) -> int | None:
    """Index of a token before which to end the section: after `section_chars`, at a paragraph break
    (else a word start) with no span running on, leaving `section_chars // 4` characters of the
    decoded lookahead after it; None to read on. `scores`: the label families' log-probabilities."""
    real = [i for i, offset in enumerate(tokens.offsets) if offset is not None]
    tags = decode_tags(scores[real], [tokens.continues_word[i] for i in real])
    end = tokens.offsets[real[-1]][1]  # type: ignore[index]
    inside = (tags == INSIDE).any(axis=1)
    candidates: list[tuple[bool, int]] = []  # (at a paragraph break, token index)
    for position in range(1, len(real)):
        index = real[position]
        start = tokens.offsets[index][0]  # type: ignore[index]
        if start - section_start < section_chars or end - start < section_chars // 4:
            continue
        if not inside[position] and not tokens.continues_word[index]:
            candidates.append((index != real[position - 1] + 1, index))
        elif end - section_start > 4 * section_chars and not tokens.continues_word[index]:
            candidates.append((False, index))  # a span that long: cut it rather than grow
    if not candidates:
        return None
    return max(candidates)[1] if any(brk for brk, _ in candidates) else candidates[0][1]


def link_section(
    attributor: QuoteAttributor, text: str, start: int, stop: int, tokens: TokenizedText, scores: np.ndarray
) -> list[Quote]:
    """Decode and link the tokens of `text[start:stop]`; offsets come back into the whole text."""
    if start == 0 and stop == len(text):
        return attributor.link(text, attributor.decode(tokens, scores))
    shifted = TokenizedText(
        tokens.input_ids,
        [None if offset is None else (offset[0] - start, offset[1] - start) for offset in tokens.offsets],
        tokens.case_types,
        tokens.continues_word,
    )
    section = text[start:stop]
    return [shift_quote(quote, start) for quote in attributor.link(section, attributor.decode(shifted, scores))]


def _fields(tokens: TokenizedText) -> tuple[list, ...]:  # type: ignore[type-arg]
    return tokens.input_ids, tokens.offsets, tokens.case_types, tokens.continues_word


def _sliced(tokens: TokenizedText, start: int, stop: int) -> TokenizedText:
    return TokenizedText(*(field[start:stop] for field in _fields(tokens)))


def _joined(runs: list[tuple[TokenizedText, np.ndarray]]) -> tuple[TokenizedText, np.ndarray]:
    if len(runs) == 1:
        return runs[0]
    fields = [_fields(tokens) for tokens, _ in runs]
    joined = TokenizedText(*([item for run in fields for item in run[k]] for k in range(4)))
    return joined, np.concatenate([scores for _, scores in runs])


def _last_offset(tokens: TokenizedText) -> int | None:
    """End offset of the last real token, None where there is none."""
    return next((offset[1] for offset in reversed(tokens.offsets) if offset is not None), None)


def shift_quote(quote: Quote, delta: int) -> Quote:
    """`quote`, found in a section of a text that starts at `delta`, with its offsets into the whole text."""

    def moved(span: Span) -> Span:
        return Span(span.start + delta, span.end + delta, span.text)

    speaker = quote.speaker
    if speaker is not None and speaker.mention is not None:
        speaker = replace(speaker, mention=moved(speaker.mention))
    return replace(
        quote,
        start=quote.start + delta,
        end=quote.end + delta,
        speaker=speaker,
        cue=moved(quote.cue) if quote.cue else None,
        fragments=tuple(moved(fragment) for fragment in quote.fragments),
    )
