"""Render a model directory's README.md (model card) from its settings and measured scores."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from quoteattr.attribution.coreference import WEIGHTS_FILE as COREFERENCE_FILE
from quoteattr.attribution.decisions import WEIGHTS_FILE as DECISIONS_FILE
from quoteattr.attribution.name_spans import WEIGHTS_FILE as NAMES_FILE
from quoteattr.attribution.role_links import WEIGHTS_FILE as ROLE_LINKS_FILE
from quoteattr.attribution.speaker_links import WEIGHTS_FILE as SPEAKER_LINKS_FILE
from quoteattr.errors import ModelLoadError
from quoteattr.model.directory import CARD_FILE, DECISION_READOUT_FILE, METRICS_FILE, ROLE_HEAD_FILE, SETTINGS_FILE

CASE_NOTE = (
    "\nIt reads each word's capitalisation from `token_type_ids` (0: no capital or no letters, 1: capitalised,\n"
    "2: all capitals, two letters or more; `quoteattr.model.features.case_types`): without them it sees every word\n"
    "as lower case and finds fewer names."
)


def _score_lines(metrics: dict[str, Any]) -> str:
    if not metrics:
        return "No evaluation recorded yet: run `quoteattr evaluate --model DIR --data FILE --record`."
    lines = []
    for dataset, report in sorted(metrics.items()):
        lines.append(f"### {dataset}\n")
        lines.append("| kinds | detection F1 (overlap) | detection F1 (exact) | speaker accuracy | attributed F1 |")
        lines.append("|---|---:|---:|---:|---:|")
        for group, detection in report["detection_overlap"].items():
            lines.append(
                f"| {group} | {detection['f1']:.3f} | {report['detection_exact'][group]['f1']:.3f} "
                f"| {report['speaker_accuracy'][group]['accuracy']:.3f} | {report['attributed'][group]['f1']:.3f} |"
            )
        tags = report.get("tags_seqeval_strict") or {}
        if tags:
            lines.append("\nseqeval strict F1: " + ", ".join(f"{k} {v['f1']:.3f}" for k, v in sorted(tags.items())))
        if report.get("role_accuracy"):
            role = report["role_accuracy"]
            lines.append(f"\nrole accuracy: {role['accuracy']:.3f} ({role['correct']}/{role['total']})")
        lines.append("")
    return "\n".join(lines)


def _stages(training: dict[str, Any]) -> list[dict[str, Any]]:
    """The training stages of a model, first to last (a stage continued from a model lists that model's first)."""
    stages: list[dict[str, Any]] = []
    while training:
        stages.insert(0, training)
        training = training.get("previous_stage") or {}
    return stages


DECISION_NOTE = """

## Quotation decision

`decisions.safetensors` holds a learned decision over each linked span: `quotation` (said or
written), `other` (a belief, intention, plan or finding) or `not` (a topic of talk, a title, a
headline, scare quotes). It is a multinomial logistic scorer over sparse features of the span,
its cue, its speaker and the words around it, trained on the gold news corpus (`data/news/`,
200 PolNeAR training articles re-annotated under the project's guidelines) and the seed corpus, and on each
article's lead as a text without its headline would give it, with `training/decisions.py`. By
default only quotations are output, each scored by the probability of being one (calibrated on
the news dev set); `--all-attributions` also outputs every other span the tagger found, typed
`other`."""

READOUT_NOTE = """ The decision also reads what the encoder knows of each span:
`decision_readout.safetensors` projects every token's states (after layers {layers}) to one score
per decision for the span's tokens, its cue's and the three tokens before it, learned with the
decision's weights; the decision adds each part's mean scores to its sparse features' score."""


ROLE_HEAD_NOTE = """

## Role head

`role_head.safetensors` holds the model's ROLE tagger: a convolution over {width} tokens{context} and a linear
layer on the encoder's states after layer {layer}, whose O/B/I logits replace the ROLE outputs
of the token-classification head (which learned no roles: PolNeAR has none). It is trained with
`training/role_head.py` on the gold role spans of the news corpus and the seed corpus, and on the
ROLE probabilities that a teacher (a copy of the tagger whose whole encoder was fine-tuned on those
roles) gives on unlabelled PolNeAR articles. The encoder is frozen, so the other families' outputs
are exactly those of the encoder and head above. Plain transformers, which does not read this
file, sees the untrained ROLE outputs."""

ROLE_NOTE = """

## Role linker

`role_links.safetensors` holds a learned choice of each speaker's role: among the roles written
next to the speaker's mentions and name, the lead's fuller description of a bare title, the
descriptions that refer back to the speaker (*the Republican presidential nominee said*), and the
tagger's ROLE spans within 3,000 characters of one of its mentions, the one a listwise logistic
scorer over sparse features (where and how the role was found, the tagger's confidence in it,
whose mention is nearest to it, whether it comes before the speaker is first named, how many
candidates are longer, how many roles are written next to the speaker's own mentions, its words)
scores highest, or none. It is trained on the gold roles of the
news corpus's 240 training articles and the seed corpus with `training/role_links.py`."""

SPEAKER_LINKS_NOTE = """

## Speaker linker

`speaker_links.safetensors` holds a learned choice of each quotation's speaker mention among the
tagged mentions in its paragraph and the one before: a listwise logistic scorer over sparse
features (side and distance, the words, cues, quotations and line breaks between the two, where
each stands in its line, the nearest-mention rule's choice for the quotation and its neighbours),
or none. It is trained on PolNeAR train's gold source–content links and the two gold corpora with
`training/speaker_links.py`."""

NAMES_NOTE = """

## Name scorer

`names.safetensors` holds a learned choice of which words of a named speaker mention, and of a
capitalised run written before a surname, are the person's or body's own name (*Hillary Clinton*,
not *Rival Hillary Clinton*): a listwise logistic scorer over sparse features of each run of words
(its first and last words and their neighbours, titles, punctuation, and whether the document
writes the words alone elsewhere), or none, when an unnamed speaker's description stands. It is
trained on the gold entity names of the news corpus and the seed corpus with `training/names.py`."""

COREFERENCE_NOTE = """

## Coreference resolver

`coreference.safetensors` holds a learned choice of the speaker a pronoun or a description
(*he*, *the agency*) refers to: among the entities of the last 60 resolved mentions, the one a
listwise logistic scorer over sparse features (gender and number agreement, distance in mentions,
sentences and characters, whether the entity's mention opens a sentence or stands beside a
quotation, a description's head noun among its roles, the rules' choice) scores highest, or someone
new. It is trained on the gold entities of the news corpus and the seed corpus with
`training/coreference.py`."""


def render_card(directory: Path) -> str:
    """The model card text for a model directory, from `quoteattr.json` and `metrics.json`."""
    try:
        settings = json.loads((directory / SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"{directory / SETTINGS_FILE}: cannot read settings ({error})") from None
    metrics_path = directory / METRICS_FILE
    metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.is_file() else {}
    training = settings.get("training", {})
    stages = _stages(training)
    families = settings.get("families", [])
    template = Template(resources.files("quoteattr").joinpath("templates/model_card.md").read_text(encoding="utf-8"))
    return template.substitute(
        name=directory.name,
        path=_display_path(directory),
        families=", ".join(families),
        num_families=len(families),
        num_labels=3 * len(families),
        base_model=stages[0].get("base_model", "unknown"),
        stages="\n".join(
            f"  {i}. {stage.get('train_documents', '?')} training documents "
            f"({stage.get('train_windows', '?')} windows), "
            f"{round(stage.get('train_seconds', 0) / 60, 1)} min, from {stage.get('base_model', '?')}"
            for i, stage in enumerate(stages, start=1)
        ),
        dev_documents=training.get("dev_documents", "unknown"),
        train_minutes=round(sum(stage.get("train_seconds", 0) for stage in stages) / 60, 1),
        machine=training.get("machine", "unknown"),
        max_length=settings.get("max_length"),
        stride=settings.get("stride"),
        case_note=CASE_NOTE if settings.get("case_features") else "",
        decision_note=_decision_note(directory),
        speaker_note=SPEAKER_LINKS_NOTE if (directory / SPEAKER_LINKS_FILE).is_file() else "",
        role_head_note=_role_head_note(directory),
        role_note=ROLE_NOTE if (directory / ROLE_LINKS_FILE).is_file() else "",
        names_note=NAMES_NOTE if (directory / NAMES_FILE).is_file() else "",
        coreference_note=COREFERENCE_NOTE if (directory / COREFERENCE_FILE).is_file() else "",
        config=json.dumps(training.get("config", {}), indent=2),
        scores=_score_lines(metrics),
    )


def _decision_note(directory: Path) -> str:
    """The card's section on the quotation decision, with its readout's layers, or nothing when the model has none."""
    if not (directory / DECISIONS_FILE).is_file():
        return ""
    settings_path = (directory / DECISION_READOUT_FILE).with_suffix(".json")
    if not (directory / DECISION_READOUT_FILE).is_file() or not settings_path.is_file():
        return DECISION_NOTE
    try:
        layers = json.loads(settings_path.read_text(encoding="utf-8"))["layers"]
        return DECISION_NOTE + READOUT_NOTE.format(layers=" and ".join(str(layer) for layer in layers))
    except (OSError, ValueError, KeyError) as error:
        raise ModelLoadError(f"{settings_path}: unreadable decision readout settings ({error})") from None


def _role_head_note(directory: Path) -> str:
    """The card's section on the role head, with its shape, or nothing when the model has none."""
    settings_path = (directory / ROLE_HEAD_FILE).with_suffix(".json")
    if not (directory / ROLE_HEAD_FILE).is_file() or not settings_path.is_file():
        return ""
    try:
        shape = json.loads(settings_path.read_text(encoding="utf-8"))
        units = shape.get("context", 0)
        context = f", a bidirectional GRU of {units} units a direction over the window," if units else ""
        return ROLE_HEAD_NOTE.format(width=shape["width"], layer=shape["layer"], context=context)
    except (OSError, ValueError, KeyError) as error:
        raise ModelLoadError(f"{settings_path}: unreadable role head settings ({error})") from None


def _display_path(directory: Path) -> str:
    """The model's path relative to the working directory where it lies below it (no machine paths in cards)."""
    try:
        return directory.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(directory)


def record_scores(directory: Path, dataset: str, report: dict[str, Any]) -> None:
    """Store an evaluation report under `dataset` in `metrics.json` and re-render the card."""
    metrics_path = directory / METRICS_FILE
    metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.is_file() else {}
    metrics[dataset] = report
    metrics_path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    write_card(directory)


def write_card(directory: Path) -> None:
    """(Re)write the model card of a model directory."""
    (directory / CARD_FILE).write_text(render_card(directory), encoding="utf-8")
