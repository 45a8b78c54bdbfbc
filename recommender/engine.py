"""The Recommender: one object that owns the model, the song table and the FAISS index."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from . import index as index_cache
from .ann import build_index
from .catalog import load_catalog
from .checksum import sha256_file
from .intent import Intent, IntentParser
from .lookup import SongLookup
from .model import MODEL_NAME, embed_catalog, load_model, resolve_model
from .paths import cache_dir as default_cache_dir
from .paths import resolve_catalog
from .ranking import Ranker, song_key
from .request import Answer, Request
from .songs import Recommendation, Song
from .templates import PROFILES, TEMPLATE_VERSION, song_text

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500
MAX_K = 50
# The deepest a page may reach into one answer ("More" clicked many times).
MAX_RESULTS = 100
# Query vectors kept for repeated requests ("More" pages, popular moods): 3 KB each.
QUERY_CACHE_SIZE = 512
# How far a member's liked songs pull a request toward their sound: the mean of the liked songs'
# vectors is added at this weight before normalising, so the request's own words still lead.
LIKED_WEIGHT = 0.3


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
        model: SentenceTransformer,
        profile: str,
        catalog: Path,
    ) -> None:
        self.songs = tuple(songs)
        self.vectors = vectors
        self.index = index
        self.model = model
        self.profile = profile
        self.catalog = catalog
        self.model_name = MODEL_NAME
        self.lookup = SongLookup(self.songs)
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
        model: SentenceTransformer | None = None,
        rebuild: bool = False,
        progress: bool = False,
    ) -> Recommender:
        """Load the cached index for ``catalog`` and ``profile``, building and caching it when needed.

        Pass ``model`` from another Recommender to serve a second profile without loading it twice.
        ``rebuild`` builds afresh even over a valid cache; ``progress`` shows a build's progress on
        stderr even when it is not a terminal.
        """
        if profile not in PROFILES:
            raise RequestError(f"unknown profile {profile!r}: choose one of {', '.join(PROFILES)}")
        path = resolve_catalog(catalog)
        cache = cache_dir or default_cache_dir()
        started = time.perf_counter()
        source, model_hash = resolve_model(cache)
        fingerprint = index_cache.Fingerprint(
            catalog_sha256=sha256_file(path),
            profile=profile,
            template_version=TEMPLATE_VERSION[profile],
            model=model_hash,
        )
        folder = index_cache.cache_folder(cache, fingerprint)
        model = model or load_model(source)
        data = None if rebuild else index_cache.load(folder, fingerprint)
        if data is None:
            # Shard processes starting together on an empty cache: one builds, the others wait and load it.
            with index_cache.build_lock(folder):
                data = None if rebuild else index_cache.load(folder, fingerprint)
                if data is None:
                    data = cls._build(path, profile, model, lenient, progress=progress or sys.stderr.isatty())
                    index_cache.save(folder, fingerprint, data)
        log.info(
            "ready: %d songs from %s (%s profile) in %.1fs", len(data.songs), path.name, profile, time.perf_counter() - started
        )
        return cls(songs=data.songs, vectors=data.vectors, index=data.index, model=model, profile=profile, catalog=path)

    @staticmethod
    def _build(
        path: Path, profile: str, model: SentenceTransformer, lenient: bool, *, progress: bool = False
    ) -> index_cache.IndexData:
        catalog = load_catalog(path, lenient=lenient, raw=profile == "seed", progress=progress)
        log.info("building the %s index for %d songs from %s", profile, len(catalog.songs), path)
        vectors = embed_catalog(model, [song_text(song, profile) for song in catalog.songs], progress=progress)
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
        """The model's own modules, 32 texts per padded batch.

        ``model.encode`` wraps the same forward pass in generic bookkeeping (device and argument
        checks, length sorting, progress plumbing) that cost ~4 ms of a ~80 ms one-text call on two
        cores; the vectors are the same to 1e-6 (tests/test_engine.py).
        """
        with torch.inference_mode():
            batches = [
                self.model(self.model.preprocess(texts[start : start + 32]))["sentence_embedding"].numpy()
                for start in range(0, len(texts), 32)
            ]
        return np.concatenate(batches).astype(np.float32)

    def clear_query_cache(self) -> None:
        """Forget cached query vectors (benchmarks measure the model, not the cache)."""
        with self._query_lock:
            self._query_vectors.clear()

    def recommend(self, text: str, k: int = 5, *, offset: int = 0) -> list[Recommendation]:
        return self.recommend_many([text], k, offset=offset)[0]

    def recommend_many(self, texts: Sequence[str], k: int = 5, *, offset: int = 0) -> list[list[Recommendation]]:
        """Answers for several requests with one model call; ``offset`` skips that many results (for "More")."""
        answers = self.answer_many([Request(text=text, k=k, offset=offset) for text in texts])
        return [list(answer.results) for answer in answers]

    def answer(self, request: Request) -> Answer:
        return self.answer_many([request])[0]

    def answer_many(self, requests: Sequence[Request]) -> list[Answer]:
        """Answers for several requests with one model call for all their words."""
        checked = [self.check_request(r) for r in requests]
        vectors = iter(self.encode([r.words for r in checked if r.words]))
        return [self.complete(r, next(vectors) if r.words else None) for r in checked]

    def check_request(self, request: Request) -> Request:
        """``request`` with its words cleaned, or a RequestError saying what is wrong with it."""
        check_k(request.k)
        if request.offset < 0:
            raise RequestError(f"the offset must be 0 or more, not {request.offset}")
        if request.offset + request.k > MAX_RESULTS:
            raise RequestError(f"only the first {MAX_RESULTS} songs of an answer can be shown")
        for song_id in (request.seed, *request.exclude, *request.recent, *request.liked):
            if song_id is not None and not 0 <= song_id < len(self.songs):
                raise RequestError(f"there is no song {song_id} in this catalog")
        text = check_query(request.text) if request.text.strip() or request.seed is None else ""
        refinements = tuple(check_query(t) for t in request.refinements)
        cleaned = replace(request, text=text, refinements=refinements)
        check_query(cleaned.words or (self.songs[request.seed].title if request.seed is not None else ""))
        return cleaned

    def complete(self, request: Request, vector: np.ndarray | None) -> Answer:
        """The answer to a checked request whose words (if any) were encoded as ``vector``."""
        # One more than the page, to know whether a next page exists; recent songs may be pushed past it.
        wanted = request.offset + request.k + 1 + len(request.recent)
        exclude = {song_key(self.songs[i]) for i in request.exclude}
        intent = self.parser.parse(request.words) if request.words else None
        seed = self.songs[request.seed] if request.seed is not None else None
        if seed is not None:
            exclude.add(song_key(seed))
            if self.ranker is None:
                results = self._nearest(np.asarray(self.vectors[seed.id]), wanted, exclude=exclude)
            else:
                results = self.ranker.similar(seed, wanted, exclude=exclude)
        else:
            assert vector is not None and intent is not None, "a request without a seed has words"
            query = self._pull(vector, request.liked)
            if self.ranker is None:
                results = self._nearest(query, wanted, exclude=exclude)
            else:
                results = self.ranker.rank(intent, query, wanted, exclude=exclude)
        if request.recent:
            # Fresh songs first, in their own order; recently shown ones after them rather than gone.
            results = sorted(results, key=lambda r: r.song.id in request.recent)
        page = _page(results[: request.offset + request.k], request.offset)
        return Answer(
            request=request,
            results=tuple(page),
            understood=tuple(intent.describe()) if intent is not None and self.ranker is not None else (),
            has_more=len(results) > request.offset + request.k,
            seed_label=seed.label if seed is not None else "",
        )

    def _pull(self, vector: np.ndarray, liked: Sequence[int]) -> np.ndarray:
        if not liked:
            return vector
        pulled = vector + LIKED_WEIGHT * np.asarray(self.vectors[list(liked)], dtype=np.float32).mean(axis=0)
        return (pulled / np.linalg.norm(pulled)).astype(np.float32)

    def understand(self, text: str) -> Intent:
        """What a request asks for, as the default profile reads it."""
        return self.parser.parse(check_query(text))

    def similar(self, song: Song | int, k: int = 5, *, offset: int = 0) -> list[Recommendation]:
        """Songs like ``song``; never the song itself nor another row of it."""
        seed = song if isinstance(song, int) else song.id
        return list(self.answer(Request(seed=seed, k=k, offset=offset)).results)

    def _nearest(self, vector: np.ndarray, k: int, exclude: Collection[tuple[str, str]]) -> list[Recommendation]:
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
        """Catalog songs whose title or artist match ``text``, best first (for autocomplete)."""
        return self.lookup.find(text, limit)

    def resolve_song(self, text: str) -> Song | None:
        """The one song ``text`` names (see ``lookup.SongLookup.resolve`` for the closest titles when unsure)."""
        return self.lookup.resolve(text).song


def _page(results: list[Recommendation], offset: int) -> list[Recommendation]:
    """Results after the first ``offset``, ranked from 1 again (a "More" page)."""
    return [replace(r, rank=r.rank - offset) for r in results[offset:]]
