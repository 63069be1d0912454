"""The progress bar of a long run or sweep, on stderr, shown only once it is worth it."""

from __future__ import annotations

import time

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

from simulator.cli.console import Settings


class _TimeLeft(ProgressColumn):
    """The time left as the task's `finish_at` field (a `time.monotonic()`) says, counting
    down between updates; `-:--:--` until there is one."""

    def render(self, task: Task) -> Text:
        finish_at = task.fields.get("finish_at")
        if finish_at is None:
            return Text("-:--:--", style="progress.remaining")
        minutes, seconds = divmod(round(max(0.0, finish_at - time.monotonic())), 60)
        hours, minutes = divmod(minutes, 60)
        return Text(f"{hours}:{minutes:02d}:{seconds:02d}", style="progress.remaining")


class DelayedProgress:
    """A progress bar that appears only once the work has taken more than `after_s` (and
    never with `-q`): a share of the work done, or with `counting` a count of things done
    ("3/12 units").

    The time left is this session's pace applied to the work left: the time since the
    work began over the work done since. rich's own estimate looks at the last 30 s only,
    so work in steps slower than that (a sweep's units) never got one. With `resumed`, the
    first call tells the work found done (a sweep's units run before): not done here, so
    it is left out of the pace.
    """

    def __init__(
        self,
        label: str,
        after_s: float = 2.0,
        counting: str | None = None,
        *,
        resumed: bool = False,
    ) -> None:
        self.label = label
        self.after_s = after_s
        self.counting = counting
        self.started = time.monotonic()
        self.origin: tuple[float, float] | None = None if resumed else (self.started, 0.0)
        self.finish_at: float | None = None
        self.bar: Progress | None = None
        self.task = TaskID(0)

    def __call__(self, completed: float, total: float = 1.0) -> None:
        now = time.monotonic()
        if self.origin is None:
            self.origin = (now, completed)
        began, done_before = self.origin
        if completed > done_before:
            pace_s = (now - began) / (completed - done_before)
            self.finish_at = now + pace_s * (total - completed)
        if self.bar is None:
            if now - self.started < self.after_s or Settings.quiet:
                return
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

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
