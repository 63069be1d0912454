"""AWS Price List files read as AWS publishes them, as price rows.

Two shapes: an offer file of the bulk API (`{"formatVersion", "offerCode", "products":
{sku: {...}}, "terms": {"OnDemand": {sku: {term: {...}}}}}`), and what `aws pricing
get-products` prints (`{"PriceList": ["<one product and its terms, as JSON text>", ...],
"FormatVersion": "aws_v1"}`). Each on-demand price of a product the simulator bills becomes
a row: a SageMaker `ML Instance` hour (its `platoinstancetype` Training, Processing or
Hosting), a Lambda GB-second or request (x86), an SQS standard request, an S3 Standard
GB-month. The first
paid tier is taken (the simulator bills no free tier and no volume discount). Products of
anything else are counted and named, never read as a price silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from simulator.pricing.catalogue import Row
from simulator.services.regions import REGIONS

UNITS: Final = {
    "Hrs": "hour",
    "Hours": "hour",
    "Lambda-GB-Second": "GB-second",
    "GB-Seconds": "GB-second",
    "Second": "GB-second",
    "Request": "request",
    "Requests": "request",
    "GB-Mo": "GB-month",
}
"""Price List units -> the catalogue's."""
COMPONENTS: Final = {"Training": "training", "Processing": "processing", "Hosting": "hosting"}


@dataclass
class Reading:
    """What a file gave: its rows, and the products it held that price nothing simulated."""

    rows: list[Row] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)


def read_offers(path: Path) -> Reading:
    """The rows of an offer file or of `get-products` output; ValueError names the file,
    the SKU and the field at fault."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a JSON document ({error})") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a JSON object, got {type(document).__name__}")
    if "PriceList" in document:
        return _get_products(document, path)
    if "products" in document and "terms" in document:
        return _offer_file(document, path)
    raise ValueError(
        f"{path}: neither a Price List offer file (products, terms) nor `aws pricing "
        "get-products` output (PriceList)"
    )


def _offer_file(document: dict[str, Any], path: Path) -> Reading:
    offer = str(document.get("offerCode", ""))
    products, terms = document["products"], document["terms"]
    if not isinstance(products, dict) or not isinstance(terms, dict):
        raise ValueError(f"{path}: products and terms must be JSON objects")
    on_demand = terms.get("OnDemand", {})
    reading = Reading()
    for sku, product in products.items():
        _product(offer, product, on_demand.get(sku), f"{path}: product {sku}", reading)
    return reading


def _get_products(document: dict[str, Any], path: Path) -> Reading:
    entries = document["PriceList"]
    if not isinstance(entries, list):
        raise ValueError(f"{path}: PriceList must be a list")
    reading = Reading()
    for index, entry in enumerate(entries):
        where = f"{path}: PriceList[{index}]"
        try:
            record = json.loads(entry) if isinstance(entry, str) else entry
        except json.JSONDecodeError as error:
            raise ValueError(f"{where}: not JSON text ({error})") from None
        if not isinstance(record, dict) or not isinstance(record.get("product"), dict):
            raise ValueError(f"{where}: expected an object with a product")
        product = record["product"]
        offer = str(record.get("serviceCode", ""))
        terms = record.get("terms", {}).get("OnDemand")
        _product(offer, product, terms, f"{where} (sku {product.get('sku')})", reading)
    return reading


def _product(offer: str, product: Any, terms: Any, where: str, reading: Reading) -> None:
    if not isinstance(product, dict) or not isinstance(product.get("attributes"), dict):
        raise ValueError(f"{where}: expected a product with attributes")
    attributes = product["attributes"]
    key = _simulated(offer or str(attributes.get("servicecode", "")), product, attributes)
    if key is None:
        name = f"{offer or attributes.get('servicecode')}: {product.get('productFamily')}"
        reading.ignored[name] = reading.ignored.get(name, 0) + 1
        return
    service, item, kind = key
    region = attributes.get("regionCode")
    if not isinstance(region, str) or not region:
        raise ValueError(f"{where}: attributes.regionCode: missing (which region is it?)")
    if region not in REGIONS:
        raise ValueError(f"{where}: attributes.regionCode: unknown AWS region {region!r}")
    if not isinstance(terms, dict) or not terms:
        raise ValueError(f"{where}: terms.OnDemand: no on-demand price for it")
    term = next(iter(terms.values()))
    usd, unit = _first_paid(term, where)
    reading.rows.append(
        Row(
            region,
            service,
            item,
            kind,
            unit,
            usd,
            str(term.get("effectiveDate", ""))[:10],
            f"{where}: {attributes.get('usagetype', '')}",
        )
    )


def _simulated(
    offer: str, product: dict[str, Any], attributes: dict[str, Any]
) -> tuple[str, str, str] | None:
    """(service, item, instance type) of a product the simulator bills, or None."""
    family = product.get("productFamily")
    usage = str(attributes.get("usagetype", ""))
    if offer == "AmazonSageMaker" and family == "ML Instance":
        plato = attributes.get("platoinstancetype") or attributes.get("component")
        component = COMPONENTS.get(str(plato))
        name = str(attributes.get("instanceName") or attributes.get("instanceType", ""))
        kind = name.split("-")[0]
        if component is None or not kind.startswith("ml."):
            return None
        return ("sagemaker", component, kind)
    if offer == "AWSLambda" and family == "Serverless" and not usage.endswith("-ARM"):
        group = attributes.get("group")
        if group == "AWS-Lambda-Duration":
            return ("lambda", "duration", "")
        if group == "AWS-Lambda-Requests":
            return ("lambda", "requests", "")
        return None
    if offer == "AWSQueueService" and attributes.get("queueType") == "Standard":
        return ("sqs", "requests", "")
    if (
        offer == "AmazonS3"
        and family == "Storage"
        and attributes.get("volumeType") == "Standard"
        and usage.endswith("TimedStorage-ByteHrs")
    ):
        return ("s3", "storage", "")
    return None


def _first_paid(term: Any, where: str) -> tuple[float, str]:
    """The price and unit of the term's lowest tier that costs anything (a free tier, such
    as SQS's first million requests, is not simulated)."""
    dimensions = term.get("priceDimensions") if isinstance(term, dict) else None
    if not isinstance(dimensions, dict) or not dimensions:
        raise ValueError(f"{where}: priceDimensions: none")
    tiers = []
    for code, dimension in dimensions.items():
        try:
            usd = float(dimension["pricePerUnit"]["USD"])
            begin = float(dimension.get("beginRange", "0"))
        except (KeyError, TypeError, ValueError):
            where_usd = f"{where}: priceDimensions.{code}.pricePerUnit.USD"
            raise ValueError(f"{where_usd}: not a number") from None
        unit = UNITS.get(str(dimension.get("unit")))
        if unit is None:
            raise ValueError(
                f"{where}: priceDimensions.{code}.unit: {dimension.get('unit')!r} is not a unit "
                f"the simulator bills by ({', '.join(UNITS)})"
            )
        tiers.append((begin, usd, unit))
    paid = sorted(t for t in tiers if t[1] > 0) or sorted(tiers)
    _, usd, unit = paid[0]
    return usd, unit
