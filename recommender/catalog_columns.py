"""Reading a catalog column by column: the row reader's rules applied once per distinct value, songs made as arrays.

The csv module still splits the records (the row reader's tokenizer and dialect, so every cell is the same
string), but no Python object is made per row beyond its cells: each column's conversions run once per
distinct spelling ("0.439", "['Adele']", "2019-05-04" repeat across a million songs), repeated songs are
found by a hash of their key, and the table is built from numpy arrays instead of a million ``Song`` objects.

Anything other than a plain, well-formed row (a wrong field count, a value that does not convert, a CSV
fault, a title that is blank) makes ``read_columns`` give up, and the row reader reads the file again: its
messages name the file, line and column, and lenient mode lists every rejected row.
"""

from __future__ import annotations

import csv
import gc
import io
import itertools
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TypeVar

import numpy as np
from tqdm import tqdm

from .catalog import (
    GUESTS_IN_TITLE,
    LITERAL_LIMIT,
    MEASURED,
    QUOTED,
    RANGES,
    SIMPLE_LIST,
    UNDETECTED,
    _artists,
    _genres,
    _RowError,
    _RowParser,
    _text,
    _year,
)
from .repair import repair_text
from .songs import FEATURE_FIELDS, SongTable

# Rows read and converted at a time: large enough that per-chunk work is small, small enough to bound memory.
CHUNK_ROWS = 1 << 16
# A cell made only of these is a number exactly when ``float`` reads it (the NUMBER pattern's language).
DECIMAL = "0123456789.+-"
MERGED = "repeated rows merged into one song"

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class _GiveUp(Exception):
    """The chunk holds something only the row reader reports exactly."""


