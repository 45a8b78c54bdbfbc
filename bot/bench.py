"""``python -m bot --bench``: what remembering a card costs a request, measured on the bot's own code.

``musicrec bench`` times the library after encoding (parse, rank, result) and cannot see the bot's
database (the library never imports the bot). This answers the same requests in two passes per
repeat, in alternating order: the library's answer alone, and the answer followed by
``CardMaker.remember``, the card and history write every answered request makes, queued to the
store's worker thread (a scratch database on the data folder's disk) while the next requests run, so
the write's cost to them is in the figure too. Each pass gives a median; the report is the median
over repeats of each, side by side. Nothing asserts a time: the target is reported as met or not.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recommender.benchmarks.bench import request_texts
from recommender.engine import Recommender
from recommender.request import Answer, Request

from .cardmaker import CardMaker
from .cooldown import Cooldown
from .guild_config import GuildConfig, GuildConfigs
from .service import MusicService
from .store import DATABASE_FILE, Store

REQUESTS = 200
REPEATS = 5
K = 5
TARGET_MS = 2.0
# The first writes to a new database create its pages; a request in a running bot never pays that.
WARM_UP = 20


@dataclass(frozen=True, slots=True)
class WriteCost:
    """Medians over repeats of each repeat's median post-encode time, in milliseconds."""

    without_write_ms: float
    with_write_ms: float
    requests: int
    repeats: int

    def line(self) -> str:
        return (
            f"post-encode median: {self.without_write_ms:.2f} ms without the database write, "
            f"{self.with_write_ms:.2f} ms with the card and history write "
            f"(+{self.with_write_ms - self.without_write_ms:.2f} ms; {self.requests} requests x {self.repeats} repeats)"
        )

    def target_line(self) -> str:
        met = "yes" if self.with_write_ms < TARGET_MS else "NO"
        return f"target: post-encode median with the write under {TARGET_MS:g} ms: {met}"


async def measure_write_cost(
    recommender: Recommender, data_dir: Path, *, requests: int = REQUESTS, repeats: int = REPEATS
) -> WriteCost:
    """Post-encode medians without and with the card and history write, over a scratch database in ``data_dir``."""
    checked = [recommender.check_request(Request(text=text, k=K)) for text in request_texts()[:requests]]
    vectors = recommender.encode([r.words for r in checked])  # encoding is the part this does not measure
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="musicrec-bench-", dir=data_dir) as scratch:
        store = Store.open(Path(scratch) / DATABASE_FILE)
        service = MusicService(recommender)
        defaults = GuildConfig(frozenset(), K, replies_refine=True, allow_explicit=True)
        maker = CardMaker(service, store, Cooldown(), GuildConfigs(store, defaults), repeat_window=0)
        try:
            message_ids = iter(range(1, 1 << 62))

            async def one_pass(count: int, *, write: bool) -> float:
                """The median post-encode time of ``count`` requests, one after another as a busy bot answers them."""
                times, queued = [], None
                for number in range(count):
                    started = time.perf_counter()
                    answer: Answer = recommender.complete(checked[number], vectors[number])
                    if write:
                        queued = maker.remember(next(message_ids), number, None, answer)
                    times.append(time.perf_counter() - started)
                    await asyncio.sleep(0)  # the event loop's turn between requests, as in the bot
                if queued is not None:
                    await queued  # the next pass starts with no write left over from this one
                return statistics.median(times)

            await one_pass(min(WARM_UP, len(checked)), write=True)
            without: list[float] = []
            with_write: list[float] = []
            for repeat in range(repeats):
                # Alternating which pass goes first, so drift on a shared machine hits both alike.
                for write in (False, True) if repeat % 2 else (True, False):
                    (with_write if write else without).append(await one_pass(len(checked), write=write))
        finally:
            await service.aclose()
            await store.close()
    return WriteCost(
        without_write_ms=round(float(np.median(without)) * 1000, 3),
        with_write_ms=round(float(np.median(with_write)) * 1000, 3),
        requests=len(checked),
        repeats=repeats,
    )


def run_bench(recommender: Recommender, data_dir: Path) -> list[str]:
    """The report's lines for ``python -m bot --bench``."""
    cost = asyncio.run(measure_write_cost(recommender, data_dir))
    return [cost.line(), cost.target_line()]
