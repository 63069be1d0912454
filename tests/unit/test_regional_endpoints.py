"""Every endpoint is regional: a region's throttle buckets, idempotency tokens and resources
are its own, and a caller reaches each resource through its client for the resource's region.
"""

from __future__ import annotations

import pandas as pd
import pytest

from simulator.api.errors import AwsError
from simulator.runner import simulate
from simulator.vector.eligibility import check
from tests.kit import build_model, calls, run, scenario

PRICES = """
services:  # the catalogue prices these services in us-east-1 only: the scenario's rates
  rekognition:
    prices: {inference: {usd_per_hour: 4.5}, training: {usd_per_hour: 1.5}}
    throttle: {StopProjectVersion: {rate: 0.001, burst: 5}}
  lookoutvision:
    prices: {inference: {usd_per_hour: 4.5}}
"""
TWO_REGIONS = f"""
name: two-regions
horizon: 1h
{PRICES}
fleet:
  - {{service: rekognition, count: 40, project: shop}}
  - {{service: rekognition, count: 40, project: shop, region: eu-west-1, group: shop-eu}}
callers:
  ops: {{retry: {{max_attempts: 1}}, network: 0.1}}
requests:
  - {{service: rekognition, caller: ops, at: 1m, wait: false}}
"""


def _region(resource_ids: pd.Series) -> pd.Series:
    return resource_ids.astype(str).str.split(":").str[3]


def test_a_burst_of_5_accepts_5_stops_in_each_region() -> None:
    stops = calls(run(TWO_REGIONS, baseline=False), "StopProjectVersion")
    assert len(stops) == 80  # one attempt each: max_attempts 1
    accepted = stops[stops["http_status"] == 200]
    assert _region(accepted["resource_id"]).value_counts().to_dict() == {
        "us-east-1": 5,
        "eu-west-1": 5,
    }
    refused = stops[stops["http_status"] != 200]
    assert set(refused["error_code"].astype(str)) == {"ThrottlingException"}


def test_a_bucket_is_per_account_region_and_operation() -> None:
    built = build_model(TWO_REGIONS)
    built.sim.env.run(until=3600)
    route = built.plane.route("rekognition", "StopProjectVersion")
    assert sorted(route.buckets) == [("123456789012", "eu-west-1"), ("123456789012", "us-east-1")]


LOOKOUT = f"""
name: shelves
horizon: 1h
{PRICES}
fleet:
  - {{service: lookoutvision, count: 1, project: shelf}}
  - {{service: lookoutvision, count: 1, project: shelf, region: eu-west-1, group: shelf-eu}}
callers:
  default: {{}}
  ireland: {{region: eu-west-1}}
"""
REQUEST = {"ProjectName": "shelf", "ModelVersion": "1"}


def test_one_project_name_in_two_regions_is_two_resources() -> None:
    built = build_model(LOOKOUT)
    virginia, ireland = built.clients["default"].identity, built.clients["ireland"].identity
    assert (virginia.region, ireland.region) == ("us-east-1", "eu-west-1")
    arns = [
        built.plane.handle(who, "lookoutvision", "DescribeModel", REQUEST)["ModelDescription"][
            "ModelArn"
        ]
        for who in (virginia, ireland)
    ]
    assert arns == [
        "arn:aws:lookoutvision:us-east-1:123456789012:model/shelf/1",
        "arn:aws:lookoutvision:eu-west-1:123456789012:model/shelf/1",
    ]
    assert sorted(built.services["lookoutvision"].resources) == sorted(arns)


def test_a_client_token_used_in_one_region_is_new_in_another() -> None:
    built = build_model(LOOKOUT)
    virginia, ireland = built.clients["default"].identity, built.clients["ireland"].identity
    stop = {**REQUEST, "ClientToken": "nightly-1"}
    built.plane.handle(virginia, "lookoutvision", "StopModel", stop)
    # the same token and members in eu-west-1: not a replay there, so its model stops too
    built.plane.handle(ireland, "lookoutvision", "StopModel", stop)
    statuses = {
        r.id.split(":")[3]: r.status for r in built.services["lookoutvision"].resources.values()
    }
    assert statuses == {"us-east-1": "STOPPING_HOSTING", "eu-west-1": "STOPPING_HOSTING"}
    # and with other members: no conflict, since eu-west-1 has not seen the token
    other = {"ProjectName": "shelf", "ModelVersion": "latest", "ClientToken": "nightly-2"}
    built.plane.handle(virginia, "lookoutvision", "StopModel", other)
    answer = built.plane.handle(
        ireland, "lookoutvision", "StopModel", {**other, "ModelVersion": "1"}
    )
    assert answer == {"Status": "STOPPING_HOSTING"}


