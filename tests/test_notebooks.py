"""Every notebook in notebooks/ runs top to bottom on a fresh kernel, stored without outputs,
and every cell that plots shows its picture.

A figure the library returns has no pyplot behind it, so Jupyter shows it only because the
figure renders itself (`_repr_png_`): a cell that shows `<Figure size 660x480 with 1 Axes>`
instead is the bug these tests are here for.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
PLOTS = re.compile(r"\.plot(_\w+)?\(|\bfigures\(\)")
"""A cell that calls `.plot(...)`, `.plot_<name>(...)` or `.figures()`."""
BARE_FIGURE = re.compile(r"^<Figure size \d+x\d+ with \d+ Axes>$")


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_is_stored_without_outputs_and_imports_only_simulator(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code)
    imports = [
        line.split()[1]
        for cell in code
        for line in cell.source.splitlines()
        if line.startswith(("import ", "from "))
    ]
    # boto3 and time: what a user's own code against `simulator.simulated_aws` imports;
    # pathlib: to print the example's files
    allowed = {"simulator", "pandas", "tempfile", "boto3", "time", "pathlib"}
    assert {name.split(".")[0] for name in imports} <= allowed
    assert not any(name.startswith("simulator.") for name in imports), "public API only"


def execute(book: nbformat.NotebookNode, directory: Path) -> nbformat.NotebookNode:
    client = NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": directory}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    return book


def images(cell: nbformat.NotebookNode) -> int:
    return sum("image/png" in output.get("data", {}) for output in cell.outputs)


def bare_figures(cell: nbformat.NotebookNode) -> list[str]:
    """The outputs that are a figure's text alone: what Jupyter shows for a figure it
    cannot draw."""
    texts: list[str] = []
    for output in cell.outputs:
        data: dict[str, Any] = output.get("data", {})
        text = str(data.get("text/plain", output.get("text", ""))).strip()
        if "image/png" not in data and any(BARE_FIGURE.match(t) for t in text.splitlines()):
            texts.append(text)
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_runs_on_a_fresh_kernel_and_shows_every_figure(path: Path) -> None:
    book = execute(nbformat.read(path, as_version=4), path.parent)
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    plotting = [cell for cell in code if PLOTS.search(cell.source)]
    assert plotting, f"{path.name} draws no figure"
    for cell in plotting:
        assert images(cell) >= 1, f"no picture from:\n{cell.source}"
    for cell in code:
        assert not bare_figures(cell), f"a figure shown as text by:\n{cell.source}"


def test_the_second_notebook_covers_every_service() -> None:
    """It compares the services' stops: all five of them."""
    (path,) = (p for p in NOTEBOOKS if p.name.startswith("02-"))
    book = nbformat.read(path, as_version=4)
    source = "\n".join(cell.source for cell in book.cells if cell.cell_type == "code")
    services = ("rekognition", "lookoutvision", "comprehend", "neptune", "sagemaker")
    assert all(f"scenarios/{s}-" in source for s in services), source


@pytest.mark.slow
def test_a_figure_is_one_picture_with_or_without_pyplot_inline(tmp_path: Path) -> None:
    """matplotlib_inline registers its own PNG printer for Figure once pyplot is imported in
    a notebook: the figure must still show once, not twice (and never as text)."""
    cells = [
        "import pandas as pd\nfrom simulator.analysis import plots\n"
        "stops = pd.DataFrame({'replication': [0], 'service': ['rekognition'], "
        "'group': ['g'], 'requested_at': [0.0], 'stop_latency_s': [60.0], "
        "'observed_at': [70.0], 'outcome': ['STOPPED']})",
        "plots.latency_ecdf(stops)",
        "%matplotlib inline\nimport matplotlib.pyplot as plt\nplots.latency_ecdf(stops)",
        "fig = plots.latency_ecdf(stops)\nfig",
    ]
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    ran = execute(book, tmp_path)
    assert [images(cell) for cell in ran.cells] == [0, 1, 1, 1]
    assert not any(bare_figures(cell) for cell in ran.cells)


@pytest.mark.slow
def test_the_idle_stop_notebook_shows_its_figures_and_its_conclusion_holds() -> None:
    """Notebook 06 draws the frontier and a day of the histogram policy, and the figures
    its conclusion quotes are the run's: on the timer models the histogram serves nearly
    all requests at once for a fraction of always-on, where 10- and 20-minute keep-alives
    miss nearly all; fleet-wide the histogram makes the fewest cold starts (starts a request
    met: its pre-warms are warm), yet a 60-minute keep-alive is cheaper and serves more at
    once; per model, the histogram's 75th percentile is the lowest of the stopping
    policies."""
    (path,) = (p for p in NOTEBOOKS if p.name.startswith("06-"))
    book = nbformat.read(path, as_version=4)
    checks = """
timer = per_group.loc["timer"]
assert timer[("not served at once", "histogram")] < 0.1
assert timer[("usd", "histogram")] < 0.35 * 6 * 96 * 4
assert min(timer[("not served at once", f"keep-alive-{t}")] for t in ("10m", "20m")) > 0.9
billed, share = paper_view.columns
frontier = study.comparison().pivot(index="variant", columns="metric", values="mean")
missed = sum(frontier[f"rekognition.requests_{m}"] for m in ("failed", "throttled", "delayed"))
assert frontier.loc["keep-alive-60m", "rekognition.billed_usd"] < frontier.loc[
    "histogram", "rekognition.billed_usd"]
assert missed["keep-alive-60m"] < missed["histogram"]
cold = frontier["rekognition.cold_starts"].drop(index="always-on")
assert cold.idxmin() == "histogram" and cold["histogram"] < 0.6 * cold["keep-alive-60m"]
assert timer[("cold_starts", "histogram")] < 0.2 * timer[("cold_starts", "keep-alive-60m")]
stopping = paper_view.drop(index="always-on")[share]
assert stopping.idxmin() == "histogram"
assert paper_view[billed].drop(index="always-on").idxmax() == "histogram"
"""
    book.cells.append(nbformat.v4.new_code_cell(checks))
    ran = execute(book, path.parent)
    code = [cell for cell in ran.cells if cell.cell_type == "code"]
    drawn = [cell for cell in code if PLOTS.search(cell.source)]
    assert [images(cell) for cell in drawn] == [1, 1]  # the frontier, the day
