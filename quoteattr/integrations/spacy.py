"""A spaCy pipeline component that attributes quotations: `pip install "quoteattr[spacy]"`.

```python
import spacy

nlp = spacy.blank("en")                      # or any English pipeline
nlp.add_pipe("quoteattr", config={"model": "models/quoteattr-minilm"})
doc = nlp(text)
for span in doc.spans["quotes"]:
    print(span.text, span._.speaker, span._.role, span._.cue, span._.score)
```

The component reads `doc.text` (it does not depend on spaCy's tokens) and sets `doc.spans["quotes"]`:
one span per quotation in text order, with the extension attributes

- `span._.speaker`: the speaker's canonical name in the document, or None;
- `span._.speaker_mention`: the words the attribution points at, a `Span`, or None;
- `span._.role`: the speaker's role as written, or None;
- `span._.cue`: the cue (*said*), a `Span`, or None;
- `span._.score`: the confidence in [0, 1];
- `span._.quote`: the `quoteattr.Quote` itself (kind, type, fragments, exact offsets).

A quotation's span has the quotation's exact character offsets whenever they fall on token
boundaries, which they do with spaCy's English tokenizer (it splits quotation marks off); where
they do not, the span is widened to whole tokens (`alignment_mode="expand"`) and `span._.quote`
keeps the exact offsets. `nlp.pipe` attributes many documents in batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.tokens import Doc, Span

from quoteattr.schema import Quote

if TYPE_CHECKING:
    from quoteattr.inference import QuoteAttributor

SPANS_KEY = "quotes"
EXTENSIONS = ("speaker", "speaker_mention", "role", "cue", "score", "quote")


def _register_extensions() -> None:
    for name in EXTENSIONS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


class QuoteAttrComponent:
    """Sets `doc.spans[spans_key]` to the document's attributed quotations."""

    def __init__(
        self,
        attributor: QuoteAttributor,
        name: str = "quoteattr",
        spans_key: str = SPANS_KEY,
        min_score: float = 0.0,
        batch_size: int = 32,
    ) -> None:
        _register_extensions()
        self.attributor = attributor
        self.name = name
        self.spans_key = spans_key
        self.min_score = min_score
        self.batch_size = batch_size

    def __call__(self, doc: Doc) -> Doc:
        return self.set_quotes(doc, self.attributor(doc.text))

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        """Attribute the documents `batch_size` at a time (one model pass over each batch's windows)."""
        documents = iter(docs)
        while batch := list(islice(documents, batch_size or self.batch_size)):
            for doc, quotes in zip(batch, self.attributor.predict_many([doc.text for doc in batch])):
                yield self.set_quotes(doc, quotes)

    def set_quotes(self, doc: Doc, quotes: list[Quote]) -> Doc:
        """Put `quotes` on `doc` as spans with their extension attributes."""
        spans = []
        for quote in quotes:
            if quote.score < self.min_score:
                continue
            span = _span(doc, quote.start, quote.end, "QUOTE")
            mention = quote.speaker.mention if quote.speaker else None
            span._.quote = quote
            span._.speaker = quote.speaker.name if quote.speaker else None
            span._.speaker_mention = _span(doc, mention.start, mention.end, "SPEAKER") if mention else None
            span._.role = quote.role
            span._.cue = _span(doc, quote.cue.start, quote.cue.end, "CUE") if quote.cue else None
            span._.score = quote.score
            spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


def _span(doc: Doc, start: int, end: int, label: str) -> Span:
    span = doc.char_span(start, end, label=label) or doc.char_span(start, end, label=label, alignment_mode="expand")
    if span is None:  # only for offsets outside the text, which the attributor never gives
        raise ValueError(f"no tokens of the document cover characters [{start}, {end})")
    return span


@Language.factory(
    "quoteattr",
    default_config={
        "model": None,
        "device": "auto",
        "precision": "auto",
        "batch_size": 32,
        "min_score": 0.0,
        "all_attributions": False,
        "spans_key": SPANS_KEY,
    },
)
def make_quoteattr(
    nlp: Language,
    name: str,
    model: str | None,
    device: str,
    precision: str,
    batch_size: int,
    min_score: float,
    all_attributions: bool,
    spans_key: str,
) -> QuoteAttrComponent:
    """The `quoteattr` factory: `nlp.add_pipe("quoteattr", config={"model": DIR})` (None: the default model)."""
    from quoteattr.inference import load_attributor

    attributor = load_attributor(model, device=device, precision=precision, all_attributions=all_attributions)
    return QuoteAttrComponent(attributor, name, spans_key, min_score, batch_size)
