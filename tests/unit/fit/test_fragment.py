"""The fragment's header: every family's AIC and goodness-of-fit p-value, and a warning
where the chosen family is rejected."""

from __future__ import annotations

from datetime import date

import pandas as pd
import yaml

from simulator.fit.fragment import Fitted, fragment_text
from simulator.fit.sample import Sample

FAMILIES = ("weibull", "gamma", "lognormal", "exponential")


def _fitted(p_values: tuple[float, ...]) -> Fitted:
    table = pd.DataFrame({
        "family": FAMILIES, "aic": [100.0, 101.0, 110.0, 150.0],
        "delta_aic": [0.0, 1.0, 10.0, 50.0], "gof_p": p_values,
        "median": [180.0] * 4, "p95": [290.0] * 4,
    })  # fmt: skip
    distribution = {"kind": "weibull", "shape": 2.5, "scale": 200.0}
    return Fitted("stop", Sample.exact([100.0, 200.0]), table, distribution)


def test_the_header_gives_every_familys_p_value() -> None:
    text = fragment_text("rekognition", [_fitted((0.31, 0.2, 0.04, 0.0))], ["polls.csv"],
                         when=date(2026, 1, 12))  # fmt: skip
    rows = {line.split()[1]: line.split() for line in text.splitlines() if line.startswith("#  ")}
    assert [rows[f][4] for f in FAMILIES] == ["0.31", "0.20", "0.04", "0.00"]
    assert "WARNING" not in text
    assert yaml.safe_load(text)["services"]["rekognition"]["latency"]["stop"]["kind"] == "weibull"


def test_a_rejected_choice_is_a_warning_in_the_header() -> None:
    text = fragment_text("rekognition", [_fitted((0.0, 0.0, 0.0, 0.0))], ["polls.csv"])
    assert "#   WARNING: the chosen weibull is rejected by the goodness of fit (p < 0.05)" in text
