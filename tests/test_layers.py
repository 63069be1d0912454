"""Imports point down: engine knows nothing above it; scenario imports no simpy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "simulator"
ALLOWED = {
    "engine": {"engine", "tables"},  # tables: a leaf, the result tables' schemas
    "api": {"engine", "api"},
    "services": {"engine", "api", "services"},
    "workload": {"engine", "api", "services", "workload", "scenario"},
    "scenario": {"engine", "services", "scenario", "errors"},
    "analysis": {"analysis", "api", "errors", "humanize", "tables"},  # leaves; words: humanize
}
LEAVES = ("errors", "humanize", "tables")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n.split(".")[1] for n in names if n.startswith("simulator.") and n.count(".") >= 1}


@pytest.mark.parametrize("layer", ALLOWED)
def test_a_layer_imports_only_what_lies_below_it(layer: str) -> None:
    for path in (PACKAGE / layer).rglob("*.py"):
        assert _imports(path) <= ALLOWED[layer], path


@pytest.mark.parametrize("leaf", LEAVES)
def test_a_leaf_imports_nothing_of_the_package(leaf: str) -> None:
    assert _imports(PACKAGE / f"{leaf}.py") == set()


def test_the_scenario_schema_loads_without_simpy() -> None:
    code = "import sys, simulator.scenario; assert 'simpy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_workload_names_no_service_by_name() -> None:
    """Callers reach services through operations only (no `rekognition` in workload/)."""
    for path in (PACKAGE / "workload").rglob("*.py"):
        assert "rekognition" not in path.read_text().lower(), path
