"""Figures about the news corpus annotation: agreement between passes, and what the review changed.

    python data/news/measure.py agreement [--split dev|train] [--docs ID ...]   # pass1 vs pass2, doubly annotated
    python data/news/measure.py changes     # pass1 vs the pre-fill (PolNeAR, CoreNLP, current model)

Both print Markdown (the tables of `AGREEMENT.md` and the README's pre-fill section).
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any

from annotate import ANNOTATIONS, Problem, _prefill, compile_annotation, drawn

Span = tuple[int, int]


def _compiled(pass_name: str) -> dict[str, dict[str, Any]]:
    result = {}
    for path in sorted((ANNOTATIONS / pass_name).glob("*.json")):
        try:
            result[path.stem] = compile_annotation(pass_name, path.stem)
        except Problem as error:
            print(f"<!-- {pass_name}/{path.stem} skipped: {str(error).splitlines()[0]} -->")
    return result


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _match(reference: list[Span], other: list[Span]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of overlapping spans, largest overlap first."""
    pairs = sorted(
        ((min(r[1], o[1]) - max(r[0], o[0]), i, j) for i, r in enumerate(reference) for j, o in enumerate(other)),
        reverse=True,
    )
    used_r: set[int] = set()
    used_o: set[int] = set()
    matched = []
    for size, i, j in pairs:
        if size > 0 and i not in used_r and j not in used_o:
            used_r.add(i)
            used_o.add(j)
            matched.append((i, j))
    return matched


def _f1(matched: int, first: int, second: int) -> float:
    return 2 * matched / (first + second) if first + second else 1.0


