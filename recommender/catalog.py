"""Reading a catalog CSV into songs: header mapping by meaning, unit detection, repairs and a report.

Three layouts are read with no flags: the long descriptive headers of the reference file,
the short Kaggle headers (``bpm,nrgy,dnce,...``) and Spotify Web API units (0-1 floats,
milliseconds, genre lists, release dates). Every fault names the file, the line and the column.
"""

from __future__ import annotations

import ast
import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from .checksum import sha256_file
from .repair import load_corrections, repair_text
from .songs import FEATURE_NAMES, Features, Song

# Normalized header spellings for each field. A header matches when it equals one of these,
# or starts with one and goes on to describe it in at least three more words, as the
# reference file's "Beats.Per.Minute -The tempo of the song" does.
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("title", "name", "track", "track name", "song", "song name", "song title", "track title"),
    "artist": ("artist", "artists", "artist name", "artist names", "performer", "singer"),
    "genre": ("genre", "genres", "top genre", "the genre of the track", "artist genres", "track genre"),
    "year": ("year", "release year", "chart year"),
    "release_date": ("release date", "released", "album release date", "date"),
    "spotify_id": ("song id", "track id", "spotify id", "id", "spotify track id", "uri"),
    "bpm": ("bpm", "tempo", "beats per minute"),
    "energy": ("energy", "nrgy"),
    "danceability": ("danceability", "dnce", "dance"),
    "loudness": ("loudness", "db", "loudness db", "loudness/db"),
    "liveness": ("liveness", "live"),
    "valence": ("valence", "val", "mood"),
    "length": ("length", "dur", "duration", "duration s", "length s", "duration sec", "duration ms", "length ms"),
    "acousticness": ("acousticness", "acous", "acoustic"),
    "speechiness": ("speechiness", "spch", "speech"),
    "popularity": ("popularity", "pop"),
}
REQUIRED = ("title", "artist", *FEATURE_NAMES)

# Valid ranges on the common scales, after unit conversion.
RANGES: dict[str, tuple[float, float]] = {
    "bpm": (0, 300),
    "loudness": (-60, 10),
    "length": (0, 7200),
    **{name: (0, 100) for name in ("energy", "danceability", "liveness", "valence", "acousticness", "speechiness", "popularity")},
}
# Features the Web API gives as 0-1 fractions; a column whose sampled values all lie in [0, 1] is scaled by 100.
FRACTION_FEATURES = ("energy", "danceability", "liveness", "valence", "acousticness", "speechiness", "popularity")
# When every one of these is zero or blank, the song was never measured (Spotify's row of zeros).
MEASURED = ("bpm", "energy", "danceability", "liveness", "valence", "acousticness", "speechiness")
UNIT_SAMPLE_ROWS = 1000


class CatalogError(ValueError):
    """A catalog that cannot be used, or a row that is wrong, with where it is."""


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class CatalogReport:
    path: Path
    encoding: str = "utf-8"
    columns: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    songs_kept: int = 0
    repairs: Counter[str] = field(default_factory=Counter)
    rejected: list[Rejected] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"catalog: {self.path}",
            f"encoding: {self.encoding}",
            "columns: " + ", ".join(f"{name} <- {header!r}" for name, header in self.columns.items()),
            f"rows read: {self.rows_read}",
            f"songs kept: {self.songs_kept}",
            "repairs:" + ("" if self.repairs else " none"),
        ]
        out += [f"  {kind}: {count}" for kind, count in sorted(self.repairs.items())]
        out.append(f"rows rejected: {len(self.rejected)}")
        out += [f"  {rejected}" for rejected in self.rejected]
        return out


@dataclass(frozen=True, slots=True)
class Catalog:
    path: Path
    sha256: str
    songs: tuple[Song, ...]
    report: CatalogReport


def normalize_header(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.lower()).split())


def map_columns(headers: list[str]) -> dict[str, int]:
    """Field name -> column index. Exact spellings win over descriptive ones; the first column wins a tie."""
    normalized = [normalize_header(h) for h in headers]
    mapping: dict[str, int] = {}
    for name, synonyms in COLUMN_SYNONYMS.items():
        exact = [i for i, h in enumerate(normalized) if h in synonyms]
        described = [
            i
            for i, h in enumerate(normalized)
            if any(h.startswith(s + " ") and len(h.split()) >= len(s.split()) + 3 for s in synonyms)
        ]
        candidates = [i for i in exact + described if i not in mapping.values()]
        if candidates:
            mapping[name] = candidates[0]
    missing = [name for name in REQUIRED if name not in mapping]
    if "year" not in mapping and "release_date" not in mapping:
        missing.append("year or release date")
    if missing:
        raise CatalogError(
            f"cannot map the columns: missing {', '.join(missing)}; found {', '.join(repr(h) for h in headers)}"
        )
    return mapping


