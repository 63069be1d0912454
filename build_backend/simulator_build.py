"""The build backend: setuptools, and on request the hot modules compiled with mypyc.

`pip install .` builds the pure-Python package with setuptools alone, as if this file were
not here. The compiled build is asked for with the config setting `mypyc` (`pip install .
-C mypyc=1`, `python -m build -C mypyc=1`) or, for front ends that cannot pass one, the
environment variable SIMULATOR_MYPYC=1. Only then does the build need mypy, and with it the
packages it type-checks the modules against (the runtime dependencies, and the stubs the
dev extra names): mypyc then compiles the types `mypy --strict` checks, from the same
pyproject.toml configuration.

An editable compiled install is refused: it would leave extension modules in the source
tree, where they shadow every later edit of the .py files beside them.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (
    build_sdist,
    get_requires_for_build_sdist,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]

ROOT = Path(__file__).resolve().parent.parent
SWITCH = "SIMULATOR_MYPYC"
SETTING = "mypyc"
_SCRATCH = "SIMULATOR_MYPYC_SCRATCH"
COMPILED = (
    "simulator/api/iam.py",
    "simulator/api/plane.py",
    "simulator/api/throttle.py",
    "simulator/api/validation.py",
    "simulator/engine/env.py",
    "simulator/engine/recorder.py",
    "simulator/engine/rng.py",
    "simulator/engine/stops.py",
    "simulator/workload/arrivals.py",
    "simulator/workload/clients.py",
    "simulator/workload/retries.py",
)
"""The modules the compiled build compiles: where a profile of a stop and its polls spends
its Python time (`benchmarks/bench_rekognition.py --profile sim`). Every class another
module subclasses stays out (the services' base classes: a compiled class cannot be
subclassed by an interpreted one), and so does simulator/engine/lifecycle.py, whose
IllegalTransition derives from RuntimeError, a base mypyc cannot compile."""

_ON, _OFF = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")
_Settings = dict[str, Any] | None


def compiled(config_settings: _Settings = None) -> bool:
    """Whether this build compiles: the config setting if given, else the environment."""
    settings = config_settings or {}
    value = str(settings[SETTING] if SETTING in settings else os.environ.get(SWITCH, ""))
    if value.strip().lower() in _ON:
        return True
    if value.strip().lower() in _OFF:
        return False
    raise ValueError(
        f"the compiled build's switch ({SETTING} / {SWITCH}) is {value!r}: "
        f"expected one of {', '.join(_ON)} (compile) or {', '.join(repr(v) for v in _OFF)}"
    )


def _setuptools_settings(config_settings: _Settings) -> _Settings:
    """The config settings without ours, which setuptools does not know."""
    rest = {key: value for key, value in (config_settings or {}).items() if key != SETTING}
    return rest or None


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match is not None, requirement
    return match.group().lower()


def compile_requires() -> list[str]:
    """What the compiled build installs besides setuptools: mypy (which brings mypyc), the
    runtime dependencies, the other extras' (mypy follows simulator/executors.py into
    Dask's) and the dev extra's stubs, so the type check sees the types it sees in dev."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    typing = [
        requirement
        for requirement in extras["dev"]
        if (name := _name(requirement)) == "mypy"
        or name.startswith("types-")
        or name.endswith("-stubs")
    ]
    others = [need for extra, listed in extras.items() if extra != "dev" for need in listed]
    return [*project["dependencies"], *others, *typing]


def setup_arguments() -> dict[str, Any]:
    """What setup.py passes to setuptools' setup(): nothing unless the switch is on, else
    the extension modules mypyc makes and a build directory of their own.

    The C sources, mypy's cache and setuptools' build directory are made fresh in
    build/mypyc-*/ (setuptools wants sources under the project), never in build/lib*, where
    an extension module left by an earlier build would ship in the next wheel; build_wheel
    removes the directory once the wheel is written."""
    if not compiled():
        return {}
    from mypyc.build import mypycify

    (ROOT / "build").mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="mypyc-", dir=ROOT / "build"))
    os.environ[_SCRATCH] = str(scratch)
    modules = mypycify(
        [f"--config-file={ROOT / 'pyproject.toml'}", f"--cache-dir={scratch / 'mypy'}"]
        + [str(ROOT / path) for path in COMPILED],
        target_dir=os.path.relpath(scratch / "c"),
        group_name="simulator",
    )
    return {"ext_modules": modules, "options": {"build": {"build_base": str(scratch)}}}


def get_requires_for_build_wheel(config_settings: _Settings = None) -> list[str]:
    requires = _setuptools.get_requires_for_build_wheel(_setuptools_settings(config_settings))
    return [*requires, *compile_requires()] if compiled(config_settings) else requires


def build_wheel(
    wheel_directory: str, config_settings: _Settings = None, metadata_directory: str | None = None
) -> str:
    if not compiled(config_settings):
        return _setuptools.build_wheel(
            wheel_directory, _setuptools_settings(config_settings), metadata_directory
        )
    os.environ[SWITCH] = "1"  # read by setup.py, which setuptools runs in this process
    try:
        return _setuptools.build_wheel(
            wheel_directory, _setuptools_settings(config_settings), metadata_directory
        )
    finally:
        if _SCRATCH in os.environ:
            shutil.rmtree(os.environ.pop(_SCRATCH), ignore_errors=True)


def _refuse_compiled_editable(config_settings: _Settings) -> None:
    if compiled(config_settings):
        raise ValueError(
            "the compiled build installs as a wheel only: `pip install . -C mypyc=1`. An "
            "editable install would put extension modules in the source tree, where they "
            "would shadow every later edit of the .py files beside them."
        )


def get_requires_for_build_editable(config_settings: _Settings = None) -> list[str]:
    _refuse_compiled_editable(config_settings)
    return _setuptools.get_requires_for_build_editable(_setuptools_settings(config_settings))


def build_editable(
    wheel_directory: str, config_settings: _Settings = None, metadata_directory: str | None = None
) -> str:
    _refuse_compiled_editable(config_settings)
    return _setuptools.build_editable(
        wheel_directory, _setuptools_settings(config_settings), metadata_directory
    )
