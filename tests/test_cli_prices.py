"""`simulate prices`: the catalogue's prices of a region, or a scenario's, with units, dates
and sources, the same in text, JSON and markdown; bad input a message and exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from simulator.cli import app

DATA = Path(__file__).parent / "data" / "pricing"
OFFER = DATA / "sagemaker-offer-eu-west-1.json"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_the_catalogue_of_eu_west_1_is_its_sagemaker_rows() -> None:
    result = invoke("prices", "--region", "eu-west-1", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["subject"] == "the catalogue, eu-west-1"
    assert [(r["service"], r["item"], r["instance_type"], r["usd"]) for r in answer["prices"]] == [
        ("sagemaker", "hosting", "ml.m5.xlarge", 0.257),
        ("sagemaker", "hosting", "ml.g4dn.xlarge", 0.821),
        ("sagemaker", "hosting", "ml.g4dn.4xlarge", 1.678),
        ("sagemaker", "hosting", "ml.g4dn.12xlarge", 5.453),
        ("sagemaker", "hosting", "ml.g5.12xlarge", 7.91),
        ("sagemaker", "processing", "ml.m5.xlarge", 0.257),
        ("sagemaker", "training", "ml.m5.xlarge", 0.257),
        ("sagemaker", "training", "ml.g4dn.xlarge", 0.822),
        ("sagemaker", "training", "ml.g5.xlarge", 1.57),
        ("sagemaker", "training", "ml.p3.2xlarge", 4.131),
    ]  # fmt: skip
    assert all(
        r["effective_date"] == "2023-12-01" and "sagemaker-ssh-helper@" in r["source"]
        for r in answer["prices"]
    )  # an AWS bill's EU (Ireland) lines
    covered = {
        (c["service"], c["item"], c["instance_type"]): c["regions"] for c in answer["coverage"]
    }
    assert covered[("lambda", "duration", "")] == "us-east-1"
    assert covered[("sagemaker", "hosting", "ml.p4d.24xlarge")] == "us-east-1"
    assert covered[("sagemaker", "hosting", "ml.m5.xlarge")] == "eu-west-1, us-east-1"
    assert covered[("sagemaker", "training", "ml.m5.xlarge")] == "eu-west-1"


def test_text_and_markdown_say_what_json_says() -> None:
    """Lambda's GB-second figure, billed per GB of memory per hour, with its source."""
    text = invoke("prices").stdout
    md = invoke("prices", "--format", "md").stdout
    row = next(
        r
        for r in json.loads(invoke("prices", "--json").stdout)["prices"]
        if r["unit"] == "GB-second"
    )
    assert (row["usd"], row["billed_as"]) == (0.0000166667, "$0.06000012 per GB-hour")
    for shown in (text, md):
        assert "0.0000166667" in shown
        assert "$0.06000012 per GB-hour" in shown
        assert "abhishekk-y16/AWS_Complete_Beginners_Guide@" in shown
        assert "ml.p4d.24xlarge" in shown  # the coverage table
    assert md.startswith("### prices: the catalogue, us-east-1")


def test_a_scenarios_prices_say_where_each_came_from() -> None:
    """Rekognition's figures are the catalogue's (cited); Lookout for Vision's, uncited, are
    the figure in its code, in us-east-1 only, and say so."""
    schedule = Path(__file__).parent.parent / "scenarios" / "whatif-stop-schedule.yaml"
    result = invoke("prices", str(schedule), "--json")
    assert result.exit_code == 0, result.output
    rows = {(r["service"], r["item"]): r for r in json.loads(result.stdout)["prices"]}
    inference = rows[("rekognition", "inference")]
    assert (inference["usd"], inference["origin"]) == (4.0, "catalogue")
    assert "aws-samples/amazon-rekognition-custom-brand-detection@" in inference["source"]
    hosted = rows[("lookoutvision", "inference")]
    assert (hosted["usd"], hosted["origin"]) == (4.0, "built-in")
    assert hosted["source"] == "uncited: the figure in the lookoutvision service's code"


