"""Mutation check: change one name or number in a service module, and a fast check fails.

For each service, one mutation of each kind issue 13 names (a status's name, the latency
a progression draws, a status a default price bills, an error's HTTP status), and the
issue's own example (an outcome probability misspelt "copy_failur"); for the services run
as processes, the names those processes draw too (Neptune's STAGES and DRAWS, SageMaker's
DRAWS), which registration now checks as it checks PROGRESSIONS. Each mutant is made
in a fresh interpreter, by an import hook that edits the module's text before it is
compiled; that interpreter then runs the one check expected to catch it:

    registration   importing the services raises ServiceDefinitionError (at definition)
    a test id      that fast test fails (the conformance tests against botocore's models
                   and the AWS pages hold each status enum and each error's HTTP status)

and this test asserts that the check fails as expected. `CATCHERS` below is the report of
what catches what. A mutation whose text is no longer in its module fails here too, saying
so: the table follows the modules.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REGISTRATION = "tests/unit/test_service_definition.py::test_the_shipped_services_are_well_defined"

RUNNER = """
import importlib.machinery, importlib.util, sys
import pytest

path, old, new, test = sys.argv[1:]
module = path.removesuffix(".py").replace("/", ".")
absolute = str(__import__("pathlib").Path(path).resolve())


class Mutant(importlib.machinery.SourceFileLoader):
    def get_data(self, file):
        data = super().get_data(file)
        return data.replace(old.encode(), new.encode(), 1) if file == absolute else data

    def path_stats(self, file):
        raise OSError("a mutant has no bytecode cache")


class Finder:
    @staticmethod
    def find_spec(name, target_path=None, target=None):
        if name != module:
            return None
        return importlib.util.spec_from_file_location(name, absolute, loader=Mutant(name, absolute))


sys.dont_write_bytecode = True
sys.meta_path.insert(0, Finder())
sys.exit(pytest.main(["-q", "-x", "-p", "no:cacheprovider", "--no-header", test]))
"""


@dataclass(frozen=True)
class Mutation:
    path: str
    old: str
    new: str
    caught_by: str
    """A test id, or REGISTRATION."""
    says: str
    """What the failing check's output must contain."""


