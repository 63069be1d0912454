"""The corpus of broken scenarios (`mutants.py`), and more from Hypothesis: each is
refused with exit status 2 and a message naming the file, or validated and run; none ends
in a traceback, and none runs on without end (the estimate refuses what would)."""

from __future__ import annotations

import re
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from simulator.cli import app
from simulator.errors import ScenarioError
from simulator.scenario import load_scenario
from simulator.scenario.log_fleet import MATCHED_AT_MOST
from tests.hostile.mutants import (
    DATA,
    ROOT,
    SHIPPED,
    TEXT,
    Mutant,
    at_any_leaf,
    data_mutant,
    mutants,
)

MUTANTS = list(mutants())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mutants as files, beside a copy of the traces they replay."""
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copytree(ROOT / "scenarios" / "traces", folder / "traces")
    for mutant in MUTANTS:
        (folder / f"{mutant.id}.yaml").write_bytes(mutant.data)
    return folder


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def assert_clean(result: Result, path: Path) -> None:
    """Exit 0, or 2 with every line of the message naming the file; never a traceback."""
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.output.strip(), "refused without a word"
        for line in result.output.strip().splitlines():
            assert line.startswith(str(path)), line


LIMIT_S: Final = 60
"""No mutant may run longer (issue 18): an alarm in this process stops one that does."""


@contextmanager
def within(seconds: float, what: str) -> Iterator[None]:
    """Raise TimeoutError in this (the main) thread if the block runs past `seconds`: in
    the process, so the limit costs no process of its own per mutant."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"{what} ran past {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_command_that_runs_on_is_stopped_at_the_limit() -> None:
    def loop() -> None:
        with within(0.05, "a loop"):
            while True:
                time.sleep(0.001)

    with pytest.raises(TimeoutError, match=r"^a loop ran past 0\.05 s$"):
        loop()


def test_the_corpus_is_large_and_holds_every_kind_of_mutant() -> None:
    assert len(MUTANTS) == len(SHIPPED) * (len(DATA) + len(TEXT)) == 494
    assert len({m.id for m in MUTANTS}) == len(MUTANTS)
    assert len({m.data for m in MUTANTS}) > 0.9 * len(MUTANTS)  # few mutants coincide


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.id)
def test_a_mutant_is_refused_with_its_file_named_or_valid(mutant: Mutant, corpus: Path) -> None:
    path = corpus / f"{mutant.id}.yaml"
    with within(LIMIT_S, mutant.id):
        result = invoke("validate", str(path))
    assert_clean(result, path)
    if result.exit_code == 2:  # each problem is located: the file, the line, the field
        try:
            load_scenario(path)
        except ScenarioError as error:
            problems: tuple[ScenarioError, ...] = tuple(error.problems or (error,))
        else:  # the file is a scenario, one of its sweep's variants is not: said above
            problems = ()
        for problem in problems:
            assert (problem.source, problem.line is not None) == (str(path), True), problem
            if mutant.fielded:
                assert problem.field, problem
                assert f" {problem.field}: " in result.output, result.output


@pytest.mark.slow
def test_every_valid_mutant_runs_or_is_refused_cleanly(corpus: Path, tmp_path: Path) -> None:
    """A mutant `validate` accepts is run (one replication), within LIMIT_S: it ends in 0,
    or 2 with every line naming the scenario or the run directory."""
    ran = 0
    for mutant in MUTANTS:
        path = corpus / f"{mutant.id}.yaml"
        if invoke("validate", str(path)).exit_code != 0:
            continue
        out = tmp_path / mutant.id
        with within(LIMIT_S, mutant.id):
            result = invoke("run", str(path), "--replications", "1", "--out", str(out), "-q")
        assert result.exit_code in (0, 2), (mutant.id, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), mutant.id
        if result.exit_code == 2:
            for line in result.output.strip().splitlines():
                assert line.startswith((str(path), str(out))), (mutant.id, line)
        else:
            ran += 1
    assert ran >= 30  # many mutants are still scenarios: they must run, not be refused


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    scenario=st.sampled_from(SHIPPED),
    leaf=st.integers(min_value=0, max_value=10_000),
    value=_VALUES,
)
def test_any_value_anywhere_is_refused_cleanly_or_valid(
    scenario: Path, leaf: int, value: object, tmp_path: Path
) -> None:
    """Hypothesis puts any value at any leaf of a shipped scenario."""
    shutil.copytree(ROOT / "scenarios" / "traces", tmp_path / "traces", dirs_exist_ok=True)
    path = tmp_path / "mutant.yaml"
    path.write_bytes(data_mutant(scenario.read_text(), at_any_leaf(value), leaf))
    assert_clean(invoke("validate", str(path)), path)


def test_a_replayed_fleet_too_large_to_match_is_refused_as_it_loads(tmp_path: Path) -> None:
    """A replayed log is matched against every resource of its service as the scenario
    loads: past `MATCHED_AT_MOST` the scenario is refused, naming the stream and the limit,
    instead of listing them (a count of 10**20, drawn by the test above, filled 8 GB). A
    fleet that replays nothing loads at any size (the run's estimate refuses it)."""
    shutil.copytree(ROOT / "scenarios" / "traces", tmp_path / "traces", dirs_exist_ok=True)
    text = (ROOT / "scenarios" / "rekognition-cloudtrail-replay.yaml").read_text()
    path = tmp_path / "replay.yaml"
    count = MATCHED_AT_MOST + 1  # just past: a build without the limit still ends, and fails
    path.write_text(re.sub(r"(?m)^(\s+count:) \d+$", rf"\1 {count}", text, count=1))
    assert path.read_text() != text
    result = invoke("validate", str(path))
    assert_clean(result, path)
    assert result.exit_code == 2
    assert "requests[0]" in result.output
    assert f"{count:,}" in result.output
    assert f"at most {MATCHED_AT_MOST:,}" in result.output
