"""The pure scoring functions (`quoteattr.metrics`): matching, kind groups, speakers, roles, tags."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteattr.metrics import (
    PRF,
    Accuracy,
    bootstrap_intervals,
    evaluate,
    match_quotes,
    normalise_name,
    role_correct,
    seqeval_scores,
    speaker_correct,
)
from quoteattr.schema import Document, Entity, Mention, Quote, QuoteKind, Span, Speaker

TEXT = (
    'Mayor Ann Lee said: "We will win." Bob Ray said the plan was "bold and new". '
    'Lee added that taxes would fall. "Never," said Bob Ray. Weather was fine.'
)


def q(start: int, end: int, kind: QuoteKind, speaker: Speaker | None = None, role: str | None = None) -> Quote:
    return Quote(TEXT[start:end], start, end, kind, speaker, role)


def person(name: str, start: int, end: int, *aliases: str) -> Speaker:
    return Speaker(name, Span.of(TEXT, start, end), aliases)


ANN = person("Ann Lee", 6, 13, "Lee")
ANN_LATER = person("Ann Lee", 77, 80, "Lee")
BOB = person("Bob Ray", 35, 42)
BOB_LATER = person("Bob Ray", 124, 131)


def test_normalise_name() -> None:
    assert normalise_name("The Prime Minister's Office") == "prime minister office"
    assert normalise_name("José  Álvarez") == "jose alvarez"
    assert normalise_name("the") == ""
    assert normalise_name("  A spokesperson, ") == "spokesperson"


def test_prf_and_accuracy() -> None:
    prf = PRF(3, 4, 6)
    assert prf.precision == 0.75 and prf.recall == 0.5 and prf.f1 == pytest.approx(0.6)
    assert prf.to_dict() == {"precision": 0.75, "recall": 0.5, "f1": 0.6, "tp": 3, "predicted": 4, "gold": 6}
    assert PRF(0, 0, 0).f1 == 0.0 and PRF(0, 3, 0).precision == 0.0
    assert Accuracy(2, 3).to_dict() == {"accuracy": 0.6667, "correct": 2, "total": 3}
    assert Accuracy(0, 0).value == 0.0


def test_match_quotes_is_one_to_one_by_largest_overlap() -> None:
    document = Document("d", TEXT)
    gold = [q(48, 75, "mixed"), q(92, 108, "indirect")]
    # p0 overlaps gold 0 by 12 characters, p1 by 23 (the whole trimmed gold), p2 matches gold 1
    pred = [q(61, 75, "direct"), q(44, 76, "mixed"), q(86, 109, "indirect"), q(133, 149, "indirect")]
    pairs, absorbed = match_quotes(document, gold, pred)
    assert sorted(pairs) == [(0, 1), (1, 2)]
    assert absorbed == set()
    # marks and punctuation are trimmed before measuring overlap: these only share a quotation mark
    pairs, _ = match_quotes(document, [q(20, 34, "direct")], [q(33, 37, "indirect")])
    assert pairs == []


def test_match_quotes_breaks_ties_by_gold_order() -> None:
    document = Document("d", "aaaa bbbb cccc")
    gold = [Quote("aaaa", 0, 4, "indirect"), Quote("cccc", 10, 14, "indirect")]
    pred = [Quote("aaaa bbbb cccc", 0, 14, "indirect")]
    pairs, absorbed = match_quotes(document, gold, pred)
    assert pairs == [(0, 0)] and absorbed == set()


def split_document() -> tuple[Document, Quote]:
    text = "“We are ready,” she said. “We will fight.” Others disagreed."
    first, second = Span.of(text, 0, 15), Span.of(text, 26, 42)
    gold = Quote(text[0:42], 0, 42, "direct", fragments=(first, second))
    return Document("split", text, (gold,)), gold


def test_a_gold_split_quote_found_as_two_predictions_counts_once() -> None:
    document, gold = split_document()
    text = document.text
    pred = [Quote(text[0:15], 0, 15, "direct"), Quote(text[26:42], 26, 42, "direct")]
    pairs, absorbed = match_quotes(document, [gold], pred)
    assert pairs == [(0, 1)]  # "We will fight" is longer than "We are ready"
    assert absorbed == {0}
    report = evaluate([document], [Document("split", text, tuple(pred))])
    assert report.detection_overlap["all"] == PRF(1, 1, 1)
    assert report.detection_overlap["direct"].precision == 1.0
    assert report.detection_exact["all"] == PRF(0, 1, 1)


def test_a_prediction_outside_the_fragments_is_not_absorbed() -> None:
    document, gold = split_document()
    text = document.text
    pred = [Quote(text[0:15], 0, 15, "direct"), Quote(text[43:59], 43, 59, "indirect")]
    pairs, absorbed = match_quotes(document, [gold], pred)
    assert pairs == [(0, 0)] and absorbed == set()
    report = evaluate([document], [Document("split", text, tuple(pred))])
    assert report.detection_overlap["all"] == PRF(1, 2, 1)


def test_evaluate_counts_by_kind_group() -> None:
    gold = (
        q(20, 34, "direct", ANN, "city mayor"),
        q(48, 75, "mixed", BOB, "party chief"),
        q(92, 108, "indirect", ANN_LATER),
        q(110, 118, "direct", BOB_LATER),
    )
    entities = (Entity("Ann Lee", roles=(Span.of(TEXT, 0, 5),)), Entity("Bob Ray"))
    predicted = (
        q(20, 34, "direct", ANN, "Mayor"),  # exact, right speaker, right role
        q(61, 75, "direct", BOB),  # overlaps the mixed quote, wrong kind, right speaker, no role
        q(92, 108, "indirect", BOB),  # exact, wrong speaker
        q(133, 149, "indirect"),  # spurious
    )  # the last gold quotation is missed
    report = evaluate([Document("d", TEXT, gold, entities)], [Document("d", TEXT, predicted)])
    assert report.documents == 1
    overlap = report.detection_overlap
    assert overlap["all"] == PRF(3, 4, 4)
    assert overlap["direct+mixed"] == PRF(2, 2, 3)
    assert overlap["direct"] == PRF(1, 2, 2)
    assert overlap["mixed"] == PRF(0, 0, 1)
    assert overlap["indirect"] == PRF(1, 2, 1)
    exact = report.detection_exact
    assert exact["all"] == PRF(2, 4, 4)
    assert exact["direct+mixed"] == PRF(1, 2, 3)
    assert exact["indirect"] == PRF(1, 2, 1)
    speaker = report.speaker_accuracy
    assert speaker["all"] == Accuracy(2, 3)
    assert speaker["direct+mixed"] == Accuracy(2, 2)
    assert speaker["mixed"] == Accuracy(1, 1)  # speakers are judged on every matched pair of the group
    assert speaker["indirect"] == Accuracy(0, 1)
    attributed = report.attributed
    assert attributed["all"] == PRF(2, 4, 4)
    assert attributed["direct+mixed"] == PRF(2, 2, 3)
    assert attributed["indirect"] == PRF(0, 2, 1)
    assert report.role_accuracy == Accuracy(1, 2)
    # hand-computed scores
    assert overlap["all"].f1 == 0.75
    assert overlap["indirect"].precision == 0.5 and overlap["indirect"].recall == 1.0
    assert overlap["indirect"].f1 == pytest.approx(2 / 3)
    assert attributed["direct+mixed"].precision == 1.0
    assert attributed["direct+mixed"].recall == pytest.approx(2 / 3)
    assert attributed["direct+mixed"].f1 == pytest.approx(0.8)
    assert attributed["all"].f1 == 0.5
    data = report.to_dict()
    assert data["attributed"]["direct+mixed"] == {
        "precision": 1.0,
        "recall": 0.6667,
        "f1": 0.8,
        "tp": 2,
        "predicted": 2,
        "gold": 3,
    }
    assert data["role_accuracy"] == {"accuracy": 0.5, "correct": 1, "total": 2}
    assert data["tags_seqeval_strict"] == {}


def test_roles_are_not_scored_without_annotated_roles() -> None:
    gold = (q(20, 34, "direct", ANN, "city mayor"),)
    report = evaluate([Document("d", TEXT, gold)], [Document("d", TEXT, gold)])
    assert report.role_accuracy is None
    assert report.to_dict()["role_accuracy"] is None


def test_bootstrap_intervals_come_from_the_documents_counts() -> None:
    gold = (q(20, 34, "direct", ANN), q(48, 75, "mixed", BOB))
    right = Document("right", TEXT, gold)
    wrong = Document(
        "wrong", TEXT, (q(20, 34, "direct", BOB), q(133, 149, "direct", ANN))
    )  # one wrong speaker, one spurious
    # the same document drawn again and again: no spread, and the interval is the score itself
    same = bootstrap_intervals([Document("g", TEXT, gold)] * 5, [right] * 5, resamples=200)
    assert same["attributed F1, all kinds"] == (1.0, 1.0)
    assert "role accuracy" not in same and "canonical speaker accuracy" not in same  # no document has them
    # a right and a wrong document: resamples run from all wrong to all right
    golds, preds = [Document("g1", TEXT, gold), Document("g2", TEXT, gold)], [right, wrong]
    intervals = bootstrap_intervals(golds, preds, resamples=2000)
    whole = evaluate(golds, preds).attributed["all"].f1
    low, high = intervals["attributed F1, all kinds"]
    assert low < whole < high
    assert low == pytest.approx(0.0) and high == pytest.approx(1.0)
    assert bootstrap_intervals(golds, preds, resamples=2000) == intervals  # seeded
    assert bootstrap_intervals(golds, preds, resamples=0) == {}


def test_evaluate_rejects_mismatched_documents() -> None:
    with pytest.raises(ValueError, match="document 'd': predicted text differs"):
        evaluate([Document("d", "abc")], [Document("d", "abd")])
    with pytest.raises(ValueError):
        evaluate([Document("d", "abc")], [])


def test_evaluate_with_token_tags() -> None:
    report = evaluate([], [], ([["B-QUOTE", "I-QUOTE", "O"]], [["B-QUOTE", "I-QUOTE", "B-CUE"]]))
    assert report.tags == {"CUE": PRF(0, 1, 0), "QUOTE": PRF(1, 1, 1)}
    assert report.detection_overlap["all"] == PRF(0, 0, 0)


def test_speaker_correct_by_mention_overlap() -> None:
    gold = q(20, 34, "direct", ANN)
    assert speaker_correct(gold, q(20, 34, "direct", Speaker("Somebody Else", Span.of(TEXT, 10, 13))))
    assert not speaker_correct(gold, q(20, 34, "direct", Speaker("Mayor", Span.of(TEXT, 0, 5))))


def test_speaker_correct_by_alias_name() -> None:
    gold = q(92, 108, "indirect", ANN_LATER)  # mention "Lee" at 77, aliases ("Lee",)
    far_mention = Span.of(TEXT, 6, 13)
    assert speaker_correct(gold, q(92, 108, "indirect", Speaker("Ann Lee", far_mention)))
    assert speaker_correct(gold, q(92, 108, "indirect", Speaker("LEE", None)))
    assert speaker_correct(gold, q(92, 108, "indirect", Speaker("the Ann Lee", None)))
    assert not speaker_correct(gold, q(92, 108, "indirect", Speaker("Bob Ray", Span.of(TEXT, 35, 42))))
    assert not speaker_correct(gold, q(92, 108, "indirect", Speaker("Ann", None)))


def test_speaker_correct_when_either_side_has_none() -> None:
    unattributed = q(133, 149, "indirect")
    assert speaker_correct(unattributed, q(133, 149, "indirect"))
    assert not speaker_correct(unattributed, q(133, 149, "indirect", BOB))
    assert not speaker_correct(q(133, 149, "indirect", BOB), unattributed)


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        ("city mayor", "Mayor", True),
        ("spokesperson", "the spokesperson", True),
        ("State Department spokesperson", "spokesperson", False),  # too general
        ("spokesperson", "State Department spokesperson", True),  # more specific is fine
        ("State Department spokesperson", "state department's spokesperson", True),
        ("mayor of Springfield", "mayor", False),
        ("chair", "chairman", False),  # whole words only
        ("chair", None, False),
        ("the", "the", False),
        ("Russia's ambassador to the U.N.", "ambassador to the U.N.", True),
    ],
)
def test_role_correct(gold: str, pred: str | None, expected: bool) -> None:
    assert role_correct(gold, pred) is expected


def strict_entities(tags: list[str]) -> set[tuple[str, int, int]]:
    """Strict IOB2 chunks: B-X followed by I-X*; an I without a B of its type starts nothing."""
    chunks = set()
    index = 0
    while index < len(tags):
        tag = tags[index]
        if tag.startswith("B-"):
            kind = tag[2:]
            end = index + 1
            while end < len(tags) and tags[end] == f"I-{kind}":
                end += 1
            chunks.add((kind, index, end))
            index = end
        else:
            index += 1
    return chunks


def brute_force_scores(gold: list[list[str]], pred: list[list[str]]) -> dict[str, PRF]:
    g = {(n, *c) for n, s in enumerate(gold) for c in strict_entities(s)}
    p = {(n, *c) for n, s in enumerate(pred) for c in strict_entities(s)}
    kinds = {c[1] for c in g | p}
    return {
        k: PRF(sum(c[1] == k for c in g & p), sum(c[1] == k for c in p), sum(c[1] == k for c in g))
        for k in sorted(kinds)
    }


TAG = st.sampled_from(["O", "B-QUOTE", "I-QUOTE", "B-CUE", "I-CUE"])


@st.composite
def aligned_sequences(draw: st.DrawFn) -> tuple[list[list[str]], list[list[str]]]:
    lengths = draw(st.lists(st.integers(1, 8), min_size=1, max_size=4))
    gold = [draw(st.lists(TAG, min_size=n, max_size=n)) for n in lengths]
    pred = [draw(st.lists(TAG, min_size=n, max_size=n)) for n in lengths]
    return gold, pred


def test_tag_scores_examples() -> None:
    assert seqeval_scores([["B-QUOTE", "I-QUOTE", "O"]], [["O", "B-QUOTE", "O"]]) == {"QUOTE": PRF(0, 1, 1)}
    assert seqeval_scores([["I-QUOTE", "O"]], [["I-QUOTE", "O"]]) == {}
    assert seqeval_scores([["B-QUOTE", "I-CUE"]], [["B-QUOTE", "B-CUE"]]) == {
        "CUE": PRF(0, 1, 0),
        "QUOTE": PRF(1, 1, 1),
    }


@settings(max_examples=300, deadline=None)
@given(aligned_sequences())
def test_tag_scores_equal_a_brute_force_strict_scorer(case: tuple[list[list[str]], list[list[str]]]) -> None:
    gold, pred = case
    assert seqeval_scores(gold, pred) == brute_force_scores(gold, pred)


def test_tag_scores_reject_misaligned_sequences() -> None:
    with pytest.raises(ValueError, match="differ in number or length"):
        seqeval_scores([["O", "B-QUOTE"]], [["O"]])
    with pytest.raises(ValueError, match="differ in number or length"):
        seqeval_scores([["O"]], [["O"], ["O"]])


def test_by_speaker_counts_gold_quotations_found_and_attributed() -> None:
    from quoteattr.data.jsonl import load_documents

    gold = load_documents(Path(__file__).parent / "data" / "tiny.jsonl")
    perfect = evaluate(gold, gold)
    assert perfect.by_speaker["Jane Doe"].to_dict() == {"accuracy": 1.0, "correct": 2, "total": 2}
    assert perfect.by_speaker["Ivan Petrov"].total == 2
    first_only = [Document(d.id, d.text, d.quotes[:1]) for d in gold]
    partial = evaluate(gold, first_only)
    assert (partial.by_speaker["Jane Doe"].correct, partial.by_speaker["Jane Doe"].total) == (1, 2)


def test_canonical_speaker_accuracy_checks_the_name_not_only_the_mention() -> None:
    """*Lee added*: a prediction that points at the right mention but names the wrong person counts
    as a speaker match (by mention) and as a canonical error, under the gold mention's type."""
    lee = Span.of(TEXT, 77, 80)
    entities = (
        Entity("Ann Lee", aliases=("Lee",), mentions=(Mention(Span.of(TEXT, 6, 13), "name"), Mention(lee, "name"))),
    )
    gold_quote = q(92, 108, "indirect", ANN_LATER)
    gold = [Document("d", TEXT, (gold_quote,), entities)]
    right = Document("d", TEXT, (q(92, 108, "indirect", Speaker("Ann Lee", lee)),))
    wrong = Document("d", TEXT, (q(92, 108, "indirect", Speaker("Mayor Ann Lee", lee)),))
    assert evaluate(gold, [right]).canonical_speaker["name"].to_dict() == {"accuracy": 1.0, "correct": 1, "total": 1}
    report = evaluate(gold, [wrong])
    assert report.speaker_accuracy["all"].value == 1.0
    assert report.canonical_speaker["all"].value == 0.0 and "pronoun" not in report.canonical_speaker
    assert evaluate([Document("d", TEXT, (gold_quote,))], [right]).canonical_speaker == {}  # no entities named
