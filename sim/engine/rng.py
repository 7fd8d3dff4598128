"""Random streams: the only place generators are built.

Stream ``name`` for group ``group`` in replication ``rep`` is
``SeedSequence(seed, spawn_key=(rep, STREAMS.index(name), *sha256_words(group), visit_kind))``,
where ``sha256_words`` splits the SHA-256 digest of the group id's UTF-8 text into eight
32-bit words: stateless, the same in every process, every worker count and every scenario.
Two ids share a stream only if their SHA-256 digests are equal (never, in practice); the
CRC-32 key used before gave two ids with the same CRC-32 identical streams. The k-th
client of a group gets the k-th number of each stream, drawn at arrival whether or not
the scenario uses it, so a policy change never shifts another client's draws (common
random numbers across scenarios).
"""

from __future__ import annotations

import hashlib

import numpy as np

# Append only: renaming or reordering a stream changes every result.
STREAMS = (
    "interarrival",
    "origin",
    "sex",
    "crisis_stay",
    "route",
    "patience",
    "followup_stay",
    "reentry",
    "reentry_delay",
    "initial",
)
FIRST_VISIT, RETURN_VISIT, INITIAL, EXTERNAL = 0, 1, 2, 3
BLOCK = 1024


def sha256_words(key: str) -> tuple[int, ...]:
    """The SHA-256 digest of ``key`` (UTF-8) as eight 32-bit words: a collision-free stream key."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i:i + 4], "big") for i in range(0, len(digest), 4))


def seed_sequence(seed: int, rep: int, stream: str, key: str, kind: int = FIRST_VISIT) -> np.random.SeedSequence:
    """The SeedSequence of one named stream for one group (or place) and visit kind."""
    return np.random.SeedSequence(seed, spawn_key=(rep, STREAMS.index(stream), *sha256_words(key), kind))


class UniformStream:
    """Uniform(0, 1) numbers from one stream, handed out one by one from blocks."""

    __slots__ = ("_gen", "_buf", "_i")

    def __init__(self, seq: np.random.SeedSequence) -> None:
        self._gen = np.random.Generator(np.random.PCG64(seq))
        self._buf: list[float] = []
        self._i = 0

    def next(self) -> float:
        """The next uniform number in (0, 1)."""
        if self._i == len(self._buf):
            # 1 - U lies in (0, 1]; flipping keeps inverse-CDF transforms finite
            self._buf = (1.0 - self._gen.random(BLOCK)).tolist()
            self._i = 0
        u = self._buf[self._i]
        self._i += 1
        return u


def uniform_streams(seed: int, rep: int, key: str, kind: int) -> dict[str, UniformStream]:
    """One UniformStream per name in STREAMS for group (or place) ``key``."""
    return {name: UniformStream(seed_sequence(seed, rep, name, key, kind)) for name in STREAMS}
