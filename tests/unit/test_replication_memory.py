"""What a replication frees, and when: its stop records and registry before its tables
are cast (a million stops' records are 140 MB held for nothing otherwise)."""

from __future__ import annotations

import weakref
from typing import Any

import pandas as pd
import pytest

import simulator.vector.derive as derive
from simulator.runner import simulate
from tests.kit import scenario


def test_the_stop_records_and_registry_are_freed_before_the_tables_are_cast(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handed: list[weakref.ref[pd.DataFrame]] = []
    alive_when_cast: list[bool] = []
    derive_stops, conform = derive.derive_stops, derive.conform

    def spy_stops(records: pd.DataFrame, costs: pd.DataFrame, *rest: Any) -> pd.DataFrame:
        handed.extend((weakref.ref(records), weakref.ref(rest[1])))
        return derive_stops(records, costs, *rest)

    def spy_conform(name: str, table: pd.DataFrame, *rest: Any) -> pd.DataFrame:
        alive_when_cast.append(any(ref() is not None for ref in handed))
        return conform(name, table, *rest)

    monkeypatch.setattr(derive, "derive_stops", spy_stops)
    monkeypatch.setattr(derive, "conform", spy_conform)
    tables = simulate(
        scenario(
            """
            name: freed
            horizon: 2h
            fleet: [{service: rekognition, count: 5}]
            requests: [{service: rekognition, at: 10m}]
            """
        ),
        1,
        0,
        baseline=False,
    )
    assert len(tables["stops"]) == 5
    assert len(handed) == 2
    assert alive_when_cast
    assert not any(alive_when_cast)
