"""A per-user limit on requests, shared by slash commands, buttons and messages."""

from __future__ import annotations

import time
from collections import deque

RATE = 3
PER = 10.0
# Beyond this many tracked users, those idle for a whole window are dropped to bound memory.
PRUNE_AT = 10_000


class Cooldown:
    """At most ``rate`` requests in any ``per`` seconds for each user."""

    def __init__(self, rate: int = RATE, per: float = PER) -> None:
        self.rate = rate
        self.per = per
        self._hits: dict[int, deque[float]] = {}
        self._warned_until: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """0 when the user may go ahead (and counts the request), else seconds until they may."""
        # time.monotonic is looked up on each call so tests on a virtual clock see their time.
        now = time.monotonic()
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.per:
            hits.popleft()
        if len(hits) >= self.rate:
            return hits[0] + self.per - now
        hits.append(now)
        if len(self._hits) > PRUNE_AT:
            self._prune(now)
        return 0.0

    def first_warning(self, user_id: int, retry_after: float) -> bool:
        """Whether to tell the user to slow down: once per blocked stretch, so a burst gets one notice."""
        now = time.monotonic()
        if self._warned_until.get(user_id, 0.0) > now:
            return False
        self._warned_until[user_id] = now + retry_after
        return True

    def _prune(self, now: float) -> None:
        for user_id in [u for u, hits in self._hits.items() if not hits or hits[-1] <= now - self.per]:
            del self._hits[user_id]
        for user_id in [u for u, until in self._warned_until.items() if until <= now]:
            del self._warned_until[user_id]
