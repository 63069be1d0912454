"""A discrete-event simulator of managed ML resource lifecycles.

The Python API: load a scenario, run it, read the tables, or read a saved run back.

    results = simulator.run("scenarios/comprehend-stop-race.yaml", replications=5)
    results.summary(); results.stops; results.plot_latency()
    results.save("runs/race"); simulator.load_results("runs/race")

`run`, `Results` and `load_results` are imported on first use, so that loading or
validating a scenario does not import the simulation engine or matplotlib.
"""

from typing import TYPE_CHECKING, Any

from simulator.errors import ResultsError, ScenarioError, SimulatorError
from simulator.scenario import load_scenario, parse_scenario

if TYPE_CHECKING:
    from simulator.results import Results, load_results, run

__all__ = [
    "Results",
    "ResultsError",
    "ScenarioError",
    "SimulatorError",
    "load_results",
    "load_scenario",
    "parse_scenario",
    "run",
]
_LAZY = frozenset({"Results", "load_results", "run"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from simulator import results

        return getattr(results, name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
