"""AWS Price List files read as AWS publishes them: an offer file of the bulk API and
`aws pricing get-products` output, each price of something simulated a row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.pricing.offers import read_offers
from simulator.pricing.sources import read_prices

DATA = Path(__file__).parents[2] / "data" / "pricing"
OFFER = DATA / "sagemaker-offer-eu-west-1.json"
GET_PRODUCTS = DATA / "lambda-get-products.json"


def test_an_offer_file_gives_each_ml_instance_component_its_row() -> None:
    reading = read_offers(OFFER)
    found = {
        (r.region, r.item, r.instance_type): (r.unit, r.usd, r.effective_date) for r in reading.rows
    }
    assert found == {
        ("eu-west-1", "training", "ml.m5.xlarge"): ("hour", 0.5, "2024-03-01"),
        ("eu-west-1", "hosting", "ml.m5.xlarge"): ("hour", 0.6, "2024-03-01"),
        ("eu-west-1", "training", "ml.p4d.24xlarge"): ("hour", 40.0, "2024-03-01"),
    }
    # a Studio notebook and ML storage bill nothing simulated: counted, not read as prices
    assert reading.ignored == {"AmazonSageMaker: ML Instance": 1, "AmazonSageMaker: ML Storage": 1}
    assert all("EU-Train:" in r.source or "EU-Host:" in r.source for r in reading.rows)


def test_get_products_output_gives_the_first_paid_tier_of_x86_lambda() -> None:
    rows = read_offers(GET_PRODUCTS).rows
    found = {(r.region, r.service, r.item): (r.unit, r.usd, r.effective_date) for r in rows}
    assert found == {
        ("ap-northeast-1", "lambda", "requests"): ("request", 0.0000002, "2022-12-01"),
        ("eu-west-1", "lambda", "requests"): ("request", 0.0000003, "2024-06-01"),
        ("eu-west-1", "lambda", "duration"): ("GB-second", 0.00002, "2024-06-01"),
    }  # the Arm duration left out: the simulator's functions are x86


def test_a_product_without_its_region_is_an_error_naming_the_sku(tmp_path: Path) -> None:
    document = json.loads(OFFER.read_text())
    del document["products"]["2X7PK9QZ3M5R8WNE"]["attributes"]["regionCode"]
    path = tmp_path / "offer.json"
    path.write_text(json.dumps(document))
    with pytest.raises(
        ValueError, match=r"product 2X7PK9QZ3M5R8WNE: attributes.regionCode: missing"
    ):
        read_offers(path)


def test_a_price_that_is_no_number_names_its_dimension(tmp_path: Path) -> None:
    document = json.loads(GET_PRODUCTS.read_text())
    record = json.loads(document["PriceList"][0])
    term = record["terms"]["OnDemand"]["3BE8DYKG4FYSZGDW.JRTCKXETXF"]
    term["priceDimensions"]["3BE8DYKG4FYSZGDW.JRTCKXETXF.6YS6EN2CT7"]["pricePerUnit"]["USD"] = "?"
    document["PriceList"][0] = json.dumps(record)
    path = tmp_path / "products.json"
    path.write_text(json.dumps(document))
    with pytest.raises(
        ValueError, match=r"PriceList\[0\] \(sku 3BE8DYKG4FYSZGDW\): priceDimensions"
    ):
        read_offers(path)


def test_a_json_of_neither_shape_says_what_it_expected(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text('{"prices": []}')
    with pytest.raises(ValueError, match=r"neither a Price List offer file .* nor `aws pricing"):
        read_prices(path)


def test_a_file_with_nothing_simulated_lists_what_it_holds(tmp_path: Path) -> None:
    document = json.loads(OFFER.read_text())
    for sku in ("2X7PK9QZ3M5R8WNE", "7HD3Q2MFW8K4XZ1C", "5JQW8N2LZ7X3KD4P"):
        del document["products"][sku]
    path = tmp_path / "offer.json"
    path.write_text(json.dumps(document))
    with pytest.raises(
        ValueError, match="1 of AmazonSageMaker: ML Instance, 1 of AmazonSageMaker: ML Storage"
    ):
        read_prices(path)
