"""The resolved scenario a run writes loads again, and means the same scenario."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from simulator.cli import app
from simulator.scenario import load_scenario, parse_scenario


def test_the_written_scenario_reloads_with_files_resolved(tmp_path: Path) -> None:
    (tmp_path / "lat.csv").write_text("s\n60\n120\n")
    (tmp_path / "trace.csv").write_text(
        "time,service,resource,operation\n10,rekognition,nope,StopProjectVersion\n"
    )
    source = tmp_path / "s.yaml"
    source.write_text(
        "name: files\nhorizon: 1h\n"
        "services:\n  rekognition:\n    latency:\n"
        "      stop: {kind: empirical, csv: lat.csv, column: s}\n"
        "fleet: [{service: rekognition, count: 1}]\n"
        "requests:\n  - {service: rekognition, at: 1m}\n"
        "  - {service: rekognition, replay: {path: trace.csv}}\n"
    )
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    again = load_scenario(out / "scenario.yaml")
    original = load_scenario(source)
    assert again.services.model_dump() == original.services.model_dump()
    assert again.services.rekognition.latency.stop.values == (60.0, 120.0)  # type: ignore[union-attr]
    assert again.requests[1].replay is not None
    kept = (out / "traces" / "1-trace.csv").resolve()  # the run keeps its own copy
    assert again.requests[1].replay.path == kept
    assert kept.read_bytes() == (tmp_path / "trace.csv").read_bytes()


def test_a_merged_mapping_takes_the_keys_written_beside_the_merge() -> None:
    """YAML's merge key: `<<: *entry` copies an entry, and keys written beside it override
    the copy's, which is how a scenario repeats a fleet entry under another name."""
    scenario = parse_scenario(
        "name: x\nhorizon: 1h\nfleet:\n"
        "  - &shop {service: rekognition, project: shop, count: 2}\n"
        "  - {<<: *shop, project: depot}\n"
    )
    assert [(f.group_name, f.count) for f in scenario.fleet] == [("shop", 2), ("depot", 2)]
