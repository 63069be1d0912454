"""Where files go, safely: directory names made from a scenario's strings, and the OS's
errors of writing (a full disk, a read-only file system) said as the user's problem."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from simulator.errors import ResultsError, SimulatorError

_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_.=,+-]|^\.")
NAME_LIMIT: Final = 80
"""Characters of a directory name made from a scenario's string: well under any file
system's 255 bytes, with room for what is put beside it (`-sweep`, a temporary's suffix)."""


def safe_name(name: str) -> str:
    """A directory name made from a scenario's or variant's name that can only name one
    directory inside its parent: what a file system might mind (a slash, a control
    character) and a leading dot (`..`, `.`, a hidden name) become `_`, and a name longer
    than `NAME_LIMIT` is cut, with a digest of the whole so that two long names differ."""
    safe = _UNSAFE.sub("_", name) or "_"
    if len(safe) <= NAME_LIMIT:
        return safe
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{safe[: NAME_LIMIT - 11]}-{digest}"


@contextmanager
def writing_into(directory: Path, error: type[SimulatorError] = ResultsError) -> Iterator[None]:
    """Turn an OSError raised writing into `directory` (a full disk, a read-only file
    system, a path that is a file) into `error`, naming the path and the OS's reason."""
    try:
        yield
    except OSError as failure:
        path = failure.filename or directory
        reason = failure.strerror or str(failure) or type(failure).__name__
        raise error(
            f"{path}: cannot write it ({reason}); nothing half-written in {directory} is "
            "taken for complete: fix that and run the same command again"
        ) from None
