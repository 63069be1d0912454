"""Simulation.after: a callback at exactly now + delay; Simulation.detach: a generator run
as a process would run, without the events of one."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import pytest
import simpy

from simulator.engine.env import Simulation
from simulator.engine.rng import Streams


def test_after_calls_back_at_now_plus_delay_with_args() -> None:
    sim = Simulation(Streams(0))
    calls: list[tuple[float, tuple[object, ...]]] = []
    sim.after(2.5, lambda *args: calls.append((sim.now, args)), "x", 1)
    sim.env.run(until=2.5)
    assert calls == []  # `until` stops before events at that instant
    sim.env.run(until=3)
    assert calls == [(2.5, ("x", 1))]


def test_after_is_relative_to_the_current_time() -> None:
    sim = Simulation(Streams(0))
    sim.env.run(until=10)
    seen: list[float] = []
    sim.after(3, lambda: seen.append(sim.now))
    sim.after(0, lambda: seen.append(sim.now))
    sim.env.run()
    assert seen == [10.0, 13.0]


def test_after_from_a_callback() -> None:
    sim = Simulation(Streams(0))
    seen: list[float] = []

    def first() -> None:
        seen.append(sim.now)
        sim.after(0.25, lambda: seen.append(sim.now))

    sim.after(1.5, first)
    sim.env.run()
    assert seen == [1.5, 1.75]
    assert sim.clock() == sim.now == 1.75


def test_sampler_draws_the_named_stream() -> None:
    from simulator.engine.distributions import Uniform

    sim = Simulation(Streams(4, 1))
    sampler = sim.sampler("svc.stop", Uniform(low=0, high=1))
    expected = Streams(4, 1).generator("svc.stop").uniform(0, 1, 1024)[:3].tolist()
    assert [sampler(), sampler(), sampler()] == expected


def _steps(sim: Simulation) -> int:
    """Run to the end one step at a time: how many events were processed."""
    steps = 0
    while sim.env.peek() < float("inf"):
        sim.env.step()
        steps += 1
    return steps


def _trace(sim: Simulation, seen: list[tuple[str, float, Any]], name: str) -> Any:
    """A request-like generator: waits, is woken with a value, catches a failure, waits
    on an event processed already, and returns."""

    def run() -> Generator[simpy.Event, Any, None]:
        seen.append((name, sim.now, "start"))
        yield sim.timeout(1.5)
        seen.append((name, sim.now, "waited"))
        value = yield sim.env.timeout(0.5, value=f"{name}-value")
        seen.append((name, sim.now, value))
        failing = sim.env.event()
        failing.fail(KeyError(name))
        try:
            yield failing
        except KeyError as error:
            seen.append((name, sim.now, f"caught {error.args[0]}"))
        done = sim.env.timeout(0, value="done")
        yield done
        value = yield done  # processed already: resumed at once, with its value
        seen.append((name, sim.now, f"again {value}"))
        yield sim.timeout(0.25) | sim.timeout(7)
        seen.append((name, sim.now, "raced"))

    return run()


@pytest.mark.parametrize("start", ["process", "detach"])
def test_detach_runs_a_generator_as_a_process_does(start: str) -> None:
    sim = Simulation(Streams(0))
    seen: list[tuple[str, float, Any]] = []
    launch: Callable[[Any], object] = getattr(sim, start)
    launch(_trace(sim, seen, "a"))
    sim.env.run(until=1)
    launch(_trace(sim, seen, "b"))
    sim.env.run()
    assert seen == [
        ("a", 0, "start"),
        ("b", 1, "start"),
        ("a", 1.5, "waited"),
        ("a", 2.0, "a-value"),
        ("a", 2.0, "caught a"),
        ("a", 2.0, "again done"),
        ("a", 2.25, "raced"),
        ("b", 2.5, "waited"),
        ("b", 3.0, "b-value"),
        ("b", 3.0, "caught b"),
        ("b", 3.0, "again done"),
        ("b", 3.25, "raced"),
    ]


def test_detach_schedules_no_event_to_end() -> None:
    """A process costs two events besides those it yields, its start and its end: the end,
    which nobody waits for, is why detach exists."""
    costs = {}
    for start in ("process", "detach"):
        sim = Simulation(Streams(0))

        def request(sim: Simulation = sim) -> Generator[simpy.Event, Any, None]:
            yield sim.timeout(1)
            yield sim.timeout(2)

        getattr(sim, start)(request())
        costs[start] = _steps(sim)
    assert costs == {"process": 4, "detach": 3}


@pytest.mark.parametrize("start", ["process", "detach"])
def test_detach_starts_when_a_process_would_at_the_same_instant(start: str) -> None:
    """Started from a step, it runs after that step and before anything else due at that
    instant, and what it schedules comes after what the step scheduled: the order in which
    ties fall, on which a run's tables depend when latencies are fixed."""
    sim = Simulation(Streams(0))
    seen: list[str] = []

    def note(name: str) -> Callable[[simpy.Event], None]:
        return lambda _event: seen.append(name)

    def started() -> Generator[simpy.Event, Any, None]:
        seen.append("started")
        yield sim.timeout(1)
        seen.append("started's wait")

    def starter() -> Generator[simpy.Event, Any, None]:
        yield sim.timeout(1)
        sim.timeout(0).callbacks.append(note("due now, scheduled before"))
        getattr(sim, start)(started())
        seen.append("starter goes on")
        sim.timeout(1).callbacks.append(note("starter's wait"))

    sim.process(starter())
    sim.env.run()
    assert seen == [
        "starter goes on",
        "started",
        "due now, scheduled before",
        "starter's wait",
        "started's wait",
    ]


def test_an_exception_a_detached_generator_lets_out_ends_the_run() -> None:
    sim = Simulation(Streams(0))

    def failing() -> Generator[simpy.Event, Any, None]:
        yield sim.timeout(1)
        raise RuntimeError("a handler's bug")

    sim.detach(failing())
    with pytest.raises(RuntimeError, match="a handler's bug"):
        sim.env.run()
    assert sim.now == 1
