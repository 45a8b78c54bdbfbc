"""The micro-batcher and the query-vector cache: batching shown by counting model calls, never by timing."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from recommender import engine
from recommender.batching import MicroBatcher
from recommender.engine import Recommender, RequestError
from recommender.request import Answer, Request
from recommender.songs import Features, Recommendation, Song


def song(number: int) -> Song:
    return Song(
        id=number,
        title=f"t{number}",
        artist=f"a{number}",
        genres=("pop",),
        years=(2015,),
        features=Features(*[50.0] * 10),
    )


class FakeRecommender:
    """Deterministic and instant: one vector per text, rank answers with the text's own number."""

    def __init__(self, *, encode_delay: float = 0.0) -> None:
        self.calls: list[list[str]] = []
        self.threads: list[threading.Thread] = []  # where each encode ran
        self.encode_delay = encode_delay
        self.fail_encode = False

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        self.threads.append(threading.current_thread())
        if self.encode_delay:
            time.sleep(self.encode_delay)
        if self.fail_encode:
            raise RuntimeError("model down")
        if any("poison" in t for t in texts):
            raise TypeError("TextEncodeInput must be Union[TextInputSequence, Tuple[InputSequence, InputSequence]]")
        return np.array([[float(len(t))] for t in texts], dtype=np.float32)

    def rank(self, text: str, vector: np.ndarray, k: int, *, offset: int = 0) -> list[Recommendation]:
        if text == "boom":
            raise RequestError("no such song")
        return [Recommendation(rank=1, song=song(offset), score=float(vector[0]), reasons=(text,))][:k]

    def similar(self, seed: Song | int, k: int = 5, *, offset: int = 0) -> list[Recommendation]:
        return [Recommendation(rank=1, song=song(7), score=1.0, reasons=("similar",))]

    def check_request(self, request: Request) -> Request:
        engine.check_k(request.k)
        engine.check_offset(request.offset)
        return request if request.seed is not None else replace(request, text=engine.check_query(request.text))

    def complete(self, request: Request, vector: np.ndarray | None) -> Answer:
        if vector is None:
            return Answer(request, tuple(self.similar(request.seed or 0, request.k)))
        return Answer(request, tuple(self.rank(request.words, vector, request.k, offset=request.offset)))


async def test_concurrent_requests_share_one_model_call() -> None:
    fake = FakeRecommender()
    batcher = MicroBatcher(fake, max_batch=32, max_wait_ms=50)
    texts = [f"request number {i}" for i in range(10)]
    answers = await asyncio.gather(*(batcher.recommend(t, 3) for t in texts))
    assert len(fake.calls) == 1 and sorted(fake.calls[0]) == sorted(texts)
    assert [a[0].reasons[0] for a in answers] == texts  # each caller gets its own answer
    assert batcher.batches == 1
    await batcher.aclose()


async def test_a_full_batch_goes_without_waiting_and_the_rest_follows() -> None:
    fake = FakeRecommender()
    batcher = MicroBatcher(fake, max_batch=4, max_wait_ms=10_000)  # only a full batch may leave early
    answers = await asyncio.wait_for(asyncio.gather(*(batcher.recommend(f"r{i}", 1) for i in range(8))), timeout=5)
    assert [len(call) for call in fake.calls] == [4, 4]
    assert len(answers) == 8
    await batcher.aclose()


async def test_bad_requests_fail_at_once_and_alone() -> None:
    fake = FakeRecommender()
    batcher = MicroBatcher(fake, max_wait_ms=20)
    with pytest.raises(RequestError):
        await batcher.recommend("   ", 5)
    with pytest.raises(RequestError):
        await batcher.recommend("fine", 0)
    assert fake.calls == []
    good, bad, other = await asyncio.gather(
        batcher.recommend("good", 1),
        batcher.recommend("boom", 1),
        batcher.recommend("other", 1),
        return_exceptions=True,
    )
    assert isinstance(bad, RequestError)
    assert not isinstance(good, BaseException) and not isinstance(other, BaseException)
    assert good[0].reasons == ("good",) and other[0].reasons == ("other",)
    assert len(fake.calls) == 1
    await batcher.aclose()