@dataclass(slots=True)
class _Columns:
    """Every row kept so far, a list per field (repeated values share one object)."""

    titles: list[str] = field(default_factory=list)
    artists: list[str] = field(default_factory=list)
    credits: list[tuple[str, ...]] = field(default_factory=list)
    genres: list[tuple[str, ...]] = field(default_factory=list)
    years: list[tuple[int, ...]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    albums: list[str] = field(default_factory=list)
    features: list[np.ndarray] = field(default_factory=list)
    measured: list[np.ndarray] = field(default_factory=list)
    keys: list[np.ndarray] = field(default_factory=list)


def _distinct(values: Sequence[K], convert: Callable[[K], T]) -> list[T]:
    """``convert`` of each value, called once per distinct value."""
    converted = {value: convert(value) for value in set(values)}
    return list(map(converted.__getitem__, values))


class _Repairs:
    """``repair_text`` once per distinct non-ASCII text, counted per row as the row reader counts them."""

    def __init__(self, counts: Counter[str]) -> None:
        self.counts = counts
        self.cache: dict[str, tuple[str, str | None]] = {}

    def one(self, text: str) -> tuple[str, str | None]:
        if text.isascii():
            return text, None
        repaired = self.cache.get(text)
        if repaired is None:
            repaired = self.cache[text] = repair_text(text)
        return repaired

    def counted(self, texts: list[str]) -> None:
        if "".join(texts).isascii():
            return
        for i, text in enumerate(texts):
            fixed, kind = self.one(text)
            if kind:
                texts[i] = fixed
                self.counts[kind] += 1


class _Reader:
    def __init__(self, parser: _RowParser, corrections: dict[tuple[str, str], str], counts: Counter[str]) -> None:
        self.parser = parser
        self.corrections = corrections
        self.corrected_titles = {title for _, title in corrections}
        self.counts = counts
        self.repairs = _Repairs(counts)
        names = list(parser.mapping)
        self.names = names
        self.pick = itemgetter(*(parser.mapping[name] for name in names))
        self.columns = _Columns()
        self.rows_read = 0

    def number(self, name: str) -> Callable[[str], float]:
        parser = self.parser
        exact = name == "explicit"

        def convert(raw: str) -> float:
            number: float | None
            if not exact and raw and not raw.strip(DECIMAL):
                try:
                    number = parser.checked(float(raw), raw, name)
                except ValueError:
                    number = parser._value(raw.strip(), name)
            else:
                number = parser._value(raw.strip(), name)
            return np.nan if number is None else number

        return convert

    def in_range(self, column: np.ndarray, name: str) -> bool:
        """``column`` read as plain decimals put on the common scale as ``_RowParser.checked`` does, in place;
        False when a value is out of range (the exact reader then says which)."""
        if name in UNDETECTED:
            column[column == UNDETECTED[name]] = np.nan
        if name in self.parser.scales:
            column *= self.parser.scales[name]
        low, high = RANGES[name]
        known = column[~np.isnan(column)]
        return bool(((known >= low) & (known <= high)).all())

    def add(self, chunk: list[list[str]]) -> None:
        width = len(self.parser.headers)
        if any(len(cells) != width for cells in chunk):
            chunk = [cells for cells in chunk if len(cells) == width or not _blank(cells)]
        chunk, titles = self.titles(chunk)
        if not chunk:
            return
        self.rows_read += len(chunk)
        cells = dict(zip(self.names, zip(*map(self.pick, chunk), strict=True), strict=True))
        artists, credits = self.credits(cells["artist"], titles)
        features, measured = self.features(cells, len(chunk))
        years: list[tuple[int, ...]] = [()] * len(chunk)
        if (year := "year" if "year" in cells else "release_date") in cells:
            years = _distinct(cells[year], _year_of)
        genres: list[tuple[str, ...]] = [()] * len(chunk)
        if "genre" in cells:
            genres = _distinct(cells["genre"], lambda raw: _genres(raw.strip()))
        ids = [""] * len(chunk)
        if "spotify_id" in cells:
            ids = [raw.strip().removeprefix("spotify:track:") for raw in cells["spotify_id"]]
        albums = [""] * len(chunk)
        if "album" in cells:
            albums = _distinct(cells["album"], lambda raw: _text(raw.strip()))
        self.repair(titles, artists, credits, genres)
        columns = self.columns
        columns.titles += titles
        columns.artists += artists
        columns.credits += credits
        columns.genres += genres
        columns.years += years
        columns.ids += ids
        columns.albums += albums
        columns.features.append(features)
        columns.measured.append(measured)
        keys = (hash((title.casefold(), artist.casefold())) for title, artist in zip(titles, artists, strict=True))
        columns.keys.append(np.fromiter(keys, dtype=np.int64, count=len(titles)))

    def titles(self, chunk: list[list[str]]) -> tuple[list[list[str]], list[str]]:
        """Each row's title; a row whose cells are all blank is left out, as the row reader skips it."""
        index = self.parser.mapping["title"]
        titles = [
            title if (title := cells[index].strip()).isascii() and title.isprintable() else _text(title)
            for cells in chunk
        ]
        if all(titles):
            return chunk, titles
        kept = [i for i, title in enumerate(titles) if title or not _blank(chunk[i])]
        return [chunk[i] for i in kept], [titles[i] for i in kept]

    def credits(self, raw: Sequence[str], titles: list[str]) -> tuple[list[str], list[tuple[str, ...]]]:
        """The artist as shown and every artist credited, "feat." guests in the title included."""
        parsed = _distinct(raw, _credit)
        for i, title in enumerate(titles):
            if ("(" in title or "[" in title) and GUESTS_IN_TITLE.search(title):
                parsed[i] = _artists(raw[i].strip(), title)
        shown = [artist for artist, _ in parsed]
        if not all(shown):
            raise _GiveUp("an artist is missing")
        return shown, [credited for _, credited in parsed]

    def features(self, cells: dict[str, tuple[str, ...]], count: int) -> tuple[np.ndarray, np.ndarray]:
        """The features matrix (NaN where unknown, every value NaN for a song never measured) and its mask."""
        values = np.full((count, len(FEATURE_FIELDS)), np.nan)
        for name in self.parser.numeric:
            # explicit is read as true/false or 1/0 only, never as any number.
            column = None if name == "explicit" else _decimals(cells[name])
            if column is None or not self.in_range(column, name):
                column = np.array(_distinct(cells[name], self.number(name)))
            values[:, FEATURE_FIELDS.index(name)] = column
        measured = np.zeros(count, dtype=bool)
        for name in MEASURED:
            if name in cells:
                column = values[:, FEATURE_FIELDS.index(name)]
                measured |= ~np.isnan(column) & (column != 0)
        values[~measured] = np.nan
        return values, measured

    def repair(
        self,
        titles: list[str],
        artists: list[str],
        credits: list[tuple[str, ...]],
        genres: list[tuple[str, ...]],
    ) -> None:
        """The row reader's repairs, in its order: corrections file, then mojibake in each text."""
        if self.corrected_titles:
            for i, title in enumerate(titles):
                corrected = self.corrections.get((artists[i], title)) if title in self.corrected_titles else None
                if corrected is not None:
                    titles[i] = corrected
                    self.counts["title from corrections file"] += 1
        self.repairs.counted(titles)
        self.repairs.counted(artists)
        for groups in (credits, genres):
            if not "".join(itertools.chain.from_iterable(groups)).isascii():
                groups[:] = _distinct(groups, lambda names: tuple(self.repairs.one(name)[0] for name in names))

    def table(self) -> SongTable:
        columns = self.columns
        features, measured = np.concatenate(columns.features), np.concatenate(columns.measured)
        keep = self.merge(np.concatenate(columns.keys), features, measured)
        kept = np.flatnonzero(keep).tolist()

        def only(values: list[T]) -> list[T]:
            return values if len(kept) == len(values) else [values[i] for i in kept]

        features, measured = features[keep], measured[keep]
        unmeasured = int((~measured).sum())
        if unmeasured:
            self.counts["songs without measurements (kept, never described)"] = unmeasured
        artists, credits = only(columns.artists), only(columns.credits)
        shown_and_credited = [
            name for artist, names in zip(artists, credits, strict=True) for name in (artist, *(names or (artist,)))
        ]
        sizes = np.fromiter((1 + (len(names) or 1) for names in credits), dtype=np.int64, count=len(credits))
        codes, names = _codes(shown_and_credited)
        starts = np.cumsum(sizes) - sizes
        credited = np.ones(len(codes), dtype=bool)
        credited[starts] = False
        genres = only(columns.genres)
        genre_codes, genre_names = _codes(list(itertools.chain.from_iterable(genres)))
        years = only(columns.years)
        return SongTable.from_arrays(
            {
                **_texts(only(columns.titles), "title"),
                "artist.codes": codes[starts],
                **_texts(only(columns.albums), "album"),
                **_texts(only(columns.ids), "spotify_id"),
                **_texts(genre_names, "genres.names"),
                "genres.codes": genre_codes,
                "genres.ends": _ends(genres),
                **_texts(names, "credits.names"),
                "credits.codes": codes[credited],
                "credits.ends": np.cumsum(sizes - 1),
                "years": np.array([year for song in years for year in song], dtype=np.int16),
                "years.ends": _ends(years),
                "measured": measured,
                "features": features,
            }
        )

    def merge(self, keys: np.ndarray, features: np.ndarray, measured: np.ndarray) -> np.ndarray:
        """Merge repeated songs into their first row as the row reader does; the mask of rows kept."""
        columns = self.columns
        keep = np.ones(len(keys), dtype=bool)
        groups: dict[tuple[str, str], list[int]] = {}
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        for i in np.flatnonzero(counts[inverse] > 1).tolist():
            key = (columns.titles[i].casefold(), columns.artists[i].casefold())
            groups.setdefault(key, []).append(i)
        for first, *rest in groups.values():
            if not rest:
                continue
            self.counts[MERGED] += len(rest)
            keep[rest] = False
            years = set(columns.years[first])
            genres = list(columns.genres[first])
            for i in rest:
                years |= set(columns.years[i])
                genres += [genre for genre in columns.genres[i] if genre not in genres]
                if not measured[first] and measured[i]:
                    features[first], measured[first] = features[i], True
                columns.ids[first] = columns.ids[first] or columns.ids[i]
                columns.albums[first] = columns.albums[first] or columns.albums[i]
            columns.years[first] = tuple(sorted(years))
            columns.genres[first] = tuple(genres)
        return keep


def _credit(cell: str) -> tuple[str, tuple[str, ...]]:
    """``_artists`` of a cell for a title with no "feat.", cheaply for plain ASCII names ("A", "['A', 'B']")."""
    value = cell.strip()
    if value.isascii() and value.isprintable() and " f" not in value.lower():
        if not value.startswith("["):
            if value and ";" not in value:
                return value, ()
        elif len(value) <= LITERAL_LIMIT and SIMPLE_LIST.fullmatch(value):
            listed = [name for item in QUOTED.findall(value) if (name := item.strip())]
            if listed:
                shown, credited = ", ".join(listed), tuple(dict.fromkeys(listed))
                return shown, credited if credited != (shown,) else ()
    return _artists(value, "")


def _decimals(cells: Sequence[str]) -> np.ndarray | None:
    """The cells as floats when every one is a plain ASCII decimal ("0.439", "-5", "120."), else None.

    Made only of digits, points and signs, a cell is what the NUMBER pattern accepts exactly when ``float``
    reads it, so one C pass checks the characters and numpy's ``float`` of each does the rest.
    """
    if not all(cells):
        return None
    text = "".join(cells)
    if not text.isascii() or text.encode("ascii").translate(None, DECIMAL.encode("ascii")):
        return None
    try:
        return np.array(cells, dtype=object).astype(np.float64)
    except ValueError:
        return None


def _year_of(raw: str) -> tuple[int, ...]:
    year = _year(raw.strip())
    return () if year is None else (year,)


def _blank(cells: list[str]) -> bool:
    """A row the row reader skips; any other row it would reject makes the column reader give up."""
    if any(cell.strip() for cell in cells):
        raise _GiveUp("a row the row reader rejects")
    return True


def _codes(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each value as a position among the distinct values, numbered in order of first appearance (as
    ``SongTable`` numbers them while it is made)."""
    distinct = list(dict.fromkeys(values))
    position = {value: code for code, value in enumerate(distinct)}
    return np.fromiter(map(position.__getitem__, values), dtype=np.int32, count=len(values)), distinct


def _ends(groups: Sequence[Sequence[object]]) -> np.ndarray:
    return np.cumsum(np.fromiter(map(len, groups), dtype=np.int64, count=len(groups)), dtype=np.int64)


def _texts(values: list[str], name: str) -> dict[str, np.ndarray]:
    """``values`` in one UTF-8 buffer and their ends, as ``SongTable`` keeps text."""
    text = "".join(values)
    buffer = text.encode("utf-8", "surrogatepass")
    if len(buffer) == len(text):
        sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    else:
        encoded = (len(value.encode("utf-8", "surrogatepass")) for value in values)
        sizes = np.fromiter(encoded, dtype=np.int64, count=len(values))
    return {f"{name}.text": np.frombuffer(buffer, dtype=np.uint8), f"{name}.ends": np.cumsum(sizes, dtype=np.int64)}


def read_columns(
    path: Path,
    encoding: str,
    parser: _RowParser,
    corrections: dict[tuple[str, str], str],
    bar: tqdm,
) -> tuple[SongTable, int, Counter[str]] | None:
    """The songs, the rows read and the repairs made; None where the row reader must read the file."""
    with _collector_paused():
        return _read(path, encoding, parser, corrections, bar)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cycle collector paused: the millions of cells, tuples and lists made here hold no cycles, and its passes
    over them, more costly as they accumulate, took a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(
    path: Path,
    encoding: str,
    parser: _RowParser,
    corrections: dict[tuple[str, str], str],
    bar: tqdm,
) -> tuple[SongTable, int, Counter[str]] | None:
    counts: Counter[str] = Counter()
    reader = _Reader(parser, corrections, counts)
    try:
        with path.open(encoding=encoding, newline="") as handle:
            raw = handle.buffer
            assert isinstance(raw, io.BufferedReader), "a file opened in text mode reads through a BufferedReader"
            records = csv.reader(handle)
            header = next((cells for cells in records if any(c.strip() for c in cells)), None)
            if header != parser.headers:
                return None
            while chunk := list(itertools.islice(records, CHUNK_ROWS)):
                reader.add(chunk)
                bar.update(raw.tell() - bar.n)
                bar.set_postfix_str(f"{reader.rows_read:,} rows", refresh=False)
    except (_GiveUp, _RowError, ValueError, csv.Error, OSError):
        return None
    if not reader.rows_read:
        return None
    return reader.table(), reader.rows_read, counts
