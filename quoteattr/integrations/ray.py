"""Attribute the quotations of a Ray dataset: `pip install "quoteattr[ray]"`.

`attribute_dataset(dataset)` maps a dataset with a text column to the same rows plus a `quotes`
column, with `Dataset.map_batches` over a pool of actors: each actor loads the model once and
attributes batch after batch, on a GPU when the cluster has them. Nothing is collected on the
driver, so its memory stays flat however large the dataset (write the result with
`write_parquet`, or iterate over it).

Example:
    >>> import ray
    >>> from quoteattr.integrations.ray import attribute_dataset
    >>> articles = ray.data.read_parquet("s3://archive/articles/")  # doctest: +SKIP
    >>> attribute_dataset(articles, model="/shared/models/quoteattr-minilm").write_parquet("quotes/")  # doctest: +SKIP

The `quotes` column holds one JSON array per row, each element the record of a quotation exactly
as `quoteattr predict` writes it (`Quote.to_dict()`): a string keeps the column's type the same in
every block, whatever the quotations hold. A row whose text is not a non-empty string gets `null`
quotes and a one-line message in the `quote_error` column (None elsewhere); the other rows run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import ray.data

QUOTES_COLUMN = "quotes"
ERROR_COLUMN = "quote_error"


def _require_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise ImportError('quoteattr.integrations.ray needs Ray Data: pip install "quoteattr[ray]"') from None
    return ray


class RayAttributor:
    """The callable class each Ray actor holds: the model is loaded once, in `__init__`."""

    def __init__(
        self,
        model: str | None,
        text_column: str,
        output_column: str,
        device: str,
        precision: str,
        batch_size: int,
        threads: int | None,
        all_attributions: bool,
        min_score: float,
    ) -> None:
        if threads is not None:
            import torch

            torch.set_num_threads(threads)  # this actor's process: its share of the node's cores
        from quoteattr.inference import load_attributor

        self.attributor = load_attributor(model, device=device, precision=precision, all_attributions=all_attributions)
        self.attributor.batch_size = batch_size
        self.text_column = text_column
        self.output_column = output_column
        self.min_score = min_score

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        import numpy as np

        if self.text_column not in batch:
            raise KeyError(
                f"the dataset has no column {self.text_column!r} (columns: {', '.join(batch)}); "
                "name the text column with text_column="
            )
        values = batch[self.text_column].tolist()
        good = [i for i, text in enumerate(values) if isinstance(text, str) and text.strip()]
        quotes: list[str | None] = [None] * len(values)
        errors: list[str | None] = [None] * len(values)
        for i, text in enumerate(values):
            if i not in good:
                errors[i] = f"{self.text_column!r} is {_describe(text)}, expected a non-empty string"
        for i, found in zip(good, self.attributor.stream([values[i] for i in good])):
            records = [quote.to_dict() for quote in found if quote.score >= self.min_score]
            quotes[i] = json.dumps(records, ensure_ascii=False)
        return {
            **batch,
            self.output_column: np.array(quotes, dtype=object),
            ERROR_COLUMN: np.array(errors, dtype=object),
        }


def attribute_dataset(
    dataset: ray.data.Dataset,
    model: str | Path | None = None,
    text_column: str = "text",
    output_column: str = QUOTES_COLUMN,
    *,
    concurrency: int | None = None,
    num_gpus: float | None = None,
    batch_size: int = 64,
    windows_per_batch: int = 64,
    precision: str = "auto",
    all_attributions: bool = False,
    min_score: float = 0.0,
) -> ray.data.Dataset:
    """The rows of `dataset` with the quotations of their `text_column` in `output_column` (JSON).

    Args:
        dataset: a Ray dataset with a string column `text_column` (other columns are kept).
        model: a model directory that every node can read; None for the default model
            (`$QUOTEATTR_MODEL` on the workers, else the model shipped in the checkout).
        concurrency: actors (model copies); default one per GPU when `num_gpus` > 0, else one
            per two CPUs of the cluster.
        num_gpus: GPUs per actor; default 1 when the cluster has GPUs, else 0 (CPU, two threads each).
        batch_size: rows per batch handed to an actor.
        windows_per_batch: windows per forward pass inside an actor (`QuoteAttributor.batch_size`).
        precision: `auto` (bf16 where the hardware has it natively), `fp32` or `bf16`.
        all_attributions: also keep other attributions (`type == "other"`).
        min_score: drop quotations scored below this.

    Example:
        >>> ds = ray.data.from_items([{"id": 1, "text": '"Fine," she said.'}])  # doctest: +SKIP
        >>> attribute_dataset(ds, model="models/quoteattr-minilm").take(1)[0]["quotes"]  # doctest: +SKIP
        '[{"text": "\\"Fine,\\"", "start": 0, ...}]'
    """
    ray = _require_ray()
    if not ray.is_initialized():
        ray.init()
    resources = ray.cluster_resources()
    if num_gpus is None:
        num_gpus = 1.0 if resources.get("GPU", 0) > 0 else 0.0
    on_gpu = num_gpus > 0
    # A CPU actor runs torch on two threads but reserves one CPU: an actor pool that reserved every CPU
    # would leave none for the tasks that read the dataset upstream, and the pipeline would stall.
    threads = None if on_gpu else 2
    if concurrency is None:
        concurrency = max(1, int(resources.get("GPU", 0) / num_gpus) if on_gpu else int(resources.get("CPU", 1)) // 2)
    return dataset.map_batches(
        RayAttributor,
        fn_constructor_kwargs={
            "model": None if model is None else str(model),
            "text_column": text_column,
            "output_column": output_column,
            "device": "cuda" if on_gpu else "cpu",
            "precision": precision,
            "batch_size": windows_per_batch,
            "threads": threads,
            "all_attributions": all_attributions,
            "min_score": min_score,
        },
        batch_size=batch_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=concurrency),
        num_gpus=num_gpus,
        num_cpus=1,
    )


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "empty"
    return f"a {type(value).__name__}"
