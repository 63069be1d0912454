"""A sweep's directory on disk: who may write it, what it must hold, and when its answers
are whole.

    OUT/.simulate-lock    held (flock) by the one sweep writing here; names its holder
    OUT/sweep.json        the study's manifest, written first
    OUT/units/...         the units, each renamed into place whole (`simulator.units`)
    OUT/summary.csv ...   the answers (`ANSWERS`)
    OUT/answers.json      each answer's SHA-256 and rows, written last

One sweep writes a directory at a time: a second one into it is refused, naming the
process that holds it, rather than deleting what the first is writing. The lock is the
kernel's (`fcntl.flock`), so a killed sweep holds it no longer, and no stale lock is left
to clear by hand.

The answers are drawn from every unit at the end. `answers.json` is removed before the
directory changes and written once every answer is, so an answer file without it is from
a sweep interrupted while writing, or from a study since grown: never the whole answer.
Leftovers of an interruption (hidden temporaries of a unit or a file) are removed when the
next sweep takes the lock, since no other writer can be at work then.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd

from simulator.errors import SweepError
from simulator.output import write_table
from simulator.paths import (
    TEMPORARY,
    read_json_object,
    safe_name,
    sha256,
    write_bytes,
    writing_into,
)

LOCK: Final = ".simulate-lock"
MANIFEST: Final = "sweep.json"
DONE: Final = "answers.json"
ANSWERS: Final = ("summary.csv", "summary.parquet", "comparison.csv", "replications.csv")
_KEYS: Final = {
    "seed": (int, "a whole number"),
    "code": (str, "text"),
    "simulator_version": (str, "text"),
    "variants": (list, "a list"),
}


def check_destination(directory: Path) -> None:
    """Refuse, before anything is written, a path that cannot be a sweep's directory: a
    file, or a directory holding files but no sweep.json (a run's, say), which is never
    written into nor partly deleted, even with --fresh."""
    if directory.exists() and not directory.is_dir():
        raise SweepError(f"{directory} is a file: give a directory for the sweep (--out)")
    if not (directory / MANIFEST).is_file() and directory.is_dir():
        try:
            foreign = any(entry.name != LOCK for entry in directory.iterdir())
        except OSError as error:
            raise SweepError(f"{directory}: cannot list it ({error.strerror})") from None
        if foreign:
            raise SweepError(
                f"{directory} is not empty and holds no sweep.json: it is not a sweep's "
                "directory, and nothing in it is overwritten. Give a new or empty directory "
                "(--out)."
            )


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold the directory's lock while the block runs; SweepError naming the holder if
    another sweep holds it."""
    with writing_into(directory, SweepError):
        directory.mkdir(parents=True, exist_ok=True)
        handle = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 512, 0).decode(errors="replace").strip() or "unknown"
            raise SweepError(
                f"{directory} is in use by another sweep ({holder}): wait for it to end, "
                "or give another --out"
            ) from None
        except OSError as error:  # ENOLCK, EOPNOTSUPP: a filesystem without locks
            raise SweepError(
                f"{directory / LOCK}: cannot lock it ({error.strerror or error}), so another "
                "sweep could write into the directory at the same time: give an --out on a "
                "filesystem that has locks"
            ) from None
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.ftruncate(handle, 0)
        os.pwrite(
            handle, f"pid {os.getpid()} on {socket.gethostname()}, since {started}\n".encode(), 0
        )
        yield
    finally:
        os.close(handle)  # releases the lock


def prepare(directory: Path, manifest: dict[str, Any], fresh: bool) -> None:
    """Under the lock: check that `directory` holds nothing of another study, clear the old
    answers and the leftovers of an interruption, and write the manifest (first: a
    directory with units has one)."""
    path = directory / MANIFEST
    if not fresh and path.is_file():  # refused before anything is removed: its answers stay
        _check(directory, read_manifest(path), manifest)
    with writing_into(directory, SweepError):
        (directory / DONE).unlink(missing_ok=True)  # from here the answers are not whole
        for name in ANSWERS:
            (directory / name).unlink(missing_ok=True)
        shutil.rmtree(directory / "figures", ignore_errors=True)
        if fresh:
            shutil.rmtree(directory / "units", ignore_errors=True)
        write_bytes(path, (json.dumps(manifest, indent=2) + "\n").encode())
        for leftover in directory.glob("units/*/.replication-*.tmp"):
            shutil.rmtree(leftover, ignore_errors=True)
        for leftover in directory.glob(f".*{TEMPORARY}"):
            leftover.unlink(missing_ok=True)