def detect_encoding(path: Path) -> str:
    """utf-8 (with or without BOM) when every byte decodes as such, else cp1252, else latin-1."""
    with path.open("rb") as handle:
        head = handle.read(65536)
        if not head.strip():
            raise CatalogError(f"{path}: the file is empty")
        if b"\x00" in head:
            raise CatalogError(f"{path}: this is binary data, not a CSV text file")
        handle.seek(0)
        for encoding in ("utf-8-sig", "cp1252"):
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError:
                handle.seek(0)
    return "latin-1"


def _rows(text: io.TextIOBase) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) for each record, counting lines inside quoted fields."""
    reader = csv.reader(text)
    previous_end = 0
    for cells in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, cells


def _tracked(
    rows: Iterator[tuple[int, list[str]]], handle: io.TextIOWrapper, bar: tqdm
) -> Iterator[tuple[int, list[str]]]:
    """``rows``, counted on ``bar``; the bar moves by bytes read, which gives an ETA before the row count is known."""
    for count, row in enumerate(rows, start=1):
        bar.update(handle.buffer.tell() - bar.n)
        bar.set_postfix_str(f"{count:,} rows", refresh=False)
        yield row


def _number(raw: str) -> float | None:
    value = raw.strip()
    if not value:
        return None
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", value):
        value = value.replace(",", "")
    return float(value)


def _genres(raw: str) -> tuple[str, ...]:
    value = raw.strip()
    if value.startswith("["):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed = None
        if isinstance(parsed, list):
            return tuple(str(g).strip() for g in parsed if str(g).strip())
    return tuple(g.strip() for g in value.split(",") if g.strip()) if value else ()


class _RowError(Exception):
    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass(slots=True)
class _Draft:
    title: str
    artist: str
    genres: list[str]
    years: list[int]
    features: Features | None
    spotify_id: str | None


class _RowParser:
    def __init__(self, headers: list[str], mapping: dict[str, int], scales: dict[str, float], raw: bool) -> None:
        self.headers = headers
        self.mapping = mapping
        self.scales = scales
        self.raw = raw

    def cell(self, cells: list[str], name: str) -> str:
        index = self.mapping.get(name)
        return cells[index].strip() if index is not None else ""

    def parse(self, cells: list[str]) -> _Draft:
        if len(cells) != len(self.headers):
            raise _RowError(None, f"has {len(cells)} fields where the header has {len(self.headers)}")
        title, artist = self.cell(cells, "title"), self.cell(cells, "artist")
        for name, value in (("title", title), ("artist", artist)):
            if not value:
                raise _RowError(self.headers[self.mapping[name]], f"the {name} is missing")
        values: dict[str, float | None] = {}
        for name in FEATURE_NAMES:
            header = self.headers[self.mapping[name]]
            raw = self.cell(cells, name)
            try:
                number = _number(raw)
            except ValueError:
                raise _RowError(header, f"{raw!r} is not a number") from None
            if number is not None:
                number *= self.scales.get(name, 1.0)
                low, high = RANGES[name]
                if not low <= number <= high:
                    raise _RowError(header, f"{raw} is out of range for {name} ({low:g} to {high:g} after units)")
            values[name] = number
        unmeasured = all(not values[name] for name in MEASURED)
        blank = [name for name, value in values.items() if value is None]
        if blank and not unmeasured:
            raise _RowError(self.headers[self.mapping[blank[0]]], "the value is missing")
        # The published system described a row of zeros as "very slow, very quiet"; raw mode keeps that.
        features = (
            None
            if unmeasured and not self.raw
            else Features(**{name: value or 0.0 for name, value in values.items()})
        )
        return _Draft(
            title=title,
            artist=artist,
            genres=list(_genres(self.cell(cells, "genre"))),
            years=self.years(cells),
            features=features,
            spotify_id=self.cell(cells, "spotify_id") or None,
        )

    def years(self, cells: list[str]) -> list[int]:
        name = "year" if "year" in self.mapping else "release_date"
        raw = self.cell(cells, name)
        if not raw:
            return []
        match = re.match(r"(\d{4})", raw)
        year = int(match.group(1)) if match else 0
        if not 1900 <= year <= 2100:
            raise _RowError(self.headers[self.mapping[name]], f"{raw!r} is not a year")
        return [year]


def _unit_scales(headers: list[str], mapping: dict[str, int], sample: list[list[str]]) -> dict[str, float]:
    scales: dict[str, float] = {}
    for name in FRACTION_FEATURES:
        numbers = []
        for cells in sample:
            try:
                value = _number(cells[mapping[name]]) if len(cells) == len(headers) else None
            except ValueError:
                value = None
            if value is not None:
                numbers.append(value)
        if numbers and max(numbers) <= 1.0 and any(0 < n < 1 for n in numbers):
            scales[name] = 100.0
    if "ms" in normalize_header(headers[mapping["length"]]).split():
        scales["length"] = 0.001
    return scales


def load_catalog(path: str | Path, *, lenient: bool = False, raw: bool = False, progress: bool = False) -> Catalog:
    """Read, repair and de-duplicate a catalog.

    ``lenient`` skips bad rows and lists them in the report instead of failing on the first.
    ``raw`` keeps every row exactly as the file has it (no repairs, no merging): the
    published system's view, used by the ``seed`` profile.
    ``progress`` shows rows read, the rate and an ETA on stderr.
    """
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"{path}: no such file")
    report = CatalogReport(path=path, encoding=detect_encoding(path))
    corrections = {} if raw else load_corrections()
    with (
        path.open(encoding=report.encoding, newline="") as handle,
        tqdm(total=path.stat().st_size, desc="reading rows", unit="B", unit_scale=True, disable=not progress) as bar,
    ):
        rows = _rows(handle)
        try:
            _, headers = next(rows)
        except StopIteration:
            raise CatalogError(f"{path}: the file is empty") from None
        except csv.Error as error:
            raise CatalogError(f"{path}, line 1: {error}") from None
        try:
            mapping = map_columns(headers)
        except CatalogError as error:
            raise CatalogError(f"{path}: {error}") from None
        report.columns = {name: headers[index] for name, index in mapping.items()}
        sample: list[tuple[int, list[str]]] = []
        try:
            for row in rows:
                sample.append(row)
                if len(sample) >= UNIT_SAMPLE_ROWS:
                    break
        except csv.Error as error:
            raise CatalogError(f"{path}: {error}") from None
        parser = _RowParser(headers, mapping, _unit_scales(headers, mapping, [cells for _, cells in sample]), raw)
        drafts = _parse_all(path, parser, _tracked(_chain(sample, rows, path), handle, bar), report, lenient)
    if not drafts:
        raise CatalogError(f"{path}: no usable rows" + (f" ({len(report.rejected)} rejected)" if report.rejected else ""))
    if not raw:
        drafts = _repair(drafts, corrections, report)
    songs = tuple(
        Song(
            id=i,
            title=d.title,
            artist=d.artist,
            genres=tuple(d.genres),
            years=tuple(d.years),
            features=d.features,
            spotify_id=d.spotify_id,
        )
        for i, d in enumerate(drafts)
    )
    report.songs_kept = len(songs)
    return Catalog(path=path, sha256=sha256_file(path), songs=songs, report=report)


def _chain(
    sample: list[tuple[int, list[str]]], rest: Iterator[tuple[int, list[str]]], path: Path
) -> Iterator[tuple[int, list[str]]]:
    yield from sample
    try:
        yield from rest
    except csv.Error as error:
        raise CatalogError(f"{path}: {error}") from None


def _parse_all(
    path: Path,
    parser: _RowParser,
    rows: Iterator[tuple[int, list[str]]],
    report: CatalogReport,
    lenient: bool,
) -> list[_Draft]:
    drafts = []
    for line, cells in rows:
        report.rows_read += 1
        try:
            drafts.append(parser.parse(cells))
        except _RowError as error:
            rejected = Rejected(line, error.column, error.reason)
            if not lenient:
                raise CatalogError(f"{path}, {rejected} (use --lenient to skip bad rows)") from None
            report.rejected.append(rejected)
    return drafts


def _repair(drafts: list[_Draft], corrections: dict[tuple[str, str], str], report: CatalogReport) -> list[_Draft]:
    merged: dict[tuple[str, str], _Draft] = {}
    for draft in drafts:
        corrected = corrections.get((draft.artist, draft.title))
        if corrected is not None:
            draft.title = corrected
            report.repairs["title from corrections file"] += 1
        for attr in ("title", "artist"):
            fixed, kind = repair_text(getattr(draft, attr))
            if kind:
                setattr(draft, attr, fixed)
                report.repairs[kind] += 1
        draft.genres = [repair_text(g)[0] for g in draft.genres]
        key = (draft.title.casefold(), draft.artist.casefold())
        first = merged.get(key)
        if first is None:
            merged[key] = draft
            continue
        report.repairs["repeated rows merged into one song"] += 1
        first.years = sorted(set(first.years) | set(draft.years))
        first.genres += [g for g in draft.genres if g not in first.genres]
        first.features = first.features or draft.features
        first.spotify_id = first.spotify_id or draft.spotify_id
    songs = list(merged.values())
    unmeasured = sum(d.features is None for d in songs)
    if unmeasured:
        report.repairs["songs without measurements (kept, never described)"] = unmeasured
    return songs
