"""Annotation workbench for the gold news corpus (`data/news/`): draw, pre-fill, show, check, build.

The texts are PolNeAR articles in `../shared/data/polnear/`; nothing here copies them into the
repository. An annotator reads `show`, writes `annotations/<pass>/<doc id>.json` (format in
`data/news/README.md`), runs `check` until it passes, and `build` compiles the first pass into the
standoff files `train.jsonl` and `dev.jsonl`.

    python data/news/annotate.py draw
    python data/news/annotate.py prefill [--model models/quoteattr-minilm]
    python data/news/annotate.py show DOC_ID
    python data/news/annotate.py find DOC_ID "text"
    python data/news/annotate.py check pass1 DOC_ID
    python data/news/annotate.py build
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

from quoteattr.data.coverage import mark_spans
from quoteattr.data.standoff import checksum as sha
from quoteattr.schema import ENTITY_TYPES, MENTION_TYPES, QUOTE_KINDS

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared"
POLNEAR = SHARED / "data" / "polnear"
DRAW = HERE / "draw.json"
ANNOTATIONS = HERE / "annotations"
SEED = 20261129
QUOTAS = {"train": 240, "dev": 40}  # train: 120 annotated first, 80 and then 40 added on 2026-12-07
DECISIONS = ("quotation", "other", "not")
NOT_REASONS = ("topic", "negated", "no-source", "question", "title", "headline", "caption", "duplicate", "not-content")
MARK_REASONS = ("title", "headline", "name", "scare", "word", "caption", "unattributed", "quotation-inside")
PRONOUNS = {
    "he",
    "she",
    "they",
    "it",
    "we",
    "i",
    "you",
    "his",
    "her",
    "their",
    "its",
    "our",
    "my",
    "him",
    "them",
    "who",
    "which",
    "that",
    "whom",
    "whose",
    "one",
}
OTHER_CUES = re.compile(
    r"\b(believ|think|thought|expect|want|hop|fear|know|knew|feel|felt|intend|plan|worr|consider|assum|suspect|"
    r"doubt|wonder|view|seem|see|saw|learn|understand|aim|seek|sought|hope|wish|prefer|decid|agree|realiz)",
    re.IGNORECASE,
)


def polnear(split: str) -> dict[str, dict[str, Any]]:
    with (POLNEAR / f"{split}.jsonl").open(encoding="utf-8") as handle:
        return {record["id"]: record for record in map(json.loads, handle)}


def draw() -> dict[str, Any]:
    """Draw the corpus: per split, the same number of articles from each publisher, fixed seed."""
    result: dict[str, Any] = {"seed": SEED, "source": "polnear", "splits": {}}
    for split, total in QUOTAS.items():
        by_publisher: dict[str, list[str]] = defaultdict(list)
        for doc_id, record in polnear(split).items():
            by_publisher[record["meta"]["publisher"]].append(doc_id)
        publishers = sorted(by_publisher)
        rng = random.Random(f"{SEED}-{split}")
        for publisher in publishers:
            by_publisher[publisher].sort()
            rng.shuffle(by_publisher[publisher])
        chosen = [by_publisher[publishers[i % len(publishers)]][i // len(publishers)] for i in range(total)]
        result["splits"][split] = chosen
    return result


def drawn() -> dict[str, str]:
    """Document id -> split, from `draw.json`."""
    data = json.loads(DRAW.read_text(encoding="utf-8"))
    return {doc_id: split for split, ids in data["splits"].items() for doc_id in ids}


def load_text_record(doc_id: str) -> dict[str, Any]:
    split = drawn()[doc_id]
    return polnear(split)[doc_id]


def mention_type(text: str) -> str:
    words = text.split()
    if len(words) == 1 and text.lower() in PRONOUNS:
        return "pronoun"
    if words and words[0].lower() in {"the", "a", "an", "some", "one", "another", "many", "several", "two", "three"}:
        return "nominal"
    return "name" if text[:1].isupper() else "nominal"


def prefill_decision(quote: dict[str, Any]) -> str:
    if quote["kind"] in ("direct", "mixed"):
        return "quotation"
    cue = (quote.get("cue") or {}).get("text", "")
    if cue and OTHER_CUES.search(cue):
        return "other"
    if len(quote["text"].split()) <= 3:
        return "not"
    return "quotation"


def _content_spans(quote: dict[str, Any]) -> list[list[int]]:
    if quote.get("fragments"):
        return [list(fragment) for fragment in quote["fragments"]]
    return [[quote["start"], quote["end"]]]


def prefill(model: str | None) -> None:
    """Write `annotations/prefill/<id>.json` for each drawn document that has none yet: PolNeAR's
    attributions, CoreNLP names, the model's quotations and roles. An existing pre-fill is what its
    annotator started from, so it is never rewritten."""
    out = ANNOTATIONS / "prefill"
    out.mkdir(parents=True, exist_ok=True)
    records = {doc_id: load_text_record(doc_id) for doc_id in drawn() if not (out / f"{doc_id}.json").exists()}
    predictions: dict[str, list[dict[str, Any]]] = {}
    if model:
        from quoteattr import QuoteAttributor

        attributor = QuoteAttributor.load(model)
        ids = list(records)
        for doc_id, quotes in zip(ids, attributor.predict_many([records[i]["text"] for i in ids]), strict=True):
            predictions[doc_id] = [
                {
                    "start": q.start,
                    "end": q.end,
                    "kind": q.kind,
                    "speaker_name": q.speaker.name if q.speaker else None,
                    "role": q.role,
                }
                for q in quotes
            ]
    for doc_id, record in records.items():
        text = record["text"]
        attributions = {}
        for quote in record["quotes"]:
            quote["text"] = text[quote["start"] : quote["end"]]
            speaker = quote.get("speaker")
            attributions[quote["attribution_id"]] = {
                "decision": prefill_decision(quote),
                "content": _content_spans(quote),
                "kind": quote["kind"],
                "speaker": [speaker["start"], speaker["end"]] if speaker else None,
                "mention": mention_type(speaker["text"]) if speaker else None,
                "speaker_name": quote.get("speaker_name"),
                "cue": [quote["cue"]["start"], quote["cue"]["end"]] if quote.get("cue") else None,
            }
        roles: dict[str, set[str]] = defaultdict(set)
        for predicted in predictions.get(doc_id, []):
            if predicted["speaker_name"] and predicted["role"]:
                roles[predicted["speaker_name"]].add(predicted["role"])
        payload = {
            "doc": doc_id,
            "attributions": attributions,
            "model_quotes": predictions.get(doc_id, []),
            "model_roles": {name: sorted(found) for name, found in sorted(roles.items())},
        }
        (out / f"{doc_id}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"pre-filled {len(records)} documents into {out}")


def _prefill(doc_id: str) -> dict[str, Any]:
    return json.loads((ANNOTATIONS / "prefill" / f"{doc_id}.json").read_text(encoding="utf-8"))


def _short(text: str, limit: int = 160) -> str:
    text = text.replace("\n", "¶ ")
    return text if len(text) <= limit else text[: limit // 2 - 3] + " … " + text[-(limit // 2 - 3) :]


def marks(text: str) -> dict[str, tuple[int, int]]:
    """The quotation-mark spans of a text, keyed M1, M2, … in order."""
    return {f"M{i}": (span.start, span.end) for i, span in enumerate(mark_spans(text), start=1)}


def show(doc_id: str) -> None:
    """Print the article by paragraph, with PolNeAR's attributions and the mark spans under each."""
    record = load_text_record(doc_id)
    text = record["text"]
    filled = _prefill(doc_id)
    items: list[tuple[int, str]] = []
    for key, item in filled["attributions"].items():
        first = item["content"][0][0]
        content = " | ".join(_short(text[s:e]) for s, e in item["content"])
        speaker = item["speaker"]
        cue = item["cue"]
        items.append(
            (
                first,
                f"  [{key}] prefill={item['decision']} kind={item['kind']} content={item['content']} «{content}»\n"
                f"       speaker={speaker and [*speaker, text[speaker[0] : speaker[1]]]} mention={item['mention']} "
                f"corenlp_name={item['speaker_name']!r} cue={cue and [*cue, text[cue[0] : cue[1]]]}",
            )
        )
    for key, (start, end) in marks(text).items():
        items.append((start, f"  <{key}> mark span [{start}, {end}] «{_short(text[start:end], 120)}»"))
    for predicted in filled["model_quotes"]:
        items.append(
            (
                predicted["start"],
                f"  (model) [{predicted['start']}, {predicted['end']}] {predicted['kind']} "
                f"speaker={predicted['speaker_name']!r} role={predicted['role']!r}",
            )
        )
    items.sort(key=lambda item: item[0])
    print(f"# {doc_id}  ({record['meta']['publisher']}, {record['meta']['publication_date']}, {len(text)} chars)")
    position = 0
    cursor = 0
    for paragraph in text.split("\n"):
        start, end = position, position + len(paragraph)
        position = end + 1
        if not paragraph.strip():
            continue
        print(f"\n@{start} {paragraph}")
        while cursor < len(items) and items[cursor][0] < position:
            print(items[cursor][1])
            cursor += 1
    if filled["model_roles"]:
        print("\nmodel roles by speaker (suggestions only):")
        for name, roles in filled["model_roles"].items():
            print(f"  {name}: {roles}")


