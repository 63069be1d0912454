"""A corpus of broken scenarios, made by mutating the shipped ones as a fuzzer would:
deterministically, so that a failure names a mutant that is there again on the next run.

Each shipped scenario gets every operator once: those of `TEXT` change the file's bytes
(cut it short, put a NUL or an escape in it, tag a value, break its indentation), those of
`DATA` read it, change one value (the k-th leaf or mapping, k spread over the file by a
stride) and write it back. 10 scenarios x 33 operators: 330 mutants. A mutant may be valid
(a count changed to another count): the tests ask only that it is refused cleanly or runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from simulator.scenario.loader import parse_value

ROOT = Path(__file__).parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
STRIDE = 7919
"""A prime: the k-th operator's leaf is leaf (k x STRIDE) mod the leaves, spread over the file."""


@dataclass(frozen=True)
class Mutant:
    """A broken scenario: its id (`<scenario>-<operator>`) and its file's bytes."""

    id: str
    data: bytes


Leaf = tuple[Any, Any]
"""(the container, the key or index) of one value in the scenario's data."""


def _leaves(data: Any) -> list[Leaf]:
    found: list[Leaf] = []
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        if isinstance(value, dict | list) and value:
            found += _leaves(value)
        else:
            found.append((data, key))
    return found


def _mappings(data: Any) -> list[dict[str, Any]]:
    found = [data] if isinstance(data, dict) else []
    for value in data.values() if isinstance(data, dict) else data:
        if isinstance(value, dict | list):
            found += _mappings(value)
    return found


def _numbers(data: Any) -> list[Leaf]:
    return [
        (c, k) for c, k in _leaves(data)
        if isinstance(c[k], int | float) and not isinstance(c[k], bool)
    ]  # fmt: skip


def _texts(data: Any) -> list[Leaf]:
    return [(c, k) for c, k in _leaves(data) if isinstance(c[k], str)]


def _pick(choices: list[Any], k: int) -> Any:
    return choices[(k * STRIDE) % len(choices)] if choices else None


def _set(choose: Callable[[Any], list[Leaf]], value: Any) -> Callable[[Any, int], None]:
    """An operator setting a leaf `choose` finds (the k-th) to `value`."""

    def mutate(data: Any, k: int) -> None:
        leaf = _pick(choose(data), k)
        if leaf is not None:
            container, key = leaf
            container[key] = value

    return mutate


def _top(key: str, value: Any) -> Callable[[Any, int], None]:
    def mutate(data: Any, k: int) -> None:
        data[key] = value

    return mutate


def _drop_key(data: Any, k: int) -> None:
    mapping = _pick([m for m in _mappings(data) if m], k)
    del mapping[_pick(sorted(mapping), k)]


def _unknown_key(data: Any, k: int) -> None:
    _pick(_mappings(data), k)["colour"] = "blue"


DATA: dict[str, Callable[[Any, int], None]] = {
    "number-true": _set(_numbers, True),
    "number-false": _set(_numbers, False),
    "number-negative": _set(_numbers, -1),
    "number-zero": _set(_numbers, 0),
    "number-inf": _set(_numbers, math.inf),
    "number-nan": _set(_numbers, math.nan),
    "number-huge": _set(_numbers, 10**30),
    "number-text": _set(_numbers, "ten"),
    "text-long": _set(_texts, "x" * 300),
    "text-markup": _set(_texts, "[/bold][link=http://x]<b>&amp;</b>"),
    "text-path": _set(_texts, "../../etc/passwd"),
    "text-number": _set(_texts, 12),
    "leaf-null": _set(_leaves, None),
    "leaf-list": _set(_leaves, [1, [2]]),
    "leaf-mapping": _set(_leaves, {"a": {"b": 1}}),
    "drop-key": _drop_key,
    "unknown-key": _unknown_key,
    "name-dotdot": _top("name", ".."),
    "start-number": _top("start", 12345),
    "horizon-zero": _top("horizon", 0),
    "replications-huge": _top("replications", 1e20),
    "seed-negative": _top("seed", -5),
}


_LAUGHS = "\nx0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 7)
)
"""A billion laughs: ten aliases of ten aliases, six deep (10^7 values)."""


def _middle(text: str, insert: str) -> str:
    cut = text.index("\n", len(text) // 3) + 1
    return text[:cut] + insert + text[cut:]


def _first_value(text: str, value: str) -> str:
    """The first `key: value` line's value replaced."""
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("horizon:"))
    lines[index] = f"horizon: {value}"
    return "\n".join(lines)


TEXT: dict[str, Callable[[str], bytes]] = {
    "cut-half": lambda t: t[: len(t) // 2].encode(),
    "cut-byte": lambda t: t.encode()[: len(t.encode()) * 2 // 3],
    "nul": lambda t: _middle(t, "x: a\x00b\n").encode(),
    "escape": lambda t: _middle(t, "x: \x1b[31m\n").encode(),
    "tab-indent": lambda t: t.replace("\n  ", "\n\t", 1).encode(),
    "tag-python": lambda t: _first_value(t, "!!python/object/apply:os.system ['echo hi']").encode(),
    "tag-include": lambda t: _first_value(t, "!include other.yaml").encode(),
    "tag-set": lambda t: _first_value(t, "!!set {a, b}").encode(),
    "not-utf8": lambda t: _middle(t, "x: \xff\n").encode("latin-1", "replace"),
    "empty": lambda t: b"",
    "top-list": lambda t: b"- " + t.split("\n", 1)[0].encode() + b"\n",
    "duplicate-key": lambda t: (t.split("\n", 1)[0] + "\n" + t).encode(),
    "laughs": lambda t: (t + _LAUGHS).encode(),
    "unclosed": lambda t: _middle(t, "x: {a: [1, 2\n").encode(),
    "equals": lambda t: t.replace(": ", " = ", 1).encode(),
    "crlf-bom": lambda t: ("\ufeff" + t.replace("\n", "\r\n")).encode(),
}


def at_any_leaf(value: Any) -> Callable[[Any, int], None]:
    """An operator setting the k-th leaf of any kind to `value` (for Hypothesis)."""
    return _set(_leaves, value)


def data_mutant(text: str, operator: Callable[[Any, int], None], k: int) -> bytes:
    """`text` read, changed by `operator` at its k-th choice, and written as YAML."""
    data = parse_value(text)
    operator(data, k)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()


def mutants() -> Iterator[Mutant]:
    """Every operator on every shipped scenario, in a fixed order."""
    for path in SHIPPED:
        text = path.read_text(encoding="utf-8")
        for k, (name, operator) in enumerate(DATA.items()):
            yield Mutant(f"{path.stem}-{name}", data_mutant(text, operator, k))
        for name, change in TEXT.items():
            yield Mutant(f"{path.stem}-{name}", change(text))
