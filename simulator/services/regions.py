"""The AWS regions a scenario may name, each with its partition (what its ARNs begin with).

Every control-plane endpoint is regional: a region's throttles, idempotency tokens and
resources are its own. The list is botocore 1.44's `data/endpoints.json` (every partition's
`regions`), copied here because a scenario must load without botocore, which only the
tests and the `aws` extra install; `tests/unit/test_regions.py` checks that it matches.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Annotated, Any, Final

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic.config import JsonDict

DEFAULT_REGION: Final = "us-east-1"

REGIONS: Final[dict[str, str]] = {
    **dict.fromkeys(
        (
            "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
            "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
            "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
            "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
            "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
            "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
            "us-east-1", "us-east-2", "us-west-1", "us-west-2",
        ),
        "aws",
    ),
    **dict.fromkeys(("cn-north-1", "cn-northwest-1"), "aws-cn"),
    **dict.fromkeys(("us-gov-east-1", "us-gov-west-1"), "aws-us-gov"),
    **dict.fromkeys(("us-iso-east-1", "us-iso-west-1"), "aws-iso"),
    **dict.fromkeys(("us-isob-east-1", "us-isob-west-1"), "aws-iso-b"),
    **dict.fromkeys(("eu-isoe-west-1",), "aws-iso-e"),
    **dict.fromkeys(("us-isof-east-1", "us-isof-south-1"), "aws-iso-f"),
    **dict.fromkeys(("eusc-de-east-1",), "aws-eusc"),
}  # fmt: skip
"""Region -> partition, as botocore 1.44's endpoints.json lists them."""


def known_region(region: str) -> str:
    """`region` if AWS has it; else a ValueError naming the nearest regions it knows."""
    if region in REGIONS:
        return region
    nearest = get_close_matches(region, REGIONS, n=3, cutoff=0.5)
    hint = f"nearest: {', '.join(nearest)}" if nearest else f"e.g. {DEFAULT_REGION}"
    raise ValueError(f"unknown AWS region {region!r}; {hint}")


def arn_place(arn: str) -> tuple[str, str]:
    """The region and the account an ARN names (`arn:aws:rekognition:<region>:<account>:
    ...`); empty for a string that is no ARN (a Neptune job's id)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return "", ""
    return parts[3], parts[4]


Region = Annotated[
    str,
    AfterValidator(known_region),
    WithJsonSchema({"type": "string", "enum": list(REGIONS)}),
]
"""An AWS region's name (`eu-west-1`): one botocore knows, checked as a scenario loads."""


def _no_default(schema: JsonDict) -> None:
    schema.pop("default", None)


def inherited_region() -> Any:
    """The `region` field of a fleet entry or a caller: the scenario's region unless it
    names one (the scenario fills it in as it loads; the JSON Schema shows no default)."""
    return Field(
        default=DEFAULT_REGION,
        description="default: the scenario's region",
        json_schema_extra=_no_default,
    )