def find(doc_id: str, needle: str) -> None:
    text = load_text_record(doc_id)["text"]
    hits = [m.start() for m in re.finditer(re.escape(needle), text)]
    for start in hits:
        print(f"[{start}, {start + len(needle)}] …{_short(text[max(0, start - 40) : start + len(needle) + 40], 200)}…")
    if not hits:
        print("not found")


class Problem(Exception):
    pass


def resolve(text: str, value: Any, where: str) -> tuple[int, int] | None:
    """A span given as [start, end] or ["exact text", near offset] -> (start, end)."""
    if value is None:
        return None
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        start, end = value
        if not 0 <= start < end <= len(text):
            raise Problem(f"{where}: offsets {value} outside the text or empty")
        if text[start].isspace() or text[end - 1].isspace():
            raise Problem(f"{where}: span {value} starts or ends with whitespace: {text[start:end]!r}")
        return start, end
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], int):
        needle, near = value
        hits = [m.start() for m in re.finditer(re.escape(needle), text)]
        if not needle.strip() or not hits:
            raise Problem(f"{where}: text {needle!r} not found in the article")
        start = min(hits, key=lambda hit: abs(hit - near))
        return start, start + len(needle)
    raise Problem(f'{where}: expected [start, end] or ["text", near_offset] or null, found {value!r}')


