"""The progress of a long run or sweep, on stderr, shown only once it is worth it: a bar on
a terminal, and a line every `LINE_EVERY_S` in a log (stderr a file or a pipe), where a bar
would print nothing until the end."""

from __future__ import annotations

import sys
import time
from typing import Final

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TextColumn,
)
from rich.text import Text

from simulator.cli.console import Settings, say

LINE_EVERY_S: Final = 5.0


def _clock(seconds: float) -> str:
    minutes, whole = divmod(round(max(0.0, seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{whole:02d}"


class _TimeLeft(ProgressColumn):
    """The time left as the task's `finish_at` field (a `time.monotonic()`) says, counting
    down between updates; `-:--:--` until there is one."""

    def render(self, task: Task) -> Text:
        finish_at = task.fields.get("finish_at")
        if finish_at is None:
            return Text("-:--:--", style="progress.remaining")
        return Text(_clock(finish_at - time.monotonic()), style="progress.remaining")


class DelayedProgress:
    """Progress that appears only once the work has taken more than `after_s` (and never
    with `-q`): a share of the work done, or with `counting` a count of things done
    ("3/12 units").

    The time left is the wall-clock pace since the first report applied to the work left:
    the time since that report over the work done since. Counting from the first report
    leaves out what came before it (building the model, the units a resumed sweep found
    done), which is not work the rest will repeat; rich's own estimate looks at the last
    30 s only, so work in steps slower than that (a sweep's units) never got one.
    """

    def __init__(self, label: str, after_s: float = 2.0, counting: str | None = None) -> None:
        self.label = label
        self.after_s = after_s
        self.counting = counting
        self.started = time.monotonic()
        self.origin: tuple[float, float] | None = None
        self.finish_at: float | None = None
        self.bar: Progress | None = None
        self.task = TaskID(0)
        self.terminal = sys.stderr.isatty()
        self.last_line = -LINE_EVERY_S

    def __call__(self, completed: float, total: float = 1.0) -> None:
        now = time.monotonic()
        if self.origin is None:
            self.origin = (now, completed)
        began, done_before = self.origin
        if completed > done_before and now > began:
            pace_s = (now - began) / (completed - done_before)
            self.finish_at = now + pace_s * (total - completed)
        if now - self.started < self.after_s or Settings.quiet:
            return
        if not self.terminal:
            if now - self.last_line >= LINE_EVERY_S:
                self.last_line = now
                say(self.line(completed, total, now))
            return
        if self.bar is None:
            done: tuple[ProgressColumn, ...] = (
                (MofNCompleteColumn(), TextColumn(self.counting))
                if self.counting
                else (TaskProgressColumn(),)
            )
            self.bar = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                *done,
                _TimeLeft(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total, completed=int(completed))
        self.bar.update(self.task, completed=completed, total=total, finish_at=self.finish_at)

    def line(self, completed: float, total: float, now: float) -> str:
        """The plain line a log gets: 'x: 3/12 units, 0:01:10 left'."""
        done = (
            f"{completed:.0f}/{total:.0f} {self.counting}"
            if self.counting
            else f"{completed / total:.0%}"
        )
        left = "time left not known yet" if self.finish_at is None else (
            f"about {_clock(self.finish_at - now)} left"
        )  # fmt: skip
        return f"{self.label}: {done} done, {left}"

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
