"""Which build this process runs, pure Python or compiled with mypyc, and that it is the
whole of it: `simulator.version.build()` agrees with where every module the compiled build
compiles was loaded from. CI sets SIMULATOR_EXPECT_BUILD for each of its two runs, so a
run meant for the compiled modules fails if pytest imported the source tree instead."""

from __future__ import annotations

import ast
import importlib
import os
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from simulator.version import build

ROOT = Path(__file__).parent.parent
BACKEND = ROOT / "build_backend" / "simulator_build.py"


def compiled_modules() -> list[str]:
    """The modules named by the build backend's COMPILED, read from its source (importing
    it needs setuptools, which a venv need not have)."""
    for node in ast.parse(BACKEND.read_text()).body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["COMPILED"]:
            paths: tuple[str, ...] = ast.literal_eval(node.value)
            return [path.removesuffix(".py").replace("/", ".") for path in paths]
    raise AssertionError(f"{BACKEND} assigns no COMPILED")


def is_extension(module: str) -> bool:
    return str(importlib.import_module(module).__file__).endswith(tuple(EXTENSION_SUFFIXES))


def test_the_compiled_modules_exist_and_the_probe_is_one() -> None:
    modules = compiled_modules()
    assert len(modules) >= 10
    assert all((ROOT / (name.replace(".", "/") + ".py")).is_file() for name in modules)
    assert "simulator.workload.clients" in modules  # simulator.version's probe


def test_every_compiled_module_is_of_the_build_reported() -> None:
    loaded = {module: is_extension(module) for module in compiled_modules()}
    assert loaded == dict.fromkeys(loaded, build() == "compiled")


@pytest.mark.skipif("SIMULATOR_EXPECT_BUILD" not in os.environ, reason="CI's runs set it")
def test_the_build_is_the_one_this_run_expects() -> None:
    assert build() == os.environ["SIMULATOR_EXPECT_BUILD"]