def _kappa(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """(observed agreement, Cohen's kappa) of two label sequences."""
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    return observed, (observed - expected) / (1 - expected) if expected < 1 else 1.0


def _names(entity: dict[str, Any] | None) -> set[str]:
    if entity is None:
        return set()
    return {name.casefold() for name in [entity["name"], *entity["aliases"]]}


def _entity_of(record: dict[str, Any], name: str | None) -> dict[str, Any] | None:
    return next((e for e in record["entities"] if e["name"] == name), None)


def _decisions(record: dict[str, Any], doc_id: str) -> dict[str, str]:
    """PolNeAR attribution id -> decision (quotation, other, not) of one compiled annotation."""
    decided = {q["polnear_id"]: q["type"] for q in record["quotes"] if q["polnear_id"]}
    for key in _prefill(doc_id)["attributions"]:
        decided.setdefault(key, "not")
    return decided


def _spans(record: dict[str, Any], kind: str = "quotation") -> list[dict[str, Any]]:
    return [q for q in record["quotes"] if q["type"] == kind]


def agreement(split: str | None = None, docs: Collection[str] = ()) -> None:
    """Pass 1 against pass 2 on the documents annotated twice: of one split of the draw, or only
    `docs`, if given."""
    first, second = _compiled("pass1"), _compiled("pass2")
    splits = drawn()
    shared = sorted(
        doc_id
        for doc_id in set(first) & set(second)
        if split in (None, splits[doc_id]) and (not docs or doc_id in docs)
    )
    decision_pairs: list[tuple[str, str]] = []
    quote_counts = [0, 0, 0]
    exact = 0
    overlap_chars = []
    speaker_same = speaker_exact = speaker_total = 0
    role_counts = [0, 0, 0]
    role_exact = 0
    mark_pairs: list[tuple[str, str]] = []
    for doc_id in shared:
        a, b = first[doc_id], second[doc_id]
        da, db = _decisions(a, doc_id), _decisions(b, doc_id)
        decision_pairs += [(da[key], db[key]) for key in da]
        qa, qb = _spans(a), _spans(b)
        sa = [(q["start"], q["end"]) for q in qa]
        sb = [(q["start"], q["end"]) for q in qb]
        matched = _match(sa, sb)
        quote_counts[0] += len(matched)
        quote_counts[1] += len(sa)
        quote_counts[2] += len(sb)
        for i, j in matched:
            exact += sa[i] == sb[j]
            common = min(sa[i][1], sb[j][1]) - max(sa[i][0], sb[j][0])
            overlap_chars.append(2 * common / ((sa[i][1] - sa[i][0]) + (sb[j][1] - sb[j][0])))
            name_a, name_b = qa[i]["speaker_name"], qb[j]["speaker_name"]
            speaker_total += 1
            speaker_exact += name_a == name_b
            same = name_a == name_b or bool(_names(_entity_of(a, name_a)) & _names(_entity_of(b, name_b)))
            speaker_same += same
        ra = [(r["start"], r["end"]) for e in a["entities"] for r in e["roles"]]
        rb = [(r["start"], r["end"]) for e in b["entities"] for r in e["roles"]]
        role_match = _match(ra, rb)
        role_counts[0] += len(role_match)
        role_counts[1] += len(ra)
        role_counts[2] += len(rb)
        role_exact += sum(ra[i] == rb[j] for i, j in role_match)
        ma = {n["from"]: n["reason"] for n in a["non_quotations"] if str(n["from"]).startswith("M")}
        mb = {n["from"]: n["reason"] for n in b["non_quotations"] if str(n["from"]).startswith("M")}
        mark_pairs += [(ma.get(key, "quotation"), mb.get(key, "quotation")) for key in sorted(set(ma) | set(mb))]
    observed, kappa = _kappa(decision_pairs)
    print(f"Documents annotated twice: {len(shared)}; PolNeAR attributions decided by both: {len(decision_pairs)}.\n")
    print("| measure | figure |\n|---|---:|")
    print(f"| decision (quotation / other / not): observed agreement | {observed:.3f} |")
    print(f"| decision: Cohen's kappa | {kappa:.3f} |")
    print(
        f"| quotation records: overlap F1 (pass 1: {quote_counts[1]}, pass 2: {quote_counts[2]}) | "
        f"{_f1(quote_counts[0], quote_counts[1], quote_counts[2]):.3f} |"
    )
    print(f"| quotation content: exact-span F1 | {_f1(exact, quote_counts[1], quote_counts[2]):.3f} |")
    print(
        f"| quotation content: mean character overlap (Dice) of matched spans | "
        f"{statistics.mean(overlap_chars) if overlap_chars else 0:.3f} |"
    )
    print(
        f"| canonical speaker, same entity (matched quotations, n={speaker_total}) | "
        f"{speaker_same / max(speaker_total, 1):.3f} |"
    )
    print(f"| canonical speaker, identical name string | {speaker_exact / max(speaker_total, 1):.3f} |")
    print(
        f"| role spans: overlap F1 (pass 1: {role_counts[1]}, pass 2: {role_counts[2]}) | "
        f"{_f1(role_counts[0], role_counts[1], role_counts[2]):.3f} |"
    )
    print(f"| role spans: exact F1 | {_f1(role_exact, role_counts[1], role_counts[2]):.3f} |")
    if mark_pairs:
        mark_observed, _ = _kappa(mark_pairs)
        print(f"| quotation-mark spans outside records: reason agreement (n={len(mark_pairs)}) | {mark_observed:.3f} |")
    confusion = Counter(decision_pairs)
    print("\nDecision confusion (pass 1 → pass 2):\n")
    print("| pass 1 \\ pass 2 | quotation | other | not |\n|---|---:|---:|---:|")
    for label in ("quotation", "other", "not"):
        print(
            f"| {label} | "
            + " | ".join(str(confusion[(label, other)]) for other in ("quotation", "other", "not"))
            + " |"
        )


def _changed(values: Iterable[bool]) -> str:
    values = list(values)
    return f"{sum(values)} / {len(values)} ({sum(values) / max(len(values), 1):.0%})"


def changes() -> None:
    records = _compiled("pass1")
    decision, content, speaker, cue, kind, mention, name = [], [], [], [], [], [], []
    added = 0
    model_role_same, model_name_same = [], []
    minutes = []
    for doc_id, record in records.items():
        filled = _prefill(doc_id)
        if record["meta"]["minutes"] is not None:
            minutes.append(record["meta"]["minutes"])
        final = _decisions(record, doc_id)
        by_id: dict[str, list[dict[str, Any]]] = {}
        for quote in record["quotes"]:
            if quote["polnear_id"]:
                by_id.setdefault(quote["polnear_id"], []).append(quote)
            else:
                added += 1
        for key, pre in filled["attributions"].items():
            decision.append(pre["decision"] != final[key])
            kept = by_id.get(key)
            if not kept:
                continue
            content.append(sorted([q["start"], q["end"]] for q in kept) != sorted(pre["content"]))
            first = kept[0]
            final_speaker = [first["speaker"]["start"], first["speaker"]["end"]] if first["speaker"] else None
            speaker.append(final_speaker != pre["speaker"])
            final_cue = [first["cue"]["start"], first["cue"]["end"]] if first["cue"] else None
            cue.append(final_cue != pre["cue"])
            kind.append(first["kind"] != pre["kind"])
            entity = _entity_of(record, first["speaker_name"])
            if first["speaker"] and entity:
                mtype = next(
                    (m["type"] for m in entity["mentions"] if (m["start"], m["end"]) == tuple(final_speaker or ())),
                    None,
                )
                mention.append(mtype != pre["mention"])
            name.append((first["speaker_name"] or None) != (pre["speaker_name"] or None))
        quotes = _spans(record)
        for predicted in filled["model_quotes"]:
            match = next(
                (q for q in quotes if _overlap((q["start"], q["end"]), (predicted["start"], predicted["end"]))), None
            )
            if match is None:
                continue
            model_name_same.append(predicted["speaker_name"] == match["speaker_name"])
            model_role_same.append((predicted["role"] or None) == (match["role"] or None))
    print(
        f"Documents: {len(records)}; minutes per document: mean {statistics.mean(minutes):.1f}, "
        f"median {statistics.median(minutes):.1f}, total {sum(minutes)}.\n"
    )
    print("| field (pre-fill source) | changed by the review |\n|---|---:|")
    print(f"| decision quotation / other / not (heuristic from PolNeAR's kind and cue) | {_changed(decision)} |")
    print(f"| content span (PolNeAR) | {_changed(content)} |")
    print(f"| kind (PolNeAR, derived from quotation marks) | {_changed(kind)} |")
    print(f"| speaker mention span (PolNeAR) | {_changed(speaker)} |")
    print(f"| mention type (heuristic) | {_changed(mention)} |")
    print(f"| cue span (PolNeAR) | {_changed(cue)} |")
    print(f"| canonical speaker name (PolNeAR's CoreNLP `speaker_name`) | {_changed(name)} |")
    print(f"| speaker name of the current model, on quotations it found | {_changed(not s for s in model_name_same)} |")
    print(f"| role of the current model, on quotations it found | {_changed(not s for s in model_role_same)} |")
    print(f"\nQuotations and other attributions added where PolNeAR had none: {added}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("agreement", "changes"))
    parser.add_argument("--split", choices=("train", "dev"), help="agreement: only the documents of this split")
    parser.add_argument("--docs", nargs="+", default=(), help="agreement: only these documents")
    args = parser.parse_args()
    agreement(args.split, args.docs) if args.what == "agreement" else changes()


if __name__ == "__main__":
    main()
