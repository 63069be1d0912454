"""Named random streams spawned from one `numpy.random.SeedSequence`.

A stream is named by purpose ("rekognition.stop", "requests.nightly"). Its seed is derived
from (scenario seed, replication, name), never from the order streams are created in, so
adding a service or an arrival does not shift anyone else's draws, and replication k of two
variants of a scenario draws the same numbers (common random numbers).

Values are drawn in blocks and handed out one by one: a scalar numpy draw costs about a
microsecond, a block of 1024 about as much per block.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from itertools import chain

import numpy as np

BLOCK = 1024


def _name_key(name: str) -> tuple[int, ...]:
    """Two CRC-32s of the name: a stable 64-bit key (Python's hash() is salted per process)."""
    data = name.encode()
    return (zlib.crc32(data), zlib.crc32(data[::-1] + b"\x00"))


class Streams:
    """The random streams of one replication."""

    def __init__(self, seed: int, replication: int = 0) -> None:
        if seed < 0 or replication < 0:
            raise ValueError(f"seed(={seed}) and replication(={replication}) must be >= 0.")
        self.seed = seed
        self.replication = replication
        self._generators: dict[str, np.random.Generator] = {}

    def generator(self, name: str) -> np.random.Generator:
        """The generator of stream `name`, the same object on every call."""
        generator = self._generators.get(name)
        if generator is None:
            sequence = np.random.SeedSequence(
                self.seed, spawn_key=(self.replication, *_name_key(name))
            )
            generator = np.random.Generator(np.random.PCG64(sequence))
            self._generators[name] = generator
        return generator

    def sampler(
        self, name: str, draw: Callable[[np.random.Generator, int], np.ndarray]
    ) -> Callable[[], float]:
        """A zero-argument function returning the next value of `draw` on stream `name`.

        One stream should feed one sampler: two samplers on one stream interleave blocks.
        """
        generator = self.generator(name)
        blocks = iter(lambda: draw(generator, BLOCK).tolist(), None)  # one block a call
        return chain.from_iterable(blocks).__next__  # Python runs once a block, not a draw
