"""`QuoteAttributor`: load a model directory and attribute the quotations of any number of texts.

Texts of any length are cut into overlapping windows (no truncation, no window longer than it
needs, see `model/windows.py`); windows of many texts are batched together sorted by length with
dynamic padding, and each token keeps the prediction of the window where it sits farthest from
an edge. A text longer than `long_text_chars` streams block by block instead, so that memory does
not grow with its length (issue 13).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from transformers import PreTrainedTokenizerBase

from quoteattr.attribution.coreference import CoreferenceScorer
from quoteattr.attribution.decisions import QuotationDecider, TokenReadout
from quoteattr.attribution.name_spans import NameScorer
from quoteattr.attribution.pipeline import attribute
from quoteattr.attribution.role_links import RoleLinker
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.attribution.speaker_links import SpeakerLinker
from quoteattr.errors import ConfigError, ModelLoadError
from quoteattr.hardware import resolve_device, resolve_int8, resolve_precision
from quoteattr.long_text import predict_long
from quoteattr.model.decoding import decode_tags, log_softmax, tag_probabilities
from quoteattr.model.features import (
    PaddingCollator,
    TokenizedText,
    WindowRow,
    tokenize_texts,
    window_rows,
)
from quoteattr.model.heads import with_heads
from quoteattr.model.labels import LabelScheme, tags_to_token_spans
from quoteattr.model.modeling import ModelSettings, load_model
from quoteattr.model.quantization import quantize_encoder
from quoteattr.model.windows import Window, merge_windows
from quoteattr.schema import Quote

logger = logging.getLogger(__name__)

SHIPPED_MODEL = Path(__file__).resolve().parent.parent / "models" / "quoteattr-minilm"
MODEL_ENV = "QUOTEATTR_MODEL"
# Texts longer than this stream block by block (`long_text.py`); news articles are far shorter.
LONG_TEXT_CHARS = 200_000
CHUNK_CHARS = 262_144  # characters of texts read before running the model on them (about 65,536 tokens)
BLOCK_CHARS = 50_000  # characters tokenized and windowed at a time in a long text
SECTION_CHARS = 100_000  # characters of a long text decoded and linked at a time
# `fast=True`: windows overlap by FAST_STRIDE tokens instead of the model's stride (issue 13).
FAST_STRIDE = 16


@dataclass(frozen=True)
class TokenTags:
    """Decoded tags of a text's real tokens: offsets, tags (tokens, families) and their probabilities,
    and the decision readout's scores (tokens, parts, decisions) where the model has one."""

    offsets: list[tuple[int, int]]
    tags: np.ndarray
    probabilities: np.ndarray
    readout: np.ndarray | None = None


@dataclass(frozen=True)
class TaggedQuotes:
    """One text's quotations with the decoded token tags they were linked from."""

    quotes: list[Quote]
    tags: TokenTags


def shipped_model_path() -> Path:
    """The default model: `$QUOTEATTR_MODEL` if set, else the model shipped in `models/`."""
    return Path(os.environ.get(MODEL_ENV) or SHIPPED_MODEL)


