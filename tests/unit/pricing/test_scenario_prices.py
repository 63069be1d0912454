"""A scenario's bill at its region's prices: the catalogue's rows for that region, the
scenario's own price files over them (a CSV, an AWS offer file, get-products output), its
own rates over those; a price missing in a region is an error naming item, type, region."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.errors import ScenarioError
from simulator.pricing.resolve import scenario_prices
from tests.kit import run, scenario, usd

DATA = Path(__file__).parents[2] / "data" / "pricing"
OFFER = DATA / "sagemaker-offer-eu-west-1.json"
GET_PRODUCTS = DATA / "lambda-get-products.json"

PIPELINE = """
    name: regional
    horizon: 2h
    region: {region}
    services:
      sagemaker:
        latency: {{orchestration: {{kind: fixed, value: 0s}}}}
        {prices}
    fleet:
      - service: sagemaker
        pipeline: nightly
        count: 1
        steps:
          - {{name: export, type: Lambda, memory_mb: 2048, duration: 100s}}
          {train}
    {files}
"""
TRAIN = (
    "- {name: train, type: Training, depends_on: [export], instance_type: ml.m5.xlarge, "
    "duration: 1h}"
)
REQUESTS = "prices: {lambda_requests: {usd_per_entry: 0.0000004}}"
LAMBDA = "prices: {lambda: {usd_per_hour: 0.06}, lambda_requests: {usd_per_entry: 0.0000004}}"
"""Lambda's rates as the scenario's own: no catalogue row prices it outside us-east-1."""


def pipeline(region: str, prices: str = "", train: str = "", files: str = "") -> str:
    return PIPELINE.format(region=region, prices=prices, train=train, files=files)


def test_a_pipeline_in_eu_west_1_bills_its_lambda_at_eu_west_1s_row(tmp_path: Path) -> None:
    """100 s of a 2 GB function at the user's eu-west-1 row ($0.0000166667 per GB-second),
    and one request at the scenario's own rate (no eu-west-1 request row)."""
    csv = tmp_path / "lambda.csv"
    csv.write_text(
        "region,service,item,instance_type,unit,usd,effective_date,source\n"
        "eu-west-1,lambda,duration,,GB-second,0.0000166667,2026-01-01,our invoice\n"
    )
    text = pipeline("eu-west-1", REQUESTS, files=f"prices: {csv}")
    quotes = {q.item: q for q in scenario_prices(scenario(text)).quotes}
    assert quotes["lambda"].region == "eu-west-1"
    assert (quotes["lambda"].origin, quotes["lambda"].source) == ("file", "our invoice")
    assert quotes["lambda_requests"].origin == "scenario"
    tables = run(text, baseline=False)
    assert usd(tables, "lambda") == pytest.approx(100 * 2 * 0.0000166667, rel=1e-12)
    assert usd(tables, "lambda_requests") == pytest.approx(0.0000004, rel=1e-12)


def test_a_price_missing_in_the_region_names_item_region_and_where_it_is_priced() -> None:
    with pytest.raises(ScenarioError) as error:
        scenario(pipeline("eu-west-1", "prices: {lambda: {usd_per_hour: 0.06}}"))
    assert (
        "fleet[0]: no price for sagemaker 'lambda_requests' in eu-west-1 (rows price it in "
        "us-east-1 only); give services.sagemaker.prices.lambda_requests.usd_per_entry"
    ) in str(error.value)


def test_an_instance_type_missing_in_the_region_names_the_type() -> None:
    train = TRAIN.replace("ml.m5.xlarge", "ml.p4d.24xlarge")
    with pytest.raises(ScenarioError) as error:
        scenario(pipeline("eu-west-1", LAMBDA, train))
    assert (
        "fleet[0]: no price for 'ml.p4d.24xlarge' in eu-west-1 (sagemaker instance hours; rows "
        "price it in us-east-1 only)"
    ) in str(error.value)