def test_another_regions_arn_is_not_found() -> None:
    text = TWO_REGIONS.replace("ops: {retry", "ireland: {region: eu-west-1}\n  ops: {retry")
    built = build_model(text)
    ireland = built.clients["ireland"].identity
    arn = "arn:aws:rekognition:us-east-1:123456789012:project/shop/version/v0/1"
    with pytest.raises(AwsError) as raised:
        built.plane.handle(ireland, "rekognition", "StopProjectVersion", {"ProjectVersionArn": arn})
    assert raised.value.code == "ResourceNotFoundException"
    assert built.services["rekognition"].resources[arn].status == "RUNNING"


def test_a_caller_in_another_region_reaches_each_resource_through_its_regions_client() -> None:
    text = TWO_REGIONS.replace("ops: {retry:", "ops: {region: eu-west-1, retry:")
    built = build_model(text)
    assert built.clients["ops"].identity.region == "eu-west-1"
    built.sim.env.run(until=3600)
    virginia = built.clients["ops"].at("us-east-1")
    assert virginia.identity.region == "us-east-1"
    assert virginia is not built.clients["ops"]
    assert virginia.at("eu-west-1") is built.clients["ops"]
    stops = calls(run(text, baseline=False), "StopProjectVersion")
    accepted = stops[stops["http_status"] == 200]
    assert _region(accepted["resource_id"]).value_counts().to_dict() == {
        "us-east-1": 5,
        "eu-west-1": 5,
    }


def test_where_region_selects_one_regions_resources() -> None:
    text = TWO_REGIONS.replace("wait: false}", "wait: false, where: {region: eu-west-1}}")
    stops = calls(run(text, baseline=False), "StopProjectVersion")
    assert len(stops) == 40
    assert set(_region(stops["resource_id"])) == {"eu-west-1"}


VECTOR = f"""
name: vector-regions
horizon: 1h
{PRICES.replace("rate: 0.001, burst: 5", "rate: 0.001, burst: 3")}
fleet:
  - {{service: rekognition, count: 3, project: shop}}
  - {{service: rekognition, count: 3, project: shop, region: eu-west-1, group: shop-eu}}
callers:
  ops: {{network: 2s}}
requests:
  - {{service: rekognition, caller: ops, at: 10m, wait: false}}
"""


def test_the_vector_engine_counts_each_regions_bucket_apart() -> None:
    assert check(scenario(VECTOR)).eligible  # 3 stops in each region, a burst of 3 in each
    crowded = VECTOR.replace("count: 3, project: shop}", "count: 4, project: shop}")
    assert check(scenario(crowded)).reasons == (
        "services.rekognition.throttle.StopProjectVersion: a token bucket of 0.001/s, burst "
        "3, may refuse some of the up to 4 requests the stops make to it",
    )


@pytest.mark.parametrize("name", ["transitions", "calls", "stops", "costs"])
def test_with_fixed_latencies_the_vector_engine_draws_two_regions_as_the_events(name: str) -> None:
    fixed = scenario(VECTOR)
    events = simulate(fixed, 0, 0)[name]
    vector = simulate(fixed, 0, 0, engine="vector")[name]
    plain = [
        t.astype({c: object for c in t.columns if isinstance(t[c].dtype, pd.CategoricalDtype)})
        .sort_values(list(t.columns), kind="stable")
        .reset_index(drop=True)
        for t in (events, vector)
    ]
    pd.testing.assert_frame_equal(plain[1], plain[0])
    assert set(_region(events["resource_id"])) == {"us-east-1", "eu-west-1"}


CALLBACK = """
name: callback-regions
horizon: 2h
region: eu-west-1
services: {sagemaker: {prices: {sqs: {usd_per_entry: 0.0000005}}}}  # none cited in eu-west-1
fleet:
  - {service: sagemaker, pipeline: p, count: 1, steps: [{name: approve, type: Callback, queue: q}]}
callers: {default: {region: us-east-1}}
consumers: {q: {handle: 1m, receive: 1s}}
"""


def test_a_consumer_answers_a_callback_through_its_client_for_the_executions_region() -> None:
    tables = run(CALLBACK, baseline=False)
    answers = calls(tables, "SendPipelineExecutionStepSuccess")
    assert answers["http_status"].tolist() == [200]
    assert _region(answers["resource_id"]).tolist() == ["eu-west-1"]
    moves = tables["transitions"]
    execution = moves[moves["resource_id"].astype(str).str.endswith("pipeline/p/execution/0")]
    assert execution["to_status"].astype(str).tolist()[-1] == "Succeeded"
