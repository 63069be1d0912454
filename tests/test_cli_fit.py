"""`simulate fit` as a user meets it: the table, JSON and markdown agree; the fragment it
writes validates and a scenario includes it; the figure is written; every bad input is one
message naming the file and what was expected, exit status 2, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from simulator.cli import app
from simulator.scenario import load_scenario

DATA = Path(__file__).parent / "data" / "fit"
POLLS, TRAIL = DATA / "rekognition-polls.csv", DATA / "rekognition-cloudtrail.json"
SHIPPED = Path(__file__).parent.parent / "scenarios" / "traces" / "rekognition-stop-polls.csv"
runner = CliRunner()


def _fit(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["fit", *args, "--out", str(tmp_path / "fitted.yaml"),
                                 "--bootstrap", "20"])  # fmt: skip
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    out = tmp_path_factory.mktemp("fit")
    code, stdout, _ = _fit(out, str(SHIPPED), "--json")
    assert code == 0, stdout
    return out, json.loads(stdout)


@pytest.mark.slow
def test_the_json_names_the_service_sources_and_each_latencys_fit(
    fitted: tuple[Path, dict[str, object]],
) -> None:
    out, answer = fitted
    assert answer["service"] == "rekognition"  # inferred from the ARNs
    assert answer["sources"] == [str(SHIPPED)]
    stop = answer["latencies"]["stop"]  # type: ignore[index]
    assert (stop["durations"], stop["right_censored"], stop["between_polls"]) == (120, 1, 119)
    best = stop["families"][0]
    assert best["family"] == stop["chosen"]["kind"]
    assert best["median_low"] < best["median"] < best["median_high"]
    assert answer["figures"] == [str(out / "fitted.png")]


@pytest.mark.slow
def test_the_fragment_validates_and_a_scenario_includes_it(
    fitted: tuple[Path, dict[str, object]],
) -> None:
    out, answer = fitted
    fragment = out / "fitted.yaml"
    text = fragment.read_text()
    assert text.startswith("# Latencies of rekognition fitted by `simulate fit` on ")
    assert f"#   {SHIPPED}" in text
    assert "# stop: 120 durations: 0 exact, 1 right-censored, 119 between polls" in text
    chosen = answer["latencies"]["stop"]["chosen"]  # type: ignore[index]
    assert yaml.safe_load(text) == {"services": {"rekognition": {"latency": {"stop": chosen}}}}
    result = runner.invoke(app, ["validate", str(fragment)])
    assert result.exit_code == 0, result.output
    scenario = out / "scenario.yaml"
    scenario.write_text("name: s\nhorizon: 1h\ninclude: [fitted.yaml]\n")
    stop = load_scenario(scenario).services.rekognition.latency.stop
    assert stop.model_dump(by_alias=True) == chosen
    assert (out / "fitted.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _ten_stops(directory: Path) -> Path:
    """A transitions table of ten models, each stopped in 60 + 17 i seconds."""
    rows = ["replication,time,service,resource_id,to_status,cause"]
    for i in range(10):
        rows += [f"0,0,rekognition,m{i},RUNNING,initial", f"0,5,rekognition,m{i},STOPPING,stop",
                 f"0,{65 + 17 * i},rekognition,m{i},STOPPED,stop"]  # fmt: skip
    path = directory / "transitions.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.slow
def test_text_and_markdown_show_the_same_rows(tmp_path: Path) -> None:
    table = _ten_stops(tmp_path)
    code, text, _ = _fit(tmp_path, str(table))
    assert code == 0, text
    code, md, _ = _fit(tmp_path, str(table), "--format", "md")
    assert code == 0, md
    assert "rekognition stop: 10 durations: 10 exact, 0 right-censored, 0 between polls" in text
    for family in ("lognormal", "gamma", "weibull", "exponential"):
        assert family in text
        assert f"| {family} |" in md
    assert "warning: rekognition stop: only 10 observations: the median's 95% interval" in text
    assert "warning: rekognition stop: only 10 observations" in md


def test_out_in_a_new_folder_makes_the_folder(tmp_path: Path) -> None:
    table = _ten_stops(tmp_path)
    code, text, _ = _fit(tmp_path / "fits" / "rekognition", str(table))
    assert code == 0, text
    assert (tmp_path / "fits" / "rekognition" / "fitted.yaml").read_text().startswith("# Lat")
    assert (tmp_path / "fits" / "rekognition" / "fitted.png").stat().st_size > 10_000


@pytest.mark.slow
def test_the_comprehend_race_is_said(tmp_path: Path) -> None:
    rows = ["replication,time,service,resource_id,to_status,cause"]
    for i in range(6):
        ends = ("TRAINED", "training") if i % 2 else ("STOPPED", "stop")
        rows += [f"0,0,comprehend,c{i},TRAINING,initial",
                 f"0,{100 + i},comprehend,c{i},STOP_REQUESTED,stop",
                 f"0,{300 + 7 * i},comprehend,c{i},{ends[0]},{ends[1]}"]  # fmt: skip
    (tmp_path / "transitions.csv").write_text("\n".join(rows) + "\n")
    code, stdout, _ = _fit(tmp_path, str(tmp_path / "transitions.csv"))
    assert code == 0, stdout
    assert "comprehend stop: 3 ended TRAINED, not STOPPED: another move won the race" in stdout
    assert "comprehend training: 3 ended STOPPED" in stdout


@pytest.mark.parametrize(
    ("files", "args", "expected"),
    [
        ([POLLS], ["--service", "comprehend"], "no status of a comprehend resource"),
        ([POLLS], ["--service", "rekog"], "--service 'rekog': unknown service"),
        ([DATA / "nothing.csv"], [], "no such file or folder"),
    ],
)
def test_bad_input_is_one_message_and_status_2(
    tmp_path: Path, files: list[Path], args: list[str], expected: str
) -> None:
    code, stdout, stderr = _fit(tmp_path, *map(str, files), *args)
    assert code == 2
    assert expected in stderr
    assert "Traceback" not in stdout + stderr
    assert not (tmp_path / "fitted.yaml").exists()


def test_an_unparseable_time_names_the_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "polls.csv"
    path.write_text("resource_id,status,time\narn:aws:rekognition:r:1:p,RUNNING,yesterday\n")
    code, _, stderr = _fit(tmp_path, str(path))
    assert code == 2
    assert stderr.startswith(f"{path} line 2: time: cannot read 'yesterday' as a time")


def test_ids_that_name_no_service_ask_for_service(tmp_path: Path) -> None:
    path = tmp_path / "polls.csv"
    path.write_text("resource_id,status,time\nmodel-1,RUNNING,0\nmodel-1,STOPPING,30\n")
    code, _, stderr = _fit(tmp_path, str(path))
    assert code == 2
    assert "cannot tell the service" in stderr
    assert "give --service" in stderr


def test_service_names_the_rows_that_have_none(tmp_path: Path) -> None:
    """The error above says "give --service": doing so fits the plain names' statuses."""
    path = tmp_path / "polls.csv"
    path.write_text("resource_id,status,time\nx,RUNNING,0\nx,STOPPING,30\nx,STOPPED,90\n")
    code, stdout, stderr = _fit(tmp_path, str(path), "--service", "rekognition", "--json")
    assert code == 0, stderr
    answer = json.loads(stdout)
    stop = answer["latencies"]["stop"]
    assert (stop["durations"], stop["between_polls"]) == (1, 1)
    assert any("3 rows that name no service are rekognition's" in n for n in answer["notes"])


@pytest.mark.slow
def test_cloudtrail_requests_start_the_polled_stops(tmp_path: Path) -> None:
    code, stdout, _ = _fit(tmp_path, str(POLLS), str(TRAIL), "--json")
    assert code == 0, stdout
    answer = json.loads(stdout)
    stop = answer["latencies"]["stop"]
    assert (stop["durations"], stop["right_censored"], stop["between_polls"]) == (3, 1, 2)
    notes = "\n".join(answer["notes"])
    assert "CloudTrail, 2 stop requests of 4 records" in notes
    assert "1 stop requests were refused (errorCode)" in notes
    assert "2 stop durations start at a CloudTrail request's time" in notes
    assert any("only 3 observations" in w for w in answer["warnings"])
