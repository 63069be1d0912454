"""ARCHITECTURE.md names only what exists: every path, and every `Class.method` it cites."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
DOC = (ROOT / "ARCHITECTURE.md").read_text()
CODE = "\n".join(p.read_text() for p in (ROOT / "simulator").rglob("*.py"))

PATHS = sorted(set(re.findall(r"`((?:simulator|tests|scenarios)/[\w/.-]+)`", DOC)))
NAMES = sorted(set(re.findall(r"`([A-Z]\w+)\.(\w+)`", DOC)))


def test_the_doc_names_paths_and_methods() -> None:
    """The checks below would pass on a page that names nothing."""
    assert len(PATHS) > 40
    assert len(NAMES) > 5


def test_every_path_the_doc_names_exists() -> None:
    missing = [path for path in PATHS if not (ROOT / path).exists()]
    assert not missing, f"ARCHITECTURE.md names paths that do not exist: {missing}"


def test_every_class_and_method_the_doc_names_exists() -> None:
    missing = [
        f"{cls}.{member}"
        for cls, member in NAMES
        if not re.search(rf"^class {cls}\b", CODE, re.MULTILINE)
        or not re.search(rf"^\s+(def {member}\b|{member}\s*[:=])", CODE, re.MULTILINE)
    ]
    assert not missing, f"ARCHITECTURE.md names what the code lacks: {missing}"


def test_every_layer_the_layer_test_knows_is_on_the_page() -> None:
    from tests.test_layers import ALLOWED

    for layer in ALLOWED:
        assert f"\n{layer}/" in DOC, layer