def test_an_offer_file_and_get_products_output_override_the_catalogue() -> None:
    """The training hour at the offer file's eu-west-1 Training figure ($0.50; its Hosting
    figure is $0.60), the function at get-products' eu-west-1 first tier ($0.00002 per
    GB-second) and its request ($0.0000003): the catalogue's figures are not used."""
    files = f"prices: [{OFFER}, {GET_PRODUCTS}]"
    text = pipeline("eu-west-1", train=TRAIN, files=files)
    origins = {q.item: (q.origin, q.usd) for q in scenario_prices(scenario(text)).quotes}
    assert origins == {
        "ml.m5.xlarge": ("file", 0.5),
        "lambda": ("file", 0.00002),
        "lambda_requests": ("file", 0.0000003),
    }
    tables = run(text, baseline=False)
    assert usd(tables, "ml.m5.xlarge") == pytest.approx(1.0 * 0.5, rel=1e-12)
    assert usd(tables, "lambda") == pytest.approx(100 * 2 * 0.00002, rel=1e-12)
    assert usd(tables, "lambda_requests") == pytest.approx(0.0000003, rel=1e-12)


def test_a_price_file_is_read_relative_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "aws.json").write_text(GET_PRODUCTS.read_text())
    text = pipeline("eu-west-1", files="prices: aws.json")
    from simulator.scenario import parse_scenario

    found = parse_scenario(text.replace("\n    ", "\n"), base_dir=tmp_path)
    assert found.prices[0].path == (tmp_path / "aws.json").resolve()
    assert len(found.prices[0].rows) == 3


MODELS = """
    name: two-regions
    horizon: 1h
    {services}
    fleet:
      - {{service: rekognition, project: east, count: 1, region: us-east-1}}
      - {{service: rekognition, project: west, count: 2, region: eu-west-1}}
    {files}
"""


def test_each_resource_bills_at_its_own_regions_price(tmp_path: Path) -> None:
    """A RUNNING model for an hour: $4.00 in us-east-1 (the catalogue's row), $4.40 in
    eu-west-1 (the user's CSV), each model at its own region's."""
    csv = tmp_path / "mine.csv"
    csv.write_text(
        "region,service,item,instance_type,unit,usd,effective_date,source\n"
        "eu-west-1,rekognition,inference,,hour,4.4,2026-01-01,our invoice\n"
        "eu-west-1,rekognition,training,,hour,1.1,2026-01-01,our invoice\n"
    )
    tables = run(MODELS.format(services="", files=f"prices: {csv}"), baseline=False)
    costs = tables["costs"]
    by_region = costs.groupby(costs["resource_id"].astype(str).str.split(":").str[3])["usd"].sum()
    assert by_region.to_dict() == pytest.approx({"us-east-1": 4.0, "eu-west-1": 2 * 4.4})


def test_one_figure_overrides_without_restating_the_billed_statuses() -> None:
    """`inference: {usd_per_hour: 3.5}` keeps RUNNING and STOPPING billed, and being the
    scenario's own rate it applies in every region (here eu-west-1, which has no row)."""
    services = (
        "services: {rekognition: {prices: {inference: {usd_per_hour: 3.5}, "
        "training: {usd_per_hour: 1.5}}}}"
    )
    found = scenario(MODELS.format(services=services, files=""))
    price = found.services.rekognition.prices["inference"]
    assert price.statuses == ("RUNNING", "STOPPING")
    assert price.usd_per_hour == 3.5
    tables = run(MODELS.format(services=services, files=""), baseline=False)
    assert usd(tables, "inference") == pytest.approx(3 * 3.5)


