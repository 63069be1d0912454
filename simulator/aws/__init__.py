"""The user's own boto3 code as the workload, on the simulated clock.

A scenario's `handler:` stream runs the user's function as Lambda runs it
(`lambda_runtime`), and `simulated_aws` (`session`) lets any code call the simulation;
either way each botocore request is answered by the simulation (`hooks`, `account`,
`wire`) and every wait is simulated (`actors`, `clock`). It needs the `aws` extra (boto3 and
greenlet): importing it without them is a SimulatorError that says how to install them.
"""

from simulator.errors import SimulatorError

try:
    import boto3  # noqa: F401
    import greenlet  # noqa: F401
except ImportError as missing:
    raise SimulatorError(
        f"running boto3 code in a simulation needs the aws extra ({missing.name} is not "
        "installed): pip install 'ml-lifecycle-sim[aws]'"
    ) from None
