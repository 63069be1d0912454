"""Simulation.after: a callback at exactly now + delay."""

from __future__ import annotations

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
