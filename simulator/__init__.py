"""A discrete-event simulator of managed ML resource lifecycles.

The Python API: load a scenario, run it, read the tables, or read a saved run back; sweep
its what-if variants and compare them on common random numbers.

    results = simulator.run("scenarios/comprehend-stop-race.yaml", replications=5)
    results.summary(); results.stops; results.plot_latency()
    results.save("runs/race"); simulator.load_results("runs/race")
    fitted = simulator.fit_latencies(["polls.csv"]); fitted.write("fitted.yaml")
    study = simulator.sweep("scenarios/whatif-retry-modes.yaml", out="runs/modes")
    study.summary(); study.plot("rekognition.latency_p99_s"); study.results("mode=legacy")
    with simulator.simulated_aws("scenarios/rekognition-nightly-stop.yaml") as aws:
        boto3.client("rekognition").stop_project_version(...); time.sleep(600); aws.now

The errors are imported with the package, the rest (even the version) on first use, so
that `simulate --help` starts at once and validating a scenario imports no pandas, SimPy
or matplotlib.
"""

import importlib
from typing import TYPE_CHECKING, Any

from simulator.errors import ResultsError, ScenarioError, SimulatorError, SweepError

if TYPE_CHECKING:
    from simulator.aws.session import simulated_aws
    from simulator.fit.calibrate import fit_latencies
    from simulator.results import Results, load_results, run
    from simulator.scenario import load_scenario, parse_scenario
    from simulator.sweeps import SweepResults, sweep
    from simulator.version import __version__

__all__ = [
    "Results",
    "ResultsError",
    "ScenarioError",
    "SimulatorError",
    "SweepError",
    "SweepResults",
    "__version__",
    "fit_latencies",
    "load_results",
    "load_scenario",
    "parse_scenario",
    "run",
    "simulated_aws",
    "sweep",
]
_LAZY = {
    "Results": "simulator.results",
    "load_results": "simulator.results",
    "run": "simulator.results",
    "load_scenario": "simulator.scenario",
    "parse_scenario": "simulator.scenario",
    "SweepResults": "simulator.sweeps",
    "sweep": "simulator.sweeps",
    "simulated_aws": "simulator.aws.session",
    "fit_latencies": "simulator.fit.calibrate",
    "__version__": "simulator.version",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
