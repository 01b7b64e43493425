"""Dataset statistics on a hand-made document set and on the shipped seed data."""

from __future__ import annotations

from pathlib import Path

from quoteattr.attribution.names import mention_type
from quoteattr.data.jsonl import load_documents
from quoteattr.data.stats import DatasetStats, SpeakerStats, dataset_stats
from quoteattr.schema import Document, Entity, Mention, Quote, QuoteKind, Span, Speaker

DATA = Path(__file__).resolve().parents[1] / "data"

TEXT_A = 'John Kirby said "we act." He said "we wait." The spokesman said talks stalled. Kirby left.'
TEXT_B = (
    'Pak said "it is final" and "it is late." U.S. officials said it would wait. Kirby called the deal "dead." "No."'
)


def _span(text: str, needle: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return Span.of(text, start, start + len(needle))


def _quote(
    text: str,
    needle: str,
    kind: QuoteKind,
    speaker: Speaker | None = None,
    role: str | None = None,
    cue: Span | None = None,
) -> Quote:
    span = _span(text, needle)
    return Quote(span.text, span.start, span.end, kind, speaker=speaker, role=role, cue=cue)


def _document_a() -> Document:
    """Annotated with entities: Kirby (name, pronoun and an extra name mention), a nominal spokesman."""
    t = TEXT_A
    kirby, he, spokesman = _span(t, "John Kirby"), _span(t, "He"), _span(t, "The spokesman")
    quotes = (
        _quote(t, '"we act."', "direct", Speaker("John Kirby", kirby), "spokesman", _span(t, "said")),
        _quote(t, '"we wait."', "direct", Speaker("John Kirby", he), "NSC coordinator", _span(t, "said", 1)),
        _quote(t, "talks stalled", "indirect", Speaker("unnamed spokesman", spokesman)),
    )
    entities = (
        Entity(
            "John Kirby",
            mentions=(Mention(kirby, "name"), Mention(he, "pronoun"), Mention(_span(t, "Kirby", 1), "name")),
        ),
        Entity("unnamed spokesman", mentions=(Mention(spokesman, "nominal"),)),
    )
    return Document("a", t, quotes, entities)


def _document_b() -> Document:
    """PolNeAR-like, no entities: two quotations share the mention *Pak*; one quotation has no speaker."""
    t = TEXT_B
    pak = Speaker("Jung Pak", _span(t, "Pak"))
    said = _span(t, "said")
    quotes = (
        _quote(t, '"it is final"', "direct", pak, "deputy assistant secretary", said),
        _quote(t, '"it is late."', "direct", pak, "deputy assistant secretary", said),
        _quote(
            t,
            "it would wait",
            "indirect",
            Speaker("unnamed U.S. officials", _span(t, "U.S. officials")),
            None,
            _span(t, "said", 1),
        ),
        _quote(t, 'the deal "dead."', "mixed", Speaker("John Kirby", _span(t, "Kirby")), None, _span(t, "called")),
        _quote(t, '"No."', "direct"),
    )
    return Document("b", t, quotes)


def test_counts_on_hand_made_documents() -> None:
    stats = dataset_stats([_document_a(), _document_b()], mention_type)
    assert stats.documents == 2
    assert stats.quotations == 8
    assert stats.quotations_by_kind == {"direct": 5, "mixed": 1, "indirect": 2}
    assert (stats.quotations_with_speaker, stats.quotations_without_speaker) == (7, 1)
    assert stats.cues == 6
    # John Kirby speaks in both documents and counts once
    assert stats.distinct_speakers == 4
    # a: entity mentions (2 names, 1 pronoun, 1 nominal); b: distinct speaker mentions Pak, Kirby, U.S. officials
    assert stats.mentions_by_type == {"name": 4, "pronoun": 1, "nominal": 2}
    assert stats.quotations_with_role == 4
    assert stats.role_coverage == 0.5
    assert stats.speakers == (
        SpeakerStats("John Kirby", 3, ("NSC coordinator", "spokesman")),
        SpeakerStats("Jung Pak", 2, ("deputy assistant secretary",)),
        SpeakerStats("unnamed U.S. officials", 1, ()),
        SpeakerStats("unnamed spokesman", 1, ()),
    )


def test_to_dict_is_plain_data() -> None:
    record = dataset_stats([_document_b()], mention_type).to_dict()
    assert record["quotations"] == 5
    assert record["quotations_without_speaker"] == 1
    assert record["role_coverage"] == 0.4
    assert record["speakers"][0] == {"name": "Jung Pak", "quotations": 2, "roles": ["deputy assistant secretary"]}


def test_empty_dataset() -> None:
    stats = dataset_stats([], mention_type)
    assert stats == DatasetStats(
        0, 0, {"direct": 0, "mixed": 0, "indirect": 0}, 0, 0, 0, {"name": 0, "pronoun": 0, "nominal": 0}, 0, ()
    )
    assert stats.role_coverage == 0.0


def test_seed_data_speakers_have_roles() -> None:
    stats = dataset_stats(load_documents(DATA), mention_type)
    assert stats.documents == 5
    assert stats.quotations == sum(stats.quotations_by_kind.values()) > 0
    by_name = {speaker.name: speaker for speaker in stats.speakers}
    for name in ("John Kirby", "Matthew Miller", "Adrienne Watson", "Jung Pak", "Vasily Nebenzya"):
        assert name in by_name, name
        assert by_name[name].quotations >= 1
        assert len(by_name[name].roles) >= 1, name
