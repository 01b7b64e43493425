"""Reports printed on the terminal: an evaluation's scores, a dataset's statistics.

Both print to standard output with rich. Piped or redirected, the evaluation table is 200 columns
wide, so that rich's default 80 columns never cut its headers or kinds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from quoteattr.tools.output import counted

if TYPE_CHECKING:
    from quoteattr.data.stats import DatasetStats
    from quoteattr.metrics import EvalReport

STATS_LINES = (
    "documents_by_file",
    "documents",
    "quotations",
    "quotations_by_kind",
    "quotations_with_speaker",
    "cues",
    "distinct_speakers",
    "mentions_by_type",
    "role_coverage",
    "other_attributions",
    "non_quotations_by_reason",
)


def print_report(report: EvalReport, title: str, speakers: int = 0) -> None:
    """The scores of one evaluation: a table by kind, seqeval and role figures, and the `speakers` busiest speakers."""
    console = Console(highlight=False)
    if not console.is_terminal:  # piped or redirected: rich's 80 columns would cut the headers and kinds
        console = Console(highlight=False, width=200)
    table = Table(title=f"{title} — {counted(report.documents, 'document')}")
    for column in ("kinds", "detect F1 (overlap)", "detect F1 (exact)", "speaker acc.", "attributed P", "R", "F1"):
        table.add_column(column, justify="right" if column != "kinds" else "left", no_wrap=True)
    for group in report.detection_overlap:
        attributed = report.attributed[group]
        table.add_row(
            group,
            f"{report.detection_overlap[group].f1:.3f}",
            f"{report.detection_exact[group].f1:.3f}",
            f"{report.speaker_accuracy[group].value:.3f}",
            f"{attributed.precision:.3f}",
            f"{attributed.recall:.3f}",
            f"{attributed.f1:.3f}",
        )
    console.print(table)
    if report.tags:
        console.print(
            "seqeval strict F1: " + ", ".join(f"{name} {score.f1:.3f}" for name, score in sorted(report.tags.items()))
        )
    if report.role_accuracy:
        role = report.role_accuracy
        console.print(f"role accuracy: {role.value:.3f} ({role.correct}/{role.total})")
    if report.canonical_speaker:
        console.print(
            "canonical speaker accuracy, by gold mention type: "
            + ", ".join(f"{kind} {a.value:.3f} ({a.correct}/{a.total})" for kind, a in report.canonical_speaker.items())
        )
    if report.intervals:
        console.print(
            "95 % intervals, documents resampled: "
            + "; ".join(f"{name} {low:.3f}–{high:.3f}" for name, (low, high) in report.intervals.items())
        )
    busiest = sorted(report.by_speaker.items(), key=lambda item: -item[1].total)[:speakers]
    for name, tally in busiest:
        console.print(Text(f"  {name}: {tally.correct}/{tally.total} quotations found and attributed"))


def print_dataset_stats(summary: dict[str, Any], stats: DatasetStats) -> None:
    """A dataset's counts, one per line (`summary`: `stats.to_dict()` with `documents_by_file`), and its speakers."""
    console = Console(highlight=False)
    for key in STATS_LINES:
        console.print(f"{key}: {summary[key]}")
    table = Table(title="speakers")
    for column in ("speaker", "quotations", "roles"):
        table.add_column(column)
    for speaker in stats.speakers:
        table.add_row(Text(speaker.name), str(speaker.quotations), Text("; ".join(speaker.roles) or "—"))
    console.print(table)
