"""The import rules that make the layering, read from the source's syntax trees.

Each layer imports only what lies below it (engine < api < services < workload; scenario
and analysis beside them); the workload meets services through their shared protocol
(`simulator.services.base`), never a service module; the analysis reads tables, never live
model objects; the scenario schema needs no SimPy; and what `simulate` imports to parse its
command line holds no pandas, matplotlib, SciPy or SimPy (what `--help` and `validate`
import in a fresh process is tested in test_cli_conventions.py).

An import inside a function runs when the function is called, and one under
`if TYPE_CHECKING:` never runs: the layer rules count every import (an upward one in a
function is still upward), the rules about what loading a module costs only those at
module level.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "simulator"
ALLOWED = {
    "engine": {"engine", "tables"},  # tables: a leaf, the result tables' schemas
    "api": {"engine", "api"},
    "services": {"engine", "api", "services"},
    "workload": {"engine", "api", "services", "workload", "scenario"},
    "scenario": {"engine", "services", "scenario", "errors", "awslogs", "pricing"},
    # the price catalogue, a user's price files, each region's prices; `costs` at them
    "pricing": {"pricing", "engine", "api", "services", "analysis"},
    "awslogs": {"awslogs"},  # AWS's log formats as tables: pure parsing, a leaf package
    # leaves; words: humanize; fit: the figure of a fit draws its statistics
    "analysis": {"analysis", "api", "errors", "humanize", "tables", "fit"},
    # beside the runner: draws what the layers below simulate, derives as the analysis does
    "vector": {"vector", "engine", "api", "services", "workload", "scenario", "analysis"}
    | {"errors", "tables", "pricing", "hosting"},
    # hosted models' requests as arrays and what they met, and the policies that act on
    # them through the workload's clients (a budget at the scenario's prices): beside the
    # workload, above it
    "hosting": {"hosting", "engine", "api", "services", "workload", "scenario"}
    | {"errors", "tables", "pricing"},
    # the user's boto3 code, wired to a built model: beside the workload, above it; `build`
    # (for the model's type only, under TYPE_CHECKING) and `runner`/`results` (the
    # `simulated_aws` context's results so far) are the modules that put a run together
    "aws": {"aws", "engine", "api", "services", "workload", "scenario", "build"}
    | {"runner", "results", "errors", "tables", "vector"},
    # observed durations -> latency settings: the statistics import only the distributions
    # they fit (FIT_STATISTICS); the readers and the fragment know the services, the
    # scenario's schema and AWS's log formats, and the calibration draws its figure
    "fit": {"fit", "engine", "errors", "paths", "services", "scenario", "awslogs", "analysis"},
}
FIT_STATISTICS = ("sample", "families", "nonparametric", "bootstrap", "goodness")
"""The modules of `simulator/fit/` that do the statistics: numpy, SciPy, pandas and the
distributions of `simulator.engine.distributions`, nothing else of the package."""
LEAVES = ("errors", "humanize", "tables")
LIVE = (
    "simpy",
    "simulator.engine.env",
    "simulator.engine.lifecycle",
    "simulator.api.plane",
    "simulator.services",
    "simulator.workload",
    "simulator.build",
    "simulator.runner",
)
"""What holds or drives a running model: the analysis reads its tables instead."""
HEAVY = ("pandas", "matplotlib", "scipy", "simpy")


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    module: str
    """The module named, resolved: `from simulator.services import base` names
    `simulator.services.base`."""
    module_level: bool
    """Runs when its module is loaded: not in a function, nor under `if TYPE_CHECKING:`."""

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.module}"


class _Imports(ast.NodeVisitor):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.found: list[Import] = []
        self._deferred = 0

    def _add(self, node: ast.stmt, module: str) -> None:
        self.found.append(Import(self.path, node.lineno, module, self._deferred == 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        assert node.level == 0, f"{self.path}:{node.lineno}: a relative import"
        assert node.module is not None
        for alias in node.names:
            # `from a.b import c`: c is a module of a.b or a name in it; name both
            self._add(node, node.module)
            self._add(node, f"{node.module}.{alias.name}")

    def _deferring(self, node: ast.AST) -> None:
        self._deferred += 1
        self.generic_visit(node)
        self._deferred -= 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._deferring(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._deferring(node)

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            self._deferring(node)
        else:
            self.generic_visit(node)


def imports(path: Path) -> list[Import]:
    visitor = _Imports(path)
    visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return visitor.found


def modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def is_of(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in prefixes)


def layer(module: str) -> str | None:
    """The part of the package `module` belongs to: `simulator.api.plane` -> `api`."""
    parts = module.split(".")
    return parts[1] if parts[0] == "simulator" and len(parts) > 1 else None


# -- the rules' own tests: the reader sees what the rules read ----------------------------


def test_the_reader_tells_module_level_from_deferred_imports(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import pandas as pd\n"
        "from simulator.services import base, sagemaker\n"
        "if TYPE_CHECKING:\n"
        "    import matplotlib\n"
        "def f() -> None:\n"
        "    import scipy.special\n"
    )
    found = {(i.module, i.line, i.module_level) for i in imports(source)}
    assert found == {
        ("typing", 1, True),
        ("typing.TYPE_CHECKING", 1, True),
        ("pandas", 2, True),
        ("simulator.services", 3, True),
        ("simulator.services.base", 3, True),
        ("simulator.services.sagemaker", 3, True),
        ("matplotlib", 5, False),
        ("scipy.special", 7, False),
    }


# -- the rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALLOWED)
def test_a_layer_imports_only_what_lies_below_it(name: str) -> None:
    upward = [
        str(i)
        for path in modules(PACKAGE / name)
        for i in imports(path)
        if layer(i.module) is not None and layer(i.module) not in ALLOWED[name]
    ]
    assert upward == []


@pytest.mark.parametrize("leaf", LEAVES)
def test_a_leaf_imports_nothing_of_the_package(leaf: str) -> None:
    found = imports(PACKAGE / f"{leaf}.py")
    assert [str(i) for i in found if i.module.startswith("simulator")] == []


def test_the_workload_meets_services_only_through_their_protocol() -> None:
    """No service module is named in workload/: a new service needs no change there."""
    services = [
        str(i)
        for path in modules(PACKAGE / "workload")
        for i in imports(path)
        if is_of(i.module, ("simulator.services",))
        and not is_of(i.module, ("simulator.services.base",))
        and i.module != "simulator.services"
    ]
    assert services == []


def test_hosting_meets_services_only_through_their_protocol() -> None:
    """As the workload: a hosted service's errors and statuses are named, not imported."""
    services = [
        str(i)
        for path in modules(PACKAGE / "hosting")
        for i in imports(path)
        if is_of(i.module, ("simulator.services",))
        and not is_of(i.module, ("simulator.services.base",))
        and i.module != "simulator.services"
    ]
    assert services == []


