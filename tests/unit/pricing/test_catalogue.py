"""The catalogue: every row cited, dated where its source dates it, one row per key; a
user's CSV in its format read with errors naming the file, the line and the column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.pricing.catalogue import UNITS, catalogue, read_csv, read_rows
from simulator.services.regions import REGIONS

HEADER = "region,service,item,instance_type,unit,usd,effective_date,source\n"


def test_every_catalogue_row_names_a_region_unit_figure_and_source() -> None:
    rows = catalogue()
    assert len(rows) >= 30
    assert all(r.region in REGIONS and r.unit in UNITS and r.usd > 0 for r in rows)
    assert all(len(r.source) > 20 for r in rows)  # a URL or repo@commit path, with its words
    assert len({r.key for r in rows}) == len(rows)


def test_the_catalogue_holds_the_cited_figures() -> None:
    """A few rows to the digit: a change to one is a change of its citation."""
    rows = {r.key: r for r in catalogue()}
    assert rows[("us-east-1", "sagemaker", "hosting", "ml.g5.xlarge")].usd == 1.4084
    assert rows[("us-east-1", "sagemaker", "hosting", "ml.p4d.24xlarge")].usd == 37.688
    assert rows[("us-east-1", "sagemaker", "hosting", "ml.m5.2xlarge")].usd == 0.461
    assert rows[("eu-west-1", "sagemaker", "training", "ml.m5.xlarge")].usd == 0.257
    assert rows[("us-east-1", "lambda", "requests", "")].usd == 0.0000002
    assert rows[("us-east-1", "lambda", "duration", "")].usd == 0.0000166667
    duration = {r.region for r in rows.values() if (r.service, r.item) == ("lambda", "duration")}
    # aws-lambda-power-tuning's "default" 2.1e-9 per 128 MB-ms is 0.0000168 per GB-second,
    # not AWS's 0.0000166667: no source gives another region's figure as the row would say
    assert duration == {"us-east-1"}
    assert rows[("us-east-1", "s3", "storage", "")].effective_date == "2025-08-29"
    assert rows[("us-east-1", "comprehend", "model_management", "")].unit == "month"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param(
            "eu-west-9,lambda,duration,,GB-second,1,,x",
            "line 2: column region: unknown AWS",
            id="region",
        ),
        pytest.param(
            "eu-west-1,lambda,duration,,GB-hour,1,,x",
            "line 2: column unit: 'GB-hour' is not",
            id="unit",
        ),
        pytest.param(
            "eu-west-1,lambda,duration,,GB-second,cheap,,x",
            "line 2: column usd: expected a num",
            id="figure",
        ),
        pytest.param(
            "eu-west-1,lambda,duration,,GB-second,-1,,x",
            "column usd: expected a non-negative",
            id="negative",
        ),
        pytest.param(
            "eu-west-1,lambda,duration,,GB-second,1,March 2026,x",
            "column effective_date: expected an ISO date",
            id="date",
        ),
        pytest.param(
            "eu-west-1,sagemaker,training,m5.xlarge,hour,1,,x",
            "column instance_type: sagemaker training is an instance type's hour; expected an "
            "ml.* type, got 'm5.xlarge'",
            id="instance-type",
        ),
        pytest.param(
            "eu-west-1,lambda,duration,,GB-second,1,,", "column source is empty", id="src"
        ),
        pytest.param(
            "eu-west-1,rekognition,inferences,,hour,4.4,,x",
            "line 2: column item: rekognition has no item 'inferences'; expected one of "
            "inference, training",
            id="item",
        ),
        pytest.param(
            "eu-west-1,rekogniton,inference,,hour,4.4,,x",
            "line 2: column service: 'rekogniton' has no price item; expected one of "
            "comprehend, lambda, lookoutvision, rekognition, s3, sagemaker, sqs",
            id="service",
        ),
        pytest.param(
            "eu-west-1,rekognition,inference,,request,4.4,,x",
            "line 2: column unit: rekognition inference is priced per hour or month, not "
            "per request",
            id="unit-of-item",
        ),
        pytest.param(
            "eu-west-1,lambda,duration,,hour,0.06,,x",
            "line 2: column unit: lambda duration is priced per GB-second, not per hour",
            id="unit-of-duration",
        ),
        pytest.param(
            "eu-west-1,sagemaker,training,,hour,1,,x",
            "line 2: column instance_type: sagemaker training is an instance type's hour; "
            "expected an ml.* type",
            id="no-instance-type",
        ),
        pytest.param(
            "eu-west-1,rekognition,inference,ml.m5.xlarge,hour,4.4,,x",
            "line 2: column instance_type: rekognition inference has none; expected it empty",
            id="instance-type-of-other",
        ),
    ],
)
def test_a_bad_row_is_named_by_file_line_and_column(line: str, message: str) -> None:
    expected = re.escape(f"mine.csv {message}" if "line" in message else message)
    with pytest.raises(ValueError, match=expected):
        read_rows(HEADER + line + "\n", "mine.csv")


def test_a_row_given_twice_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    row = "eu-west-1,lambda,duration,,GB-second,1,,x\n"
    path.write_text(HEADER + row + row)
    with pytest.raises(ValueError, match=r"line 3: lambda duration in eu-west-1 is given twice"):
        read_csv(path)


def test_a_csv_without_the_catalogue_columns_says_which() -> None:
    with pytest.raises(ValueError, match=r"mine.csv: lacks column\(s\) unit, usd"):
        read_rows("region,service,item,instance_type,effective_date,source\n", "mine.csv")
