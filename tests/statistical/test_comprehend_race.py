"""The Comprehend stop race through the whole simulator: memorylessness gives its odds.

N document classifiers are all TRAINING at t=0 with exponential training times (rate
mu_train = 1/mean). At 10 min the default caller stops every classifier still TRAINING
(`where: {status: [TRAINING]}`); an attempt reaches the server half a fixed 2 s round trip
later. A stop accepted there moves the classifier to STOP_REQUESTED and starts the stop's
clock, exponential with rate mu_stop, while the training clock drawn at t=0 keeps running.
By memorylessness, the training time left at that moment, given that training has not
ended, is exponential with rate mu_train again, independent of the stop's clock, so

    P(ends TRAINED) = mu_train / (mu_train + mu_stop),
    time from the request to the end: exponential with rate mu_train + mu_stop, plus the
    1 s half trip.

A classifier that finishes training within the 1 s of the outbound trip is refused
(InvalidRequestException: training is not running): those stops are counted out, and they
are the only ones refused.

Bounds: 99% normal approximation of a binomial proportion for the share (each classifier
draws its own clocks: the races are independent), and the 99% normal bound of a mean of
exponentials (standard deviation = mean) for the time to the end.
"""

from __future__ import annotations

import math
from functools import cache

import pandas as pd
import pytest

from simulator.runner import simulate
from tests.kit import scenario
from tests.statistical._bounds import binomial_half_width, z

CLASSIFIERS = 10_000
STOP_AT = 600.0  # seconds: `at: 10m`
HALF_TRIP = 1.0  # seconds: half of the fixed 2 s round trip
CONFIDENCE = 0.99

# (training mean, stop mean) in minutes -> share TRAINED = (1/train) / (1/train + 1/stop)
MEANS = {
    "train-1h-stop-20m": (60, 20),
    "train-30m-stop-30m": (30, 30),
    "train-10m-stop-1h": (10, 60),
}


def race_yaml(train_minutes: float, stop_minutes: float) -> str:
    return f"""
    name: comprehend-race
    seed: 23
    horizon: 2d
    services:
      comprehend:
        latency:
          training: {{kind: exponential, mean: {train_minutes}m}}
          stop: {{kind: exponential, mean: {stop_minutes}m}}
    fleet:
      - service: comprehend
        count: {CLASSIFIERS}
        status: TRAINING
    callers:
      default:
        network: 2s
        retry: {{max_attempts: 1}}
    requests:
      - name: stop-while-training
        service: comprehend
        at: 10m
        where: {{status: [TRAINING]}}
        wait: false
    """


@cache  # both tests read the same replications: run each once
def race(case: str) -> dict[str, pd.DataFrame]:
    return simulate(scenario(race_yaml(*MEANS[case])), seed=23, replication=0, baseline=False)


@pytest.mark.parametrize("case", list(MEANS))
def test_share_trained_is_training_rate_over_both_rates(case: str) -> None:
    train_minutes, stop_minutes = MEANS[case]
    mu_train, mu_stop = 1 / train_minutes, 1 / stop_minutes
    stops = race(case)["stops"]
    # every classifier still training at 10 min was sent one stop, then, and only then
    p_training = math.exp(-STOP_AT / 60 / train_minutes)
    count_bound = binomial_half_width(p_training, CLASSIFIERS, CONFIDENCE) * CLASSIFIERS
    assert abs(len(stops) - p_training * CLASSIFIERS) <= count_bound
    assert stops["resource_id"].is_unique
    assert (stops["requested_at"] == STOP_AT).all()

    outcome = stops["outcome"].astype(str)
    refused = outcome == "rejected"
    assert (stops.loc[refused, "error_code"].astype(str) == "InvalidRequestException").all()
    assert refused.mean() < 0.01  # training ended within the 1 s trip: rare
    accepted = stops[~refused]
    assert set(accepted["outcome"].astype(str)) <= {"TRAINED", "STOPPED"}  # none stuck

    n = len(accepted)
    expected = mu_train / (mu_train + mu_stop)
    share = float((accepted["outcome"].astype(str) == "TRAINED").mean())
    bound = binomial_half_width(expected, n, CONFIDENCE)
    assert abs(share - expected) <= bound, (case, n, share, expected, bound)

    # the race lasts the shorter of two exponential clocks: exponential at the summed rate
    race_mean = 60 / (mu_train + mu_stop)  # seconds
    latency = accepted["stop_latency_s"].to_numpy() - HALF_TRIP
    assert latency.min() >= -1e-9
    race_bound = z(CONFIDENCE) * race_mean / math.sqrt(n)
    assert abs(latency.mean() - race_mean) <= race_bound, (case, latency.mean(), race_mean)


@pytest.mark.parametrize("case", list(MEANS))
def test_exactly_one_clock_wins_every_race(case: str) -> None:
    tables = race(case)
    stops, moves = tables["stops"], tables["transitions"]
    accepted = stops[stops["outcome"].astype(str) != "rejected"]
    assert len(accepted) > 0
    assert set(accepted["outcome"].astype(str)) == {"TRAINED", "STOPPED"}

    to_status = moves["to_status"].astype(str)
    ids = moves["resource_id"].astype(str)
    trained = set(ids[to_status == "TRAINED"])
    stopped = set(ids[to_status == "STOPPED"])
    assert not trained & stopped, sorted(trained & stopped)[:5]

    # each accepted stop: TRAINING -> STOP_REQUESTED -> the winner, and nothing after it
    # (the losing clock fired into a classifier that had moved on and did nothing)
    chains = (
        moves.assign(resource_id=ids, to_status=to_status)
        .groupby("resource_id", sort=False)["to_status"]
        .agg(tuple)
    )
    for resource_id, outcome in zip(
        accepted["resource_id"].astype(str), accepted["outcome"].astype(str), strict=True
    ):
        assert chains[resource_id] == ("TRAINING", "STOP_REQUESTED", outcome), resource_id
    # and every classifier that ended STOPPED was stopped by one of those requests
    assert stopped <= set(accepted["resource_id"].astype(str))
