"""TokenStore: replay within the lifetime, conflict on other parameters, new after it."""

from __future__ import annotations

import pytest

from simulator.api.idempotency import TokenStore

PARAMS = {"ProjectVersionArn": "arn:1", "MinInferenceUnits": 1, "ClientToken": "t-1"}
RESPONSE = {"Status": "STARTING"}


def store_with_token() -> TokenStore:
    store = TokenStore(lifetime_s=100.0)
    assert store.replay("t-1", PARAMS, "ClientToken", 10.0) is None
    store.remember("t-1", PARAMS, "ClientToken", RESPONSE, 10.0)
    return store


def test_unknown_token_is_new() -> None:
    assert TokenStore(100.0).replay("t-1", PARAMS, "ClientToken", 0.0) is None


def test_same_token_and_params_replays_the_response() -> None:
    store = store_with_token()
    assert store.replay("t-1", dict(PARAMS), "ClientToken", 10.0) is RESPONSE
    assert store.replay("t-1", dict(reversed(PARAMS.items())), "ClientToken", 109.9) is RESPONSE


def test_same_token_with_other_params_raises() -> None:
    store = store_with_token()
    with pytest.raises(ValueError, match="'t-1' was used with other parameters"):
        store.replay("t-1", {**PARAMS, "MinInferenceUnits": 2}, "ClientToken", 20.0)
    with pytest.raises(ValueError, match="other parameters"):
        store.replay("t-1", {**PARAMS, "Extra": 1}, "ClientToken", 20.0)
    with pytest.raises(ValueError, match="other parameters"):
        store.replay("t-1", {"ClientToken": "t-1"}, "ClientToken", 20.0)


def test_after_the_lifetime_the_token_is_new() -> None:
    store = store_with_token()
    assert store.replay("t-1", PARAMS, "ClientToken", 110.0) is None
    # other parameters are no conflict once the token has expired
    assert store.replay("t-1", {**PARAMS, "MinInferenceUnits": 2}, "ClientToken", 110.0) is None


def test_remember_again_restarts_the_lifetime() -> None:
    store = store_with_token()
    other = {"Status": "RUNNING"}
    store.remember("t-1", PARAMS, "ClientToken", other, 110.0)
    assert store.replay("t-1", PARAMS, "ClientToken", 209.0) is other
    assert store.replay("t-1", PARAMS, "ClientToken", 210.0) is None


def test_the_token_field_is_not_part_of_the_fingerprint() -> None:
    store = store_with_token()
    without = {k: v for k, v in PARAMS.items() if k != "ClientToken"}
    assert store.replay("t-1", without, "ClientToken", 20.0) is RESPONSE
    assert store.replay("t-1", {**PARAMS, "ClientToken": "other"}, "ClientToken", 20.0) is RESPONSE
    assert TokenStore._fingerprint(PARAMS, "ClientToken") == (
        ("MinInferenceUnits", 1),
        ("ProjectVersionArn", "arn:1"),
    )


def test_tokens_are_independent() -> None:
    store = store_with_token()
    assert store.replay("t-2", {**PARAMS, "MinInferenceUnits": 2}, "ClientToken", 20.0) is None


def test_expired_tokens_are_forgotten_as_new_ones_come() -> None:
    """A long run keeps only the tokens of the last lifetime, and an expired token used
    again is new again (and kept until its own new expiry)."""
    store = TokenStore(lifetime_s=10.0)
    for second in range(100):
        store.remember(f"t{second}", PARAMS, "ClientToken", {"n": second}, float(second))
    assert list(store._entries) == [f"t{second}" for second in range(90, 100)]
    assert store.replay("t95", PARAMS, "ClientToken", 104.5) == {"n": 95}
    store.remember("t0", PARAMS, "ClientToken", {"n": "anew"}, 120.0)
    assert list(store._entries) == ["t0"]
    assert store.replay("t0", PARAMS, "ClientToken", 129.0) == {"n": "anew"}