def test_the_analysis_reads_tables_not_live_objects() -> None:
    live = [
        str(i)
        for path in modules(PACKAGE / "analysis")
        for i in imports(path)
        if is_of(i.module, LIVE)
    ]
    assert live == []


@pytest.mark.parametrize("name", FIT_STATISTICS)
def test_the_fit_statistics_import_only_the_distributions_they_fit(name: str) -> None:
    """No SimPy, no service, no command: a notebook fits durations with numpy and SciPy."""
    own = tuple(f"simulator.fit.{m}" for m in FIT_STATISTICS)
    found = [
        str(i)
        for i in imports(PACKAGE / "fit" / f"{name}.py")
        if is_of(i.module, ("simulator", "simpy"))
        and not is_of(i.module, (*own, "simulator.engine.distributions"))
        and i.module not in ("simulator.fit", "simulator.engine")
    ]
    assert found == []


def test_the_scenario_schema_loads_without_simpy() -> None:
    code = "import sys, simulator.scenario; assert 'simpy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def _loaded_with(package: str) -> set[Path]:
    """The files of the package loaded, at module level, when `package` is imported."""
    seen: set[Path] = set()
    todo = [package]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for stem in (parts[:i] for i in range(1, len(parts) + 1)):  # parents load first
            folder = ROOT.joinpath(*stem)
            for path in (folder / "__init__.py", folder.with_suffix(".py")):
                if path.is_file() and path not in seen:
                    seen.add(path)
                    todo += [i.module for i in imports(path) if i.module_level]
    return seen


def test_the_command_line_loads_no_heavy_library_to_parse_its_arguments() -> None:
    """What `import simulator.cli` loads (every command's options, before any runs)
    imports no pandas, matplotlib, SciPy or SimPy at module level: a command imports
    those in its function, when it runs."""
    loaded = _loaded_with("simulator.cli")
    assert PACKAGE / "cli" / "run_commands.py" in loaded  # the walk reaches the commands
    heavy = [
        str(i)
        for path in sorted(loaded)
        for i in imports(path)
        if i.module_level and is_of(i.module, HEAVY)
    ]
    assert heavy == []
