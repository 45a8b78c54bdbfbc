"""Plain data the library hands out: songs, their audio features and ranked results."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

FEATURE_NAMES = (
    "bpm",
    "energy",
    "danceability",
    "loudness",
    "liveness",
    "valence",
    "length",
    "acousticness",
    "speechiness",
    "popularity",
)


@dataclass(frozen=True, slots=True)
class Features:
    """Audio features on common scales: BPM, dB, seconds, and 0-100 for the rest."""

    bpm: float
    energy: float
    danceability: float
    loudness: float
    liveness: float
    valence: float
    length: float
    acousticness: float
    speechiness: float
    popularity: float

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Song:
    """One song of a catalog after repair and de-duplication.

    ``features`` is None for a song the catalog lists without measurements: it stays
    findable by title, artist and genre but is never described by its (absent) sound.
    """

    id: int
    title: str
    artist: str
    genres: tuple[str, ...]
    years: tuple[int, ...]
    features: Features | None
    spotify_id: str | None = None

    @property
    def year(self) -> int | None:
        return self.years[0] if self.years else None

    @property
    def genre(self) -> str:
        return self.genres[0] if self.genres else ""

    @property
    def label(self) -> str:
        return f"{self.title} — {self.artist}"


def song_key(song: Song) -> tuple[str, str]:
    """Songs with the same key are one song, whichever row or year they came from."""
    return song.title.casefold(), song.artist.casefold()


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A song in an answer: its rank (1-based), score (higher is better) and why it matched."""

    rank: int
    song: Song
    score: float
    reasons: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        song = self.song
        return {
            "rank": self.rank,
            "title": song.title,
            "artist": song.artist,
            "year": song.year,
            "genre": song.genre,
            "score": round(self.score, 4),
            "features": song.features.as_dict() if song.features else None,
            "reasons": list(self.reasons),
        }
