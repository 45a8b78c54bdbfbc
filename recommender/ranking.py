"""Hybrid ranking for the default profile: filters from named entities, feature terms, then the embedding.

A request's score for a song is its cosine similarity to the request plus
``FEATURE_WEIGHT`` times how well the song fits the request's feature wishes (a
percentile within the catalog, so "calm" puts the calmest songs first whatever the
scale). Artists, years, genres and explicit numeric bounds filter; when they leave too
few songs they are relaxed in ``RELAX_ORDER`` and the extra songs say so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

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


class Ranker:
    """Catalog arrays precomputed once, so each request is a few vectorized passes."""

    def __init__(self, songs: Sequence[Song], vectors: np.ndarray) -> None:
        self.songs = tuple(songs)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        n = len(self.songs)
        self.features = np.full((n, len(FEATURE_NAMES)), np.nan, dtype=np.float32)
        for i, song in enumerate(self.songs):
            if song.features is not None:
                self.features[i] = [getattr(song.features, name) for name in FEATURE_NAMES]
        self.measured = ~np.isnan(self.features[:, 0])
        self.percentiles = np.full_like(self.features, np.nan)
        for column in range(len(FEATURE_NAMES)):
            values = self.features[self.measured, column]
            ordered = np.sort(values)
            # Average rank of ties, scaled to [0, 1]: equal values get equal scores.
            order = np.searchsorted(ordered, values, side="left") + np.searchsorted(ordered, values, side="right")
            self.percentiles[self.measured, column] = order / (2 * max(len(values), 1))
        self.artists = np.array([s.artist for s in self.songs], dtype=object)
        self.genres = Membership([tuple(g.lower() for g in s.genres) for s in self.songs])
        self.years = Membership([s.years for s in self.songs])
        self.hybrid = self._hybrid_vectors()

    def _hybrid_vectors(self) -> np.ndarray:
        """Text embedding and standardized audio features in one unit vector per song."""
        values = np.nan_to_num(self.features)
        mean = values[self.measured].mean(axis=0) if self.measured.any() else np.zeros(values.shape[1])
        std = values[self.measured].std(axis=0) if self.measured.any() else np.ones(values.shape[1])
        z = np.where(self.measured[:, None], (values - mean) / np.where(std > 0, std, 1), 0.0)
        norms = np.linalg.norm(z, axis=1, keepdims=True)
        z = z / np.where(norms > 0, norms, 1)
        hybrid = np.hstack([np.sqrt(1 - HYBRID_AUDIO_WEIGHT) * self.vectors, np.sqrt(HYBRID_AUDIO_WEIGHT) * z])
        return (hybrid / np.linalg.norm(hybrid, axis=1, keepdims=True)).astype(np.float32)

    def _column(self, feature: str) -> int:
        return FEATURE_NAMES.index(feature)

    def _wish_scores(self, wishes: Sequence[Wish]) -> np.ndarray:
        ranked = [w for w in wishes if w.kind in ("high", "low", "near")]
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
            filters["artist"] = np.isin(self.artists, list(intent.artists))
        if intent.years is not None:
            filters["year"] = self.years.songs_with(intent.years.__contains__)
        if intent.genre_keys:
            # Whole words only: "electro" is EDM, "electropop" is not.
            pattern = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in intent.genre_keys) + r")\b")
            filters["genre"] = self.genres.songs_with(lambda genre: pattern.search(genre) is not None)
        if intent.bounds:
            ok = np.ones(n, dtype=bool)
            for wish in intent.bounds:
                column = self.features[:, self._column(wish.feature)]
                with np.errstate(invalid="ignore"):
                    ok &= (column >= wish.value) if wish.kind == "min" else (column <= wish.value)
            filters["bounds"] = ok
        return filters

    def rank(self, intent: Intent, vector: np.ndarray, k: int) -> list[Recommendation]:
        """The top ``k`` songs for a parsed request and its embedding."""
        scores = self.vectors @ np.asarray(vector, dtype=np.float32) + FEATURE_WEIGHT * self._wish_scores(intent.wishes)
        eligible = self.measured if intent.wishes else np.ones(len(self.songs), dtype=bool)
        filters = self._filters(intent)
        chosen: list[_Candidate] = []
        seen: set[tuple[str, str]] = set()
        per_artist: dict[str, int] = {}
        active = [name for name in RELAX_ORDER if name in filters]
        relaxed: list[str] = []
        while True:
            mask = eligible.copy()
            for name in active:
                mask &= filters[name]
            for index in np.argsort(-np.where(mask, scores, -np.inf), kind="stable"):
                if not mask[index] or len(chosen) == k:
                    break
                song = self.songs[index]
                if song_key(song) in seen:
                    continue
                if not intent.artists and per_artist.get(song.artist, 0) >= MAX_PER_ARTIST:
                    continue
                seen.add(song_key(song))
                per_artist[song.artist] = per_artist.get(song.artist, 0) + 1
                # A song found after relaxing a filter ranks below those that met it, so it never scores above them.
                score = float(scores[index]) if not chosen else min(float(scores[index]), chosen[-1].score)
                missed = tuple(name for name in relaxed if not filters[name][index])
                chosen.append(_Candidate(int(index), score, missed))
            if len(chosen) >= k or not active:
                break
            relaxed.append(active.pop(0))
        return [
            Recommendation(rank=i + 1, song=self.songs[c.index], score=c.score, reasons=self._reasons(intent, c))
            for i, c in enumerate(chosen)
        ]

    def _reasons(self, intent: Intent, candidate: _Candidate) -> tuple[str, ...]:
        song = self.songs[candidate.index]
        reasons: list[str] = []
        if intent.artists and "artist" not in candidate.relaxed:
            reasons.append(f"artist: {song.artist}")
        if intent.years is not None and "year" not in candidate.relaxed:
            years = [y for y in song.years if y in intent.years]
            reasons.append(f"year {years[0]}" if years else intent.year_label)
        if intent.genre_keys and "genre" not in candidate.relaxed:
            reasons.append(f"genre: {', '.join(song.genres)}")
        if song.features is not None:
            for wish in dict((w.label, w) for w in intent.wishes).values():
                text = feature_text(wish.feature, getattr(song.features, wish.feature))
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
        return percentile >= 0.5 if wish.kind == "high" else percentile <= 0.5

    def similar(self, seed: Song, k: int, exclude: set[tuple[str, str]]) -> list[Recommendation]:
        """Neighbours by the hybrid vector: they share the seed's sound as well as its words."""
        scores = self.hybrid @ self.hybrid[seed.id]
        chosen: list[Recommendation] = []
        seen = set(exclude)
        for index in np.argsort(-scores, kind="stable"):
            song = self.songs[index]
            if song_key(song) in seen:
                continue
            seen.add(song_key(song))
            chosen.append(
                Recommendation(rank=len(chosen) + 1, song=song, score=float(scores[index]), reasons=shared_traits(seed, song))
            )
            if len(chosen) == k:
                break
        return chosen


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
            if abs(x - y) <= close:
                word = SCALES[feature].describe(y).split(",")[0].split(" and ")[0]
                reasons.append(f"{word} like it ({feature_text(feature, y)})")
    return tuple(reasons[:4]) or ("close in sound and style",)
