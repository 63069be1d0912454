"""The base of every block of a scenario, and its common field types.

Unknown keys are refused (a misspelt key is an error, not a silently kept default), blocks
are frozen (a scenario does not change while it runs), and infinities and NaN are refused
(a duration, rate or price is finite).

A block's JSON Schema (`simulate schema`, for editors) is standard Draft 2020-12: pydantic
marks a tagged union with OpenAPI's `discriminator`, which JSON Schema does not know; the
union's `oneOf` of members with a `const` tag says the same in JSON Schema's own words.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema
from pydantic.json_schema import (
    DEFAULT_REF_TEMPLATE,
    GenerateJsonSchema,
    JsonSchemaMode,
    JsonSchemaValue,
)
from pydantic_core import core_schema

DIALECT = "https://json-schema.org/draft/2020-12/schema"


class StandardJsonSchema(GenerateJsonSchema):
    """pydantic's JSON Schema in Draft 2020-12's vocabulary only, naming its dialect."""

    def generate(
        self, schema: core_schema.CoreSchema, mode: JsonSchemaMode = "validation"
    ) -> JsonSchemaValue:
        return {"$schema": DIALECT, **super().generate(schema, mode)}

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        json_schema = super().tagged_union_schema(schema)
        json_schema.pop("discriminator", None)
        return json_schema


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @classmethod
    def model_json_schema(
        cls,
        by_alias: bool | None = None,
        ref_template: str = DEFAULT_REF_TEMPLATE,
        schema_generator: type[GenerateJsonSchema] = StandardJsonSchema,
        mode: JsonSchemaMode = "validation",
        *,
        union_format: Literal["any_of", "primitive_type_array"] = "any_of",
    ) -> dict[str, Any]:
        """The block's JSON Schema; by default standard Draft 2020-12 (`StandardJsonSchema`)."""
        return super().model_json_schema(
            by_alias, ref_template, schema_generator, mode, union_format=union_format
        )


Probability = Annotated[float, Field(ge=0, le=1)]


def relative_to_scenario(path: Path, info: ValidationInfo) -> Path:
    """A file a scenario names, as an absolute path: relative to the scenario's folder (the
    validation context's `base_dir`), or to the working directory for a scenario read from
    no file. Each field checks what it must be (a file, a folder, its suffix)."""
    base = (info.context or {}).get("base_dir")
    return (Path(base) / path if not path.is_absolute() and base is not None else path).resolve()


_HOUR, _MINUTE = r"(?:[01][0-9]|2[0-3])", r"[0-5][0-9]"
DATETIME_PATTERN = (
    r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    rf"(?:[Tt _]{_HOUR}:{_MINUTE}(?::{_MINUTE}(?:[.,][0-9]+)?)?"
    rf"(?:[Zz]|[+-]{_HOUR}:?{_MINUTE})?)?$"
)
"""The text pydantic reads as a datetime: a date, or a date and a time of day with optional
seconds, fraction and zone (without one, the scenario takes UTC)."""

Timestamp = Annotated[
    datetime,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": DATETIME_PATTERN},
                {"type": "number", "description": "seconds since 1970-01-01T00:00:00Z"},
            ]
        }
    ),
]
"""A moment: ISO 8601 text (`2026-01-05T20:00:00Z`, `2026-01-05`), or Unix seconds."""
