"""Imports run downhill: cli -> tools, evaluation -> inference -> model, attribution -> data -> schema.

Checked twice: statically over every import in the package (lazy ones too), and by importing the
lower layers in a fresh interpreter and listing what came with them.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "quoteattr"

# The layer of each module, by the longest matching name; a module imports only from its layer or below.
LAYERS = {
    "quoteattr.schema": 0,
    "quoteattr.errors": 0,
    "quoteattr.version": 0,
    "quoteattr.hardware": 0,
    "quoteattr.metrics": 0,
    "quoteattr.text": 0,
    "quoteattr.data": 1,
    "quoteattr.model": 2,
    "quoteattr.attribution": 2,
    "quoteattr.inference": 3,
    "quoteattr.long_text": 3,
    "quoteattr.workers": 3,
    "quoteattr.evaluation": 4,
    "quoteattr.tools": 4,
    "quoteattr.cli": 5,
    "quoteattr.integrations": 5,
    "quoteattr.__main__": 5,
    "quoteattr": 5,  # the package __init__, whose lazy QuoteAttributor leads to inference
}
# Known exceptions, each with the change that removes it.
ALLOWED: set[tuple[str, str]] = set()


def layer(module: str) -> int:
    name = max((key for key in LAYERS if module == key or module.startswith(key + ".")), key=len)
    return LAYERS[name]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_imports(tree: ast.Module) -> list[str]:
    """The quoteattr modules a module imports, at its top or inside functions, but not for type checking only."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names if alias.name.split(".")[0] == "quoteattr")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "quoteattr":
            # `from quoteattr.model import training` imports quoteattr.model.training
            found.extend(
                f"{node.module}.{alias.name}"
                if (PACKAGE.parent / node.module.replace(".", "/") / alias.name).exists()
                or (PACKAGE.parent / f"{node.module.replace('.', '/')}/{alias.name}.py").exists()
                else node.module
                for alias in node.names
            )
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_every_import_runs_downhill() -> None:
    uphill = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        for imported in package_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if layer(imported) > layer(importer) and (importer, imported) not in ALLOWED:
                uphill.append(f"{importer} (layer {layer(importer)}) imports {imported} (layer {layer(imported)})")
    assert not uphill, "\n".join(uphill)


def test_nothing_below_the_top_imports_the_package_init() -> None:
    # `from quoteattr import X` runs the package __init__, whose lazy import leads back to inference
    offenders = [
        module_name(path)
        for path in PACKAGE.rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py", "cli.py")
        and any(
            isinstance(node, ast.ImportFrom) and node.module == "quoteattr"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    ]
    assert not offenders


ABOVE_MODEL = ("quoteattr.inference", "quoteattr.cli", "quoteattr.tools", "quoteattr.evaluation")


@pytest.mark.parametrize(
    ("group", "forbidden"),
    [
        ("model", ("quoteattr.inference", "quoteattr.cli", "quoteattr.tools", "quoteattr.evaluation")),
        (
            "data",
            ("quoteattr.model", "quoteattr.inference", "quoteattr.cli", "quoteattr.tools", "quoteattr.evaluation"),
        ),
        ("tools", ("quoteattr.inference", "quoteattr.cli", "quoteattr.evaluation")),
    ],
)
def test_a_lower_layer_loads_without_the_layers_above(group: str, forbidden: tuple[str, ...]) -> None:
    modules = sorted(module_name(path) for path in (PACKAGE / group).glob("*.py"))
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('quoteattr'))))\n"
    )
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    )
    assert set(modules) <= set(loaded)
    assert not [name for name in loaded if name.startswith(forbidden)], loaded


def test_modeling_alone_loads_no_attributor() -> None:
    script = "import quoteattr.model.modeling, sys; print(sorted(m for m in sys.modules if m.startswith('quoteattr')))"
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert "quoteattr.inference" not in loaded and "quoteattr.model.modeling" in loaded
