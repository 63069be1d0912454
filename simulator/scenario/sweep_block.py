"""A scenario's `sweep` block: its what-if variants, as a grid or by name, for `simulate
sweep` (`simulator.scenario.variants` expands them into scenarios)."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, model_validator

from simulator.engine.schema import Strict


class SweepVariant(Strict):
    """A named what-if: the settings it changes, each by its dotted path."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.\-=,+:]+$", description="used in output names")
    set: dict[str, Any] = Field(
        min_length=1, description="dotted path -> value, e.g. callers.default.retry.mode: legacy"
    )


class Sweep(Strict):
    """What-if variants of the scenario, for `simulate sweep` (`simulate run` runs the
    scenario as written). A path points into the resolved scenario (every default written
    out); list items are numbered: `requests.0.time_of_day`."""

    grid: dict[str, list[Any]] | None = Field(
        default=None, description="dotted path -> values; every combination is a variant"
    )
    variants: list[SweepVariant] | None = None
    baseline: str | None = Field(
        default=None, description="the variant the others are compared with; default the first"
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if (self.grid is None) == (self.variants is None):
            raise ValueError("give `grid` or `variants`, one of them")
        for path, values in (self.grid or {}).items():
            if not values:
                raise ValueError(f"grid: {path} has no values")
        names = [variant.name for variant in self.variants or ()]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"variants: two variants are named {twice[0]!r}")
        return self
