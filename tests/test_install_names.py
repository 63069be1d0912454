"""No file tells a user to install `simulator` by name: on PyPI that is an unrelated
project. The distribution is `ml-lifecycle-sim` (`simulator.version.DISTRIBUTION`); the
import package and its extras' names come with it (`ml-lifecycle-sim[dask]`)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
_INSTALLER = r"(?:pip3?|pipx|uv\s+pip|uv|poetry|conda)\s+(?:install|add)"
_WRONG = re.compile(
    _INSTALLER + r"(?:\s+-{1,2}[\w-]+(?:[= ]\S+)?)*\s+['\"`]?simulator(?![\w.-])",
    re.IGNORECASE,
)
"""An install command whose package is `simulator` or `simulator[...]`, options allowed
before it: `pip install 'simulator[dask]'`, `pip install -U simulator`."""
_TEXT = (".py", ".md", ".toml", ".txt", ".yaml", ".yml", ".ipynb", ".cfg", ".ini", ".rst")


def shipped_text_files() -> list[Path]:
    """The repository's files as git sees them (tracked, or new and not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return [ROOT / name for name in listed if name.endswith(_TEXT) and (ROOT / name).is_file()]


@pytest.mark.parametrize(
    "text",
    [
        "pip install 'simulator[dask]'",
        "pip install simulator",
        'run `pip install -U "simulator"`',
        "uv add simulator[dask]",
        "pipx install simulator",
    ],
)
def test_the_pattern_finds_an_install_of_simulator(text: str) -> None:
    assert _WRONG.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "pip install 'ml-lifecycle-sim[dask]'",
        "pip install -e '.[dev]'",
        "it installs the `simulator` import package",
        "pip install simulator-tools",
    ],
)
def test_the_pattern_leaves_other_installs_alone(text: str) -> None:
    assert not _WRONG.search(text)


def test_no_file_tells_a_user_to_install_simulator_by_name() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in shipped_text_files()
        if path != Path(__file__)
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if _WRONG.search(line)
    ]
    assert not found, "install ml-lifecycle-sim, not simulator:\n" + "\n".join(found)
