"""A discrete-event simulator of managed ML resource lifecycles.

The Python API: load a scenario, run it, read the tables.
"""

from simulator.errors import ScenarioError, SimulatorError
from simulator.runner import run
from simulator.scenario import load_scenario, parse_scenario

__all__ = ["ScenarioError", "SimulatorError", "load_scenario", "parse_scenario", "run"]
