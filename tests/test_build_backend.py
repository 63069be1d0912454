"""The build switch: `pip install .` is pure Python and asks for no mypy; `-C mypyc=1` or
SIMULATOR_MYPYC=1 compiles, and brings mypy with what it type-checks against."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BACKEND = Path(__file__).parent.parent / "build_backend" / "simulator_build.py"


@pytest.fixture(scope="module")
def backend() -> ModuleType:
    pytest.importorskip("setuptools.build_meta")
    spec = importlib.util.spec_from_file_location("simulator_build", BACKEND)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("settings", "environment", "expected"),
    [
        (None, None, False),  # the default: pure Python
        ({"mypyc": "1"}, None, True),
        ({"mypyc": "true"}, None, True),
        (None, "1", True),
        (None, "0", False),
        ({"mypyc": "0"}, "1", False),  # a config setting given wins over the environment
        ({"other": "x"}, None, False),
    ],
)
def test_the_switch_reads_the_config_setting_then_the_environment(
    backend: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    settings: dict[str, str] | None,
    environment: str | None,
    expected: bool,
) -> None:
    monkeypatch.delenv("SIMULATOR_MYPYC", raising=False)
    if environment is not None:
        monkeypatch.setenv("SIMULATOR_MYPYC", environment)
    assert backend.compiled(settings) is expected


def test_a_switch_that_is_neither_on_nor_off_is_refused(
    backend: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIMULATOR_MYPYC", "maybe")
    with pytest.raises(ValueError, match=r"SIMULATOR_MYPYC\) is 'maybe': expected one of 1"):
        backend.compiled()


def test_only_the_compiled_build_requires_mypy_and_the_types_it_checks(
    backend: ModuleType,
) -> None:
    requires = backend.compile_requires()
    names = {backend._name(requirement) for requirement in requires}
    assert {"mypy", "pydantic", "numpy", "dask", "pandas-stubs", "types-pyyaml"} <= names
    assert "pytest" not in names  # the dev extra's tools are not build requirements
    assert backend._setuptools_settings({"mypyc": "1", "--build-option": "x"}) == {
        "--build-option": "x"
    }
    assert backend._setuptools_settings({"mypyc": "1"}) is None


def test_an_editable_compiled_install_is_refused(
    backend: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SIMULATOR_MYPYC", raising=False)
    with pytest.raises(ValueError, match="installs as a wheel only"):
        backend.get_requires_for_build_editable({"mypyc": "1"})
