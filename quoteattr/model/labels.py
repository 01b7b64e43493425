"""The label scheme: span families, their BIO tags, and conversions between spans and tags.

Each family (quotation content, speaker mention, cue, role) is tagged independently with its own
O/B/I tags, so spans of different families may overlap (a speaker inside a quoted clause, a role
inside a speaker mention). A model therefore has `3 * len(families)` logits per token: one
3-way softmax per family. A corpus that does not annotate a family (PolNeAR has no roles) gets
the ignore index for that family, so it never teaches the model that the family is absent.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from quoteattr.errors import ConfigError

IGNORE = -100
OUTSIDE, BEGIN, INSIDE = 0, 1, 2
TAGS = ("O", "B", "I")
DEFAULT_FAMILIES = ("QUOTE", "SPEAKER", "CUE", "ROLE")

Offsets = Sequence[tuple[int, int] | None]


@dataclass(frozen=True)
class LabelScheme:
    """The span families a model tags, and the flat label list stored in its config."""

    families: tuple[str, ...] = DEFAULT_FAMILIES

    def __post_init__(self) -> None:
        if not self.families or len(set(self.families)) != len(self.families):
            raise ConfigError(f"label families must be distinct and non-empty, got {list(self.families)}")

    @property
    def num_labels(self) -> int:
        return 3 * len(self.families)

    @property
    def id2label(self) -> dict[int, str]:
        return {3 * f + t: f"{tag}-{family}" for f, family in enumerate(self.families) for t, tag in enumerate(TAGS)}

    @property
    def label2id(self) -> dict[str, int]:
        return {label: index for index, label in self.id2label.items()}

    @classmethod
    def from_id2label(cls, id2label: dict[int, str]) -> LabelScheme:
        """Recover the scheme from a model config's `id2label`, or raise `ConfigError`."""
        labels = [id2label[i] for i in sorted(id2label)]
        families = tuple(label.split("-", 1)[1] for label in labels[::3] if "-" in label)
        scheme = cls(families) if families else None
        if scheme is None or [scheme.id2label[i] for i in range(scheme.num_labels)] != labels:
            expected = [f"{t}-{f}" for f in DEFAULT_FAMILIES for t in TAGS]
            raise ConfigError(f"model labels {labels} are not a quoteattr label scheme (expected e.g. {expected})")
        return scheme


@dataclass
class AlignmentReport:
    """How character spans fared when turned into token tags."""

    kept: int = 0
    adjusted: int = 0
    dropped_no_token: int = 0
    dropped_overlap: int = 0

    def add(self, other: AlignmentReport) -> None:
        self.kept += other.kept
        self.adjusted += other.adjusted
        self.dropped_no_token += other.dropped_no_token
        self.dropped_overlap += other.dropped_overlap

    def summary(self) -> str:
        return (
            f"{self.kept} spans kept ({self.adjusted} widened to token edges), "
            f"{self.dropped_no_token} dropped for covering no token, {self.dropped_overlap} dropped for "
            "overlapping a longer span of the same family"
        )


def spans_to_tags(offsets: Offsets, spans: Sequence[tuple[int, int]]) -> tuple[list[int], AlignmentReport]:
    """Tag tokens with one family's spans: B on the first token a span touches, I on the rest.

    A span is widened to the edges of the tokens it touches. Tokens with `None` offsets (special
    or separator tokens) stay O here; the caller masks them. Where spans of one family overlap,
    the longer one is kept and the other counted as dropped; a span listed twice (two quotations
    sharing one speaker mention) counts once.
    """
    real = [i for i, o in enumerate(offsets) if o is not None and o[1] > o[0]]
    ends = [offsets[i][1] for i in real]  # type: ignore[index]
    tags = [OUTSIDE] * len(offsets)
    report = AlignmentReport()
    for start, end in sorted({(s, e) for s, e in spans}, key=lambda span: (span[0] - span[1], span[0])):
        touched = []
        for position in range(bisect_right(ends, start), len(real)):
            token = real[position]
            if offsets[token][0] >= end:  # type: ignore[index]
                break
            touched.append(token)
        if not touched:
            report.dropped_no_token += 1
            continue
        if any(tags[i] != OUTSIDE for i in touched):
            report.dropped_overlap += 1
            continue
        for i in touched:
            tags[i] = INSIDE
        tags[touched[0]] = BEGIN
        report.kept += 1
        if offsets[touched[0]][0] != start or offsets[touched[-1]][1] != end:  # type: ignore[index]
            report.adjusted += 1
    return tags, report


def tags_to_token_spans(tags: Sequence[int]) -> list[tuple[int, int]]:
    """Token index ranges `[first, last + 1)` of the spans in a BIO tag sequence.

    An I that follows O is read as the start of a span, so any sequence decodes.
    """
    spans = []
    start = None
    for index, tag in enumerate(tags):
        if tag == BEGIN or (tag == INSIDE and start is None):
            if start is not None:
                spans.append((start, index))
            start = index
        elif tag == OUTSIDE and start is not None:
            spans.append((start, index))
            start = None
    if start is not None:
        spans.append((start, len(tags)))
    return spans


def bio_strings(tags: Sequence[int], family: str) -> list[str]:
    """Tags as IOB2 strings for seqeval (`B-QUOTE`, `I-QUOTE`, `O`)."""
    return [TAGS[t] if t == OUTSIDE else f"{TAGS[t]}-{family}" for t in tags]
