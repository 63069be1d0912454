"""report.html as a person reads it: the scenario's question first, durations in days,
hours or minutes, dollars as dollars, the resolved scenario folded away, and nothing from
the scenario able to inject markup."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import simulator
from simulator.analysis.columns import Column
from simulator.report import render_html, table_html, write_report
from simulator.results import Results

QUESTION = "Do <b>nightly</b> stops & starts of 3 models cost more than $5?"
SCENARIO = f"""
name: tiny-report
description: "{QUESTION}"
seed: 1
replications: 2
horizon: 7d
fleet:
  - service: rekognition
    project: shop
    count: 3
requests:
  - name: nightly
    service: rekognition
    every: 1d
    time_of_day: "20:00"
    where: {{status: [RUNNING]}}
"""


@pytest.fixture(scope="module")
def results() -> Results:
    return simulator.run(simulator.parse_scenario(SCENARIO))


@pytest.fixture(scope="module")
def page(results: Results) -> str:
    return render_html(results, {})


def _visible(page: str) -> str:
    """The page without the folded resolved scenario."""
    return re.sub(r"<details>.*?</details>", "", page, flags=re.DOTALL)


def test_the_question_comes_first_escaped(page: str) -> None:
    escaped = "Do &lt;b&gt;nightly&lt;/b&gt; stops &amp; starts of 3 models cost more than $5?"
    assert f'<p class="question">{escaped}</p>' in page
    assert "<b>nightly</b>" not in page  # nowhere, the resolved YAML included
    assert page.index("</h1>") < page.index('class="question"') < page.index("<h2>")


def test_the_horizon_reads_in_days_and_no_raw_seconds_show(page: str) -> None:
    assert "horizon 7 days from Mon 2026-01-05 00:00 UTC" in page
    assert "<h2>Billed over the horizon (7 days)</h2>" in page
    assert "604800" not in _visible(page)


def test_latencies_read_in_the_columns_unit_named_in_its_header(
    results: Results, page: str
) -> None:
    row = results.summary().iloc[0]
    assert 120 <= row["latency_p95_s"] <= 300  # a Rekognition stop: 1 to 5 minutes
    headers = re.findall(r"<th>([^<]*)</th>", page)
    assert {"latency mean (min)", "p50 (min)", "p95 (min)", "p99 (min)", "seen p95 (min)"} <= set(
        headers
    )
    half = (row["latency_p95_s_ci_high"] - row["latency_p95_s_ci_low"]) / 2
    cell = f'{row["latency_p95_s"] / 60:.2f} <span class="ci">±{half / 60:.2f}</span>'
    assert f"<td>{cell}</td>" in page


def test_money_reads_in_dollars(results: Results, page: str) -> None:
    billed = results.billed()["usd"].iloc[0]
    assert f"<td>${billed:,.2f} " in page
    assert "USD" not in _visible(page)


def test_a_negative_amount_has_its_sign_before_the_dollar() -> None:
    table = pd.DataFrame(
        {"group": ["a<b"], "saved_usd": [-50.0], "saved_usd_ci_low": [-60.0],
         "saved_usd_ci_high": [-40.0]}
    )  # fmt: skip
    html = table_html(table, ["group"], {"saved_usd": Column("saved", "usd")})
    assert '<td>-$50.00 <span class="ci">±$10.00</span></td>' in html
    assert '<td class="key">a&lt;b</td>' in html  # keys are escaped too


def test_no_value_and_no_interval_read_plainly() -> None:
    nan = float("nan")
    table = pd.DataFrame(
        {"group": ["a", "b"], "latency_p95_s": [nan, 9000.0],
         "latency_p95_s_ci_low": [nan, nan], "latency_p95_s_ci_high": [nan, nan]}
    )  # fmt: skip
    html = table_html(table, ["group"], {"latency_p95_s": Column("p95", "duration")})
    assert "<th>p95 (h)</th>" in html
    assert "<td>-</td>" in html
    assert "<td>2.50</td>" in html  # 2.5 h; one replication: no interval


def test_the_resolved_scenario_is_folded_away_and_escaped(page: str) -> None:
    folded = re.search(
        r"<details><summary>Scenario \(resolved, every default written out\)</summary>"
        r"<pre>(.*?)</pre></details>",
        page,
        flags=re.DOTALL,
    )
    assert folded is not None
    assert "name: tiny-report" in folded.group(1)
    assert "&lt;b&gt;nightly&lt;/b&gt;" in folded.group(1)


@pytest.mark.slow
def test_write_report_writes_the_page_and_every_figure(results: Results, tmp_path: Path) -> None:
    path = write_report(results, tmp_path)
    page = path.read_text()
    names = {p.stem for p in tmp_path.glob("*.png")}
    assert names == set(results.figures())
    assert page.count('src="data:image/png;base64,') == len(names)
    assert "<h2>Stop latency</h2>" in page


def test_every_duration_of_a_table_is_in_one_unit() -> None:
    """A p50 of 117 s beside a p95 of 5 min reads in minutes too: 1.95."""
    table = pd.DataFrame(
        {"group": ["a"], "p50_s": [117.0], "p50_s_ci_low": [110.0], "p50_s_ci_high": [124.0],
         "p95_s": [300.0], "p95_s_ci_low": [290.0], "p95_s_ci_high": [310.0]}
    )  # fmt: skip
    html = table_html(
        table, ["group"], {"p50_s": Column("p50", "duration"), "p95_s": Column("p95", "duration")}
    )
    assert re.findall(r"<th>([^<]*)</th>", html) == ["p50 (min)", "p95 (min)"]
    assert '<td>1.95 <span class="ci">±0.12</span></td>' in html
    assert '<td>5.00 <span class="ci">±0.17</span></td>' in html
