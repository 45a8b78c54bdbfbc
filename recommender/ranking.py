"""Hybrid ranking for the default profile: filters from named entities, feature terms, then the embedding.

A request's score for a song is its cosine similarity to the request plus
``FEATURE_WEIGHT`` times how well the song fits the request's feature wishes (a
percentile within the catalog, so "calm" puts the calmest songs first whatever the
scale). Artists, years, genres and explicit numeric bounds filter; when they leave too
few songs they are relaxed in ``RELAX_ORDER`` and the extra songs say so.

Small catalogs (an exact FAISS index) score every song that passes the filters. Large ones (an
IVF index, see ann.py) score a candidate pool instead: the index's nearest songs to the request,
searched with the filters as a bitmap so it never returns songs they drop, plus the songs that
fit the feature wishes best. The pool grows until it holds ``k`` answers and no song left out of
it could score above the last of them (the threshold test of Fagin's algorithm).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

import faiss
import numpy as np

from .intent import Intent, Wish
from .songs import FEATURE_NAMES, Recommendation, Song
from .vocabulary import SCALES, genre_families

FEATURE_WEIGHT = 2.0
# Share of the audio features in /similar's hybrid vector; the text embedding has the rest.
HYBRID_AUDIO_WEIGHT = 0.5
MAX_PER_ARTIST = 3
# Least important filter first: a numeric bound, then genre, then year; the artist named goes last.
RELAX_ORDER = ("bounds", "genre", "year", "artist")
NEAR_BPM_SPAN = 30.0
# Candidates per requested song when the index proposes them: room for repeats, the per-artist cap and relaxing.
POOL_PER_RESULT = 20
MIN_POOL = 200
# Filters that leave at most this many songs are scored exactly, even in a large catalog: a few MB of vectors.
EXACT_POOL = 4096

UNITS = {"bpm": " BPM", "loudness": " dB", "length": " s"}


def song_key(song: Song) -> tuple[str, str]:
    """Songs with the same key are one song, whichever row or year they came from."""
    return song.title.casefold(), song.artist.casefold()


def feature_text(feature: str, value: float) -> str:
    if feature == "length":
        return f"{int(value) // 60}:{int(value) % 60:02d} long"
    unit = UNITS.get(feature)
    return f"{value:.0f}{unit}" if unit else f"{feature} {value:.0f}"


class Membership:
    """Which songs carry which labels (genres, chart years), kept sparse so a filter tests each label once.

    A request's filter then costs one pass over the catalog's distinct labels plus a few array
    operations, instead of a Python loop over every song.
    """

    def __init__(self, labels_per_song: Sequence[Sequence[Hashable]]) -> None:
        self.labels = list(dict.fromkeys(label for labels in labels_per_song for label in labels))
        position = {label: i for i, label in enumerate(self.labels)}
        self.starts = np.cumsum([0, *(len(labels) for labels in labels_per_song)])
        self.members = np.array([position[label] for labels in labels_per_song for label in labels], dtype=np.int64)

    def songs_with(self, wanted: Callable[[Hashable], bool]) -> np.ndarray:
        """A mask of the songs that carry at least one label ``wanted`` accepts."""
        matched = np.array([wanted(label) for label in self.labels], dtype=bool)
        hits = np.concatenate([[0], np.cumsum(matched[self.members])])
        return hits[self.starts[1:]] > hits[self.starts[:-1]]


@dataclass(frozen=True, slots=True)
class _Candidate:
    index: int
    score: float
    relaxed: tuple[str, ...]


@dataclass(slots=True)
class _Selection:
    """The songs chosen so far, the songs they stand for and how many each artist has."""

    chosen: list[_Candidate] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)
    per_artist: dict[str, int] = field(default_factory=dict)

    def copy(self) -> _Selection:
        return _Selection(list(self.chosen), set(self.seen), dict(self.per_artist))


@dataclass(frozen=True, slots=True)
class _Pool:
    """Candidate songs, ascending, with their text scores; unless ``complete``, the floors are the
    lowest text and boost scores among the candidates, so no song left out scores above their sum."""

    ids: np.ndarray
    text: np.ndarray
    text_floor: float = np.inf
    boost_floor: float = 0.0

    @property
    def complete(self) -> bool:
        """Every song the mask allows is a candidate."""
        return self.text_floor == np.inf


class Ranker:
    """Catalog arrays precomputed once, so each request is a few vectorized passes."""

    def __init__(self, songs: Sequence[Song], vectors: np.ndarray, index: faiss.Index | None = None) -> None:
        """``vectors`` may be memory-mapped: with an IVF ``index`` they are never read (its codes are)."""
        self.songs = songs
        self.vectors = vectors
        self.index = index if isinstance(index, faiss.IndexIVF) else None
        if self.index is not None and self.index.direct_map.type == faiss.DirectMap.NoMap:
            self.index.make_direct_map()  # candidates' vectors are decoded by id: 8 bytes per song
        rows: list[tuple[float, ...]] = []
        artist_codes: dict[str, int] = {}
        artists, credits, genres, years = [], [], [], []
        nothing = (np.nan,) * len(FEATURE_NAMES)
        for song in songs:  # one pass: a large catalog's songs may be made on demand
            rows.append(tuple(getattr(song.features, name) for name in FEATURE_NAMES) if song.features else nothing)
            artists.append(artist_codes.setdefault(song.artist, len(artist_codes)))
            credits.append(song.artists)
            genres.append(tuple(g.lower() for g in song.genres))
            years.append(song.years)
        # Column-major: a request reads whole feature columns.
        self.features = np.asfortranarray(np.array(rows, dtype=np.float32).reshape(len(rows), len(FEATURE_NAMES)))
        self.artist_codes = artist_codes
        self.artist_of = np.array(artists, dtype=np.int64)
        # Every credited artist, "feat." guests too: a request naming any of them finds the song.
        self.credits = Membership(credits)
        self.genres = Membership(genres)
        self.years = Membership(years)
        known = ~np.isnan(self.features)
        self.measured = known.any(axis=1)
        # The features this catalog gives at all: a wish or bound on another one is left out of the ranking,
        # and the caller can say "this catalog has no <feature>" (see ``missing_features``).
        self.known_features = frozenset(name for i, name in enumerate(FEATURE_NAMES) if known[:, i].any())
        self.percentiles = np.full_like(self.features, np.nan, order="F")
        for column in range(len(FEATURE_NAMES)):
            values = self.features[known[:, column], column]
            ordered = np.sort(values)
            # Average rank of ties, scaled to [0, 1]: equal values get equal scores.
            order = np.searchsorted(ordered, values, side="left") + np.searchsorted(ordered, values, side="right")
            self.percentiles[known[:, column], column] = order / (2 * max(len(values), 1))
        self.audio, self.hybrid_norms = self._audio_vectors()

    def _rows(self, ids: np.ndarray) -> np.ndarray:
        """Text vectors of some songs: decoded from the IVF index's 8-bit codes (no float matrix is read), or exact."""
        if self.index is not None:
            return self.index.reconstruct_batch(np.asarray(ids, dtype=np.int64))
        return np.asarray(self.vectors[ids], dtype=np.float32)

    def _audio_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Standardized audio features as unit rows (zero without measurements), and each song's hybrid norm.

        A song's hybrid vector for /similar is its text embedding and audio row side by side, weighted by
        ``HYBRID_AUDIO_WEIGHT`` and scaled to unit length; only the norms are kept, never the wide matrix.
        """
        values = self.features
        measured = values[self.measured]
        # An unknown feature sits at its column's mean (z = 0), so it neither attracts nor repels neighbours.
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # a column the catalog lacks has no mean
            mean = np.nan_to_num(np.nanmean(measured, axis=0)) if len(measured) else np.zeros(values.shape[1])
            std = np.nan_to_num(np.nanstd(measured, axis=0), nan=1.0) if len(measured) else np.ones(values.shape[1])
        z = np.where(~np.isnan(values), (np.nan_to_num(values) - mean) / np.where(std > 0, std, 1), 0.0)
        norms = np.linalg.norm(z, axis=1, keepdims=True)
        audio = (z / np.where(norms > 0, norms, 1)).astype(np.float32)
        hybrid_norms = np.sqrt((1 - HYBRID_AUDIO_WEIGHT) + HYBRID_AUDIO_WEIGHT * np.sum(audio * audio, axis=1))
        return audio, hybrid_norms.astype(np.float32)

    def _column(self, feature: str) -> int:
        return FEATURE_NAMES.index(feature)

    def missing_features(self, intent: Intent) -> list[str]:
        """The features a request asks about that this catalog does not give (left out of its ranking)."""
        return list(dict.fromkeys(w.feature for w in intent.wishes if w.feature not in self.known_features))

    def _wish_scores(self, wishes: Sequence[Wish]) -> np.ndarray:
        ranked = [w for w in wishes if w.kind in ("high", "low", "near") and w.feature in self.known_features]
        if not ranked:
            return np.zeros(len(self.songs), dtype=np.float32)
        total = np.zeros(len(self.songs), dtype=np.float32)
        for wish in ranked:
            column = self._column(wish.feature)
            if wish.kind == "high":
                total += self.percentiles[:, column]
            elif wish.kind == "low":
                total += 1 - self.percentiles[:, column]
            else:
                total += np.clip(1 - np.abs(self.features[:, column] - wish.value) / NEAR_BPM_SPAN, 0, 1)
        return np.nan_to_num(total / len(ranked), nan=0.0)

    def _filters(self, intent: Intent) -> dict[str, np.ndarray]:
        n = len(self.songs)
        filters: dict[str, np.ndarray] = {}
        if intent.artists:
            filters["artist"] = self.credits.songs_with(intent.artists.__contains__)
        if intent.years is not None:
            filters["year"] = self.years.songs_with(intent.years.__contains__)
        if intent.genre_keys:
            # Whole words only: "electro" is EDM, "electropop" is not.
            pattern = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in intent.genre_keys) + r")\b")
            filters["genre"] = self.genres.songs_with(lambda genre: pattern.search(genre) is not None)
        if intent.bounds:
            ok = np.ones(n, dtype=bool)
            for wish in (w for w in intent.bounds if w.feature in self.known_features):
                column = self.features[:, self._column(wish.feature)]
                with np.errstate(invalid="ignore"):
                    ok &= (column >= wish.value) if wish.kind == "min" else (column <= wish.value)
            filters["bounds"] = ok
        return filters

    def _pool(self, query: np.ndarray, mask: np.ndarray, boost: np.ndarray | None, size: int, every: np.ndarray | None) -> _Pool:
        """Songs worth scoring, with text scores: every song ``mask`` allows while that is cheap.

        ``every`` holds every song's text score when the index is exact. With an IVF index and a
        wide mask: the ``size`` nearest to ``query`` that pass the mask (the index searched with the
        mask as a bitmap) and the ``size`` best by ``boost`` (the score's non-text part) among them.
        """
        allowed = np.flatnonzero(mask)
        if every is not None:
            return _Pool(allowed, every[allowed])
        if len(allowed) <= max(size, EXACT_POOL):
            return _Pool(allowed, self._rows(allowed) @ query)
        bitmap = np.packbits(mask, bitorder="little")  # must outlive the search: FAISS keeps a pointer
        params = faiss.SearchParametersIVF(sel=faiss.IDSelectorBitmap(bitmap), nprobe=self.index.nprobe)
        similarity, nearest = self.index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), size, params=params)
        found = nearest[0] >= 0
        ids, text = nearest[0][found], similarity[0][found]
        text_floor = float(text.min()) if len(text) else -np.inf
        boost_floor = 0.0
        if boost is not None:
            # Over the allowed songs only: a partition over many equal "excluded" values is very slow.
            values = boost[allowed]
            top = np.argpartition(values, -size)[-size:]
            boost_floor = float(values[top].min())
            extra = np.setdiff1d(allowed[top], ids)
            ids, text = np.concatenate([ids, extra]), np.concatenate([text, self._rows(extra) @ query])
        order = np.argsort(ids)
        return _Pool(ids[order], text[order], text_floor, boost_floor)

    def rank(self, intent: Intent, vector: np.ndarray, k: int) -> list[Recommendation]:
        """The top ``k`` songs for a parsed request and its embedding."""
        query = np.asarray(vector, dtype=np.float32)
        wish = FEATURE_WEIGHT * self._wish_scores(intent.wishes) if intent.wishes else None
        # Small catalogs: one product for every song; large ones score only their candidates.
        every = self.vectors @ query if self.index is None else None
        eligible = self.measured if intent.wishes else np.ones(len(self.songs), dtype=bool)
        filters = self._filters(intent)
        selection = _Selection()
        active = [name for name in RELAX_ORDER if name in filters]
        relaxed: list[str] = []
        while True:
            mask = eligible.copy()
            for name in active:
                mask &= filters[name]
            size = max(MIN_POOL, POOL_PER_RESULT * k)
            while True:
                pool = self._pool(query, mask, wish, size, every)
                trial = selection.copy()
                pool_scores = pool.text + wish[pool.ids] if wish is not None else pool.text
                lowest = self._choose(intent, pool, pool_scores, k, trial, filters, relaxed)
                # Every song left out of the pool scores below its text floor plus its boost floor (without a
                # boost, the nearest songs are the answer): a pass that chose a song below that may have
                # missed better ones, so it is dropped and the pool grows.
                missed_better = wish is not None and lowest < pool.text_floor + pool.boost_floor
                if pool.complete or (len(trial.chosen) >= k and not missed_better):
                    break
                size *= 4
            selection = trial
            if len(selection.chosen) >= k or not active:
                break
            relaxed.append(active.pop(0))
        return [
            Recommendation(rank=i + 1, song=self.songs[c.index], score=c.score, reasons=self._reasons(intent, c))
            for i, c in enumerate(selection.chosen)
        ]

    def _choose(
        self,
        intent: Intent,
        pool: _Pool,
        pool_scores: np.ndarray,
        k: int,
        selection: _Selection,
        filters: dict[str, np.ndarray],
        relaxed: list[str],
    ) -> float:
        """Add the pool's best songs to ``selection`` until it holds ``k``; the lowest score added (inf: none)."""
        lowest = np.inf
        chosen, per_artist = selection.chosen, selection.per_artist
        for position in np.argsort(-pool_scores, kind="stable"):
            if len(chosen) == k:
                break
            index = int(pool.ids[position])
            song = self.songs[index]
            if song_key(song) in selection.seen:
                continue
            if not intent.artists and per_artist.get(song.artist, 0) >= MAX_PER_ARTIST:
                continue
            selection.seen.add(song_key(song))
            per_artist[song.artist] = per_artist.get(song.artist, 0) + 1
            lowest = float(pool_scores[position])
            # A song found after relaxing a filter ranks below those that met it, so it never scores above them.
            score = lowest if not chosen else min(lowest, chosen[-1].score)
            missed = tuple(name for name in relaxed if not filters[name][index])
            chosen.append(_Candidate(index, score, missed))
        return lowest

    def _reasons(self, intent: Intent, candidate: _Candidate) -> tuple[str, ...]:
        song = self.songs[candidate.index]
        reasons: list[str] = []
        if intent.artists and "artist" not in candidate.relaxed:
            # A guest the request named is the reason, not the song's main artist.
            credited = [a for a in song.artists if a in intent.artists]
            shown = song.artist if song.artist in intent.artists or not credited else ", ".join(credited)
            reasons.append(f"artist: {shown}")
        if intent.years is not None and "year" not in candidate.relaxed:
            years = [y for y in song.years if y in intent.years]
            reasons.append(f"year {years[0]}" if years else intent.year_label)
        if intent.genre_keys and "genre" not in candidate.relaxed:
            reasons.append(f"genre: {', '.join(song.genres)}")
        if song.features is not None:
            for wish in dict((w.label, w) for w in intent.wishes).values():
                value = getattr(song.features, wish.feature)
                if value is None:
                    continue
                text = feature_text(wish.feature, value)
                reasons.append(f"{wish.label} ({text})" if self._fits(candidate.index, wish) else text)
        for name in candidate.relaxed:
            reasons.append(f"outside the {intent.year_label if name == 'year' else name} asked for (few matches)")
        if not reasons:
            reasons.append("close to your words")
        return tuple(reasons)

    def _fits(self, index: int, wish: Wish) -> bool:
        """Whether a song is on the wished-for side of the catalog, so its reason may use the wish's word."""
        column = self._column(wish.feature)
        if wish.kind == "near":
            return abs(float(self.features[index, column]) - wish.value) <= NEAR_BPM_SPAN / 3
        if wish.kind in ("min", "max"):
            return True
        percentile = float(self.percentiles[index, column])
        # Strictly: the middle song (a one-song catalog's only song) is neither calm nor energetic.
        return percentile > 0.5 if wish.kind == "high" else percentile < 0.5

    def similar(self, seed: Song, k: int, exclude: set[tuple[str, str]]) -> list[Recommendation]:
        """Neighbours by the hybrid vector: they share the seed's sound as well as its words."""
        text_query, audio_query = self._rows(np.array([seed.id]))[0], self.audio[seed.id]
        seed_norm = float(self.hybrid_norms[seed.id])
        everyone = np.ones(len(self.songs), dtype=bool)
        # Small catalogs: every song's text score at once; large ones: the index's nearest plus the nearest in sound.
        every = self.vectors @ text_query if self.index is None else None
        sound = self.audio @ audio_query if self.index is not None else None
        size = max(MIN_POOL, POOL_PER_RESULT * (k + len(exclude)))
        while True:
            pool = self._pool(text_query, everyone, sound, size, every)
            pool_scores = ((1 - HYBRID_AUDIO_WEIGHT) * pool.text + HYBRID_AUDIO_WEIGHT * (self.audio[pool.ids] @ audio_query)) / (
                self.hybrid_norms[pool.ids] * seed_norm
            )
            chosen: list[Recommendation] = []
            seen = set(exclude)
            for position in np.argsort(-pool_scores, kind="stable"):
                song = self.songs[int(pool.ids[position])]
                if song_key(song) in seen:
                    continue
                seen.add(song_key(song))
                chosen.append(
                    Recommendation(rank=len(chosen) + 1, song=song, score=float(pool_scores[position]), reasons=shared_traits(seed, song))
                )
                if len(chosen) == k:
                    break
            if pool.complete or (len(chosen) == k and chosen[-1].score >= self._similar_ceiling(pool, seed_norm)):
                return chosen
            size *= 4

    def _similar_ceiling(self, pool: _Pool, seed_norm: float) -> float:
        """The most a song outside the pool can score in ``similar``: a measured song has a unit audio
        row and hybrid norm 1; one without measurements has no audio part and norm sqrt(1 - weight)."""
        measured = (1 - HYBRID_AUDIO_WEIGHT) * pool.text_floor + HYBRID_AUDIO_WEIGHT * pool.boost_floor
        unmeasured = np.sqrt(1 - HYBRID_AUDIO_WEIGHT) * pool.text_floor
        return max(measured, unmeasured) / seed_norm


def shared_traits(seed: Song, song: Song) -> tuple[str, ...]:
    """What a neighbour has in common with the seed song, in the card's words."""
    reasons = []
    families = {f for g in seed.genres for f in genre_families(g)} & {f for g in song.genres for f in genre_families(g)}
    if set(seed.genres) & set(song.genres):
        reasons.append(f"same genre: {sorted(set(seed.genres) & set(song.genres))[0]}")
    elif families:
        reasons.append(f"same family: {sorted(families)[0]}")
    if seed.artist == song.artist:
        reasons.append(f"also by {song.artist}")
    a, b = seed.features, song.features
    if a is not None and b is not None:
        for feature, close in (("energy", 12), ("valence", 15), ("bpm", 10), ("danceability", 12), ("acousticness", 15)):
            x, y = getattr(a, feature), getattr(b, feature)
            if x is not None and y is not None and abs(x - y) <= close:
                word = SCALES[feature].describe(y).split(",")[0].split(" and ")[0]
                reasons.append(f"{word} like it ({feature_text(feature, y)})")
    return tuple(reasons[:4]) or ("close in sound and style",)
