"""The distribution this package is installed as, and its version.

The import package is `simulator` and the command `simulate`, but the distribution on PyPI
is `ml-lifecycle-sim`: the name `simulator` belongs to an unrelated project there. Every
file a run writes records this version, so a result can be traced to the code that made it.
"""

from importlib.metadata import version as _installed_version
from typing import Final

DISTRIBUTION: Final = "ml-lifecycle-sim"
__version__: Final = _installed_version(DISTRIBUTION)
