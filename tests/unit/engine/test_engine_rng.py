"""Named streams: one generator per name, seeded from (seed, replication, name) alone."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.engine.rng import BLOCK, Streams


def _uniform(generator: np.random.Generator, size: int) -> np.ndarray:
    return generator.random(size)


def test_generator_is_the_same_object_per_name() -> None:
    streams = Streams(1)
    assert streams.generator("a") is streams.generator("a")
    assert streams.generator("a") is not streams.generator("b")


def test_draws_do_not_depend_on_other_streams_or_creation_order() -> None:
    alone = Streams(7, 2).generator("svc.stop").random(8)

    first = Streams(7, 2)
    first.generator("svc.stop")
    first.generator("arrivals.nightly").random(100)
    after_others_created_later = first.generator("svc.stop").random(8)

    second = Streams(7, 2)
    second.generator("arrivals.nightly").random(100)
    second.generator("zzz")
    after_others_created_first = second.generator("svc.stop").random(8)

    np.testing.assert_array_equal(after_others_created_later, alone)
    np.testing.assert_array_equal(after_others_created_first, alone)


def test_same_seed_replication_and_name_draw_the_same() -> None:
    np.testing.assert_array_equal(
        Streams(3, 1).generator("x").random(5), Streams(3, 1).generator("x").random(5)
    )


@pytest.mark.parametrize(
    "other",
    [(3, 1, "y"), (3, 0, "x"), (4, 1, "x"), (3, 1, "x ")],
    ids=["name", "replication", "seed", "name-with-space"],
)
def test_different_name_replication_or_seed_draws_differently(
    other: tuple[int, int, str],
) -> None:
    base = Streams(3, 1).generator("x").random(5)
    seed, replication, name = other
    drawn = Streams(seed, replication).generator(name).random(5)
    assert not np.any(base == drawn)


def test_sampler_hands_out_values_in_block_order() -> None:
    sampler = Streams(5).sampler("s", _uniform)
    got = [sampler() for _ in range(BLOCK + 3)]

    fresh = Streams(5).generator("s")
    expected = np.concatenate([fresh.random(BLOCK), fresh.random(BLOCK)])[: BLOCK + 3]
    assert got == expected.tolist()
    assert all(type(v) is float for v in got[:3])


def test_sampler_draws_a_block_only_when_the_last_runs_out() -> None:
    """Lazily, in either build: a sampler that drew ahead (as a compiled generator
    expression once did, without end) fails here instead of filling the memory."""
    blocks: list[int] = []

    def draw(generator: np.random.Generator, n: int) -> np.ndarray:
        blocks.append(n)
        if len(blocks) > 2:
            raise AssertionError("the sampler drew a block before it was needed")
        return generator.random(n)

    sample = Streams(1).sampler("lazy", draw)
    assert blocks == []
    for _ in range(BLOCK):
        sample()
    assert blocks == [BLOCK]
    sample()
    assert blocks == [BLOCK, BLOCK]


def test_sampler_uses_the_named_stream_of_its_streams() -> None:
    streams = Streams(5)
    sampler = streams.sampler("s", lambda g, n: g.integers(0, 1_000_000, n))
    first = sampler()
    assert first == Streams(5).generator("s").integers(0, 1_000_000, BLOCK)[0]


@pytest.mark.parametrize(("seed", "replication"), [(-1, 0), (0, -1)])
def test_negative_seed_or_replication_raises(seed: int, replication: int) -> None:
    with pytest.raises(ValueError, match="must be >= 0"):
        Streams(seed, replication)
