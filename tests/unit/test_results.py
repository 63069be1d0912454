"""The Python API: `simulator.run` -> Results, saved and read back equal, and the savings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import simulator
from simulator.results import Results, load_results
from tests.kit import scenario


def test_the_public_names_are_what_all_says() -> None:
    assert sorted(simulator.__all__) == sorted(
        ["Results", "ResultsError", "ScenarioError", "SimulatorError", "SweepError",
         "SweepResults", "__version__", "fit_latencies", "load_results", "load_scenario",
         "parse_scenario",
         "run", "simulated_aws", "sweep"]
    )  # fmt: skip
    for name in simulator.__all__:
        assert getattr(simulator, name) is not None


def test_a_run_has_its_tables_with_replication_first(results: Results) -> None:
    assert list(results.tables) == [
        "transitions", "calls", "stops", "costs", "baseline_costs", "invocations", "demand",
        "waits",
    ]  # fmt: skip
    for table in results.tables.values():
        assert table.columns[0] == "replication"
        assert set(table["replication"]) <= {0, 1}
    assert isinstance(results.stops["outcome"].dtype, pd.CategoricalDtype)


def test_the_saving_of_a_stop_is_the_rate_times_the_time_billing_ended_early(
    results: Results,
) -> None:
    """Billing ends at STOPPED (600.1 + 120 s); never stopped, it runs to the horizon."""
    saved = results.savings().iloc[0]
    rate = 2 * 4.0 / 3600  # 2 inference units at $4 per unit-hour, per second
    assert saved["saved_usd"] == pytest.approx(rate * (3600 - 720.1), rel=1e-12)
    assert saved["baseline_usd"] == pytest.approx(rate * 3600, rel=1e-12)
    assert saved["billed_usd"] == pytest.approx(rate * 720.1, rel=1e-12)
    assert saved["saved_usd_ci_high"] == pytest.approx(saved["saved_usd"])  # no spread


def test_the_counterfactual_shares_the_draws_and_only_lacks_the_stops() -> None:
    """Classifiers nobody stops train for the same random times in both runs, exactly; the
    stopped ones would have trained on, and cost more, without their stops."""
    text = """
    name: crn
    horizon: 1d
    services:
      comprehend:
        latency: {training: {kind: lognormal, median: 1h, p95: 3h}, stop: 5m}
    fleet:
      - {service: comprehend, count: 20, name: stopped}
      - {service: comprehend, count: 20, name: left}
    requests: [{service: comprehend, at: 10m, where: {group: stopped}}]
    """
    run = simulator.run(scenario(text), replications=1)

    def by_resource(costs: pd.DataFrame, group: str) -> pd.Series:
        mine = costs[costs["group"] == group]
        return mine.groupby(mine["resource_id"].astype(str))["usd"].sum()

    pd.testing.assert_series_equal(
        by_resource(run.costs, "left"), by_resource(run.baseline_costs, "left")
    )
    unstopped, stopped = (
        by_resource(run.baseline_costs, "stopped"),
        by_resource(run.costs, "stopped"),
    )
    assert (unstopped >= stopped - 1e-12).all()  # one done before its stop costs the same
    assert (unstopped > stopped).sum() >= 15
    assert run.savings().set_index("group").loc["left", "saved_usd"] == 0.0


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_saved_run_reads_back_equal(results: Results, tmp_path: Path, fmt: str) -> None:
    directory = results.save(tmp_path / "run", fmt="csv" if fmt == "csv" else "parquet")
    again = load_results(directory)
    assert (again.seed, again.replications) == (results.seed, results.replications)
    assert again.scenario == results.scenario.model_copy(update={"seed": results.seed})
    for name, table in results.tables.items():
        if fmt == "parquet":
            pd.testing.assert_frame_equal(again.tables[name], table)
        else:  # CSV: every dtype restored from run.json; categories in order of appearance
            pd.testing.assert_frame_equal(again.tables[name], table, check_categorical=False)
    pd.testing.assert_frame_equal(again.summary(), results.summary())
    pd.testing.assert_frame_equal(again.savings(), results.savings())


def test_a_directory_without_run_json_is_a_results_error(tmp_path: Path) -> None:
    with pytest.raises(simulator.ResultsError, match=r"no run\.json"):
        load_results(tmp_path)
