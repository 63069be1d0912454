"""idle_stop on Poisson demand against its closed form.

Requests to a model at rate lambda are a Poisson process: the gaps between them (and the
one from the start to the first, and from the last to the horizon) are exponential, each
longer than T with probability exp(-lambda T). With stop and start latencies of a second
and no network time, the policy stops a model once per such gap: over N gaps the stops are
Binomial(N, exp(-lambda T)), checked within its 99% bound. Demand is drawn by the
simulator (`simulator.hosting.demand`), so the test covers the draws and the policy.
"""

from __future__ import annotations

import math
import textwrap

from simulator.runner import simulate
from simulator.scenario import parse_scenario
from tests.statistical._bounds import z

RATE = 1 / 600  # a request every 10 minutes per model
AFTER = 900.0  # 15 minutes: each gap exceeds it with probability exp(-1.5) = 0.223
SCENARIO = """\
    name: idle-poisson
    seed: 11
    horizon: 7d
    fleet:
      - {service: rekognition, project: p, count: 20}
    callers:
      default: {network: {kind: fixed, value: 0}}
    services:
      rekognition:
        latency: {start: {kind: fixed, value: 1}, stop: {kind: fixed, value: 1}}
    demand:
      - {group: p, rate: 6/h, serving: {on_not_running: fail}}
    policies:
      idle: {kind: idle_stop, groups: [p], after: 15m}
    """


def test_idle_stops_per_model_match_the_closed_form() -> None:
    scenario = parse_scenario(textwrap.dedent(SCENARIO))
    tables = simulate(scenario, scenario.seed, 0, baseline=False)
    moves = tables["transitions"]
    stops = int(((moves["to_status"] == "STOPPING") & (moves["cause"] == "policy:idle")).sum())
    requests = int(tables["demand"]["requests"].sum())
    gaps = requests + 20  # one more gap per model than requests: from the last to the horizon
    p = math.exp(-RATE * AFTER)
    expected, sd = gaps * p, math.sqrt(gaps * p * (1 - p))
    assert abs(stops - expected) <= z(0.99) * sd, (stops, expected, sd)
    assert abs(requests - 20 * RATE * 7 * 86400) <= z(0.99) * math.sqrt(20 * RATE * 7 * 86400)
    starts = int(((moves["to_status"] == "STARTING") & (moves["cause"] == "policy:idle")).sum())
    assert stops - 20 <= starts <= stops  # each stop but a model's last is followed by a start
