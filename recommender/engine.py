"""The Recommender: one object that owns the model, the song table and the FAISS index."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process, utils

from . import index as index_cache
from .ann import build_index
from .catalog import load_catalog
from .checksum import sha256_file
from .encoder import Encoder, embed_catalog, load_encoder
from .intent import Intent, IntentParser
from .model import MODEL_NAME, resolve_model
from .paths import cache_dir as default_cache_dir
from .paths import resolve_catalog
from .ranking import Ranker, song_key
from .songs import Recommendation, Song
from .templates import PROFILES, TEMPLATE_VERSION, song_text

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500
MAX_K = 50
# Query vectors kept for repeated requests ("More" pages, popular moods): 3 KB each.
QUERY_CACHE_SIZE = 512


class RequestError(ValueError):
    """A request the recommender cannot answer as asked (empty, too long, unknown song, ...)."""


def check_query(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise RequestError("the request is empty: describe a mood, an artist or a kind of song")
    if len(cleaned) > MAX_QUERY_CHARS:
        raise RequestError(f"the request is {len(cleaned)} characters long; keep it under {MAX_QUERY_CHARS}")
    return cleaned


def check_k(k: int) -> int:
    if not 1 <= k <= MAX_K:
        raise RequestError(f"the number of songs must be between 1 and {MAX_K}, not {k}")
    return k


class Recommender:
    """Answers "songs for this mood", "songs like this one" and "which song did you mean"."""

    def __init__(
        self,
        *,
        songs: Sequence[Song],
        vectors: np.ndarray,
        index: object,
        encoder: Encoder,
        profile: str,
        catalog: Path,
    ) -> None:
        self.songs = tuple(songs)
        self.vectors = vectors
        self.index = index
        self.encoder = encoder
        self.profile = profile
        self.catalog = catalog
        self.model_name = MODEL_NAME
        self._labels = [f"{s.title} {s.artist}" for s in self.songs]
        self.parser = IntentParser(self.songs)
        self.ranker = Ranker(self.songs, vectors, index) if profile == "default" else None
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        # encode runs in worker threads (the bot's and the micro-batcher's): the LRU's reorders must not interleave.
        self._query_lock = threading.Lock()

    @classmethod
    def load(
        cls,
        catalog: str | Path | None = None,
        *,
        profile: str = "default",
        cache_dir: Path | None = None,
        lenient: bool = False,
        encoder: Encoder | None = None,
        rebuild: bool = False,
        progress: bool = False,
    ) -> Recommender:
        """Load the cached index for ``catalog`` and ``profile``, building and caching it when needed.

        Pass ``encoder`` from another Recommender to serve a second profile without loading the model twice
        (the seed profile needs the exact one, ``torch-fp32``, to reproduce the published result).
        ``rebuild`` builds afresh even over a valid cache; ``progress`` shows a build's progress on
        stderr even when it is not a terminal.
        """
        if profile not in PROFILES:
            raise RequestError(f"unknown profile {profile!r}: choose one of {', '.join(PROFILES)}")
        path = resolve_catalog(catalog)
        cache = cache_dir or default_cache_dir()
        started = time.perf_counter()
        source, model_hash = resolve_model(cache)
        encoder = encoder or load_encoder(source, model_hash, cache, exact=profile == "seed")
        fingerprint = index_cache.Fingerprint(
            catalog_sha256=sha256_file(path),
            profile=profile,
            template_version=TEMPLATE_VERSION[profile],
            model=model_hash,
            encoder=encoder.name,
        )
        folder = index_cache.cache_folder(cache, fingerprint)
        data = None if rebuild else index_cache.load(folder, fingerprint)
        if data is None:
            # Shard processes starting together on an empty cache: one builds, the others wait and load it.
            with index_cache.build_lock(folder):
                data = None if rebuild else index_cache.load(folder, fingerprint)
                if data is None:
                    data = cls._build(path, profile, encoder, lenient, progress=progress or sys.stderr.isatty())
                    index_cache.save(folder, fingerprint, data)
        log.info(
            "ready: %d songs from %s (%s profile) in %.1fs", len(data.songs), path.name, profile, time.perf_counter() - started
        )
        return cls(songs=data.songs, vectors=data.vectors, index=data.index, encoder=encoder, profile=profile, catalog=path)

    @staticmethod
    def _build(
        path: Path, profile: str, encoder: Encoder, lenient: bool, *, progress: bool = False
    ) -> index_cache.IndexData:
        catalog = load_catalog(path, lenient=lenient, raw=profile == "seed", progress=progress)
        log.info("building the %s index for %d songs from %s", profile, len(catalog.songs), path)
        vectors = embed_catalog(encoder, [song_text(song, profile) for song in catalog.songs], progress=progress)
        return index_cache.IndexData(songs=catalog.songs, vectors=vectors, index=build_index(vectors, profile))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for request texts: repeats from a small LRU cache, the rest in one model call."""
        texts = list(texts)
        with self._query_lock:
            known = {t: self._query_vectors[t] for t in texts if t in self._query_vectors}
            for text in known:
                self._query_vectors.move_to_end(text)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = self._embed(missing)
            fresh.flags.writeable = False  # cached rows are shared between requests
            with self._query_lock:
                for text, vector in zip(missing, fresh):
                    known[text] = self._query_vectors[text] = vector
                while len(self._query_vectors) > QUERY_CACHE_SIZE:
                    self._query_vectors.popitem(last=False)
        return np.stack([known[t] for t in texts]) if texts else np.empty((0, self.vectors.shape[1]), np.float32)

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode(texts)

    def clear_query_cache(self) -> None:
        """Forget cached query vectors (benchmarks measure the model, not the cache)."""
        with self._query_lock:
            self._query_vectors.clear()

    def recommend(self, text: str, k: int = 5, *, offset: int = 0) -> list[Recommendation]:
        return self.recommend_many([text], k, offset=offset)[0]

    def recommend_many(self, texts: Sequence[str], k: int = 5, *, offset: int = 0) -> list[list[Recommendation]]:
        """Answers for several requests with one model call; ``offset`` skips that many results (for "More")."""
        cleaned = [check_query(t) for t in texts]
        check_k(k)
        vectors = self.encode(cleaned)
        return [self.rank(text, vector, k, offset=offset) for text, vector in zip(cleaned, vectors)]

    def understand(self, text: str) -> Intent:
        """What a request asks for, as the default profile reads it."""
        return self.parser.parse(check_query(text))

    def rank(self, text: str, vector: np.ndarray, k: int, *, offset: int = 0) -> list[Recommendation]:
        """Ranked songs for an encoded request: hybrid in ``default``, nearest texts as published in ``seed``."""
        if self.ranker is None:
            results = self._nearest(vector, k + offset, exclude=set())
        else:
            results = self.ranker.rank(self.parser.parse(text), vector, k + offset)
        return _page(results, offset)

    def similar(self, song: Song | int, k: int = 5, *, offset: int = 0) -> list[Recommendation]:
        """Songs like ``song``; never the song itself nor another row of it."""
        check_k(k)
        seed = self.songs[song] if isinstance(song, int) else song
        if self.ranker is None:
            results = self._nearest(np.asarray(self.vectors[seed.id]), k + offset, exclude={song_key(seed)})
        else:
            results = self.ranker.similar(seed, k + offset, exclude={song_key(seed)})
        return _page(results, offset)

    def _nearest(self, vector: np.ndarray, k: int, exclude: set[tuple[str, str]]) -> list[Recommendation]:
        """The published search: the ``k`` nearest rows by squared L2, repeats and all, minus ``exclude``."""
        fetch = min(len(self.songs), k + 8)
        while True:
            scores, ids = self.index.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), fetch)  # type: ignore[attr-defined]
            found = [
                (float(score), self.songs[i]) for score, i in zip(scores[0], ids[0]) if i >= 0 and song_key(self.songs[i]) not in exclude
            ]
            if len(found) >= k or fetch >= len(self.songs):
                return [Recommendation(rank=r + 1, song=song, score=score) for r, (score, song) in enumerate(found[:k])]
            fetch = min(len(self.songs), fetch * 2)

    def find_songs(self, text: str, limit: int = 25) -> list[Song]:
        """Catalog songs whose title or artist match ``text`` loosely, best first (for autocomplete)."""
        query = text.strip()
        if not query:
            return sorted(self.songs, key=lambda s: -(s.features.popularity if s.features else 0))[:limit]
        matches = process.extract(
            query, self._labels, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit * 2, score_cutoff=60
        )
        songs: list[Song] = []
        keys: set[tuple[str, str]] = set()
        for _, _, position in matches:
            song = self.songs[position]
            if song_key(song) not in keys:
                keys.add(song_key(song))
                songs.append(song)
        return songs[:limit]

    def resolve_song(self, text: str) -> Song | None:
        """The one song ``text`` names: an id from autocomplete, an exact title, or a near-certain match."""
        query = text.strip()
        if query.isdigit() and int(query) < len(self.songs):
            return self.songs[int(query)]
        exact = [s for s in self.songs if s.title.casefold() == query.casefold() or s.label.casefold() == query.casefold()]
        if exact:
            return exact[0]
        best = process.extractOne(query, self._labels, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=90)
        return self.songs[best[2]] if best else None


def _page(results: list[Recommendation], offset: int) -> list[Recommendation]:
    """Results after the first ``offset``, ranked from 1 again (a "More" page)."""
    return [replace(r, rank=r.rank - offset) for r in results[offset:]]
