"""Distribution parameters, the fixed shorthand, closed-form means and block draws."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from simulator.engine.distributions import (
    Z95,
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Mixture,
    Triangular,
    Uniform,
    Weibull,
)
from simulator.engine.rng import Streams

ADAPTER: TypeAdapter[Any] = TypeAdapter(Distribution)


def parse(spec: object, base_dir: Path | None = None) -> Any:
    context = None if base_dir is None else {"base_dir": base_dir}
    return ADAPTER.validate_python(spec, context=context)


def generator() -> np.random.Generator:
    return Streams(11).generator("unit.distributions")


# -- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "uniform", "low": 5, "high": 1},
        {"kind": "uniform", "low": "2m", "high": "1m"},
        {"kind": "uniform", "low": -1, "high": 1},
        {"kind": "lognormal", "median": 60, "p95": 60},
        {"kind": "lognormal", "median": 60, "p95": 30},
        {"kind": "lognormal", "median": 0, "p95": 30},
        {"kind": "triangular", "low": 1, "mode": 5, "high": 3},
        {"kind": "triangular", "low": 2, "mode": 1, "high": 3},
        {"kind": "triangular", "low": 2, "mode": 2, "high": 2},
        {"kind": "exponential", "mean": 0},
        {"kind": "exponential", "mean": "0s"},
        {"kind": "gamma", "mean": 10, "shape": 0},
        {"kind": "gamma", "mean": 0, "shape": 2},
        {"kind": "weibull", "shape": 0, "scale": 10},
        {"kind": "weibull", "shape": 2, "scale": "0s"},
        {"kind": "weibull", "shape": 2},
        {"kind": "empirical"},
        {"kind": "empirical", "values": []},
        {"kind": "empirical", "values": [1, 2], "csv": "x.csv", "column": "a"},
        {"kind": "empirical", "values": [1, -2]},
        {"kind": "mixture", "components": []},
        {"kind": "mixture", "components": [{"weight": 0, "of": 1}]},
        {"kind": "fixed", "value": 1, "extra": 2},
        {"kind": "fixed", "value": "-5m"},
        {"kind": "nope", "value": 1},
        {"value": 1},
        True,
        "abc",
    ],
)
def test_bad_parameters_raise_validation_error(spec: object) -> None:
    with pytest.raises(ValidationError):
        parse(spec)


def test_empirical_csv_missing_column(tmp_path: Path) -> None:
    (tmp_path / "latencies.csv").write_text("seconds\n1\n2\n")
    with pytest.raises(ValidationError, match="has no column 'minutes'"):
        parse({"kind": "empirical", "csv": "latencies.csv", "column": "minutes"}, tmp_path)


def test_empirical_csv_needs_column(tmp_path: Path) -> None:
    (tmp_path / "latencies.csv").write_text("seconds\n1\n")
    with pytest.raises(ValidationError, match="needs `column`"):
        parse({"kind": "empirical", "csv": "latencies.csv"}, tmp_path)


def test_empirical_csv_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file"):
        parse({"kind": "empirical", "csv": "absent.csv", "column": "s"}, tmp_path)


def test_empirical_csv_is_read_relative_to_base_dir(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "latencies.csv").write_text("name,seconds\na,90\nb,2m\nc,\nd,1.5\n")
    d = parse({"kind": "empirical", "csv": "data/latencies.csv", "column": "seconds"}, tmp_path)
    assert isinstance(d, Empirical)
    assert d.csv == tmp_path / "data" / "latencies.csv"
    assert d.values == (90.0, 120.0, 1.5)
    assert d.mean == (90.0 + 120.0 + 1.5) / 3


# -- shorthand and durations ---------------------------------------------------------------


SHORTHANDS = [(5, 5.0), (2.5, 2.5), ("2m", 120.0), ("90", 90.0)]


class _Field(BaseModel):
    of: Distribution


class _Listed(BaseModel):
    of: list[Distribution]


@pytest.mark.parametrize(("spec", "value"), SHORTHANDS)
def test_bare_number_or_duration_is_fixed_as_a_model_field(spec: object, value: float) -> None:
    d = _Field.model_validate({"of": spec}).of
    assert type(d) is Fixed
    assert d.value == value


@pytest.mark.parametrize(("spec", "value"), SHORTHANDS)
def test_bare_number_or_duration_is_fixed_in_a_mixture(spec: object, value: float) -> None:
    mixture = parse({"kind": "mixture", "components": [{"weight": 1, "of": spec}]})
    assert mixture.components[0].of == Fixed(value=value)


@pytest.mark.parametrize(("spec", "value"), SHORTHANDS)
def test_bare_number_or_duration_is_fixed(spec: object, value: float) -> None:
    d = parse(spec)
    assert type(d) is Fixed
    assert d.value == value


def test_bare_number_is_fixed_in_a_list_of_distributions() -> None:
    assert _Listed.model_validate({"of": [5, "1m"]}).of == [Fixed(value=5), Fixed(value=60)]


def test_bool_is_not_a_fixed_value() -> None:
    with pytest.raises(ValidationError):
        _Field.model_validate({"of": True})


def test_durations_in_parameters() -> None:
    assert parse({"kind": "uniform", "low": "1m", "high": "2m"}) == Uniform(low=60, high=120)
    lognormal = parse({"kind": "lognormal", "median": "2m", "p95": "5m"})
    assert (lognormal.median, lognormal.p95) == (120.0, 300.0)
    assert parse({"kind": "exponential", "mean": "10m"}).mean == 600.0
    assert parse({"kind": "gamma", "mean": "1h", "shape": 2}).mean_ == 3600.0
    triangular = parse({"kind": "triangular", "low": "1s", "mode": "1m", "high": "1h"})
    assert (triangular.low, triangular.mode, triangular.high) == (1.0, 60.0, 3600.0)
    assert parse({"kind": "empirical", "values": ["1m", 2, "250ms"]}).values == (60.0, 2.0, 0.25)
    mixture = parse({"kind": "mixture", "components": [{"weight": 1, "of": "2m"}]})
    assert mixture.components[0].of == Fixed(value=120)


# -- means ---------------------------------------------------------------------------------


def test_closed_form_means() -> None:
    assert parse({"kind": "fixed", "value": 7}).mean == 7.0
    assert parse({"kind": "uniform", "low": 2, "high": 6}).mean == 4.0
    assert parse({"kind": "exponential", "mean": 5}).mean == 5.0
    assert parse({"kind": "gamma", "mean": 7, "shape": 2}).mean == 7.0
    assert parse({"kind": "triangular", "low": 1, "mode": 2, "high": 6}).mean == 3.0
    assert parse({"kind": "empirical", "values": [1, 2, 3, 6]}).mean == 3.0
    mixture = parse(
        {"kind": "mixture", "components": [{"weight": 1, "of": 10}, {"weight": 3, "of": 50}]}
    )
    assert mixture.mean == 0.25 * 10 + 0.75 * 50
    assert mixture.mean == 40.0


def test_lognormal_mean() -> None:
    d = parse({"kind": "lognormal", "median": 60, "p95": 300})
    mu = math.log(60)
    sigma = (math.log(300) - mu) / 1.6448536269514722
    assert Z95 == 1.6448536269514722
    assert d.mu == mu
    assert d.sigma == sigma
    assert d.mean == math.exp(mu + sigma**2 / 2)
    assert d.mean == pytest.approx(60 * math.exp(sigma**2 / 2), rel=1e-12)


def test_mixture_of_mixtures_mean() -> None:
    inner = {"kind": "mixture", "components": [{"weight": 1, "of": 0}, {"weight": 1, "of": 8}]}
    outer = parse(
        {"kind": "mixture", "components": [{"weight": 1, "of": inner}, {"weight": 1, "of": 2}]}
    )
    assert outer.mean == 3.0


# -- draws ---------------------------------------------------------------------------------

SPECS = [
    {"kind": "fixed", "value": 3},
    {"kind": "uniform", "low": 1, "high": 2},
    {"kind": "exponential", "mean": 5},
    {"kind": "lognormal", "median": 60, "p95": 300},
    {"kind": "gamma", "mean": 7, "shape": 2},
    {"kind": "weibull", "shape": 1.5, "scale": 7},
    {"kind": "triangular", "low": 1, "mode": 2, "high": 6},
    {"kind": "empirical", "values": [1, 2, 3]},
    {"kind": "mixture", "components": [{"weight": 1, "of": 10}, {"weight": 3, "of": 50}]},
]


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("n", [0, 1, 7])
def test_draw_returns_n_values(spec: object, n: int) -> None:
    values = parse(spec).draw(generator(), n)
    assert isinstance(values, np.ndarray)
    assert values.shape == (n,)
    assert np.all(values >= 0)


def test_fixed_draws_are_all_the_value() -> None:
    values = Fixed(value=42).draw(generator(), 6)
    assert values.tolist() == [42.0] * 6


def test_draws_lie_in_the_support() -> None:
    g = generator()
    assert set(parse({"kind": "empirical", "values": [1, 2, 3]}).draw(g, 50)) <= {1.0, 2.0, 3.0}
    mixture = parse(
        {"kind": "mixture", "components": [{"weight": 1, "of": 10}, {"weight": 3, "of": 50}]}
    )
    assert set(mixture.draw(g, 200)) == {10.0, 50.0}
    uniform = Uniform(low=1, high=2).draw(g, 50)
    assert np.all((uniform >= 1) & (uniform < 2))
    triangular = Triangular(low=1, mode=2, high=6).draw(g, 50)
    assert np.all((triangular >= 1) & (triangular <= 6))


def test_draws_are_the_generator_s() -> None:
    """A distribution draws from the generator it is given, nothing else."""
    a = Lognormal(median=60, p95=300).draw(generator(), 5)
    b = Lognormal(median=60, p95=300).draw(generator(), 5)
    np.testing.assert_array_equal(a, b)
    expected = generator().lognormal(math.log(60), (math.log(300) - math.log(60)) / Z95, 5)
    np.testing.assert_array_equal(a, expected)
    np.testing.assert_array_equal(
        Exponential(mean=5).draw(generator(), 4), generator().exponential(5.0, 4)
    )
    np.testing.assert_array_equal(
        Gamma(mean=6, shape=3).draw(generator(), 4), generator().gamma(3.0, 2.0, 4)
    )
    np.testing.assert_array_equal(
        Weibull(shape=1.5, scale=6).draw(generator(), 4), 6 * generator().weibull(1.5, 4)
    )


def test_mixture_probabilities_are_normalised_weights() -> None:
    mixture = Mixture.model_validate(
        {"components": [{"weight": 1, "of": 1}, {"weight": 3, "of": 2}]}
    )
    assert mixture.probabilities.tolist() == [0.25, 0.75]
