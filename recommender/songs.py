"""Plain data the library hands out: songs, their audio features and ranked results."""

from __future__ import annotations

import math
import operator
import re
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import CodeType
from typing import overload

import numpy as np

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
# Prefix of the columns a table keeps beside its own: keys made from each title by a lookup (see ``SongTable.derived``).
DERIVED = "derived."


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

    @property
    def is_explicit(self) -> bool:
        """Whether the catalog marks this song explicit (False where it does not say)."""
        return self.features is not None and self.features.explicit == 1


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
            "album": song.album,
            "artists": list(song.artists),
            "url": song.url,
            "score": round(self.score, 4),
            "features": song.features.as_dict() if song.features else None,
            "reasons": list(self.reasons),
        }


FEATURE_FIELDS = tuple(f.name for f in fields(Features))


class _Texts:
    """Many strings in one UTF-8 buffer and an array of ends: a byte or so a character, not an object each."""

    __slots__ = ("_buffer", "_ends")

    def __init__(self, buffer: bytes | bytearray = b"", ends: Sequence[int] = ()) -> None:
        self._buffer = bytearray(buffer)
        self._ends = array("q", ends)

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        return {f"{name}.text": np.frombuffer(bytes(self._buffer), dtype=np.uint8), f"{name}.ends": _int64(self._ends)}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], name: str, count: int) -> _Texts:
        buffer, ends = arrays[f"{name}.text"].tobytes(), arrays[f"{name}.ends"]
        _check_ends(ends, count, len(buffer), name)
        texts = cls(buffer)
        texts._ends = _array("q", ends)
        return texts

    def append(self, text: str) -> None:
        self._buffer += text.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._buffer))

    def __getitem__(self, index: int) -> str:
        start = self._ends[index - 1] if index else 0
        return self._buffer[start : self._ends[index]].decode("utf-8", "surrogatepass")

    def __len__(self) -> int:
        return len(self._ends)

    def all(self) -> list[str]:
        """Every string, decoded in one go (ASCII text, the usual case, is cut by its offsets as it is)."""
        if not self._buffer.isascii():
            return [self[i] for i in range(len(self))]
        text, starts = self._buffer.decode("ascii"), [0, *self._ends[:-1]]
        return [text[start:end] for start, end in zip(starts, self._ends, strict=True)]


class _Coded:
    """A short list of strings per song drawn from few distinct ones (artists, genres): each distinct string kept
    once, each song a run of int32 codes into them, so filters and lookups read arrays and never the songs."""

    __slots__ = ("names", "codes", "ends", "_position")

    def __init__(self, names: _Texts | None = None, codes: Sequence[int] = (), ends: Sequence[int] = ()) -> None:
        self.names = names or _Texts()
        self.codes, self.ends = array("i", codes), array("q", ends)
        self._position: dict[str, int] = {}

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        codes = np.frombuffer(self.codes, dtype=np.int32) if self.codes else np.zeros(0, dtype=np.int32)
        return {**self.names.arrays(f"{name}.names"), f"{name}.codes": codes, f"{name}.ends": _int64(self.ends)}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], name: str, count: int) -> _Coded:
        codes, ends, distinct = arrays[f"{name}.codes"], arrays[f"{name}.ends"], len(arrays[f"{name}.names.ends"])
        _check_ends(ends, count, len(codes), name)
        if codes.dtype != np.int32 or (len(codes) and (codes.min() < 0 or codes.max() >= distinct)):
            raise ValueError(f"{name}: codes out of range")
        coded = cls(_Texts.from_arrays(arrays, f"{name}.names", distinct))
        coded.codes, coded.ends = _array("i", codes), _array("q", ends)
        return coded

    def code(self, value: str) -> int:
        """The code of ``value``, a new one when it is new (only while the table is being made)."""
        code = self._position.get(value)
        if code is None:
            code = self._position[value] = len(self._position)
            self.names.append(value)
        return code

    def append(self, values: Iterable[str]) -> None:
        self.codes.extend(self.code(value) for value in values)
        self.ends.append(len(self.codes))

    def __getitem__(self, index: int) -> tuple[str, ...]:
        start = self.ends[index - 1] if index else 0
        return tuple(self.names[code] for code in self.codes[start : self.ends[index]])

    def distinct(self) -> list[str]:
        """Every distinct string, in code order: one pass over them, not over the songs."""
        return [self.names[code] for code in range(len(self.names))]


