"""A micro-batcher: concurrent requests share one encoder call, off the event loop.

On two cores one model call for 32 texts costs about six single calls, so requests that arrive
together are encoded at once. By default nothing waits: a lone request is encoded at once, and
the requests that arrive while the model is busy form the next batch. ``max_wait_ms`` adds a
fixed gathering window for callers that prefer fuller batches. One worker thread runs the model,
so the event loop never blocks and torch never fights itself for the cores. The gathering task
ends when nothing is pending, so an idle batcher holds no task open.

One request must never fail the others it shares a batch with: texts are normalised before they
join a batch, and a batch whose encoding fails anyway is encoded again one request at a time, so
the failure stays with the request that causes it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .request import Answer, Request
from .songs import Recommendation, Song
from .text import RequestError


class Encoder(Protocol):
    """What the batcher needs from a Recommender (a fake in tests)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def check_request(self, request: Request) -> Request: ...

    def complete(self, request: Request, vector: np.ndarray | None) -> Answer: ...


@dataclass(slots=True)
class _Job:
    request: Request
    future: asyncio.Future[Answer] = field(repr=False)


class MicroBatcher:
    """``await batcher.recommend(text, k)`` from any number of tasks; one model call per batch."""

    def __init__(self, recommender: Encoder, *, max_batch: int = 32, max_wait_ms: float = 0.0) -> None:
        if max_batch < 1 or max_wait_ms < 0:
            raise ValueError("max_batch must be >= 1 and max_wait_ms >= 0")
        self.recommender = recommender
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000
        self.batches = 0  # model calls made, for tests and the benchmark
        self._pending: list[_Job] = []
        self._full = asyncio.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="musicrec-encode")
        self._worker: asyncio.Task[None] | None = None

    async def recommend(self, text: str, k: int = 5, *, offset: int = 0) -> list[Recommendation]:
        """Ranked songs for ``text``; a bad request raises RequestError here and touches no batch."""
        return list((await self.answer(Request(text=text, k=k, offset=offset))).results)

    async def similar(self, song: Song | int, k: int = 5, *, offset: int = 0) -> list[Recommendation]:
        seed = song if isinstance(song, int) else song.id
        return list((await self.answer(Request(seed=seed, k=k, offset=offset))).results)

    async def answer(self, request: Request) -> Answer:
        """The answer to ``request``; a bad request raises RequestError here and touches no batch.

        A request with no words (a seed song alone) needs no encoding: it runs on the same worker
        thread, so it queues behind batches instead of competing with them for the cores.
        """
        checked = self.recommender.check_request(request)
        loop = asyncio.get_running_loop()
        if not checked.words:
            return await loop.run_in_executor(self._executor, self.recommender.complete, checked, None)
        job = _Job(checked, loop.create_future())
        self._pending.append(job)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name="musicrec-microbatcher")
        if len(self._pending) >= self.max_batch:
            self._full.set()
        # A cancelled caller cancels only its own future; the batch drops it before encoding or ignores its answer.
        return await job.future

    async def aclose(self) -> None:
        """Stop gathering; requests still queued are cancelled."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        for job in self._pending:
            job.future.cancel()
        self._pending.clear()
        await asyncio.to_thread(self._executor.shutdown)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            if len(self._pending) < self.max_batch and self.max_wait > 0:
                # Waiting on an Event, not on a queue: a timeout here can never drop a request.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self.max_wait)
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            if len(self._pending) < self.max_batch:
                self._full.clear()
            live = [job for job in batch if not job.future.done()]
            if live:
                self.batches += 1
                await loop.run_in_executor(self._executor, self._answer, loop, live)

    def _answer(self, loop: asyncio.AbstractEventLoop, batch: list[_Job]) -> None:
        """In the worker thread: one encode, then each request ranked and answered as soon as it is ready."""
        try:
            vectors = self.recommender.encode([job.request.words for job in batch])
        except Exception as error:  # noqa: BLE001 - the model failing fails this batch's callers, not the worker
            if len(batch) == 1:
                loop.call_soon_threadsafe(_settle, batch[0].future, None, error)
            else:
                self._answer_one_by_one(loop, batch)
            return
        for job, vector in zip(batch, vectors, strict=True):
            self._rank(loop, job, vector)

    def _answer_one_by_one(self, loop: asyncio.AbstractEventLoop, batch: list[_Job]) -> None:
        """After a failed batch: each request encoded alone, so only the ones that cannot be encoded fail.

        A request that fails while another succeeds is refused for its text (RequestError); when
        every one fails, the model itself is failing and each caller gets the model's own error.
        """
        failed: list[tuple[_Job, Exception]] = []
        for job in batch:
            try:
                vector = self.recommender.encode([job.request.words])[0]
            except Exception as error:  # noqa: BLE001 - pinned on its request below
                failed.append((job, error))
            else:
                self._rank(loop, job, vector)
        blame_the_text = len(failed) < len(batch)
        for job, failure in failed:
            if blame_the_text and not isinstance(failure, RequestError):
                refusal = RequestError("the request contains text the model cannot read; rephrase it in plain words")
                refusal.__cause__ = failure  # the tokenizer's own words, for the log
                failure = refusal
            loop.call_soon_threadsafe(_settle, job.future, None, failure)

    def _rank(self, loop: asyncio.AbstractEventLoop, job: _Job, vector: np.ndarray) -> None:
        try:
            result = self.recommender.complete(job.request, vector)
        except Exception as error:  # noqa: BLE001 - one request's failure is its caller's alone
            loop.call_soon_threadsafe(_settle, job.future, None, error)
        else:
            loop.call_soon_threadsafe(_settle, job.future, result, None)


def _settle(future: asyncio.Future[Answer], result: Answer | None, error: Exception | None) -> None:
    if future.done():  # the caller gave up (cancelled) while its batch ran
        return
    if error is not None or result is None:
        future.set_exception(error or RuntimeError("no answer"))
    else:
        future.set_result(result)
