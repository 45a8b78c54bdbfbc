"""The Recommender: one object that owns the model, the song table and the FAISS index."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from numbers import Integral
from pathlib import Path

import faiss
import numpy as np

from . import index as index_cache
from .catalog import load_catalog
from .checksum import sha256_file
from .encoder import Encoder, catalog_side, embed_catalog, load_encoder
from .intent import Intent
from .lookup import SongLookup
from .model import MODEL_NAME, resolve_model
from .paths import cache_dir as default_cache_dir
from .paths import resolve_catalog
from .profiles import Profile, ProfileName, get_profile
from .ranking import LIKED_WEIGHT
from .request import Answer, Request
from .songs import Recommendation, Song, song_key
from .text import RequestError as RequestError
from .text import clean_request

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500
MAX_K = 50
# The deepest a page may reach into one answer ("More" clicked many times).
MAX_RESULTS = 100
# Query vectors kept for repeated requests ("More" pages, popular moods): 3 KB each.
QUERY_CACHE_SIZE = 512
NOT_UNDERSTOOD = (
    "I didn't recognise a mood, activity, artist, genre or era there, so these are simply the closest to your words:"
)


def check_device(device: str) -> None:
    """A device torch knows and this machine has, else a RequestError saying so."""
    if device == "cpu":
        return
    import torch  # only a GPU build pays for importing torch here

    try:
        kind = torch.device(device).type
    except (RuntimeError, ValueError):
        raise RequestError(f"unknown device {device!r}: use cpu or cuda (cuda:N for the N-th GPU)") from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise RequestError(f"device {device!r} asked for, but torch sees no CUDA GPU on this machine")
    if kind not in ("cpu", "cuda"):
        raise RequestError(f"device {device!r} is not supported: use cpu or cuda")


@contextmanager
def model_on(encoder: Encoder, device: str) -> Iterator[None]:
    """The torch encoder's model moved to ``device`` for a build, and back to the CPU afterwards, where
    requests are encoded. The converted (OpenVINO) encoder runs on the CPU only."""
    if device == "cpu":
        yield
        return
    model = getattr(encoder, "model", None)
    if model is None:
        raise RequestError(f"--device {device} builds with the torch encoder: set MUSICREC_ENCODER=torch for the build")
    model.to(device)
    try:
        yield
    finally:
        model.to("cpu")


def check_query(text: str) -> str:
    return clean_request(text, MAX_QUERY_CHARS)


def check_k(k: int) -> int:
    if not _is_int(k) or not 1 <= k <= MAX_K:
        raise RequestError(f"the number of songs must be a whole number between 1 and {MAX_K}, not {k!r}")
    return k


def check_offset(offset: int) -> int:
    if not _is_int(offset) or offset < 0:
        raise RequestError(f"the offset must be a whole number of songs to skip, 0 or more, not {offset!r}")
    return offset


def _is_int(value: object) -> bool:
    """A whole number (numpy's too); bool is an int to Python but never a count of songs."""
    return isinstance(value, Integral) and not isinstance(value, bool)


class Recommender:
    """Answers "songs for this mood", "songs like this one" and "which song did you mean"."""

    def __init__(
        self,
        *,
        songs: Sequence[Song],
        vectors: np.ndarray,
        index: faiss.Index | None,
        encoder: Encoder,
        profile: Profile | ProfileName,
        catalog: Path,
    ) -> None:
        # A large catalog's song table makes Song objects on demand: it is kept as it is, never copied.
        self.songs: Sequence[Song] = tuple(songs) if isinstance(songs, list) else songs
        self.vectors = vectors
        self.index = index
        self.encoder = encoder
        self.profile = get_profile(profile) if isinstance(profile, str) else profile
        self.catalog = catalog
        self.model_name = MODEL_NAME
        self.lookup = SongLookup(self.songs)
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        # encode runs in worker threads (the bot's and the micro-batcher's): the LRU's reorders must not interleave.
        self._query_lock = threading.Lock()
        self.searcher = self.profile.searcher(self.songs, vectors, index, self.encode, encoder.words())

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
        device: str = "cpu",
    ) -> Recommender:
        """Load the cached index for ``catalog`` and ``profile``, building and caching it when needed.

        Pass ``encoder`` from another Recommender to serve a second profile without loading the model twice
        (the seed profile needs the exact one, ``torch-fp32``, to reproduce the published result).
        ``rebuild`` builds afresh even over a valid cache; ``progress`` shows a build's progress on
        stderr even when it is not a terminal. ``device`` ("cuda", "cuda:1") embeds a build's songs there;
        requests are always encoded on the CPU.
        """
        try:
            chosen = get_profile(profile)
        except ValueError as error:
            raise RequestError(str(error)) from None
        path = resolve_catalog(catalog)
        check_device(device)
        cache = cache_dir or default_cache_dir()
        started = time.perf_counter()
        source, model_hash = resolve_model(cache)
        # The catalog is read first: a file that cannot be read is reported before a model is loaded.
        catalog_sha256 = sha256_file(path)
        encoder = encoder or load_encoder(source, model_hash, cache, exact=chosen.exact_encoder)
        fingerprint = index_cache.Fingerprint(
            catalog_sha256=catalog_sha256,
            profile=chosen.name,
            template_version=chosen.template_version,
            model=model_hash,
            # What embedded the songs: openvino-int8 serves from the default backend's index.
            encoder=catalog_side(encoder).name,
        )
        folder = index_cache.cache_folder(cache, fingerprint)

        def serve(data: index_cache.IndexData) -> Recommender:
            return cls(
                songs=data.songs, vectors=data.vectors, index=data.index, encoder=encoder, profile=chosen, catalog=path
            )

        data = None if rebuild else index_cache.load(folder, fingerprint)
        ready = None
        if data is None:
            # Shard processes starting together on an empty cache: one builds, the others wait and load it.
            with index_cache.build_lock(folder):
                data = None if rebuild else index_cache.load(folder, fingerprint)
                if data is None:
                    shown = progress or sys.stderr.isatty()
                    resume = (folder, fingerprint)
                    with model_on(encoder, device):
                        data = cls._build(path, chosen, encoder, lenient, progress=shown, resume=resume)
                    # Made before saving: the title keys its lookups derive go into the cache with the songs.
                    ready = serve(data)
                    ready.lookup.derive_keys()
                    index_cache.save(folder, fingerprint, data)
        ready = ready or serve(data)
        log.info(
            "ready: %d songs from %s (%s profile) in %.1fs",
            len(data.songs),
            path.name,
            profile,
            time.perf_counter() - started,
        )
        return ready

    @staticmethod
    def _build(
        path: Path,
        profile: Profile,
        encoder: Encoder,
        lenient: bool,
        *,
        progress: bool = False,
        resume: tuple[Path, index_cache.Fingerprint] | None = None,
    ) -> index_cache.IndexData:
        """``resume`` (the cache folder and fingerprint) keeps finished embedding chunks, so a killed build resumes."""
        catalog = load_catalog(path, lenient=lenient, raw=profile.raw_catalog, progress=progress)
        log.info("building the %s index for %d songs from %s", profile.name, len(catalog.songs), path)
        texts = [profile.describe(song) for song in catalog.songs]
        try:
            if resume is None:
                vectors = embed_catalog(encoder, texts, progress=progress)
            else:
                vectors = index_cache.embed_resumable(
                    *resume, texts, partial(embed_catalog, encoder), progress=progress
                )
        finally:
            # A process that goes on to serve requests needs only the request path from here on.
            encoder.release()
        return index_cache.IndexData(songs=catalog.songs, vectors=vectors, index=profile.build_index(vectors))

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
                for text, vector in zip(missing, fresh, strict=True):
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
        check_offset(offset)
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
        check_offset(request.offset)
        if not isinstance(request.allow_explicit, bool):
            raise RequestError(f"allow_explicit must be True or False, not {request.allow_explicit!r}")
        for song_id in (request.seed, *request.exclude, *request.recent, *request.liked):
            if song_id is not None and (not _is_int(song_id) or not 0 <= song_id < len(self.songs)):
                raise RequestError(f"there is no song {song_id} in this catalog")
        text = check_query(request.text) if request.text.strip() or request.seed is None else ""
        refinements = tuple(check_query(t) for t in request.refinements)
        cleaned = replace(request, text=text, refinements=refinements)
        if cleaned.words:  # each part fits; together they must too, since the model reads them as one text
            check_query(cleaned.words)
        return cleaned

    def complete(self, request: Request, vector: np.ndarray | None) -> Answer:
        """The answer to a checked request whose words (if any) were encoded as ``vector``."""
        # One more than the page, to know whether a next page exists; recent songs may be pushed past it.
        # Pages end at MAX_RESULTS: past it an answer is empty rather than a search of the whole catalog.
        wanted = min(request.offset + request.k, MAX_RESULTS) + 1 + len(request.recent)
        exclude = {song_key(self.songs[i]) for i in request.exclude}
        parts = [part for part in (request.text, *request.refinements) if part]
        intent = self.searcher.understand(parts, vector) if parts else None
        seed_id = request.seed if request.seed is not None else intent.like if intent is not None else None
        seed = self.songs[seed_id] if seed_id is not None else None
        # A mask in the search rather than more exclusions, so the pool never fills with songs it must skip.
        searched = intent if request.allow_explicit else replace(intent or Intent(text=""), exclude_explicit=True)
        if seed is not None:
            exclude.add(song_key(seed))
            results = self.searcher.similar(seed, wanted, exclude, searched)
        else:
            assert vector is not None, "a request without a seed has words"
            results = self.searcher.rank(searched, self._pull(vector, request.liked), wanted, exclude, request.liked)
        if request.recent:
            # Fresh songs first, in their own order; recently shown ones after them rather than gone.
            results = sorted(results, key=lambda r: r.song.id in request.recent)
        page = _page(results[: request.offset + request.k], request.offset)
        notes = list(intent.notes) if intent is not None else []
        if intent is not None and seed is None and not intent.understood and not notes:
            notes.append(NOT_UNDERSTOOD)
        return Answer(
            request=request,
            results=tuple(page),
            understood=tuple(intent.describe()) if intent is not None else (),
            notes=tuple(notes),
            has_more=len(results) > request.offset + request.k and request.offset + request.k < MAX_RESULTS,
            seed_label=(intent.like_artist if intent is not None and intent.like_artist else seed.label)
            if seed is not None
            else "",
        )

    def _pull(self, vector: np.ndarray, liked: Sequence[int]) -> np.ndarray:
        """The request's vector moved toward the liked songs' descriptions by ``LIKED_WEIGHT`` (their sound is
        pulled in the ranking too, where a profile can)."""
        if not liked:
            return vector
        pulled = vector + LIKED_WEIGHT * np.asarray(self.vectors[list(liked)], dtype=np.float32).mean(axis=0)
        unit: np.ndarray = (pulled / np.linalg.norm(pulled)).astype(np.float32)
        return unit

    def understand(self, text: str) -> Intent:
        """What a request's words ask for, without the model (nothing, for a profile that reads none)."""
        cleaned = check_query(text)
        return self.searcher.understand([cleaned], None) or Intent(text=cleaned)

    def similar(self, song: Song | int, k: int = 5, *, offset: int = 0) -> list[Recommendation]:
        """Songs like ``song``; never the song itself nor another row of it."""
        check_offset(offset)
        seed = self._catalog_song(song)
        return list(self.answer(Request(seed=seed.id, k=k, offset=offset)).results)

    def _catalog_song(self, song: Song | int) -> Song:
        """This catalog's song for ``song`` (its position, or a Song it handed out); RequestError for anything else."""
        position = song.id if isinstance(song, Song) else song
        if not _is_int(position) or not 0 <= position < len(self.songs):
            raise RequestError(f"no song at position {position!r}: the catalog's songs are 0 to {len(self.songs) - 1}")
        if isinstance(song, Song) and self.songs[position] != song:
            raise RequestError(f"{song.label!r} is not a song of this catalog")
        return self.songs[position]

    def find_songs(self, text: str, limit: int = 25) -> list[Song]:
        """Catalog songs whose title or artist match ``text``, best first (for autocomplete)."""
        if not _is_int(limit) or limit < 1:
            raise RequestError(f"the limit must be a whole number of songs, 1 or more, not {limit!r}")
        return self.lookup.find(text, limit)

    def resolve_song(self, text: str) -> Song | None:
        """The one song ``text`` names (see ``lookup.SongLookup.resolve`` for the closest titles when unsure)."""
        return self.lookup.resolve(text).song


def _page(results: list[Recommendation], offset: int) -> list[Recommendation]:
    """Results after the first ``offset``, ranked from 1 again (a "More" page)."""
    return [replace(r, rank=r.rank - offset) for r in results[offset:]]
