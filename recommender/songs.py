"""Plain data the library hands out: songs, their audio features and ranked results."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

# The ranked features, in the Ranker's column order (new ones go last: positional ``Features(...)`` stays valid).
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
    "instrumentalness",
    "mode",
    "explicit",
)
# Optional fields a catalog may have beside title and artist; ``Catalog.columns`` says which one did.
OPTIONAL_COLUMNS = (*FEATURE_NAMES, "key", "time_signature", "year", "genre", "album", "spotify_id")
SPOTIFY_TRACK_URL = "https://open.spotify.com/track/"
_SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")


@dataclass(frozen=True, slots=True)
class Features:
    """Audio features on common scales: BPM, dB, seconds, 0-100 for the rest; None where the catalog does not say.

    ``mode`` is 1 for major and 0 for minor, ``explicit`` 1 or 0, ``key`` the pitch class (0 = C, 11 = B)
    and ``time_signature`` the beats per bar.
    """

    bpm: float | None = None
    energy: float | None = None
    danceability: float | None = None
    loudness: float | None = None
    liveness: float | None = None
    valence: float | None = None
    length: float | None = None
    acousticness: float | None = None
    speechiness: float | None = None
    popularity: float | None = None
    instrumentalness: float | None = None
    mode: float | None = None
    explicit: float | None = None
    key: float | None = None
    time_signature: float | None = None

    def as_dict(self) -> dict[str, float]:
        """The known features only: an unknown one is absent, never zero."""
        return {f.name: value for f in fields(self) if (value := getattr(self, f.name)) is not None}


@dataclass(frozen=True, slots=True)
class Song:
    """One song of a catalog after repair and de-duplication.

    ``features`` is None for a song the catalog lists without measurements: it stays
    findable by title, artist and genre but is never described by its (absent) sound.
    ``artist`` is the credit as shown; ``artists`` every artist credited, "feat." guests
    included (just ``artist`` when the catalog names one).
    """

    id: int
    title: str
    artist: str
    genres: tuple[str, ...]
    years: tuple[int, ...]
    features: Features | None
    spotify_id: str | None = None
    album: str | None = None
    artists: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.artists:
            object.__setattr__(self, "artists", (self.artist,))

    @property
    def url(self) -> str | None:
        """The song's Spotify track page, when the catalog gives its track id."""
        if self.spotify_id and _SPOTIFY_ID.fullmatch(self.spotify_id):
            return SPOTIFY_TRACK_URL + self.spotify_id
        return None

    @property
    def year(self) -> int | None:
        return self.years[0] if self.years else None

    @property
    def genre(self) -> str:
        return self.genres[0] if self.genres else ""

    @property
    def label(self) -> str:
        return f"{self.title} — {self.artist}"


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A song in an answer: its rank (1-based), score and why it matched.

    In the ``default`` profile a higher score is better; in ``seed`` the score is the
    published system's squared L2 distance, where lower is better.
    """

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
            "album": song.album,
            "artists": list(song.artists),
            "url": song.url,
            "score": round(self.score, 4),
            "features": song.features.as_dict() if song.features else None,
            "reasons": list(self.reasons),
        }