async def test_a_poisoned_request_fails_alone_and_its_59_batch_mates_are_answered() -> None:
    # Before: the poisoned batch's encode failed every request in it (28 of 60 innocent ones in the attack).
    fake = FakeRecommender(encode_delay=0.01)
    batcher = MicroBatcher(fake, max_batch=32)
    texts = [f"request number {i}" for i in range(60)]
    texts[17] = "poison pill"
    answers = await asyncio.gather(*(batcher.recommend(t, 1) for t in texts), return_exceptions=True)
    await batcher.aclose()
    failed = [i for i, answer in enumerate(answers) if isinstance(answer, BaseException)]
    assert failed == [17]
    assert isinstance(answers[17], RequestError)
    assert "cannot read" in str(answers[17]) and isinstance(answers[17].__cause__, TypeError)
    assert [a[0].reasons[0] for a in answers if not isinstance(a, BaseException)] == [
        t for i, t in enumerate(texts) if i != 17
    ]
    assert any("poison pill" in call and len(call) > 1 for call in fake.calls)  # it did share a batch


async def test_every_request_failing_alone_is_the_model_failing() -> None:
    fake = FakeRecommender(encode_delay=0.05)
    batcher = MicroBatcher(fake, max_wait_ms=20)
    fake.fail_encode = True
    answers = await asyncio.gather(*(batcher.recommend(f"r{i}", 1) for i in range(3)), return_exceptions=True)
    await batcher.aclose()
    assert all(isinstance(a, RuntimeError) and not isinstance(a, RequestError) for a in answers)


async def test_requests_are_normalised_before_they_join_a_batch() -> None:
    fake = FakeRecommender()
    batcher = MicroBatcher(fake, max_wait_ms=20)
    answers = await asyncio.gather(batcher.recommend("chill \ud800", 1), batcher.recommend("\x1b[1msad\u200b songs", 1))
    await batcher.aclose()
    assert fake.calls == [["chill", "sad songs"]]
    assert [a[0].reasons for a in answers] == [("chill",), ("sad songs",)]


async def test_a_negative_offset_is_refused_before_the_batch() -> None:
    fake = FakeRecommender()
    batcher = MicroBatcher(fake)
    for offset in (-2, True, 1.5):
        with pytest.raises(RequestError, match="offset"):
            await batcher.recommend("sad", 1, offset=offset)  # type: ignore[arg-type]
    await batcher.aclose()
    assert fake.calls == []


async def test_a_model_failure_fails_its_batch_but_not_the_batcher() -> None:
    fake = FakeRecommender()
    batcher = MicroBatcher(fake, max_wait_ms=1)
    fake.fail_encode = True
    with pytest.raises(RuntimeError, match="model down"):
        await batcher.recommend("first", 1)
    fake.fail_encode = False
    assert (await batcher.recommend("second", 1))[0].reasons == ("second",)
    await batcher.aclose()


async def test_a_cancelled_request_leaves_the_batch_and_the_others_answered() -> None:
    fake = FakeRecommender()
    batcher = MicroBatcher(fake, max_wait_ms=50)
    gone = asyncio.create_task(batcher.recommend("gone", 1))
    kept = asyncio.create_task(batcher.recommend("kept", 1))
    await asyncio.sleep(0)
    gone.cancel()
    assert (await kept)[0].reasons == ("kept",)
    assert fake.calls == [["kept"]]
    with pytest.raises(asyncio.CancelledError):
        await gone
    await batcher.aclose()


async def test_cancelling_while_the_batch_encodes_does_not_break_the_others() -> None:
    fake = FakeRecommender(encode_delay=0.2)
    batcher = MicroBatcher(fake, max_wait_ms=1)
    tasks = [asyncio.create_task(batcher.recommend(f"r{i}", 1)) for i in range(3)]
    while not fake.calls:
        await asyncio.sleep(0.01)
    tasks[0].cancel()
    rest = await asyncio.gather(*tasks[1:])
    assert [r[0].reasons for r in rest] == [("r1",), ("r2",)]
    await batcher.aclose()


async def test_the_event_loop_keeps_running_while_the_model_encodes() -> None:
    fake = FakeRecommender(encode_delay=0.3)
    batcher = MicroBatcher(fake, max_wait_ms=1)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    await batcher.recommend("slow one", 1)
    ticker.cancel()
    assert ticks > 3  # a blocked loop would have ticked once
    # The model ran on the batcher's worker thread, never on the thread that runs the event loop.
    assert len(fake.threads) == 1 and fake.threads[0] is not threading.current_thread()
    assert fake.threads[0].name.startswith("musicrec-encode")
    await batcher.aclose()


