"""Scenarios as pure data: the pydantic schema and a YAML loader with located errors.

Nothing here imports simpy: a scenario can be loaded, validated and printed without the
simulation engine.
"""

from simulator.scenario.loader import load_scenario, parse_scenario
from simulator.scenario.model import Scenario

__all__ = ["Scenario", "load_scenario", "parse_scenario"]
