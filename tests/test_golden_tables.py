"""The golden scenario's tables, bit for bit: the stored digests, in whichever build runs
the test (pure Python or compiled with mypyc), and the same as a pure-Python run's.

A change meant to keep the tables (a speed-up, the compiled build) must leave the digests
alone; one that means to change them stores new ones with `python -m tests.test_golden_tables`
and says in its commit why.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.runner import run_tables
from simulator.scenario import parse_scenario
from tests.kit import in_pure_python

GOLDEN = Path(__file__).parent / "golden"
SCENARIO = GOLDEN / "scenario.yaml"
DIGESTS = GOLDEN / "tables.json"


def digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's column names and values: numbers by their bytes (so 1e-300 and
    -0.0 count), everything else by its repr, in row order."""
    hashed = hashlib.sha256()
    for name, column in frame.items():
        hashed.update(f"\x1e{name}\x1f".encode())
        values = column.to_numpy()
        if values.dtype.kind in "biuf":
            hashed.update(np.ascontiguousarray(values).tobytes())
        else:
            hashed.update("\x1f".join(map(repr, column.tolist())).encode())
    return hashed.hexdigest()


def golden_digests() -> dict[str, str]:
    """The digest of each table of the golden scenario's run."""
    tables: Mapping[str, pd.DataFrame] = run_tables(parse_scenario(SCENARIO.read_text()))
    return {name: digest(frame) for name, frame in tables.items()}


@pytest.fixture(scope="module")
def digests() -> dict[str, str]:
    return golden_digests()


def test_the_golden_tables_are_the_stored_ones(digests: dict[str, str]) -> None:
    assert digests == json.loads(DIGESTS.read_text())


@pytest.mark.slow
def test_this_build_gives_the_pure_python_tables(digests: dict[str, str]) -> None:
    """In the compiled build this compares compiled with pure; in the pure build, a fresh
    process with the current process."""
    assert in_pure_python(golden_digests) == digests


def test_a_changed_value_changes_the_digest() -> None:
    frame = pd.DataFrame({"t": [1.0, 2.0], "s": pd.Categorical(["a", "b"])})
    assert digest(frame) == digest(frame.copy())
    assert digest(frame) != digest(frame.assign(t=[1.0, np.nextafter(2.0, 3.0)]))
    assert digest(frame) != digest(frame.assign(s=pd.Categorical(["a", "a"])))
    assert digest(frame) != digest(frame.rename(columns={"t": "u"}))


if __name__ == "__main__":
    DIGESTS.write_text(json.dumps(golden_digests(), indent=2) + "\n")
