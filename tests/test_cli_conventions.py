"""What a command line is expected to do: `--version`, `-h`, `-v`/`-q` on logging, shell
completion, a quick start (nothing heavy imported for `--help` or `validate`), and a run
directory refused before anything runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from simulator.cli import app
from simulator.version import DISTRIBUTION, __version__, build

ROOT = Path(__file__).parent.parent
NIGHTLY = ROOT / "scenarios" / "rekognition-nightly-stop.yaml"
TINY = """\
name: tiny
seed: 2
replications: 2
horizon: 1h
fleet: [{service: rekognition, count: 2}]
requests: [{service: rekognition, at: 1m}]
"""
HEAVY = ("pandas", "matplotlib", "scipy", "simpy", "pyarrow", "numpy", "pydantic", "rich")


def invoke(*args: str, **env: str) -> Result:
    return CliRunner().invoke(app, list(args), prog_name="simulate", env=env or None)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def test_version_prints_the_distribution_its_version_and_build() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"{DISTRIBUTION} {__version__} ({build()})\n"
    assert build() in ("compiled", "pure")
    assert __version__
    assert DISTRIBUTION != "simulator"


@pytest.mark.parametrize("command", [[], ["run"], ["diff"], ["validate"]])
def test_h_is_help(command: list[str]) -> None:
    short, long = invoke(*command, "-h"), invoke(*command, "--help")
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout
    assert "Usage: simulate" in short.stdout


@pytest.mark.slow
def test_verbose_logs_each_replication_and_quiet_only_errors(tiny: Path, tmp_path: Path) -> None:
    def run(*flags: str) -> Result:
        result = invoke(*flags, "run", str(tiny), "--out", str(tmp_path / "out"))
        assert result.exit_code == 0, result.output
        return result

    plain, verbose, debug, quiet = run(), run("-v"), run("-vv"), run("-q")
    assert "replication 2 of 2 done" in verbose.stderr
    assert "replication 2 of 2 done" not in plain.stderr  # a progress line may name them
    assert "tables written to" in plain.stderr
    assert f"debug: read {tiny}: 1 fleet entries" in debug.stderr
    assert "debug:" not in verbose.stderr
    assert quiet.stderr == ""
    assert quiet.stdout == plain.stdout  # the answer itself is not a message


@pytest.mark.parametrize("command", ["run", "report", "diff", "sweep", "validate", "schema"])
def test_usage_names_arguments_in_capitals_and_v_q_after_the_command(command: str) -> None:
    result = invoke(command, "-h")
    usage = next(line for line in result.stdout.splitlines() if line.startswith("Usage:"))
    assert usage == f"Usage: simulate {command} [OPTIONS]" + {
        "run": " {SCENARIO_FILE}", "report": " {RUN_DIR}", "diff": " {RUN_A} {RUN_B}",
        "sweep": " {SCENARIO_FILE}", "validate": " {SCENARIO_FILE}", "schema": "",
    }[command]  # fmt: skip
    assert "-v, --verbose" in result.stdout
    assert "-q, --quiet" in result.stdout


@pytest.mark.slow
def test_v_and_q_after_the_command_work_as_before_it(tiny: Path, tmp_path: Path) -> None:
    def run(*flags: str, after: tuple[str, ...] = ()) -> Result:
        out = str(tmp_path / "out")
        result = invoke(*flags, "run", str(tiny), "--out", out, *after)
        assert result.exit_code == 0, result.output
        return result

    for flags in (["-q"], ["-v"], ["-vv"]):
        before, after = run(*flags), run(after=tuple(flags))
        assert before.stderr == after.stderr
    assert "replication 2 of 2 done" in run(after=("-v",)).stderr
    assert "debug:" in run("-v", after=("-v",)).stderr  # added up: -vv
    assert run(after=("-q",)).stderr == ""


def test_shell_completion_is_installed_and_completes_commands_and_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # typer reads the shell from the parent process unless this is set, and then takes the
    # shell's name as --show-completion's value: without it the test passes only when pytest
    # runs under an interactive bash (not in CI, not in the background)
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    script = invoke("--show-completion", "bash")
    assert script.exit_code == 0
    assert "_SIMULATE_COMPLETE=complete_bash" in script.stdout
    assert "complete -o default -F _simulate_completion simulate" in script.stdout
    assert "--install-completion" in invoke("--help").stdout
    commands = invoke(_SIMULATE_COMPLETE="complete_bash", COMP_WORDS="simulate r", COMP_CWORD="1")
    assert commands.stdout.split() == ["run", "report"]
    options = invoke(
        _SIMULATE_COMPLETE="complete_bash", COMP_WORDS="simulate diff a b --fail", COMP_CWORD="4"
    )
    assert options.stdout.split() == ["--fail-if"]


def _imported_by(*args: str) -> dict[str, object]:
    """The heavy modules a fresh interpreter has imported after `simulate ARGS`, and its
    exit status."""
    code = (
        "import json, sys\n"
        "from simulator.cli import main\n"
        f"sys.argv = ['simulate', *{list(args)!r}]\n"
        "try:\n    main()\n"
        "except SystemExit as exit:\n    status = exit.code\n"
        f"print(json.dumps({{'status': status, 'heavy': [m for m in {HEAVY!r} "
        "if m in sys.modules]}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.slow
def test_help_and_validate_import_no_pandas_matplotlib_scipy_or_simpy() -> None:
    assert _imported_by("--help") == {"status": 0, "heavy": []}
    scenario = {"status": 0, "heavy": ["numpy", "pydantic"]}  # the scenario's model needs them
    assert _imported_by("validate", str(NIGHTLY)) == scenario
    assert _imported_by("validate", "scenarios/whatif-retry-modes.yaml") == scenario
    replayed = _imported_by("validate", "scenarios/lookoutvision-idempotent-retries.yaml")
    assert replayed["status"] == 0  # a replayed trace is read: pandas, as it must
    assert "pandas" in replayed["heavy"]


@pytest.mark.parametrize("kind", ["file", "under a file", "not a run directory"])
def test_run_refuses_an_out_it_cannot_use_before_simulating(
    kind: str, tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def simulate(*args: object, **kwargs: object) -> None:
        raise AssertionError("the simulation started")

    monkeypatch.setattr("simulator.results.run", simulate)
    target = tmp_path / "target"
    if kind == "not a run directory":
        target.mkdir()
        (target / "notes.txt").write_text("mine")
        out = target
    else:
        target.write_text("a file")
        out = target if kind == "file" else target / "run"
    result = invoke("run", str(tiny), "--out", str(out))
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert result.stderr.startswith(f"{out}:") or result.stderr.startswith(f"{target}:")
    assert result.stdout == ""
