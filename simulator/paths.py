"""Where files go, safely: directory names made from a scenario's strings, files written
whole or not at all (`atomic_write`) with their checksums, and the OS's errors of writing
(a full disk, a read-only file system) said as the user's problem."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, Final

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
        raise error(
            f"{cannot_write(failure, directory)}; nothing half-written in {directory} is "
            "taken for complete: fix that and run the same command again"
        ) from None


def cannot_write(failure: OSError, where: Path | str) -> str:
    """'<path>: cannot write it (<the OS's reason>)', the path `where` if the error has
    none."""
    reason = failure.strerror or str(failure) or type(failure).__name__
    return f"{failure.filename or where}: cannot write it ({reason})"


MARKER: Final = ".simulate-incomplete"
"""Present while a run is written into its directory (`simulator.output`)."""
TEMPORARY: Final = ".simulate-tmp"
"""The suffix of a file being written beside its final name (`atomic_write`): what an
interruption leaves, and the next writer of the directory removes."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_READABLE = 0o666 & ~_umask()
"""The mode a plainly created file would get: what a user's umask allows."""


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """`write(temporary)` then rename onto `path`: readers never see a partial file."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY, dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, _READABLE)  # mkstemp's file is private; results are to share
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    atomic_write(path, partial(_put, data))


def _put(data: bytes, path: Path) -> None:
    path.write_bytes(data)


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(partial(file.read, 1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_JSON_NAMES: Final = {dict: "an object", list: "an array", str: "a string", bool: "true or false"}


def json_name(value: object) -> str:
    """What a JSON value is, in words, for a message about the wrong one."""
    return _JSON_NAMES.get(type(value), "a number" if value is not None else "null")


def read_json_object(path: Path, error: type[SimulatorError], damaged: str = "") -> dict[str, Any]:
    """The JSON object a run's or a sweep's own file holds; `error` naming the file and what
    is wrong with it (with `damaged`, what to do about a damaged one, appended)."""
    hint = f"; {damaged}" if damaged else ""
    try:
        value = json.loads(path.read_bytes())
    except OSError as problem:
        raise error(f"{path}: cannot read it ({problem.strerror})") from None
    except ValueError as problem:
        raise error(f"{path}: not JSON ({problem}){hint}") from None
    if not isinstance(value, dict):
        raise error(f"{path}: expected a JSON object, got {json_name(value)}{hint}")
    return value
