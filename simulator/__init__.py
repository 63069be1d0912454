"""A discrete-event simulator of managed ML resource lifecycles.

The Python API: load a scenario, run it, read the tables. `run` is imported on first use,
so that loading or validating a scenario does not import the simulation engine.
"""

from typing import TYPE_CHECKING, Any

from simulator.errors import ScenarioError, SimulatorError
from simulator.scenario import load_scenario, parse_scenario

if TYPE_CHECKING:
    from simulator.runner import run

__all__ = ["ScenarioError", "SimulatorError", "load_scenario", "parse_scenario", "run"]


def __getattr__(name: str) -> Any:
    if name == "run":
        from simulator.runner import run

        return run
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
