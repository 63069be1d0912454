"""A request stream that runs the user's own code: `handler: path/to/file.py:function`.

Each arrival invokes the function as Lambda does, `handler(event, context)`, and the
boto3 calls it makes are the stream's requests. What can be checked before a run is checked
here, without running the user's code (which would create clients outside any simulation):
the file exists and compiles, and the name is bound at its top level by a `def` (not an
`async def`: Lambda's Python runtime calls the handler synchronously), a class, an import
or an assignment of something other than a literal. The rest (an import inside the module
fails, the name is bound to something not callable at run time) is an invocation error,
recorded as Lambda reports it.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Self

from pydantic import (
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_validator,
)

from simulator.engine.distributions import PositiveDuration
from simulator.engine.schema import Strict
from simulator.scenario.schedule import Schedule
from simulator.scenario.trace import TraceFile, read_invocations

if TYPE_CHECKING:  # a replayed trace's reader imports pandas: validating is fast
    import pandas as pd

LAMBDA_MAX_TIMEOUT_S = 900.0
"""Lambda's longest timeout, 15 minutes (DOC)."""


class HandlerRef(Strict):
    """Where the handler is: the file (relative to the scenario's) and the function."""

    path: Path
    function: str


def parse_handler(text: str, base: Path | None) -> HandlerRef:
    """`file.py:function` -> a checked `HandlerRef`, or ValueError saying what is wrong."""
    file, sep, function = text.rpartition(":")
    if not sep or not file or not function.isidentifier():
        raise ValueError(f"expected 'path/to/file.py:function', got {text!r}")
    path = Path(file)
    path = (base / path if not path.is_absolute() and base is not None else path).resolve()
    if path.suffix != ".py":
        raise ValueError(f"expected a Python file (.py), got {path.name}")
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    source = path.read_text(encoding="utf-8")
    try:
        module = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        raise ValueError(
            f"{path}, line {error.lineno}: the module does not compile: {error.msg}"
        ) from None
    _check_bound(module, function, path)
    return HandlerRef(path=path, function=function)


def _check_bound(module: ast.Module, function: str, path: Path) -> None:
    defined: list[str] = []
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            if node.name == function:
                return
            defined.append(node.name)
        elif isinstance(node, ast.AsyncFunctionDef) and node.name == function:
            raise ValueError(
                f"{path}: {function} is an async function; Lambda's Python runtime calls a "
                "handler synchronously: define it with `def`"
            )
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == function for t in targets):
                if isinstance(node.value, ast.Constant | ast.List | ast.Dict | ast.Tuple):
                    raise ValueError(
                        f"{path}: {function} is bound to a literal, which is not callable; "
                        "expected a function handler(event, context)"
                    )
                return
        elif isinstance(node, ast.Import | ast.ImportFrom) and any(
            (a.asname or a.name.split(".")[0]) == function for a in node.names
        ):
            return
    found = f"; functions defined there: {', '.join(defined)}" if defined else ""
    raise ValueError(f"{path} defines no {function!r} at its top level{found}")


class InvocationReplay(TraceFile):
    """A trace of invocations: CSV or Parquet with `time` (seconds from the start, or ISO
    timestamps) and optionally `event` (a JSON object to invoke with, such as an exported
    EventBridge event; default the scheduled event)."""

    @staticmethod
    def read_file(path: Path) -> pd.DataFrame:
        return read_invocations(path)


class Invocations(Schedule):
    """A stream of invocations of the user's handler (`handler: file.py:function`).

    Exactly one of `at`, `every`, `poisson`, `replay` says when (a `poisson` stream invokes
    until `count`); each invocation is its own simulated process, with an EventBridge scheduled
    event and a Lambda context, ended at `timeout` as Lambda ends a function.
    """

    name: str | None = None
    handler: Annotated[
        HandlerRef,
        WithJsonSchema({"type": "string", "pattern": r"^.+\.py:[A-Za-z_][A-Za-z0-9_]*$"}),
    ] = Field(description="'path/to/file.py:function', relative to the scenario file")
    caller: str = Field(
        default="default", description="whose identity, network and retry mode the code has"
    )
    timeout: PositiveDuration = Field(
        default=LAMBDA_MAX_TIMEOUT_S,
        le=LAMBDA_MAX_TIMEOUT_S,
        description="Lambda's timeout: an invocation still running is ended (max 900 s)",
    )
    count: int | None = Field(default=None, ge=1, description="with `poisson`: at most this many")
    replay: InvocationReplay | None = Field(
        default=None, description="invoke at each row's time of a trace (with its `event`)"
    )

    @field_validator("handler", mode="before")
    @classmethod
    def _handler(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            base = (info.context or {}).get("base_dir")
            return parse_handler(value, None if base is None else Path(base))
        return value

    @field_serializer("handler")
    def _as_written(self, handler: HandlerRef) -> str:
        """As a scenario writes it: `path:function` (the path resolved)."""
        return f"{handler.path}:{handler.function}"

    @model_validator(mode="after")
    def _one_schedule(self) -> Self:
        self.check_schedule(("at", "every", "poisson", "replay"))
        if self.count is not None and self.poisson is None:
            raise ValueError("`count` goes with `poisson`")
        return self