async def test_similar_passes_through() -> None:
    batcher = MicroBatcher(FakeRecommender())
    assert (await batcher.similar(3, 1))[0].reasons == ("similar",)
    await batcher.aclose()


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        MicroBatcher(FakeRecommender(), max_batch=0)


# --- the LRU cache of query vectors in Recommender.encode ---------------------------------------


class CountingModel:
    """An encoder that records the texts of each call."""

    name = "counting"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32)

    def release(self) -> None:
        """Nothing is held for builds."""

    def words(self) -> frozenset[str]:
        return frozenset()


def tiny_recommender(model: CountingModel) -> Recommender:
    songs = [song(i) for i in range(3)]
    vectors = np.full((3, 2), np.sqrt(0.5), dtype=np.float32)
    return Recommender(
        songs=songs, vectors=vectors, index=None, encoder=model, profile="default", catalog=Path("tiny.csv")
    )  # type: ignore[arg-type]


def test_repeated_texts_are_encoded_once() -> None:
    model = CountingModel()
    rec = tiny_recommender(model)
    model.calls.clear()  # the concepts' meanings, embedded once at start-up
    first = rec.encode(["sad", "happy days", "sad"])
    assert model.calls == [["sad", "happy days"]]
    again = rec.encode(["happy days"])
    assert model.calls == [["sad", "happy days"]]
    np.testing.assert_array_equal(again[0], first[1])
    np.testing.assert_array_equal(first[0], first[2])
    again[0, 0] = 99  # callers get copies: the cached vector stays as encoded
    assert rec.encode(["happy days"])[0, 0] == len("happy days")


def test_the_cache_forgets_the_least_recently_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "QUERY_CACHE_SIZE", 2)
    model = CountingModel()
    rec = tiny_recommender(model)
    rec.encode(["a"])
    rec.encode(["b"])
    rec.encode(["a"])  # "a" is now the most recent
    rec.encode(["c"])  # evicts "b"
    model.calls.clear()
    rec.encode(["a", "b"])
    assert model.calls == [["b"]]
    rec.clear_query_cache()
    rec.encode(["a"])
    assert model.calls[-1] == ["a"]


def test_encode_of_nothing_is_empty() -> None:
    assert tiny_recommender(CountingModel()).encode([]).shape == (0, 2)


@pytest.mark.slow
async def test_the_real_recommender_batched_answers_like_recommend(default_recommender: Recommender) -> None:
    texts = ["chill acoustic evening", "upbeat Katy Perry tracks from 2013", "sad songs for a rainy day"]
    default_recommender.clear_query_cache()
    batcher = MicroBatcher(default_recommender, max_wait_ms=50)
    batched = await asyncio.gather(*(batcher.recommend(t, 5) for t in texts))
    await batcher.aclose()
    assert batcher.batches == 1
    for text, answer in zip(texts, batched, strict=True):
        assert [r.song.id for r in answer] == [r.song.id for r in default_recommender.recommend(text, 5)]


@pytest.mark.slow
async def test_the_real_tokenizer_fails_only_the_request_it_cannot_read(
    default_recommender: Recommender, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["chill \ud800", "sad songs", "happy summer songs", "songs like Adele", "party music from 2014"]
    default_recommender.clear_query_cache()
    # The normalised path: the lone surrogate is dropped and every request is answered.
    batcher = MicroBatcher(default_recommender, max_wait_ms=50)
    answers = await asyncio.gather(*(batcher.recommend(t, 5) for t in texts))
    assert batcher.batches == 1
    assert [r.song.id for r in answers[0]] == [r.song.id for r in default_recommender.recommend("chill", 5)]
    assert all(len(a) == 5 for a in answers)
    await batcher.aclose()
    # Without the normalisation the real tokenizer raises TypeError on the surrogate: the batch
    # falls back to one request at a time, and only that request fails.
    monkeypatch.setattr("recommender.engine.check_query", lambda text: text)
    batcher = MicroBatcher(default_recommender, max_wait_ms=50)
    raw = await asyncio.gather(*(batcher.recommend(t, 5) for t in texts), return_exceptions=True)
    await batcher.aclose()
    assert isinstance(raw[0], RequestError)
    for text, answer in zip(texts[1:], raw[1:], strict=True):
        assert not isinstance(answer, BaseException), text
        assert [r.song.id for r in answer] == [r.song.id for r in default_recommender.recommend(text, 5)]
