"""The distribution this package is installed as, and its version.

The import package is `simulator` and the command `simulate`, but the distribution on PyPI
is `ml-lifecycle-sim`: the name `simulator` belongs to an unrelated project there. Every
file a run writes records this version, so a result can be traced to the code that made it.
"""

from importlib.machinery import EXTENSION_SUFFIXES
from importlib.metadata import version as _installed_version
from importlib.util import find_spec
from typing import Final, Literal

DISTRIBUTION: Final = "ml-lifecycle-sim"
__version__: Final = _installed_version(DISTRIBUTION)
_PROBE: Final = "simulator.workload.clients"
"""A module the compiled build compiles (build_backend/simulator_build.py's COMPILED)."""


def build() -> Literal["compiled", "pure"]:
    """`compiled` when the modules this process imports are the mypyc-compiled ones (the
    install was `pip install . -C mypyc=1`), `pure` when they are Python source. Bug
    reports and `simulate --version` say which; the tables are the same either way.

    Asks where the import system finds (or found) a compiled module, without importing it:
    the source tree first on sys.path gives `pure` even where a compiled build is installed.
    """
    spec = find_spec(_PROBE)
    origin = (spec.origin if spec is not None else None) or ""
    return "compiled" if origin.endswith(tuple(EXTENSION_SUFFIXES)) else "pure"
