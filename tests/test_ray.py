"""The Ray Data integration on a local Ray instance with the tiny test model (`pip install "quoteattr[ray]"`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray", reason='Ray is not installed: pip install "quoteattr[ray]" to run these tests')

from quoteattr.inference import QuoteAttributor  # noqa: E402
from quoteattr.integrations.ray import attribute_dataset  # noqa: E402

TEXTS = [
    '"We will not back down," said Senator Jane Doe, chair of the committee.\n\nDoe added that it was over.',
    "Ambassador Ivan Petrov said on Monday:\r\n\r\n“This is another fake. We reject it.”",
    "No quotation here.",
    "“Short,” she said. " * 30,
]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def test_attribute_dataset_matches_the_attributor(local_ray: Any, tiny_model: Path) -> None:
    rows = [{"id": f"d{i}", "text": text} for i, text in enumerate(TEXTS * 3)]
    rows.insert(2, {"id": "bad", "text": None})
    dataset = local_ray.data.from_items(rows, override_num_blocks=3)
    # fp32 on both sides: in bf16 a score may move in its fourth decimal with the batch a window is in
    result = attribute_dataset(dataset, model=tiny_model, concurrency=1, batch_size=4, precision="fp32").take_all()
    result.sort(key=lambda row: [r["id"] for r in rows].index(row["id"]))
    assert [row["id"] for row in result] == [row["id"] for row in rows]
    bad = result[2]
    assert bad["quotes"] is None and bad["quote_error"] == "'text' is null, expected a non-empty string"
    expected = QuoteAttributor.load(tiny_model, device="cpu", precision="fp32").predict_many(TEXTS * 3)
    good = [row for row in result if row["id"] != "bad"]
    assert [json.loads(row["quotes"]) for row in good] == [[q.to_dict() for q in quotes] for quotes in expected]
    assert all(row["quote_error"] is None for row in good)
