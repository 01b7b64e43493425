"""The spaCy component on a blank English pipeline with the tiny test model (`pip install "quoteattr[spacy]"`)."""

from __future__ import annotations

from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy", reason='spaCy is not installed: pip install "quoteattr[spacy]" to run these tests')

from quoteattr.inference import QuoteAttributor  # noqa: E402
from quoteattr.integrations.spacy import QuoteAttrComponent  # noqa: E402  (registers the "quoteattr" factory)

TEXTS = [
    '"We will not back down," said Senator Jane Doe, chair of the committee.\n\nDoe added that it was over.',
    "Ambassador Ivan Petrov said on Monday:\r\n\r\n“This is another fake. We reject it.”\r\n\r\nHe added, “No.”",
    "No quotation here at all.",
    "“Short,” she said. " * 30,
]


@pytest.fixture(scope="module")
def nlp(tiny_model: Path) -> spacy.language.Language:
    pipeline = spacy.blank("en")
    pipeline.add_pipe("quoteattr", config={"model": str(tiny_model), "device": "cpu"})
    return pipeline


def test_spans_have_the_attributors_offsets_and_attributes(nlp: spacy.language.Language, tiny_model: Path) -> None:
    attributor = QuoteAttributor.load(tiny_model, device="cpu")
    found = 0
    for text, doc in zip(TEXTS, nlp.pipe(TEXTS, batch_size=2)):
        quotes = attributor(text)
        spans = list(doc.spans["quotes"])
        assert [(span.start_char, span.end_char) for span in spans] == [(q.start, q.end) for q in quotes]
        for span, quote in zip(spans, quotes):
            assert span.text == quote.text and span._.quote == quote
            assert span._.speaker == (quote.speaker.name if quote.speaker else None)
            assert span._.role == quote.role and span._.score == quote.score
            cue = (span._.cue.start_char, span._.cue.end_char) if span._.cue else None
            assert cue == ((quote.cue.start, quote.cue.end) if quote.cue else None)
            found += 1
    assert found >= 3  # the tiny model finds some, so the comparison above is not vacuous
    one_by_one, batched = [nlp(text) for text in TEXTS], list(nlp.pipe(TEXTS))
    assert [[s.text for s in doc.spans["quotes"]] for doc in one_by_one] == [
        [s.text for s in doc.spans["quotes"]] for doc in batched
    ]
    assert nlp.pipe_names == ["quoteattr"]
    assert isinstance(nlp.get_pipe("quoteattr"), QuoteAttrComponent)


def test_offsets_inside_a_token_widen_to_whole_tokens(tiny_model: Path) -> None:
    from quoteattr.schema import Quote

    nlp = spacy.blank("en")
    component = QuoteAttrComponent(QuoteAttributor.load(tiny_model, device="cpu"))
    doc = nlp("He said unbelievable things.")
    quote = Quote("elievable", 11, 20, "direct", score=0.5)
    component.set_quotes(doc, [quote])
    (span,) = doc.spans["quotes"]
    assert span.text == "unbelievable" and span._.quote == quote