CATCHERS = {
    # -- Rekognition ---------------------------------------------------------------------
    "rekognition status": Mutation(
        "simulator/services/rekognition.py",
        'TRAINING_COMPLETED = "TRAINING_COMPLETED"',
        'TRAINING_COMPLETED = "TRAINING_COMPLETE"',
        "tests/conformance/test_rekognition_model.py::test_status_enum_is_project_version_status",
        "1 failed",
    ),
    "rekognition billed status renamed": Mutation(
        "simulator/services/rekognition.py",
        'STOPPING = "STOPPING"',
        'STOPPING = "STOPPNG"',
        REGISTRATION,
        "ServiceDefinitionError: rekognition: Settings.prices['inference'].statuses: 'STOPPING'",
    ),
    "rekognition latency": Mutation(
        "simulator/services/rekognition.py",
        'Progression("stop", to=S.STOPPED)',
        'Progression("stpo", to=S.STOPPED)',
        REGISTRATION,
        "ServiceDefinitionError: rekognition: PROGRESSIONS[STOPPING].latency: 'stpo'",
    ),
    "rekognition outcome probability": Mutation(
        "simulator/services/rekognition.py",
        '{S.COPYING_FAILED: "copy_failure"}',
        '{S.COPYING_FAILED: "copy_failur"}',
        REGISTRATION,
        "'copy_failur' is not a setting; did you mean 'copy_failure'?",
    ),
    "rekognition price": Mutation(
        "simulator/services/rekognition.py",
        'statuses=("RUNNING", "STOPPING")',
        'statuses=("RUNNING", "STOPING")',
        REGISTRATION,
        "'STOPING' is not a status; did you mean 'STOPPING'",
    ),
    "rekognition http": Mutation(
        "simulator/services/rekognition.py",
        'ErrorSpec("ResourceNotFoundException", 400)',
        'ErrorSpec("ResourceNotFoundException", 404)',
        "tests/conformance/test_rekognition_model.py"
        "::test_http_statuses_match_the_stop_project_version_page",
        "1 failed",
    ),
    # -- Lookout for Vision --------------------------------------------------------------
    "lookoutvision status": Mutation(
        "simulator/services/lookoutvision.py",
        'TRAINING_FAILED = "TRAINING_FAILED"',
        'TRAINING_FAILED = "TRAINING_FAILD"',
        "tests/conformance/test_lookoutvision_statuses.py::test_the_status_enum_is_model_status",
        "1 failed",
    ),
    "lookoutvision latency": Mutation(
        "simulator/services/lookoutvision.py",
        'Progression("maintenance", to=S.HOSTED)',
        'Progression("maintenence", to=S.HOSTED)',
        REGISTRATION,
        "PROGRESSIONS[SYSTEM_UPDATING].latency: 'maintenence' is not a latency setting",
    ),
    "lookoutvision price": Mutation(
        "simulator/services/lookoutvision.py",
        '"SYSTEM_UPDATING", "STOPPING_HOSTING")',
        '"SYSTEM_UPDATING", "STOPPING_HOSTNG")',
        REGISTRATION,
        "'STOPPING_HOSTNG' is not a status; did you mean 'STOPPING_HOSTING'",
    ),
    "lookoutvision http": Mutation(
        "simulator/services/lookoutvision.py",
        'ErrorSpec("ConflictException", 409)',
        'ErrorSpec("ConflictException", 400)',
        "tests/conformance/test_lookoutvision_page.py::test_http_statuses",
        "1 failed",
    ),
    # -- Comprehend ----------------------------------------------------------------------
    "comprehend status": Mutation(
        "simulator/services/comprehend.py",
        'SUBMITTED = "SUBMITTED"',
        'SUBMITTED = "SUBMITED"',
        "tests/conformance/test_comprehend_model.py::test_status_enum_is_model_status",
        "1 failed",
    ),
    "comprehend latency": Mutation(
        "simulator/services/comprehend.py",
        'Progression("queue", to=S.TRAINING)',
        'Progression("queued", to=S.TRAINING)',
        REGISTRATION,
        "PROGRESSIONS[SUBMITTED].latency: 'queued' is not a latency setting; did you mean",
    ),
    "comprehend price": Mutation(
        "simulator/services/comprehend.py",
        'statuses=("TRAINING", "STOP_REQUESTED")',
        'statuses=("TRAINING", "STOP_REQUESTD")',
        REGISTRATION,
        "'STOP_REQUESTD' is not a status; did you mean 'STOP_REQUESTED'",
    ),
    "comprehend http": Mutation(
        "simulator/services/comprehend.py",
        'ErrorSpec("TooManyRequestsException", 400)',
        'ErrorSpec("TooManyRequestsException", 429)',
        "tests/conformance/test_comprehend_model.py::test_http_statuses_match_the_stop_page",
        "1 failed",
    ),
    # -- Neptune ML ----------------------------------------------------------------------
    "neptune status": Mutation(
        "simulator/services/neptune/data.py",
        'Completed = "Completed"',
        'Completed = "Complete"',
        "tests/unit/test_neptune_service.py::test_a_job_runs_processing_then_hpo_then_transform",
        "1 failed",
    ),
    "neptune latency": Mutation(
        "simulator/services/neptune/data.py",
        'Progression("clean", to=A.Deleted)',
        'Progression("cleaning", to=A.Deleted)',
        REGISTRATION,
        "PROGRESSIONS[Deleting].latency: 'cleaning' is not a latency setting",
    ),
    "neptune part's outcome probability (a process's)": Mutation(
        "simulator/services/neptune/data.py",
        'otherwise={S.Failed: f"{stage}_failure"}',
        'otherwise={S.Failed: f"{stage}_failur"}',
        REGISTRATION,
        "neptune: STAGES['processing'].otherwise[Failed]: 'processing_failur' is not a setting",
    ),
    "neptune part's latency (a process's)": Mutation(
        "simulator/services/neptune/data.py",
        'for stage in ("processing", "training", "transform")',
        'for stage in ("processing", "training", "transfrom")',
        REGISTRATION,
        "neptune: STAGES['transfrom'].latency: 'transfrom' is not a latency setting",
    ),
    "neptune part's stop latency (a process's)": Mutation(
        "simulator/services/neptune/data.py",
        'PART_STOP: Final = "stop"',
        'PART_STOP: Final = "stopping"',
        REGISTRATION,
        "neptune: DRAWS: 'stopping' is not a latency setting; did you mean 'stop'?",
    ),
    "neptune price": Mutation(
        "simulator/services/neptune/data.py",
        'statuses=("Stored", "Deleting")',
        'statuses=("Stored", "Deletng")',
        REGISTRATION,
        "'Deletng' is not a status; did you mean 'Deleting'",
    ),
    "neptune http": Mutation(
        "simulator/services/neptune/data.py",
        'ErrorSpec("BadRequestException", 400)',
        'ErrorSpec("BadRequestException", 404)',
        "tests/conformance/test_neptune_model.py::test_http_statuses_match_the_cancel_page",
        "1 failed",
    ),
    # -- SageMaker Pipelines -------------------------------------------------------------
    "sagemaker status": Mutation(
        "simulator/services/sagemaker/model.py",
        'Succeeded = "Succeeded"\n    CompletedWithFailures',
        'Succeeded = "Succeded"\n    CompletedWithFailures',
        "tests/conformance/test_sagemaker_model.py::test_execution_status_enum_is_botocores",
        "1 failed",
    ),
    "sagemaker latency (a process's)": Mutation(
        "simulator/services/sagemaker/settings.py",
        'PROVISIONING: Final = "provisioning"',
        'PROVISIONING: Final = "provisoning"',
        REGISTRATION,
        "sagemaker: DRAWS: 'provisoning' is not a latency setting; did you mean 'provisioning'?",
    ),
    "sagemaker price": Mutation(
        "simulator/services/sagemaker/settings.py",
        'statuses=("Sent",)',
        'statuses=("Snet",)',
        REGISTRATION,
        "'Snet' is not a status; did you mean 'Sent'",
    ),
    "sagemaker http": Mutation(
        "simulator/services/sagemaker/model.py",
        'ErrorSpec("ResourceNotFound", 400)',
        'ErrorSpec("ResourceNotFound", 404)',
        "tests/conformance/test_sagemaker_model.py"
        "::test_every_modeled_error_is_declared_with_the_protocols_status",
        "1 failed",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", CATCHERS)
def test_a_mutant_is_caught(name: str) -> None:
    mutation = CATCHERS[name]
    source = (ROOT / mutation.path).read_text(encoding="utf-8")
    assert source.count(mutation.old) == 1, f"{mutation.path} no longer has {mutation.old!r}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            RUNNER,
            mutation.path,
            mutation.old,
            mutation.new,
            mutation.caught_by,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, f"the mutant {name} passed {mutation.caught_by}:\n{output}"
    assert mutation.says in output, output