def compile_annotation(pass_name: str, doc_id: str) -> dict[str, Any]:
    """Check one annotation file and return the document's standoff record."""
    path = ANNOTATIONS / pass_name / f"{doc_id}.json"
    if not path.exists():
        raise Problem(f"{path}: no annotation file")
    try:
        ann = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise Problem(f"{path}: malformed JSON: {error}") from None
    record = load_text_record(doc_id)
    text = record["text"]
    filled = _prefill(doc_id)
    problems: list[str] = []

    def span(value: Any, where: str) -> tuple[int, int] | None:
        try:
            return resolve(text, value, where)
        except Problem as error:
            problems.append(str(error))
            return None

    entities_in = ann.get("entities") or {}
    entities: dict[str, dict[str, Any]] = {}
    for key, entity in entities_in.items():
        if not isinstance(entity, dict) or not entity.get("name"):
            problems.append(f"entities.{key}: needs a name")
            continue
        if entity.get("type") not in ENTITY_TYPES:
            problems.append(f"entities.{key}.type: expected one of {ENTITY_TYPES}, found {entity.get('type')!r}")
        roles = [span(role, f"entities.{key}.roles[{i}]") for i, role in enumerate(entity.get("roles") or [])]
        entities[key] = {
            "name": entity["name"],
            "type": entity.get("type"),
            "aliases": [a for a in entity.get("aliases") or [] if a != entity["name"]],
            "roles": [r for r in roles if r],
            "primary_role": entity.get("primary_role"),
            "mentions": {},
        }

    quotes: list[dict[str, Any]] = []
    non_quotations: list[dict[str, Any]] = []
    decisions = ann.get("attributions") or {}
    missing = [key for key in filled["attributions"] if key not in decisions]
    if missing:
        problems.append(f"attributions: no decision for {', '.join(missing)}")
    unknown = [key for key in decisions if key not in filled["attributions"]]
    if unknown:
        problems.append(f"attributions: {', '.join(unknown)} are not PolNeAR ids of this document (use 'added')")

    def add_record(item: dict[str, Any], base: dict[str, Any], where: str, source_id: str | None) -> None:
        decision = item.get("decision", base.get("decision"))
        if decision not in DECISIONS:
            problems.append(f"{where}.decision: expected one of {DECISIONS}, found {decision!r}")
            return
        contents = item.get("content", base.get("content"))
        if contents and isinstance(contents[0], int | str):
            contents = [contents]
        content_spans = [span(c, f"{where}.content") for c in contents or []]
        if not content_spans:
            problems.append(f"{where}.content: missing")
            return
        if decision == "not":
            reason = item.get("reason")
            if reason not in NOT_REASONS:
                problems.append(f"{where}.reason: expected one of {NOT_REASONS}, found {reason!r}")
            for content in content_spans:
                if content:
                    non_quotations.append({"start": content[0], "end": content[1], "reason": reason, "from": source_id})
            return
        kind = item.get("kind", base.get("kind"))
        if kind not in QUOTE_KINDS:
            problems.append(f"{where}.kind: expected one of {QUOTE_KINDS}, found {kind!r}")
        speaker = span(item.get("speaker", base.get("speaker")), f"{where}.speaker")
        cue = span(item.get("cue", base.get("cue")), f"{where}.cue")
        entity_key = item.get("entity")
        if speaker and entity_key not in entities:
            problems.append(f"{where}.entity: {entity_key!r} is not a key of 'entities' (a speaker is written)")
        if entity_key is not None and entity_key not in entities:
            problems.append(f"{where}.entity: {entity_key!r} is not a key of 'entities'")
            entity_key = None
        mtype = item.get("mention", base.get("mention")) if speaker else None
        if speaker and mtype not in MENTION_TYPES:
            problems.append(f"{where}.mention: expected one of {MENTION_TYPES}, found {mtype!r}")
        if speaker and entity_key in entities:
            entities[entity_key]["mentions"][speaker] = mtype
        for content in content_spans:
            if content is None:
                continue
            if speaker and content[0] < speaker[1] and speaker[0] < content[1]:
                problems.append(f"{where}: the speaker mention lies inside the content")
            quotes.append(
                {
                    "start": content[0],
                    "end": content[1],
                    "type": decision,
                    "kind": kind,
                    "speaker": speaker,
                    "entity": entity_key,
                    "cue": cue,
                    "from": source_id,
                }
            )

    for key, item in decisions.items():
        if key in filled["attributions"] and isinstance(item, dict):
            add_record(item, filled["attributions"][key], f"attributions.{key}", key)
        elif key in filled["attributions"]:
            problems.append(f"attributions.{key}: expected an object")
    for index, item in enumerate(ann.get("added") or []):
        decision = item.get("decision") or item.get("type") or "quotation"  # the brief showed "type": "other"
        add_record({**item, "decision": decision}, {}, f"added[{index}]", None)

    quotes.sort(key=lambda q: (q["start"], q["end"]))
    for before, after in pairwise(quotes):
        if after["start"] < before["end"]:
            problems.append(
                f"records overlap: [{before['start']}, {before['end']}] ({before['from'] or 'added'}) and "
                f"[{after['start']}, {after['end']}] ({after['from'] or 'added'}): merge them or decide one is 'not'"
            )
    mark_reasons = ann.get("marks") or {}
    for key, (start, end) in marks(text).items():
        inside = any(q["start"] <= start + 1 and end - 1 <= q["end"] for q in quotes)
        reason = mark_reasons.get(key)
        if inside and reason is None:
            continue
        if reason not in MARK_REASONS:
            problems.append(
                f"marks.{key} [{start}, {end}] «{_short(text[start:end], 60)}»: not inside a quotation; "
                f"give a reason from {MARK_REASONS}"
            )
        elif reason != "quotation-inside":  # a mis-paired mark span over real quotations: nothing to keep
            non_quotations.append({"start": start, "end": end, "reason": reason, "from": key})
    if problems:
        raise Problem("\n".join(problems))
    return _standoff(doc_id, record, ann, quotes, entities, non_quotations)


