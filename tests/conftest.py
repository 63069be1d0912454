"""Shared helpers: build small scenarios from YAML text."""

from __future__ import annotations

import textwrap

from simulator.scenario import parse_scenario
from simulator.scenario.model import Scenario


def scenario(text: str) -> Scenario:
    return parse_scenario(textwrap.dedent(text))
