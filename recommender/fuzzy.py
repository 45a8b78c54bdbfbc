"""Near matches of a typed name among many, found through an index instead of comparing it with every one.

``RatioIndex.extract`` answers what ``rapidfuzz.process.extract`` with ``fuzz.ratio`` and a cutoff would
over every string, and only scores the strings that can reach the cutoff. Two filters decide which,
and neither ever drops a true match:

- length: a ratio of at least c (in 0-1) needs ``2 * min(la, lb) >= c * (la + lb)``;
- shared letter pairs (the q-gram lemma): strings within ``d`` insertions and deletions share at least
  ``max(la, lb) - 1 - 2 * d`` letter pairs, and a ratio of at least c allows ``d <= (1 - c) * (la + lb)``.

Letter pairs are counted once per string: the query's repeated pairs are taken off the bound, so the
count can only let more strings through. At 100,000 artists a request's few dozen word runs then
score a few hundred names each instead of every one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

EXTRACT_CACHE = 8192
# Room for rounding at the cutoff's edge (0.15 * 20 is 3.0000000000000004): the bounds stay whole numbers.
EPSILON = 1e-9


class RatioIndex:
    """``keys`` indexed by their letter pairs and lengths, for ``fuzz.ratio`` matches of at least ``cutoff``."""

    def __init__(self, keys: Sequence[str], cutoff: float) -> None:
        # Shortest first: the lengths that can match a query are one slice.
        self.keys = np.array(sorted(keys, key=len), dtype=object)
        self.cutoff = cutoff
        self.lengths = np.array([len(key) for key in self.keys], dtype=np.int64)
        # Keys of length n are self.keys[starts[n]:starts[n + 1]].
        self.starts = np.searchsorted(self.lengths, np.arange(int(self.lengths.max(initial=0)) + 2))
        self.postings = _postings(self.keys.tolist(), self.lengths)
        # Requests repeat their words ("songs", "by", "for"), and every run of them is tried as a name: each
        # is matched once (the index never changes, so a kept answer stays right).
        self._extract = lru_cache(maxsize=EXTRACT_CACHE)(self._scored)

    def candidates(self, query: str) -> np.ndarray:
        """Positions of the keys that may score ``cutoff`` or more against ``query`` (every one that does)."""
        share, size = self.cutoff / 100, len(query)
        repeated = max(size - 1, 0) - len(pairs := _pairs(query))
        # 2 * min(la, lb) >= share * (la + lb): lb from size * share / (2 - share) to size * (2 - share) / share.
        shortest = math.ceil(size * share / (2 - share) - EPSILON)
        longest = min(math.floor(size * (2 - share) / share + EPSILON), len(self.starts) - 2)
        if longest < shortest:
            return np.zeros(0, dtype=np.int64)
        needed = np.zeros(len(self.starts), dtype=np.int64)
        always = []
        for length in range(shortest, longest + 1):
            distance = math.floor((1 - share) * (size + length) + EPSILON)
            needed[length] = max(size, length) - 1 - 2 * distance - repeated
            if needed[length] <= 0:  # too short to share a pair for sure: every key of this length is scored
                always.append(np.arange(self.starts[length], self.starts[length + 1]))
        low, high = self.starts[shortest], self.starts[longest + 1]
        # Each pair's keys are in key order, so those of the right lengths are one slice of them.
        found = [
            ids[ids.searchsorted(low) : ids.searchsorted(high)]
            for pair in pairs
            if (ids := self.postings.get(pair)) is not None
        ]
        # Shared pairs per key of those lengths, counted in one pass (no sort of the postings).
        counts = np.bincount(np.concatenate(found) - low, minlength=high - low) if found else np.zeros(0, np.int64)
        ids = np.flatnonzero(counts) + low
        counts = counts[ids - low]
        shared = ids[(counts >= needed[self.lengths[ids]]) & (needed[self.lengths[ids]] > 0)]
        return np.concatenate([shared, *always])

    def extract(self, query: str) -> list[tuple[str, float]]:
        """(key, score) of every key with ``fuzz.ratio`` of at least ``cutoff`` against ``query``, best first."""
        return list(self._extract(query))

    def _scored(self, query: str) -> tuple[tuple[str, float], ...]:
        choices = self.keys[self.candidates(query)]
        hits = process.extract(query, choices, scorer=fuzz.ratio, score_cutoff=self.cutoff, limit=None)
        return tuple((str(key), float(score)) for key, score, _ in hits)


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _postings(keys: list[str], lengths: np.ndarray) -> dict[str, np.ndarray]:
    """Each letter pair -> the positions of the keys holding it, ascending, each once: made with array operations
    from every key's characters at once, not pair by pair (150,000 artists would take seconds)."""
    if not keys:
        return {}
    chars = np.frombuffer("".join(keys).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    owner = np.repeat(np.arange(len(keys), dtype=np.int64), lengths)
    # A pair is two neighbouring characters of one key: none spans the end of a key and the start of the next.
    within = owner[:-1] == owner[1:]
    pairs, holders = ((chars[:-1] << np.uint64(32)) | chars[1:])[within], owner[:-1][within]
    order = np.lexsort((holders, pairs))
    pairs, holders = pairs[order], holders[order]
    fresh = np.ones(len(pairs), dtype=bool)
    fresh[1:] = (pairs[1:] != pairs[:-1]) | (holders[1:] != holders[:-1])
    pairs, holders = pairs[fresh], holders[fresh]
    if not len(pairs):
        return {}
    distinct, starts = np.unique(pairs, return_index=True)
    ends = np.append(starts[1:], len(pairs))
    return {
        chr(code >> 32) + chr(code & 0xFFFFFFFF): holders[start:end]
        for code, start, end in zip(distinct.tolist(), starts.tolist(), ends.tolist(), strict=True)
    }