def _array(typecode: str, values: np.ndarray) -> array[int]:
    """A numpy column as a growable array, copied as bytes (a million items through Python ints take a second)."""
    copied = array(typecode)
    copied.frombytes(np.ascontiguousarray(values, dtype=np.dtype(typecode)).tobytes())
    return copied


def _int64(values: array[int]) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int64) if len(values) else np.zeros(0, dtype=np.int64)


def _check_ends(ends: np.ndarray, count: int, total: int, name: str) -> None:
    """Offsets that cut ``total`` items into ``count`` pieces, or ValueError: a damaged file is never served."""
    if ends.dtype != np.int64 or ends.shape != (count,):
        raise ValueError(f"{name}: {ends.shape} offsets of {ends.dtype}, expected {count}")
    if count and (ends[0] < 0 or (np.diff(ends) < 0).any() or ends[-1] != total):
        raise ValueError(f"{name}: offsets out of order or past the end")


class SongTable(Sequence[Song]):
    """A catalog's songs column by column; a ``Song`` is made only when one is asked for.

    A million songs as objects take about a kilobyte each (the song, its ``Features`` and a float
    object per value); here they take the text's bytes, a few offsets and one row of ``features``.
    Code that needs every song's features reads the ``features`` matrix (NaN where unknown, columns
    in ``FEATURE_FIELDS`` order) and ``measured`` mask instead of making each song.
    """

    def __init__(self, songs: Iterable[Song]) -> None:
        self._titles, self._albums, self._ids = _Texts(), _Texts(), _Texts()
        # Artists and genres repeat across songs: each distinct name is kept once and songs hold codes.
        self._credits, self._genres = _Coded(), _Coded()
        self._artist_codes = array("i")
        self._derived: dict[str, _Texts] = {}
        self._years, self._year_ends = array("h"), array("q")
        values, measured = array("d"), bytearray()
        unknown = (math.nan,) * len(FEATURE_FIELDS)
        for song in songs:
            self._titles.append(song.title)
            self._artist_codes.append(self._credits.code(song.artist))
            self._albums.append(song.album or "")
            self._ids.append(song.spotify_id or "")
            self._genres.append(song.genres)
            self._credits.append(song.artists)
            self._years.extend(song.years)
            self._year_ends.append(len(self._years))
            features = song.features
            measured.append(features is not None)
            values.extend(
                unknown
                if features is None
                else (math.nan if (v := getattr(features, name)) is None else v for name in FEATURE_FIELDS)
            )
        self.measured = np.frombuffer(bytes(measured), dtype=bool)
        self.features = np.frombuffer(values, dtype=np.float64).reshape(len(measured), len(FEATURE_FIELDS))

    def arrays(self) -> dict[str, np.ndarray]:
        """Every column as a numpy array, for ``np.savez``; ``from_arrays`` reads them back."""
        return {
            **self._titles.arrays("title"),
            "artist.codes": self.artist_codes,
            **self._albums.arrays("album"),
            **self._ids.arrays("spotify_id"),
            **self._genres.arrays("genres"),
            **self._credits.arrays("credits"),
            **{array: values for name, texts in self._derived.items() for array, values in texts.arrays(name).items()},
            "years": np.frombuffer(self._years, dtype=np.int16) if self._years else np.zeros(0, dtype=np.int16),
            "years.ends": _int64(self._year_ends),
            "measured": self.measured,
            "features": self.features,
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> SongTable:
        """The table ``arrays()`` gave; ValueError or KeyError when the arrays do not fit together."""
        table = cls(())
        measured, features = arrays["measured"], arrays["features"]
        count = len(measured)
        if measured.dtype != bool or features.dtype != np.float64 or features.shape != (count, len(FEATURE_FIELDS)):
            raise ValueError("the features do not match the songs")
        table.measured, table.features = measured, features
        table._titles = _Texts.from_arrays(arrays, "title", count)
        table._albums, table._ids = (
            _Texts.from_arrays(arrays, "album", count),
            _Texts.from_arrays(arrays, "spotify_id", count),
        )
        table._genres, table._credits = (
            _Coded.from_arrays(arrays, "genres", count),
            _Coded.from_arrays(arrays, "credits", count),
        )
        artist_codes = arrays["artist.codes"]
        if artist_codes.dtype != np.int32 or artist_codes.shape != (count,):
            raise ValueError("artist codes do not match the songs")
        if count and (artist_codes.min() < 0 or artist_codes.max() >= len(table._credits.names)):
            raise ValueError("artist codes out of range")
        table._artist_codes = array("i", artist_codes.tobytes())
        for key in arrays:
            if key.startswith(DERIVED) and key.endswith(".text"):
                name = key.removesuffix(".text")
                table._derived[name] = _Texts.from_arrays(arrays, name, count)
        years, year_ends = arrays["years"], arrays["years.ends"]
        if years.dtype != np.int16:
            raise ValueError("years are not 16-bit integers")
        _check_ends(year_ends, count, len(years), "years")
        table._years, table._year_ends = _array("h", years), _array("q", year_ends)
        return table

    def __len__(self) -> int:
        return len(self.measured)

    @property
    def artist_codes(self) -> np.ndarray:
        """Each song's artist as shown, as a position in ``artist_names()``."""
        return np.frombuffer(self._artist_codes, dtype=np.int32) if self._artist_codes else np.zeros(0, np.int32)

    def artist_names(self) -> list[str]:
        """Every distinct artist, shown or credited, in code order."""
        return self._credits.distinct()

    def credits(self) -> tuple[np.ndarray, np.ndarray]:
        """(codes, ends): song i's credited artists ("feat." guests too) are ``codes[ends[i-1]:ends[i]]``."""
        return self._codes_and_ends(self._credits)

    def genre_names(self) -> list[str]:
        return self._genres.distinct()

    def genres(self) -> tuple[np.ndarray, np.ndarray]:
        """(codes, ends) into ``genre_names()``, as ``credits`` gives them."""
        return self._codes_and_ends(self._genres)

    def years(self) -> tuple[np.ndarray, np.ndarray]:
        """(years, ends): song i's chart or release years are ``years[ends[i-1]:ends[i]]``."""
        values = np.frombuffer(self._years, dtype=np.int16) if self._years else np.zeros(0, dtype=np.int16)
        return values, _int64(self._year_ends)

    def titles(self) -> list[str]:
        return self._titles.all()

    def derived(self, make: Callable[[str], str]) -> list[str]:
        """``make`` of every title, made once per table and kept in its cache (``arrays``), so a lookup over a
        million titles starts without normalizing each again. The name holds ``make``'s code: a changed
        function makes its keys afresh."""
        name = f"{DERIVED}{make.__module__}.{make.__qualname__}.{zlib.crc32(_code_text(make.__code__)):08x}"
        if name not in self._derived:
            keys = _Texts()
            for title in self.titles():
                keys.append(make(title))
            self._derived[name] = keys
        return self._derived[name].all()

    @staticmethod
    def _codes_and_ends(coded: _Coded) -> tuple[np.ndarray, np.ndarray]:
        codes = np.frombuffer(coded.codes, dtype=np.int32) if coded.codes else np.zeros(0, dtype=np.int32)
        return codes, _int64(coded.ends)

    @overload
    def __getitem__(self, index: int) -> Song: ...

    @overload
    def __getitem__(self, index: slice) -> list[Song]: ...

    def __getitem__(self, index: int | slice) -> Song | list[Song]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = operator.index(index)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"song {index} of {len(self)}")
        year_start = self._year_ends[i - 1] if i else 0
        features = None
        if self.measured[i]:
            row = self.features[i].tolist()
            features = Features(**{n: v for n, v in zip(FEATURE_FIELDS, row, strict=True) if not math.isnan(v)})
        return Song(
            id=i,
            title=self._titles[i],
            artist=self._credits.names[self._artist_codes[i]],
            genres=self._genres[i],
            years=tuple(self._years[year_start : self._year_ends[i]]),
            features=features,
            spotify_id=self._ids[i] or None,
            album=self._albums[i] or None,
            artists=self._credits[i],
        )

    def __iter__(self) -> Iterator[Song]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]


def _code_text(code: CodeType) -> bytes:
    """A function's code as bytes that are the same in every process: nested code by its own text (its repr
    holds an address), sets sorted (their order follows the process's string hashing)."""

    def constant(value: object) -> bytes:
        if isinstance(value, CodeType):
            return _code_text(value)
        if isinstance(value, tuple):
            return b"(" + b",".join(map(constant, value)) + b")"
        if isinstance(value, frozenset):
            return b"{" + b",".join(sorted(map(constant, value))) + b"}"
        return repr(value).encode()

    return b"\0".join([code.co_code, repr(code.co_names).encode(), *map(constant, code.co_consts)])


def as_table(songs: Sequence[Song]) -> SongTable:
    """``songs`` column by column: a catalog's own table as it is, or a table made from a list of songs."""
    return songs if isinstance(songs, SongTable) else SongTable(songs)
