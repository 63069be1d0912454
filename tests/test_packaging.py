"""The distribution as PyPI and a type checker see it: its own name, a licence, typed."""

from __future__ import annotations

from importlib.metadata import distribution, entry_points
from pathlib import Path

import simulator
from simulator.version import DISTRIBUTION

ROOT = Path(__file__).parent.parent


def test_the_distribution_is_not_named_like_the_unrelated_simulator_on_pypi() -> None:
    meta = distribution(DISTRIBUTION).metadata
    assert meta["Name"] == "ml-lifecycle-sim"
    assert meta["Version"] == simulator.__version__


def test_the_distribution_declares_its_licence_and_ships_its_text() -> None:
    dist = distribution(DISTRIBUTION)
    assert dist.metadata["License-Expression"] == "Apache-2.0"
    assert "Apache License" in (ROOT / "LICENSE").read_text().splitlines()[1]
    classifiers = dist.metadata.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3.11" in classifiers


def test_the_package_is_marked_typed_for_type_checkers() -> None:
    assert (Path(simulator.__file__).parent / "py.typed").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'simulator = ["py.typed",' in pyproject  # shipped in the wheel, not only the tree


def test_the_command_is_simulate_and_the_import_package_simulator() -> None:
    scripts = {
        e.value for e in entry_points(group="console_scripts", name="simulate")
        if e.dist is not None and e.dist.name == DISTRIBUTION
    }  # fmt: skip
    assert scripts == {"simulator.cli:main"}
