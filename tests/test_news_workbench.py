"""The news corpus workbench (`data/news/annotate.py`): the draw and the pre-fill."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import POLNEAR, REPO

NEWS = REPO / "data" / "news"
pytestmark = pytest.mark.skipif(
    not POLNEAR.is_dir(), reason="the news corpus texts live in ../shared/data/polnear, which is absent here"
)


@pytest.fixture(scope="module")
def workbench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("annotate", NEWS / "annotate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_draw_is_the_one_the_workbench_draws(workbench: ModuleType) -> None:
    committed = json.loads((NEWS / "draw.json").read_text(encoding="utf-8"))
    assert workbench.draw() == committed


def test_a_larger_draw_keeps_the_documents_of_a_smaller_one(
    workbench: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = workbench.draw()["splits"]
    monkeypatch.setattr(workbench, "QUOTAS", {"train": 120, "dev": 40})
    smaller = workbench.draw()["splits"]
    assert smaller["train"] == full["train"][:120]
    assert smaller["dev"] == full["dev"][:40]
    assert len(set(full["train"])) == len(full["train"])


def test_prefill_writes_new_documents_and_never_rewrites_an_existing_one(
    workbench: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first, second = workbench.draw()["splits"]["dev"][:2]
    monkeypatch.setattr(workbench, "drawn", lambda: {first: "dev", second: "dev"})
    monkeypatch.setattr(workbench, "ANNOTATIONS", tmp_path)
    (tmp_path / "prefill").mkdir()
    kept = tmp_path / "prefill" / f"{first}.json"
    kept.write_text('{"what the annotator started from": true}\n', encoding="utf-8")
    workbench.prefill(None)
    assert kept.read_text(encoding="utf-8") == '{"what the annotator started from": true}\n'
    written = json.loads((tmp_path / "prefill" / f"{second}.json").read_text(encoding="utf-8"))
    assert written["doc"] == second and written["attributions"]
