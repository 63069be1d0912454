"""The figure every plot returns, and the layouts the plots share.

The plots are built with matplotlib's object API, never pyplot: no global figure manager,
no windows, nothing leaked by a loop of reports. But IPython shows an object as a picture
only when it says how to: pyplot's inline backend registers a PNG printer for `Figure`, and
without pyplot a notebook showed `<Figure size 660x480 with 1 Axes>`. So `Figure` here
renders itself as a PNG (`_repr_png_`, on the Agg canvas `savefig` picks). With
`%matplotlib inline` active, IPython uses the printer registered for the type before any
`_repr_png_`: the figure still shows once, as one picture.
"""

from __future__ import annotations

import io
from typing import Final

import matplotlib.figure
from matplotlib.axes import Axes

DPI: Final = 100
"""Pixels per inch of a figure shown in a notebook: a 11-inch figure is 1,100 pixels wide."""


class Figure(matplotlib.figure.Figure):
    """A matplotlib Figure that a notebook shows as a picture."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
        return buffer.getvalue()


def new_figure(width: float, height: float) -> Figure:
    """A figure of `width` by `height` inches whose parts are laid out not to overlap."""
    return Figure(figsize=(width, height), layout="constrained")


def plain(text: str) -> str:
    """`text` shown as written: a second `$` in a text would start matplotlib's mathtext
    ("$1, saved $13" printed `1, saved` in italics), so with two or more they are escaped."""
    return text.replace("$", r"\$") if text.count("$") > 1 else text


def panels(fig: Figure, count: int) -> list[Axes]:
    """`count` axes side by side, or in two rows when there are more than three."""
    columns = count if count <= 3 else (count + 1) // 2
    grid = fig.subplots((count + columns - 1) // columns, columns, squeeze=False)
    for spare in grid.ravel()[count:]:
        spare.set_visible(False)
    return list(grid.ravel()[:count])


def empty(title: str, message: str) -> Figure:
    """A figure that says there is nothing to draw, instead of failing in a report loop."""
    fig = new_figure(6.0, 3.0)
    ax = fig.subplots()
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=14)
    ax.set_axis_off()
    ax.set_title(title)
    return fig