def _span_record(text: str, span: tuple[int, int], store_text: bool = True) -> dict[str, Any]:
    piece = text[span[0] : span[1]]
    result: dict[str, Any] = {"start": span[0], "end": span[1], "sha1": sha(piece)}
    if store_text and len(piece) <= 200:
        result["text"] = piece
    return result


def _primary_role(text: str, entity: dict[str, Any]) -> str | None:
    if entity["primary_role"]:
        return entity["primary_role"]
    roles = [text[s:e] for s, e in entity["roles"]]
    return max(roles, key=len) if roles else None


def _standoff(
    doc_id: str,
    record: dict[str, Any],
    ann: dict[str, Any],
    quotes: list[dict[str, Any]],
    entities: dict[str, dict[str, Any]],
    non_quotations: list[dict[str, Any]],
) -> dict[str, Any]:
    text = record["text"]
    out_entities = []
    for entity in entities.values():
        mention_texts = [text[s:e] for (s, e), t in entity["mentions"].items() if t != "pronoun"]
        aliases = [a for a in dict.fromkeys([*entity["aliases"], *mention_texts]) if a != entity["name"]]
        out_entities.append(
            {
                "name": entity["name"],
                "type": entity["type"],
                "aliases": aliases,
                "roles": [_span_record(text, r) for r in sorted(entity["roles"])],
                "mentions": [{**_span_record(text, m), "type": t} for m, t in sorted(entity["mentions"].items())],
            }
        )
    out_quotes = []
    for quote in quotes:
        entity = entities.get(quote["entity"]) if quote["entity"] else None
        out_quotes.append(
            {
                **_span_record(text, (quote["start"], quote["end"]), store_text=False),
                "type": quote["type"],
                "kind": quote["kind"],
                "speaker": _span_record(text, quote["speaker"]) if quote["speaker"] else None,
                "speaker_name": entity["name"] if entity else None,
                "role": _primary_role(text, entity) if entity else None,
                "cue": _span_record(text, quote["cue"]) if quote["cue"] else None,
                "polnear_id": quote["from"],
            }
        )
    return {
        "id": doc_id,
        "source": f"polnear/{drawn()[doc_id]}.jsonl",
        "text_sha1": sha(text),
        "quotes": out_quotes,
        "entities": out_entities,
        "non_quotations": [
            {**_span_record(text, (n["start"], n["end"]), store_text=False), "reason": n["reason"], "from": n["from"]}
            for n in sorted(non_quotations, key=lambda n: (n["start"], n["end"]))
        ],
        "meta": {
            "corpus": "quoteattr-news",
            "publisher": record["meta"]["publisher"],
            "publication_date": record["meta"]["publication_date"],
            "annotator": ann.get("annotator"),
            "minutes": ann.get("minutes"),
        },
    }