def test_a_scenario_with_an_offer_file_shows_the_files_figures(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_text(
        "name: p\nhorizon: 1h\nregion: eu-west-1\n"
        f"prices: [{OFFER}, {DATA / 'lambda-get-products.json'}]\n"
        "fleet:\n  - service: sagemaker\n    pipeline: p\n    count: 1\n    steps:\n"
        "      - {name: t, type: Training, instance_type: ml.p4d.24xlarge, duration: 1h}\n"
    )
    result = invoke("prices", str(path), "--service", "sagemaker", "--json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["prices"]
    assert (row["region"], row["item"], row["usd"], row["origin"]) == (
        "eu-west-1", "ml.p4d.24xlarge", 40.0, "file",
    )  # fmt: skip
    assert row["effective_date"] == "2024-03-01"
    assert "5JQW8N2LZ7X3KD4P" in row["source"]  # the product's SKU


def test_an_unknown_region_is_exit_2_naming_the_nearest() -> None:
    result = invoke("prices", "--region", "eu-west-9")
    assert result.exit_code == 2
    assert (
        "--region: unknown AWS region 'eu-west-9'; nearest: eu-west-3, eu-west-2, eu-west-1"
        in result.output
    )


def test_an_unknown_service_is_exit_2_naming_the_choices() -> None:
    result = invoke("prices", "--service", "ec2")
    assert result.exit_code == 2
    assert "--service: unknown service 'ec2'; expected one of comprehend, lambda" in result.output


def test_every_simulated_service_is_a_choice_and_lookout_shows_its_uncited_figure() -> None:
    """Lookout for Vision has no catalogue row: its built-in us-east-1 figure is shown as
    such; Neptune's instances are SageMaker's rows, so it has none of its own, no error."""
    lookout = invoke("prices", "--service", "lookoutvision", "--json")
    assert lookout.exit_code == 0, lookout.output
    rows = json.loads(lookout.stdout)["prices"]
    assert [(r["item"], r["usd"], r["billed_as"], r["origin"]) for r in rows] == [
        ("inference", 4.0, "$4 per hour", "built-in")
    ]
    assert rows[0]["source"] == "uncited: the figure in the lookoutvision service's code"
    neptune = invoke("prices", "--service", "neptune", "--json")
    assert neptune.exit_code == 0, neptune.output
    assert json.loads(neptune.stdout)["prices"] == []
    west = invoke("prices", "--service", "lookoutvision", "--region", "eu-west-1", "--json")
    assert json.loads(west.stdout)["prices"] == []  # the built-in figure is us-east-1's


def test_a_missing_instance_price_is_exit_2_naming_type_and_region(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_text(
        "name: p\nhorizon: 1h\nregion: eu-west-1\n"
        "fleet:\n  - service: sagemaker\n    pipeline: p\n    count: 1\n    steps:\n"
        "      - {name: t, type: Training, instance_type: ml.p4d.24xlarge, duration: 1h}\n"
    )
    for command in ("validate", "prices"):
        result = invoke(command, str(path))
        assert result.exit_code == 2, command
        assert "Traceback" not in result.output
        assert (
            "fleet[0]: no price for 'ml.p4d.24xlarge' in eu-west-1 (sagemaker instance hours; "
            "rows price it in us-east-1 only)"
        ) in " ".join(result.output.split())


def test_a_scenario_in_an_unknown_region_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(
        "name: m\nhorizon: 1h\nregion: eu-west-9\nfleet: [{service: rekognition, count: 1}]\n"
    )
    result = invoke("prices", str(path))
    assert result.exit_code == 2
    assert "unknown AWS region 'eu-west-9'" in result.output


def test_a_malformed_price_file_is_exit_2_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "mine.csv").write_text(
        "region,service,item,instance_type,unit,usd,effective_date,source\n"
        "eu-west-1,rekognition,inference,,hour,four,,invoice\n"
    )
    path = tmp_path / "models.yaml"
    path.write_text(
        "name: m\nhorizon: 1h\nprices: mine.csv\nfleet: [{service: rekognition, count: 1}]\n"
    )
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert "mine.csv line 2: column usd: expected a number, got 'four'" in result.output
