"""No two colours of one figure pass for each other: the spares are far, in CIELAB, from
every named colour and from each other, and a palette keeps whatever it hands out apart.

The conversion here is written out again from the sRGB and CIELAB definitions rather than
taken from the palette, so a mistake there cannot hide itself."""

from __future__ import annotations

import itertools
import math

import pytest
from matplotlib.colors import to_rgb

from simulator.analysis import plots
from simulator.analysis.plots.palette import _SPARE, STATUS_COLOURS

FAR = 20.0
"""ΔE*ab: the near-copies once among the spares measured 4.6 to 17.9."""
NAMED = sorted(set(STATUS_COLOURS.values()) | set(plots.GROUP_COLOURS) | {"#ffffff"})
"""The named colours, and the white they are drawn on."""


def to_lab(colour: str) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour, through linear sRGB and XYZ."""
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
               for c in to_rgb(colour))  # fmt: skip
    x = (0.412456 * r + 0.357576 * g + 0.180438 * b) / 0.950470
    y = 0.212673 * r + 0.715152 * g + 0.072175 * b
    z = (0.019334 * r + 0.119192 * g + 0.950304 * b) / 1.088830
    e, k = 216 / 24389, 24389 / 27
    fx, fy, fz = (t ** (1 / 3) if t > e else (k * t + 16) / 116 for t in (x, y, z))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    """CIE 1976 ΔE*ab between two colours."""
    return math.dist(to_lab(a), to_lab(b))


def test_delta_e_measures_known_pairs() -> None:
    assert delta_e("#000000", "#ffffff") == pytest.approx(100, abs=0.01)
    assert delta_e("#ff0000", "#ff0000") == 0
    assert delta_e("#843c39", "#8c564b") < FAR  # the spare Running once took, and Failed
    assert delta_e("#31a354", "#2ca02c") < FAR  # a spare green, and Stopped


def test_every_spare_is_far_from_every_named_colour() -> None:
    near = [(s, n, round(delta_e(s, n), 1)) for s in _SPARE for n in NAMED if delta_e(s, n) <= FAR]
    assert not near


def test_no_spare_is_too_pale_to_show_as_a_sliver_on_white() -> None:
    assert max(to_lab(spare)[0] for spare in _SPARE) <= 85


def test_the_spares_are_far_from_each_other() -> None:
    near = [(a, b) for a, b in itertools.combinations(_SPARE, 2) if delta_e(a, b) <= FAR]
    assert not near


def test_a_palette_keeps_every_colour_it_gives_apart() -> None:
    """Every status of every service and a dozen groups in one figure: far more names than
    any figure has, past the spares, into the colour map."""
    palette = plots.Palette()
    given = [palette.status(name) for name in sorted(STATUS_COLOURS)]
    given += [palette.group(f"group-{i}") for i in range(12)]
    near = [(a, b) for a, b in itertools.combinations(given, 2) if delta_e(a, b) <= FAR]
    assert not near