class QuoteAttributor:
    """Finds quotations in text and attributes each to a speaker, with role and cue.

    Example:
        >>> qa = QuoteAttributor.load()  # doctest: +SKIP
        >>> for quote in qa('"We are troubled," said Senator Marco Rubio.'):  # doctest: +SKIP
        ...     print(quote.text, quote.speaker.name)
        "We are troubled," Marco Rubio
    """

    def __init__(
        self,
        model: torch.nn.Module,  # the tagger, or the tagger with its heads (`model/heads.py`)
        tokenizer: PreTrainedTokenizerBase,
        settings: ModelSettings,
        scheme: LabelScheme,
        device: torch.device,
        batch_size: int = 16,
        precision: str = "fp32",  # what the encoder runs in: fp32, bf16 or int8
        linker: SpeakerLinker | None = None,
        decider: QuotationDecider | None = None,
        all_attributions: bool = False,
        stride: int | None = None,
        role_linker: RoleLinker | None = None,
        namer: NameScorer | None = None,
        coreference: CoreferenceScorer | None = None,
    ) -> None:
        self.model = model.eval()
        self.linker = linker
        self.decider = decider
        self.role_linker = role_linker
        self.namer = namer
        self.coreference = coreference
        self.all_attributions = all_attributions
        self.precision = precision
        self.tokenizer = tokenizer
        self.settings = settings
        self.scheme = scheme
        self.device = device
        self.batch_size = batch_size
        self.stride = settings.stride if stride is None else stride  # window overlap at inference
        self.chunk_chars = CHUNK_CHARS
        self.long_text_chars = LONG_TEXT_CHARS
        self.block_chars = BLOCK_CHARS
        self.section_chars = SECTION_CHARS
        self._tokenizer_lock = threading.Lock()
        self._collate = PaddingCollator(tokenizer.pad_token_id or 0, len(scheme.families))

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        device: str = "auto",
        quantize: bool = False,
        batch_size: int = 16,
        precision: str = "auto",
        all_attributions: bool = False,
        fast: bool = False,
        stride: int | None = None,
    ) -> QuoteAttributor:
        """Load a model directory (default: the shipped model) onto `device`.

        Args:
            path: a directory written by `quoteattr train`; None for the shipped model.
            device: `auto`, `cpu` or `cuda`.
            quantize: the encoder's linear layers in int8 (`model/quantization.py`; CPU only;
                about 0.3 points of attributed F1 less accurate on PolNeAR dev; faster on a CPU
                with VNNI or AMX, much slower without: warns once there, see `hardware.int8_pays`).
            batch_size: windows per forward pass.
            precision: `auto` (bf16 where the CPU or GPU has native bf16, else fp32), `fp32`, or
                `bf16` (slower than fp32 on a CPU without AMX or AVX-512 BF16: warns once).
            all_attributions: also return the other attributions (beliefs, intentions, plans:
                `Quote.type == "other"`), not only quotations.
            fast: the fast preset: windows overlapping by `FAST_STRIDE` tokens (fewer tokens per
                word) and, on a CPU where int8 pays (VNNI or AMX) unless `precision` is given, the
                encoder in int8; attributed F1 within 1 point of the default on PolNeAR dev.
            stride: tokens shared by consecutive windows (default: the model's, `FAST_STRIDE` with `fast`).
        """
        directory = Path(path) if path is not None else shipped_model_path()
        target = resolve_device(device)
        int8 = resolve_int8(quantize, fast, precision, target)
        chosen = resolve_precision(precision, target, int8)
        if not 1 <= batch_size <= 4096:
            raise ConfigError(f"batch_size must be in [1, 4096], got {batch_size}")
        tagger, tokenizer, settings, scheme = load_model(directory)
        try:
            model = with_heads(tagger, directory, scheme)
        except ValueError as error:
            raise ModelLoadError(str(error)) from None
        if stride is None and fast:
            stride = min(FAST_STRIDE, settings.stride)
        if stride is not None and not 0 <= stride < settings.max_length - 2:
            raise ConfigError(f"stride must be in [0, {settings.max_length - 3}], got {stride}")
        # bf16 weights rather than autocast: no casts at each layer; on an AMD EPYC with AVX-512 BF16,
        # 1.0-1.7x autocast's speed (encoder, 2 threads) and 2.4x fp32's words per CPU-second (issue 13)
        model = model.to(target, torch.bfloat16 if chosen == "bf16" else torch.float32)  # type: ignore[arg-type]
        if int8:
            quantize_encoder(tagger)  # the tagger inside `model`
        logger.debug("loaded %s on %s in %s", directory, target, chosen)
        try:
            linker, decider = SpeakerLinker.load(directory), QuotationDecider.load(directory)
            role_linker, namer = RoleLinker.load(directory), NameScorer.load(directory)
            coreference = CoreferenceScorer.load(directory)
        except (OSError, ValueError) as error:
            raise ModelLoadError(f"{directory}: cannot load the attribution scorers ({error})") from None
        if decider is not None and decider.reads_states and getattr(model, "readout", None) is None:
            raise ModelLoadError(
                f"{directory}: the quotation decision reads states, but the model has no decision readout"
            )
        return cls(
            model,
            tokenizer,
            settings,
            scheme,
            target,
            batch_size,
            "int8" if int8 else chosen,
            linker,
            decider,
            all_attributions,
            stride,
            role_linker,
            namer,
            coreference,
        )

    def __call__(self, text: str) -> list[Quote]:
        """The attributed quotations of one text, in text order."""
        return self.predict_many([text])[0]

    def predict(self, text: str) -> list[Quote]:
        """Same as calling the attributor on one text."""
        return self(text)

    def predict_many(
        self, texts: Sequence[str], batch_size: int | None = None, workers: int | str = 1
    ) -> list[list[Quote]]:
        """The quotations of each text, in input order (`workers`: see `stream`)."""
        return list(self.stream(texts, batch_size, workers=workers))

    def stream(
        self,
        texts: Iterable[str],
        batch_size: int | None = None,
        chunk_chars: int | None = None,
        workers: int | str = 1,
    ) -> Iterator[list[Quote]]:
        """Yield each text's quotations in input order, running the model on `chunk_chars` characters at a time.

        A chunk of texts ends with the text that brings it to `chunk_chars` characters (default: the
        attributor's `chunk_chars`, `CHUNK_CHARS`), so memory stays flat however many texts come in.
        A text longer than `long_text_chars` streams on its own, block by block (see `long_text.py`),
        so memory stays flat however long it is. `workers` above 1 (or `"auto"`) tokenizes and links
        in that many worker processes while this process runs the model, with the same output (see
        `quoteattr.workers`).
        """
        if workers != 1:
            from quoteattr.workers import stream_with_workers

            yield from stream_with_workers(self, texts, workers, batch_size, chunk_chars)
            return
        pending: list[str] = []
        pending_chars = 0
        size = batch_size or self.batch_size
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"expected str texts, got {type(text).__name__}")
            if len(text) > self.long_text_chars:
                if pending:
                    yield from self._predict_chunk(pending, size)
                    pending, pending_chars = [], 0
                yield predict_long(self, text, size)
                continue
            pending.append(text)
            pending_chars += len(text)
            if pending_chars >= (chunk_chars or self.chunk_chars):
                yield from self._predict_chunk(pending, size)
                pending, pending_chars = [], 0
        if pending:
            yield from self._predict_chunk(pending, size)

    def token_scores(
        self, texts: Sequence[str], batch_size: int | None = None, tokenized: Sequence[TokenizedText] | None = None
    ) -> list[tuple[TokenizedText, np.ndarray]]:
        """Per-token log-probabilities (tokens, families, 3) of each text, windows merged; where the
        model has a decision readout, its scores follow as more rows (tokens, families + parts, 3).

        `tokenized`: the texts' `features.tokenize_texts`, when it was done elsewhere (a worker process).
        """
        if tokenized is None:
            with self._tokenizer_lock:
                tokenized = tokenize_texts(texts, self.tokenizer)
        rows = []
        for doc_index, tokens in enumerate(tokenized):
            rows.extend(
                window_rows(tokens, self.tokenizer, self.settings.max_length, self.stride, doc_index, fit_tail=True)
            )
        logits = self._window_logits(rows, batch_size or self.batch_size)
        by_document: list[list[tuple[Window, np.ndarray]]] = [[] for _ in tokenized]
        for row, out in zip(rows, logits):
            by_document[row.window.doc_index].append((row.window, out))
        return [
            (tokens, self._merge(windows, 0, len(tokens.input_ids))) for tokens, windows in zip(tokenized, by_document)
        ]

    def _merge(self, windows: list[tuple[Window, np.ndarray]], first: int, stop: int) -> np.ndarray:
        """Log-probabilities of tokens `[first, stop)`, each from the window that owns it (see
        `model/windows.py`), and the readout's scores after them where the model gives any."""
        families = len(self.scheme.families)
        merged = merge_windows(windows, first, stop, windows[0][1].shape[1] if windows else families * 3)
        rows = merged.reshape(stop - first, merged.shape[1] // 3, 3)
        return np.concatenate([log_softmax(rows[:, :families]), rows[:, families:]], axis=1)

    def _window_logits(self, rows: list[WindowRow], batch_size: int) -> list[np.ndarray]:
        order = sorted(range(len(rows)), key=lambda i: len(rows[i].input_ids))
        outputs: list[np.ndarray] = [np.empty(0)] * len(rows)
        for first in range(0, len(order), batch_size):
            batch = order[first : first + batch_size]
            features = [rows[i].model_inputs(self.settings.case_features) for i in batch]
            inputs = {name: tensor.to(self.device) for name, tensor in self._collate(features).items()}
            with torch.inference_mode():
                logits = self.model(**inputs).logits
            logits = logits.float().cpu().numpy()
            for row, i in enumerate(batch):
                outputs[i] = logits[row, : len(rows[i].input_ids)]
        return outputs

    def _predict_chunk(self, texts: list[str], batch_size: int) -> list[list[Quote]]:
        return [tagged.quotes for tagged in self.predict_tagged(texts, batch_size)]

    def predict_tagged(self, texts: Sequence[str], batch_size: int | None = None) -> list[TaggedQuotes]:
        """The quotations of each text, as `predict_many` gives them, with the token tags they come from.

        Evaluation scores the tags too (seqeval). The texts' windows are run together, each text
        whole: for texts of any length in flat memory, use `stream`.
        """
        tagged = []
        for text, (tokens, scores) in zip(texts, self.token_scores(texts, batch_size)):
            decoded = self.decode(tokens, scores)
            tagged.append(TaggedQuotes(self.link(text, decoded), decoded))
        return tagged

    def spans_of(self, texts: Sequence[str], batch_size: int = 32) -> list[dict[str, list[TaggedSpan]]]:
        """The tagged spans per label family of each text, before linking (what the learned scorers
        are trained on), `batch_size` texts at a time."""
        found: list[dict[str, list[TaggedSpan]]] = []
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            found += [self.tagged_spans(self.decode(*tagged)) for tagged in self.token_scores(chunk)]
        return found

    def decode(self, tokens: TokenizedText, scores: np.ndarray) -> TokenTags:
        """Well-formed tags of the real tokens (separators dropped, so spans run across paragraphs),
        with the readout's scores on them where `scores` hold any (see `token_scores`)."""
        real = [i for i, offset in enumerate(tokens.offsets) if offset is not None]
        offsets = [tokens.offsets[i] for i in real]
        families = len(self.scheme.families)
        real_scores = scores[real]
        tags = decode_tags(real_scores[:, :families], [tokens.continues_word[i] for i in real])
        readout = real_scores[:, families:] if scores.shape[1] > families else None
        return TokenTags(offsets, tags, tag_probabilities(real_scores[:, :families], tags), readout)  # type: ignore[arg-type]

    def tagged_spans(self, decoded: TokenTags) -> dict[str, list[TaggedSpan]]:
        """One text's decoded tags as character spans per label family, each with its mean probability."""
        spans: dict[str, list[TaggedSpan]] = {}
        for f, family in enumerate(self.scheme.families):
            found = []
            for first, stop in tags_to_token_spans(decoded.tags[:, f].tolist()):
                start, end = decoded.offsets[first][0], decoded.offsets[stop - 1][1]
                found.append(TaggedSpan(start, end, float(decoded.probabilities[first:stop, f].mean())))
            spans[family] = found
        return spans

    def link(self, text: str, decoded: TokenTags) -> list[Quote]:
        """Turn one text's decoded tags into spans per family and link them into quotations."""
        spans = self.tagged_spans(decoded)
        return attribute(
            text,
            spans.get("QUOTE", []),
            spans.get("SPEAKER", []),
            spans.get("CUE", []),
            spans.get("ROLE", []),
            linker=self.linker,
            decider=self.decider,
            all_attributions=self.all_attributions,
            role_linker=self.role_linker,
            namer=self.namer,
            coreference=self.coreference,
            readout=None if decoded.readout is None else TokenReadout.of(decoded.offsets, decoded.readout),
        )


def load_attributor(
    path: str | Path | None,
    device: str = "auto",
    quantize: bool = False,
    precision: str = "auto",
    all_attributions: bool = False,
    fast: bool = False,
) -> QuoteAttributor:
    """`QuoteAttributor.load` with the model path named in any load error."""
    try:
        return QuoteAttributor.load(
            path, device=device, quantize=quantize, precision=precision, all_attributions=all_attributions, fast=fast
        )
    except ModelLoadError:
        raise
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"{path or shipped_model_path()}: cannot load model ({error})") from None