def make_folders(directory: Path, folders: Iterator[str]) -> None:
    """`units/<folder>` for each variant; SweepError naming one that is a file."""
    with writing_into(directory, SweepError):
        for folder in folders:
            path = directory / "units" / folder
            if path.exists() and not path.is_dir():
                raise SweepError(
                    f"{path} is a file, where the sweep keeps that variant's units: remove it "
                    "and run the same command again"
                )
            path.mkdir(parents=True, exist_ok=True)


_DAMAGED: Final = "the file is damaged: run with --fresh to start the study anew"


def read_manifest(path: Path) -> dict[str, Any]:
    """A sweep.json, checked; SweepError naming it and what is wrong."""
    manifest = read_json_object(path, SweepError, _DAMAGED)
    for key, (kind, name) in _KEYS.items():
        if not isinstance(manifest.get(key), kind):
            raise SweepError(f"{path}: {key}: missing or not {name}; {_DAMAGED}")
    for variant in manifest["variants"]:
        if not isinstance(variant, dict) or not all(
            isinstance(variant.get(k), str) for k in ("name", "digest")
        ):
            raise SweepError(f"{path}: variants: each needs a name and a digest; {_DAMAGED}")
    return manifest


def _check(directory: Path, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    changes = []
    if old["seed"] != new["seed"]:
        changes.append(f"seed {old['seed']} (now {new['seed']})")
    if old["code"] != new["code"]:
        changes.append(
            f"other simulator code (version {old['simulator_version']}, code {old['code']}; "
            f"now {new['simulator_version']}, {new['code']})"
        )
    before = {v["name"]: v["digest"] for v in old["variants"]}
    changed = [
        v["name"] for v in new["variants"] if before.get(v["name"], v["digest"]) != v["digest"]
    ]
    if changed:
        changes.append(f"another scenario for variant(s) {', '.join(changed)}")
    if changes:
        raise SweepError(
            f"{directory} holds a sweep run with {'; '.join(changes)}: its results are not "
            "mixed with these. Give another output directory, or --fresh to discard them."
        )


def write_answers(
    directory: Path,
    answers: Mapping[str, pd.DataFrame],
    units: int,
    written: Sequence[Path] = (),
) -> None:
    """Each answer renamed into place whole, then `answers.json` naming them and the files
    already `written` into the directory (the figures): the marker that they are whole and
    of the study in sweep.json."""
    with writing_into(directory, SweepError):
        files: dict[str, dict[str, object]] = {}
        for name, table in answers.items():
            write_table(directory / name, table)
            files[name] = {"rows": len(table), "sha256": sha256(directory / name)}
        for path in written:
            files[path.relative_to(directory).as_posix()] = {"sha256": sha256(path)}
        done = {
            "units": units,
            "files": files,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        write_bytes(directory / DONE, (json.dumps(done, indent=2) + "\n").encode())


def check_folders(variants: Sequence[str]) -> None:
    """Refuse two variants whose names make the same directory name, or two that differ
    only in case, which a case-insensitive filesystem takes for one."""
    named: dict[str, str] = {}
    for variant in variants:  # casefolded: on macOS and Windows units/A is units/a
        other = named.setdefault(folder(variant).casefold(), variant)
        if other != variant:
            raise SweepError(
                f"variants {other!r} and {variant!r} would share the directory "
                f"units/{folder(variant)} (a directory name holds only letters, digits and "
                "_.=,+-): rename one"
            )


def folder(variant: str) -> str:
    """A variant's directory name under units/: its name, with what a filesystem might
    mind replaced."""
    return safe_name(variant)