def check(pass_name: str, doc_id: str) -> None:
    try:
        result = compile_annotation(pass_name, doc_id)
    except Problem as error:
        print(f"PROBLEMS in {pass_name}/{doc_id}:\n{error}")
        sys.exit(1)
    text = load_text_record(doc_id)["text"]
    for quote in result["quotes"]:
        speaker = quote["speaker"]["text"] if quote["speaker"] else None
        cue = quote["cue"]["text"] if quote["cue"] else None
        print(
            f"{quote['type']:9} {quote['kind']:8} «{_short(text[quote['start'] : quote['end']], 100)}» "
            f"<- {speaker!r} = {quote['speaker_name']!r} (role {quote['role']!r}) cue {cue!r}"
        )
    for entity in result["entities"]:
        print(f"entity {entity['name']!r} ({entity['type']}) roles {[r['text'] for r in entity['roles']]}")
    print(f"OK: {len(result['quotes'])} records, {len(result['non_quotations'])} non-quotations")


def build() -> None:
    """Compile every first-pass annotation into `train.jsonl` and `dev.jsonl`."""
    out: dict[str, list[dict[str, Any]]] = {"train": [], "dev": []}
    failed = []
    for split, ids in json.loads(DRAW.read_text(encoding="utf-8"))["splits"].items():
        for doc_id in ids:
            try:
                out[split].append(compile_annotation("pass1", doc_id))
            except Problem as error:
                failed.append(f"{doc_id}: {str(error).splitlines()[0]}")
    for split, records in out.items():
        with (HERE / f"{split}.jsonl").open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"{split}: {len(records)} documents")
    for line in failed:
        print(f"not built: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("draw")
    p = sub.add_parser("prefill")
    p.add_argument("--model")
    p = sub.add_parser("show")
    p.add_argument("doc")
    p = sub.add_parser("find")
    p.add_argument("doc")
    p.add_argument("text")
    p = sub.add_parser("check")
    p.add_argument("pass_name")
    p.add_argument("doc")
    sub.add_parser("build")
    args = parser.parse_args()
    if args.command == "draw":
        DRAW.write_text(json.dumps(draw(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {DRAW}")
    elif args.command == "prefill":
        prefill(args.model)
    elif args.command == "show":
        show(args.doc)
    elif args.command == "find":
        find(args.doc, args.text)
    elif args.command == "check":
        check(args.pass_name, args.doc)
    elif args.command == "build":
        build()


if __name__ == "__main__":
    main()