@pytest.mark.parametrize("group", ["", "group: shelf, "])
def test_one_project_in_two_regions_is_two_resources_each_at_its_regions_price(
    tmp_path: Path, group: str
) -> None:
    """One project name (one group, by default or given) in us-east-1 and eu-west-1: each
    model at its own region's price, $4.00 and the CSV's $4.40."""
    csv = tmp_path / "mine.csv"
    csv.write_text(
        "region,service,item,instance_type,unit,usd,effective_date,source\n"
        "eu-west-1,rekognition,inference,,hour,4.4,2026-01-01,our invoice\n"
    )
    text = f"""
        name: twice
        horizon: 1h
        prices: {csv}
        fleet:
          - {{service: rekognition, project: same, {group}count: 1, region: us-east-1}}
          - {{service: rekognition, project: same, {group}count: 2, region: eu-west-1}}
    """
    costs = run(text, baseline=False)["costs"]
    assert costs["resource_id"].nunique() == 3
    by_region = costs.groupby(costs["resource_id"].astype(str).str.split(":").str[3])["usd"].sum()
    assert by_region.to_dict() == pytest.approx({"us-east-1": 4.0, "eu-west-1": 2 * 4.4})


def test_costs_split_by_region_are_the_one_derivations_rows_where_prices_agree(
    tmp_path: Path,
) -> None:
    """Two regions at the same prices: the same rows, in the same order, as one derivation
    at those prices (the split changes which prices, never the rows' order or values)."""
    from simulator.analysis.frames import derive_costs
    from simulator.pricing.costs import regional_costs
    from tests.kit import build_model

    csv = tmp_path / "same.csv"
    csv.write_text(
        "region,service,item,instance_type,unit,usd,effective_date,source\n"
        "eu-west-1,rekognition,inference,,hour,4.0,,same as us-east-1\n"
        "eu-west-1,rekognition,training,,hour,1.0,,same as us-east-1\n"
    )
    text = (
        MODELS.format(services="", files=f"prices: {csv}")
        + """
    requests:
      - {service: rekognition, at: 20m, count: 2}
    """
    )
    model = build_model(text, until=3600.0)
    tables = model.sim.recorder.hand_over()
    found = scenario_prices(scenario(text))
    prices = found.by_region()
    assert prices["eu-west-1"] == prices["us-east-1"]
    split = regional_costs(
        tables["transitions"], prices, found.regions, 3600.0, tables["resources"]
    )
    whole = derive_costs(tables["transitions"], prices["us-east-1"], 3600.0, tables["resources"])
    regions = whole["resource_id"].astype(str).str.split(":").str[3]
    assert len(whole) == 5
    assert set(regions) == {"us-east-1", "eu-west-1"}
    assert split.astype(str).equals(whole.astype(str))


def test_a_rate_the_scenario_gives_stays_its_own_through_a_sweep(tmp_path: Path) -> None:
    """Swept to $4.00 (the built-in figure) in eu-west-1, whose file row says $4.40: the
    variant's rate is the scenario's own, not mistaken for the built-in one; the item it
    leaves alone still takes the file's row, as the scenario written back does."""
    from simulator.scenario import parse_scenario
    from simulator.scenario.variants import expand

    csv = tmp_path / "mine.csv"
    csv.write_text(
        "region,service,item,instance_type,unit,usd,effective_date,source\n"
        "eu-west-1,rekognition,inference,,hour,4.4,,invoice\n"
        "eu-west-1,rekognition,training,,hour,1.1,,invoice\n"
    )
    text = (
        f"name: s\nhorizon: 1h\nregion: eu-west-1\nprices: {csv}\n"
        "fleet: [{service: rekognition, count: 1, status: TRAINING_IN_PROGRESS}]\n"
    )
    base = parse_scenario(text)
    variants, _ = expand(base, {"services.rekognition.prices.inference.usd_per_hour": [4.0, 5.0]})
    quoted = [
        {q.item: (q.origin, q.usd) for q in scenario_prices(v.scenario).quotes} for v in variants
    ]
    assert quoted == [
        {"inference": ("scenario", 4.0), "training": ("file", 1.1)},
        {"inference": ("scenario", 5.0), "training": ("file", 1.1)},
    ]
    written = base.model_dump(mode="json")["services"]["rekognition"]["prices"]["inference"]
    assert "usd_per_hour" not in written  # read again, it takes the file's row again


