"""The progress of a long run or sweep, on stderr, shown only once it is worth it: a bar on
a terminal, and a line every `LINE_EVERY_S` in a log (stderr a file or a pipe), where a bar
would print nothing until the end."""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
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
PACE_OVER_S: Final = 30.0
"""The time left follows the pace of this last stretch of wall-clock time."""
_LOOK_S: Final = 0.5


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

    The time left is the wall-clock pace of the last `PACE_OVER_S` (at least the last two
    reports) applied to the work left. Recent pace, since what a report counts is not
    always even work: a run reports the share of its simulated time done, and a burst of
    requests early in the horizon takes more wall-clock time per share than the quiet rest
    (the pace since the start would hold to that burst for the whole run). Counting from
    the first report leaves out what came before it (building the model, the units a
    resumed sweep found done); rich's own estimate looks at the last 30 s only, so work in
    steps slower than that (a sweep's units) never got one.

    In a log, a thread prints the last state every `LINE_EVERY_S`, whether or not a report
    came since: a pool reports once per replication, a sweep once per unit.
    """

    def __init__(self, label: str, after_s: float = 2.0, counting: str | None = None) -> None:
        self.label = label
        self.after_s = after_s
        self.counting = counting
        self.started = time.monotonic()
        self.reports: deque[tuple[float, float]] = deque()
        self.state: tuple[float, float] | None = None
        self.finish_at: float | None = None
        self.bar: Progress | None = None
        self.task = TaskID(0)
        self.terminal = sys.stderr.isatty()
        self.last_line = -LINE_EVERY_S
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.ticker: threading.Thread | None = None

    def __call__(self, completed: float, total: float = 1.0) -> None:
        now = time.monotonic()
        with self.lock:
            self._pace(now, completed, total)
            self.state = (completed, total)
        if Settings.quiet:
            return
        if not self.terminal:
            if self.ticker is None:
                first_s = self.started + self.after_s - now
                self.ticker = threading.Thread(target=self._tick_on, args=(first_s,), daemon=True)
                self.ticker.start()
            return
        if now - self.started < self.after_s:
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

    def _pace(self, now: float, completed: float, total: float) -> None:
        """Keep the reports of the last PACE_OVER_S (at least two) and the finish they
        foretell."""
        self.reports.append((now, completed))
        while len(self.reports) > 2 and now - self.reports[1][0] >= PACE_OVER_S:
            self.reports.popleft()
        began, done_before = self.reports[0]
        if completed > done_before and now > began:
            pace_s = (now - began) / (completed - done_before)
            self.finish_at = now + pace_s * (total - completed)

    def _tick_on(self, first_s: float) -> None:
        """Tick from `first_s` on (once the progress may show) until closed."""
        if self.stopping.wait(max(0.0, first_s)):
            return
        while not self.stopping.wait(_LOOK_S):
            self.tick()

    def tick(self) -> None:
        """In a log: the last state as a line, once `after_s` has passed and at most every
        LINE_EVERY_S."""
        now = time.monotonic()
        with self.lock:
            if self.state is None or now - self.started < self.after_s:
                return
            if self.state[0] >= self.state[1]:  # done: what follows says so
                return
            if now - self.last_line < LINE_EVERY_S:
                return
            self.last_line = now
            line = self.line(*self.state, now)
        say(line)

    def line(self, completed: float, total: float, now: float) -> str:
        """The plain line a log gets: 'x: 3/12 units done, about 0:01:10 left at the pace of
        the last 0:00:30'."""
        done = (
            f"{completed:.0f}/{total:.0f} {self.counting}"
            if self.counting
            else f"{completed / total:.0%}"
        )
        left = "time left not known yet" if self.finish_at is None else (
            f"about {_clock(self.finish_at - now)} left at the pace of the last "
            f"{_clock(self.reports[-1][0] - self.reports[0][0])}"
        )  # fmt: skip
        return f"{self.label}: {done} done, {left}"

    def close(self) -> None:
        self.stopping.set()
        if self.ticker is not None:
            self.ticker.join()
        if self.bar is not None:
            self.bar.stop()
