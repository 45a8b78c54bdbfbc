"""The one door from the event loop to the recommender library.

Every library call blocks (a model encode takes tens of milliseconds, a fuzzy search a few), so
none runs on the event loop and the gateway heartbeat never waits on them. Requests go through the
library's micro-batcher, so requests in flight together share one model call; look-ups for
autocomplete run in their own worker threads and never queue behind the model.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from pathlib import Path

from recommender.batching import MicroBatcher
from recommender.engine import Recommender, RequestError
from recommender.examples import example_requests
from recommender.lookup import Resolution
from recommender.request import Answer, Request
from recommender.songs import Song

log = logging.getLogger(__name__)


class MusicService:
    def __init__(self, recommender: Recommender) -> None:
        self._recommender = recommender
        self._batcher = MicroBatcher(recommender)
        self.song_count = len(recommender.songs)
        self.catalog_title = catalog_title(recommender.catalog)
        self.model_name = recommender.model_name.rsplit("/", 1)[-1]
        # Song ids are row positions, so a card from another catalog must not be read with this one.
        labels = "\n".join(song.label for song in recommender.songs)
        self.catalog_tag = hashlib.sha256(labels.encode()).hexdigest()[:8]
        self.examples = example_requests(recommender.songs)

    async def answer(self, request: Request) -> Answer:
        return await self._batcher.answer(request)

    async def understands(self, text: str) -> bool:
        """Whether ``text`` asks for anything the request parser recognises (an artist, a year, a sound...)."""

        def parse() -> bool:
            try:
                return bool(self._recommender.understand(text).describe())
            except RequestError:
                return False

        return await asyncio.to_thread(parse)

    async def find_songs(self, text: str, limit: int = 25) -> list[Song]:
        return await asyncio.to_thread(self._recommender.find_songs, text, limit)

    async def resolve_song(self, text: str) -> Resolution:
        return await asyncio.to_thread(self._recommender.lookup.resolve, text)

    def song(self, song_id: int) -> Song | None:
        songs = self._recommender.songs
        return songs[song_id] if 0 <= song_id < len(songs) else None

    async def aclose(self) -> None:
        await self._batcher.aclose()


def catalog_title(path: Path) -> str:
    """A catalog's name for people, from its file name.

    "top50MusicFrom2010-2019.csv" -> "Top 50 Music From 2010-2019".
    """
    words = re.sub(r"(?<=[a-z])(?=[A-Z0-9])|(?<=[0-9])(?=[A-Za-z])|[_]+", " ", path.stem)
    words = " ".join(words.split())
    return words[:1].upper() + words[1:]


def load_recommender(catalog: Path | None, cache_dir: Path | None) -> Recommender:
    """The recommender from its cached index (built and cached first if needed), timed for the log."""
    started = time.perf_counter()
    recommender = Recommender.load(catalog, cache_dir=cache_dir)
    log.info(
        "serving %d songs from %s with %s; loaded in %.1fs",
        len(recommender.songs),
        recommender.catalog,
        recommender.model_name,
        time.perf_counter() - started,
    )
    return recommender