@pytest.mark.parametrize(
    "given",
    [
        "{usd_per_hour: 1.0, statuses: [Executing, Stopping]}",
        "{usd_per_hour: 1.0}",
    ],
)
def test_an_instance_type_of_the_scenarios_own_bills_at_its_rate(given: str) -> None:
    """`ml.c5.xlarge` (no default item, no catalogue row in the scenario's way) priced
    under its own name, with or without statuses: an hour's training bills $1.00, as the
    built-in types bill (while Executing or Stopping), never $0 for want of `kinds`."""
    train = TRAIN.replace("ml.m5.xlarge", "ml.c5.xlarge")
    text = pipeline("us-east-1", f"prices: {{ml.c5.xlarge: {given}}}", train)
    price = scenario(text).services.sagemaker.prices["ml.c5.xlarge"]
    assert price.kinds == ("ml.c5.xlarge",)
    assert price.statuses == ("Executing", "Stopping")
    quotes = {q.item: q for q in scenario_prices(scenario(text)).quotes}
    assert (quotes["ml.c5.xlarge"].usd, quotes["ml.c5.xlarge"].origin) == (1.0, "scenario")
    assert quotes["ml.c5.xlarge"].instance_type == "ml.c5.xlarge"
    assert usd(run(text, baseline=False), "ml.c5.xlarge") == pytest.approx(1.0, rel=1e-12)


def test_a_price_no_resource_can_reach_is_not_needed() -> None:
    """RUNNING models in eu-west-1 can stop and start again, never train: the catalogue's
    eu-west-1 inference row bills them and no training price is asked for."""
    csv_free = """
        name: running
        horizon: 1h
        region: eu-west-1
        services: {rekognition: {prices: {inference: {usd_per_hour: 4.4}}}}
        fleet:
          - {service: rekognition, project: west, count: 2}
    """
    quotes = {q.item: q for q in scenario_prices(scenario(csv_free)).quotes}
    assert sorted(quotes) == ["inference"]
    assert usd(run(csv_free, baseline=False), "inference") == pytest.approx(2 * 4.4)


def test_a_price_a_resource_can_reach_is_still_needed() -> None:
    """Models training in eu-west-1 bill training: its missing price is the clear error."""
    text = """
        name: training
        horizon: 1h
        region: eu-west-1
        services: {rekognition: {prices: {inference: {usd_per_hour: 4.4}}}}
        fleet:
          - {service: rekognition, project: west, count: 1, status: TRAINING_IN_PROGRESS}
    """
    with pytest.raises(ScenarioError, match=r"fleet\[0\]: no price for rekognition 'training' "):
        scenario(text)


def test_a_scenario_in_eu_west_1_bills_its_training_hour_at_the_catalogues_eu_west_1_row() -> None:
    """The training step's hour of ml.m5.xlarge at eu-west-1's cited Training row ($0.257,
    the catalogue's; us-east-1's is $0.23 Hosting), beside Lambda at the scenario's rates."""
    text = pipeline("eu-west-1", LAMBDA, TRAIN)
    quotes = {q.item: q for q in scenario_prices(scenario(text)).quotes}
    instance = quotes["ml.m5.xlarge"]
    assert (instance.origin, instance.region, instance.usd) == ("catalogue", "eu-west-1", 0.257)
    tables = run(text, baseline=False)
    assert usd(tables, "ml.m5.xlarge") == pytest.approx(1.0 * 0.257, rel=1e-12)
    east = run(pipeline("us-east-1", LAMBDA, TRAIN), baseline=False)
    assert usd(east, "ml.m5.xlarge") == pytest.approx(1.0 * 0.23, rel=1e-12)
