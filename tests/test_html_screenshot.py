"""The HTML report renders in headless Chromium with every quotation highlighted in its speaker's colour."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from quoteattr.schema import Quote, Span, Speaker
from quoteattr.tools.output import PALETTE, DocumentResult, open_writer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)"
)

TEXT = (
    'Talks resumed on Monday.\n\n"We will not back down," said Maria Delgado, president of the union.\n\n'
    '"Every day of delay costs money," Alan Brooks said.'
)


def _quote(text: str, quote: str, speaker: str, mention: str, role: str | None) -> Quote:
    start = text.index(quote)
    at = text.index(mention, start)
    return Quote(
        text=quote,
        start=start,
        end=start + len(quote),
        kind="direct",
        speaker=Speaker(speaker, Span(at, at + len(mention), mention)),
        role=role,
        score=0.9,
    )


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def test_report_screenshot_shows_one_highlight_colour_per_speaker(tmp_path: Path) -> None:
    from PIL import Image

    quotes = (
        _quote(TEXT, '"We will not back down,"', "Maria Delgado", "Maria Delgado", "president of the union"),
        _quote(TEXT, '"Every day of delay costs money,"', "Alan Brooks", "Alan Brooks", None),
    )
    page = tmp_path / "report.html"
    with page.open("w", encoding="utf-8") as stream:
        writer = open_writer("html", stream)
        writer.write(DocumentResult("article.txt", TEXT, quotes))
        writer.close()
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            CHROMIUM,  # type: ignore[list-item]
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1000,700",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    image = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
    counts = {colour: count for count, colour in image.getcolors(maxcolors=1 << 24) or []}
    first, second = _rgb(PALETTE[0]), _rgb(PALETTE[1])
    # each speaker's colour covers a visible area (more than a legend swatch alone)
    assert counts.get(first, 0) > 800, f"no highlight in {PALETTE[0]}"
    assert counts.get(second, 0) > 800, f"no highlight in {PALETTE[1]}"
    assert counts.get(_rgb(PALETTE[2]), 0) == 0  # only two speakers, so no third colour
