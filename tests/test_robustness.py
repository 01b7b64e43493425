"""`QuoteAttributor` on hostile and unusual text: it never crashes and every offset indexes the input exactly."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quoteattr.inference import QuoteAttributor
from quoteattr.schema import QUOTE_KINDS, Quote

_SENTENCE = "the senator said that we will not back down and the vote would go ahead"
WORDS = _SENTENCE.split()
PARAGRAPH = '"We will not back down," said Senator Jane Doe, chair of the committee. Doe added that it was over.'
MARKS = ['"', "“", "”", "‘", "’", "«", "»", "'"]
EMOJI = ["🙂", "😀", "👩\u200d👩\u200d👧", "🇺🇦", "👍🏽"]


def assert_exact(text: str, quotes: list[Quote]) -> None:
    """Every span indexes `text` exactly; quotations come in text order with sane kinds and scores."""
    for quote in quotes:
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start : quote.end] == quote.text
        for fragment in quote.fragments:
            assert text[fragment.start : fragment.end] == fragment.text
        if quote.cue is not None:
            assert text[quote.cue.start : quote.cue.end] == quote.cue.text
        if quote.speaker is not None:
            assert quote.speaker.name
            mention = quote.speaker.mention
            if mention is not None:
                assert text[mention.start : mention.end] == mention.text
        assert quote.kind in QUOTE_KINDS
        assert 0.0 <= quote.score <= 1.0
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)


CASES = {
    "empty": "",
    "whitespace": " \n\t\r\n  \n\n\u3000\xa0",
    "200-paragraphs": "\n\n".join(PARAGRAPH for _ in range(200)),
    "quote-longer-than-window": "“" + " ".join(WORDS[i % len(WORDS)] for i in range(300)) + ",” Doe said.",
    "unbalanced-marks": 'He said "this opens and never closes.\n\nThen ” stray ” marks “ and « more and "',
    "only-closing-marks": "” ” ”said Doe” »",
    "mixed-marks": "“Curly,” and \"straight\" and «guillemets» and ‘single’ and 'plain', said Doe. „Low“ too.",
    "nested": "\"She told me 'we will never “really” go' and left,\" Doe said. «Il a dit “non”», he added.",
    "apostrophes": "It's Doe's view that the committee's rock 'n' roll isn't O'Brien's '90s thing, y'all.",
    "chinese": "“我们不会退缩，”参议员简·多伊说。她补充说：“投票将继续进行。”",
    "arabic": "قال السفير «هذا تزوير آخر. نحن نرفضه». وأضاف: «لا شيء يتغير».",
    "russian": "«Это очередная фальшивка», — сказал посол Иван Петров. Он добавил: «Ничего не меняется».",
    "emoji-and-controls": (
        "“We 🙂👩\u200d👩\u200d👧 will\x00\x01\x02\x03\x04\x05\x06\x07\x08 win\u200b,” said 🇺🇦 Doe.\U0001f600"
    ),
    "crlf": '"We will not back down,"\r\nsaid Senator Jane Doe.\r\n\r\n"Another one," he said.\r\n',
    "cr-only": '"We will not back down," said Doe.\r\r"Again," he said.\r',
    "bom": '\ufeff"We will not back down," said Senator Jane Doe.',
    "combining-and-ligatures": "e\u0301\u0301 “cafe\u0301 ﬁnal İstanbul Straße,” said Doe. ǅ ﬀ",
    "bidi-and-separators": "\u202e“We will,” said Doe.\u202c\u2028“Next,” he said.\u2029\x85“Last.”\x0b\x0c",
    "marks-only": "\"“”‘’«»'" * 50,
    "no-letters": "!!! ... --- ??? *** ### " * 20,
}


@pytest.mark.parametrize("text", list(CASES.values()), ids=list(CASES))
def test_no_crash_and_exact_offsets(tiny_attributor: QuoteAttributor, text: str) -> None:
    quotes = tiny_attributor(text)
    assert_exact(text, quotes)
    if not text.strip():
        assert quotes == []


@pytest.mark.slow
def test_two_megabyte_article(tiny_attributor: QuoteAttributor) -> None:
    text = "\n\n".join(PARAGRAPH for _ in range(2_000_000 // (len(PARAGRAPH) + 2) + 1))[:2_000_000]
    quotes = tiny_attributor(text)
    assert_exact(text, quotes)


def test_predict_is_deterministic(tiny_attributor: QuoteAttributor) -> None:
    for text in CASES.values():
        first = [q.to_dict() for q in tiny_attributor(text)]
        second = [q.to_dict() for q in tiny_attributor(text)]
        assert first == second


def test_batches_and_chunks_do_not_change_results(tiny_attributor: QuoteAttributor) -> None:
    texts = list(CASES.values())
    alone = [tiny_attributor(text) for text in texts]
    assert tiny_attributor.predict_many(texts, batch_size=3) == alone
    assert list(tiny_attributor.stream(texts, chunk_chars=4)) == alone


def test_non_string_input_is_a_type_error(tiny_attributor: QuoteAttributor) -> None:
    with pytest.raises(TypeError, match="expected str"):
        tiny_attributor.predict_many(["fine", b"bytes"])  # type: ignore[list-item]


PIECES = st.one_of(
    st.sampled_from([*WORDS, "Jane", "Doe", "said", "told", "reporters", ",", ".", ":", "—"]),
    st.sampled_from(MARKS),
    st.sampled_from(["\n", "\n\n", "\r\n", " \n "]),
    st.sampled_from(EMOJI),
    st.text(min_size=1, max_size=3),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(PIECES, max_size=80),
    separators=st.lists(st.sampled_from(["", " ", " ", "  "]), min_size=80, max_size=80),
)
def test_random_texts_never_crash(tiny_attributor: QuoteAttributor, pieces: list[str], separators: list[str]) -> None:
    text = "".join(piece + separator for piece, separator in zip(pieces, separators))
    assert_exact(text, tiny_attributor(text))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(PIECES, max_size=60), data=st.data())
def test_linking_any_tags_keeps_offsets(
    tiny_attributor: QuoteAttributor, pieces: list[str], data: st.DataObject
) -> None:
    """The linking rules on arbitrary tag sequences (a trained model tags far more varied spans than the tiny one)."""
    import numpy as np

    from quoteattr.model.features import tokenize_texts

    text = " ".join(pieces)
    tokens = tokenize_texts([text], tiny_attributor.tokenizer)[0]
    families = len(tiny_attributor.scheme.families)
    tags = data.draw(
        st.lists(
            st.integers(0, 2), min_size=len(tokens.input_ids) * families, max_size=len(tokens.input_ids) * families
        )
    )
    scores = np.full((len(tokens.input_ids), families, 3), -5.0, dtype=np.float32)
    for position, tag in enumerate(tags):
        scores[position // families, position % families, tag] = -0.01
    assert_exact(text, tiny_attributor.link(text, tiny_attributor.decode(tokens, scores)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(PIECES, min_size=1, max_size=40), data=st.data())
def test_decoded_spans_never_split_a_word(
    tiny_attributor: QuoteAttributor, pieces: list[str], data: st.DataObject
) -> None:
    import numpy as np

    from quoteattr.model.features import tokenize_texts
    from quoteattr.model.labels import tags_to_token_spans

    text = " ".join(pieces)
    tokens = tokenize_texts([text], tiny_attributor.tokenizer)[0]
    shape = (len(tokens.input_ids), len(tiny_attributor.scheme.families), 3)
    seed = data.draw(st.integers(0, 2**16))
    scores = np.log(np.random.default_rng(seed).dirichlet(np.ones(3), size=shape[:2])).astype(np.float32)
    decoded = tiny_attributor.decode(tokens, scores)
    for family in range(shape[1]):
        for first, stop in tags_to_token_spans(decoded.tags[:, family].tolist()):
            start, end = decoded.offsets[first][0], decoded.offsets[stop - 1][1]
            assert not (start > 0 and (text[start - 1] + text[start]).isalnum())
            assert not (end < len(text) and (text[end - 1] + text[end]).isalnum())
