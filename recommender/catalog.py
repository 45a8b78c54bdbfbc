"""Reading a catalog CSV into songs: header mapping by meaning, unit detection, repairs and a report.

Only a title and an artist column are required; every other field is optional and a song
whose catalog lacks it leaves it unknown (None), never zero. The reference file's long
descriptive headers, the short Kaggle headers (``bpm,nrgy,dnce,...``), Spotify Web API units
(0-1 floats, milliseconds, genre lists, release dates) and the big public Spotify datasets
(artists as a Python list literal or separated by ``;``, ``explicit`` as True/False or 0/1)
are read with no flags. Every fault names the file, the line and the column.
"""

from __future__ import annotations

import ast
import codecs
import csv
import errno
import io
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from .checksum import sha256_file
from .repair import load_corrections, repair_text
from .songs import FEATURE_NAMES, Features, Song, SongTable

# Normalized header spellings for each field. A header matches when it equals one of these,
# or starts with one and goes on to describe it in at least three more words, as the
# reference file's "Beats.Per.Minute -The tempo of the song" does.
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("title", "name", "track", "track name", "song", "song name", "song title", "track title"),
    "artist": ("artist", "artists", "artist name", "artist names", "performer", "singer"),
    "album": ("album", "album name", "album title"),
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
    "instrumentalness": ("instrumentalness", "instrumental", "instr"),
    "mode": ("mode", "major minor"),
    "explicit": ("explicit", "is explicit", "explicit lyrics"),
    "key": ("key", "musical key", "pitch class"),
    "time_signature": ("time signature", "time sig", "meter"),
}
REQUIRED = ("title", "artist")
# The published system's template needs every one of these; the ``seed`` profile (raw mode) refuses a catalog without.
SEED_FEATURES = FEATURE_NAMES[:10]
NUMERIC = (*FEATURE_NAMES, "key", "time_signature")

# Features on a 0-100 scale that the Web API gives as 0-1 fractions; a column whose sampled values all lie
# in [0, 1] is scaled by 100.
FRACTION_FEATURES = (
    "energy",
    "danceability",
    "liveness",
    "valence",
    "acousticness",
    "speechiness",
    "popularity",
    "instrumentalness",
)
# Valid ranges on the common scales, after unit conversion.
RANGES: dict[str, tuple[float, float]] = {
    "bpm": (0, 300),
    "loudness": (-60, 10),
    "length": (0, 7200),
    "mode": (0, 1),
    "explicit": (0, 1),
    "key": (0, 11),
    "time_signature": (1, 12),
    **dict.fromkeys(FRACTION_FEATURES, (0, 100)),
}
# When every one of these is zero or blank, the song was never measured (Spotify's row of zeros).
MEASURED = ("bpm", "energy", "danceability", "liveness", "valence", "acousticness", "speechiness")
# Spotify's own "not detected" values: key -1, time signature 0.
UNDETECTED = {"key": -1.0, "time_signature": 0.0}
UNIT_SAMPLE_ROWS = 1000
# Distinct raw spellings remembered per numeric column: a repeated value ("0.439", "True") is parsed once and
# its float shared by every song that has it, which keeps a million-song catalog's features small.
VALUE_CACHE_SIZE = 1 << 16
# Spellings of a missing value that pandas and spreadsheets write.
MISSING = {"", "nan", "na", "n/a", "null", "none", "-"}
BOOLEANS = {"true": 1.0, "false": 0.0, "1": 1.0, "0": 0.0, "yes": 1.0, "no": 0.0, "1.0": 1.0, "0.0": 0.0}
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")
THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
YEAR_FORMATS = (
    re.compile(r"(\d{4})(?:\.0+)?"),  # 2019, or 2019.0 as pandas writes an integer column with blanks
    re.compile(r"(\d{4})[-/.]\d{1,2}(?:[-/.]\d{1,2})?(?:[T ][\d:.+Z-]*)?"),  # 2019-05-04, 2019-05
    re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.](\d{4})"),  # 04/05/2019
)
# Spotify writes year 0 (release date "0000") for a song whose release it does not know.
UNKNOWN_YEAR = re.compile(r"0{1,4}(?:[-/.]0{1,2}){0,2}")
FEATURING = re.compile(r"\s+(?:feat\.?|ft\.?|featuring)\s+", re.IGNORECASE)
GUESTS_IN_TITLE = re.compile(r"[(\[]\s*(?:feat\.?|ft\.?|featuring)\s+([^)\]]+)[)\]]", re.IGNORECASE)
GUEST_SEPARATOR = re.compile(r"\s*,\s*|\s+&\s+|\s+and\s+")
# Direction overrides turn a card's text around; they carry no meaning in a title.
# ['A', 'B'] with plain single-quoted names: read without the cost of ast.literal_eval.
SIMPLE_LIST = re.compile(r"\[\s*'[^'\\]*'(?:\s*,\s*'[^'\\]*')*\s*\]")
QUOTED = re.compile(r"'([^'\\]*)'")
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
MAX_HEADERS_SHOWN = 20
LITERAL_LIMIT = 10_000
# Read every catalog column by column (catalog_columns), the row reader only for what that reader gives up on:
# a bad row, where its messages name the line, and the seed profile's raw rows. Tests turn it off to compare.
COLUMNWISE = True


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

    @property
    def optional_found(self) -> list[str]:
        """The optional fields found, a release date counting as the year."""
        names = ("year" if name == "release_date" else name for name in self.columns if name not in REQUIRED)
        return list(dict.fromkeys(names))

    def lines(self) -> list[str]:
        found = self.optional_found
        optional = [name for name in COLUMN_SYNONYMS if name not in (*REQUIRED, "release_date")]
        missing = [name for name in optional if name not in found]
        out = [
            f"catalog: {self.path}",
            f"encoding: {self.encoding}",
            "columns: " + ", ".join(f"{name} <- {header!r}" for name, header in self.columns.items()),
            "optional columns found: " + (", ".join(found) if found else "none"),
            "optional columns missing: " + (", ".join(missing) if missing else "none"),
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
    # Column by column: a million-song catalog is not a million objects (see SongTable).
    songs: SongTable
    report: CatalogReport

    @property
    def columns(self) -> frozenset[str]:
        """The optional fields this catalog has ("year", "genre", "popularity", "instrumentalness", ...).

        ``release_date`` counts as "year". A request that filters or ranks on a field outside this set
        should say that the catalog does not have it rather than silently match nothing.
        """
        return frozenset(self.report.optional_found)


def normalize_header(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.lower()).split())


def _shown_headers(headers: list[str]) -> str:
    shown = ", ".join(repr(h[:40]) for h in headers[:MAX_HEADERS_SHOWN])
    more = len(headers) - MAX_HEADERS_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


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
    if missing:
        raise CatalogError(f"cannot map the columns: missing {', '.join(missing)}; found {_shown_headers(headers)}")
    return mapping


def _check_file(path: Path) -> None:
    """A one-line error for a path that is not a readable file, saying why (a link loop is not "no such file")."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise CatalogError(f"{path}: a loop of symbolic links, not a file") from None
        if error.errno == errno.ENOENT:
            raise CatalogError(f"{path}: no such file") from None
        raise CatalogError(f"{path}: cannot read it ({error.strerror})") from None
    if not os.path.isfile(path) or mode & 0o170000 != 0o100000:
        raise CatalogError(f"{path}: not a regular file")


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'-be' when the zero bytes of mostly-ASCII UTF-16 text sit at odd/even offsets."""
    even, odd = head[0::2], head[1::2]
    if len(head) < 4:
        return None
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decodes(handle: io.BufferedReader, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    handle.seek(0)
    try:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """UTF-16 (by its BOM, or by its zero bytes), else utf-8 (with or without BOM), else cp1252, else latin-1."""
    with path.open("rb") as handle:
        head = handle.read(65536)
        utf16 = "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else _utf16_without_bom(head)
        if utf16:
            if not _decodes(handle, utf16):
                raise CatalogError(f"{path}: looks like UTF-16 text but does not decode as such")
            if not head.decode(utf16, errors="replace").strip("\ufeff \t\r\n"):
                raise CatalogError(f"{path}: the file is empty")
            return utf16
        if not head.strip():
            raise CatalogError(f"{path}: the file is empty")
        if b"\x00" in head:
            raise CatalogError(f"{path}: this is binary data, not a CSV text file")
        for encoding in ("utf-8-sig", "cp1252"):
            if _decodes(handle, encoding):
                return encoding
    return "latin-1"


class _LineLog:
    """The file's lines as the csv reader takes them, kept until the record they make is done.

    When a record turns out wrong because an unclosed quote or an oversized field swallowed the
    lines after its first, those lines are read again as records of their own.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.taken: list[str] = []

    def __iter__(self) -> _LineLog:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line

    def take(self) -> list[str]:
        taken, self.taken = self.taken, []
        return taken


@dataclass(frozen=True, slots=True)
class _Record:
    line: int
    cells: list[str] | None
    # Why the record could not be read as CSV at all (then ``cells`` is None).
    fault: str | None = None


def _csv_fault(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return f"a field is longer than {csv.field_size_limit():,} characters"
    return f"not valid CSV ({text})"


def _records(lines: Iterable[str], expected: int | None = None, *, recover: bool = True) -> Iterator[_Record]:
    """Each record with the number of its first line, counting lines inside quoted fields.

    ``expected`` is the header's field count (the first record's, when not given). A record that spans
    several lines and has the wrong number of fields, or could not be read, is reported by its first
    line, and (with ``recover``) the lines after it are read again: an unclosed quote then costs one row.
    """
    log = _LineLog(lines)
    reader = csv.reader(log)
    line = 1
    while True:
        try:
            cells: list[str] | None = next(reader)
            fault = None
        except StopIteration:
            return
        except csv.Error as error:
            cells, fault = None, _csv_fault(error)
        taken = log.take()
        start, line = line, line + max(len(taken), 1)
        if cells is not None and not any(cell.strip() for cell in cells):
            continue
        if expected is None and cells is not None:
            expected = len(cells)
            yield _Record(start, cells)
            continue
        ragged = cells is not None and expected is not None and len(cells) != expected
        if recover and len(taken) > 1 and (fault or ragged):
            if cells is not None:
                fault = f"has {len(cells)} fields where the header has {expected} (an unclosed quote?)"
            yield _Record(start, None, fault)
            for record in _records(taken[1:], expected, recover=False):
                yield _Record(start + record.line, record.cells, record.fault)
            continue
        yield _Record(start, cells, fault)


def _tracked(records: Iterator[_Record], handle: io.TextIOWrapper, bar: tqdm) -> Iterator[_Record]:
    """``records``, counted on ``bar``, which moves by bytes read: an ETA before the row count is known."""
    raw = handle.buffer
    assert isinstance(raw, io.BufferedReader), "a file opened in text mode reads through a BufferedReader"
    for count, record in enumerate(records, start=1):
        bar.update(raw.tell() - bar.n)
        bar.set_postfix_str(f"{count:,} rows", refresh=False)
        yield record


def _number(raw: str) -> float | None:
    """A decimal number, or None for a blank or a missing-value marker; ValueError for anything else.

    Stricter than ``float``: "1_0", "inf" and "nan" are not numbers a catalog means.
    """
    value = raw.strip()
    if value.lower() in MISSING:
        return None
    if THOUSANDS.fullmatch(value):
        value = value.replace(",", "")
    if not NUMBER.fullmatch(value):
        raise ValueError(value)
    return float(value)


def _boolean(raw: str) -> float | None:
    value = raw.strip().lower()
    if value in MISSING:
        return None
    if value not in BOOLEANS:
        raise ValueError(value)
    return BOOLEANS[value]


def _year(raw: str) -> int | None:
    """The year of a year or a date, None when the catalog does not know it; ValueError when it is not one."""
    value = raw.strip()
    if value.lower() in MISSING or UNKNOWN_YEAR.fullmatch(value):
        return None
    for pattern in YEAR_FORMATS:
        if match := pattern.fullmatch(value):
            year = int(match.group(1))
            if 1900 <= year <= 2100:
                return year
    raise ValueError(value)


def _text(raw: str) -> str:
    """The cell without direction overrides; empty when nothing visible is left (zero-width or control characters)."""
    value = raw.translate(BIDI_CONTROLS).strip()
    if value.isascii() and value.isprintable():
        return value
    if all(char.isspace() or unicodedata.category(char) in ("Cf", "Cc", "Cn", "Zl", "Zp") for char in value):
        return ""
    return value


def _literal_list(value: str) -> list[str] | None:
    """``['A', 'B']`` as pandas writes a list column, else None."""
    if not value.startswith("[") or len(value) > LITERAL_LIMIT:
        return None
    if SIMPLE_LIST.fullmatch(value):
        return [text for item in QUOTED.findall(value) if (text := _text(item))]
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if not isinstance(parsed, list | tuple):
        return None
    return [text for item in parsed if (text := _text(str(item)))]


def _genres(raw: str) -> tuple[str, ...]:
    value = raw.strip()
    parsed = _literal_list(value)
    if parsed is not None:
        return tuple(parsed)
    return tuple(g.strip() for g in value.split(",") if g.strip()) if value else ()


def _artists(raw: str, title: str) -> tuple[str, tuple[str, ...]]:
    """The credit as shown and every artist credited: list literals, ``;`` lists and "feat." guests."""
    value = _text(raw)
    listed = _literal_list(value)
    if listed is None:
        listed = [name for part in value.split(";") if (name := _text(part))] if ";" in value else [value]
    names = [name for credit in listed for part in FEATURING.split(credit) if (name := part.strip())]
    for guests in GUESTS_IN_TITLE.findall(title):
        names += [name for part in GUEST_SEPARATOR.split(guests) if (name := part.strip())]
    shown = ", ".join(listed) if listed else value
    credited = tuple(dict.fromkeys(names))
    return shown, credited if credited != (shown,) else ()


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
    album: str | None
    artists: tuple[str, ...]


class _RowParser:
    def __init__(self, headers: list[str], mapping: dict[str, int], scales: dict[str, float], raw: bool) -> None:
        self.headers = headers
        self.mapping = mapping
        self.scales = scales
        self.raw = raw
        self.numeric = [name for name in NUMERIC if name in mapping]
        self.cache: dict[str, dict[str, float | None]] = {name: {} for name in self.numeric}

    def cell(self, cells: list[str], name: str) -> str:
        index = self.mapping.get(name)
        return cells[index].strip() if index is not None else ""

    def header(self, name: str) -> str:
        return self.headers[self.mapping[name]]

    def parse(self, cells: list[str]) -> _Draft:
        if len(cells) != len(self.headers):
            raise _RowError(None, f"has {len(cells)} fields where the header has {len(self.headers)}")
        title = _text(self.cell(cells, "title"))
        if not title:
            raise _RowError(self.header("title"), "the title is missing")
        artist, artists = _artists(self.cell(cells, "artist"), title)
        if not artist:
            raise _RowError(self.header("artist"), "the artist is missing")
        values = {name: self.value(cells, name) for name in self.numeric}
        unmeasured = all(not values.get(name) for name in MEASURED)
        if self.raw:
            blank = [name for name in SEED_FEATURES if values[name] is None]
            if blank and not unmeasured:
                raise _RowError(self.header(blank[0]), "the value is missing")
        # The published system described a row of zeros as "very slow, very quiet"; raw mode keeps that.
        if self.raw:
            features = None if unmeasured and not values else Features(**{n: v or 0.0 for n, v in values.items()})
        else:
            features = None if unmeasured else Features(**values)
        spotify_id = self.cell(cells, "spotify_id").removeprefix("spotify:track:") or None
        return _Draft(
            title=title,
            artist=artist,
            genres=list(_genres(self.cell(cells, "genre"))),
            years=self.years(cells),
            features=features,
            spotify_id=spotify_id,
            album=_text(self.cell(cells, "album")) or None,
            artists=artists,
        )

    def value(self, cells: list[str], name: str) -> float | None:
        raw = cells[self.mapping[name]]
        cache = self.cache[name]
        if raw in cache:
            return cache[raw]
        number = self._value(raw.strip(), name)
        if len(cache) < VALUE_CACHE_SIZE:
            cache[raw] = number
        return number

    def _value(self, raw: str, name: str) -> float | None:
        try:
            number = _boolean(raw) if name == "explicit" else _number(raw)
        except ValueError:
            kind = "true/false or 1/0" if name == "explicit" else "a number"
            raise _RowError(self.header(name), f"{raw[:40]!r} is not {kind}") from None
        return self.checked(number, raw, name)

    def checked(self, number: float | None, raw: str, name: str) -> float | None:
        """``number`` read from ``raw`` on the common scale, None when unknown; _RowError when out of range."""
        if number is None or number == UNDETECTED.get(name):
            return None
        number *= self.scales.get(name, 1.0)
        low, high = RANGES[name]
        if not low <= number <= high:
            reason = f"{raw[:40]} is out of range for {name} ({low:g} to {high:g} after units)"
            raise _RowError(self.header(name), reason)
        return number

    def years(self, cells: list[str]) -> list[int]:
        name = "year" if "year" in self.mapping else "release_date"
        if name not in self.mapping:
            return []
        raw = self.cell(cells, name)
        try:
            year = _year(raw)
        except ValueError:
            raise _RowError(self.header(name), f"{raw[:40]!r} is not a year") from None
        return [] if year is None else [year]


def _unit_scales(headers: list[str], mapping: dict[str, int], sample: list[list[str]]) -> dict[str, float]:
    scales: dict[str, float] = {}
    for name in FRACTION_FEATURES:
        if name not in mapping:
            continue
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
    if "length" in mapping and "ms" in normalize_header(headers[mapping["length"]]).split():
        scales["length"] = 0.001
    return scales


def load_catalog(path: str | Path, *, lenient: bool = False, raw: bool = False, progress: bool = False) -> Catalog:
    """Read, repair and de-duplicate a catalog.

    ``lenient`` skips bad rows and lists them in the report instead of failing on the first.
    ``raw`` keeps every row exactly as the file has it (no repairs, no merging): the
    published system's view, used by the ``seed`` profile, which needs every one of its features.
    ``progress`` shows rows read, the rate and an ETA on stderr.
    """
    path = Path(path)
    _check_file(path)
    report = CatalogReport(path=path, encoding=detect_encoding(path))
    corrections = {} if raw else load_corrections()
    try:
        handle = path.open(encoding=report.encoding, newline="")
    except OSError as error:
        raise CatalogError(f"{path}: cannot read it ({error.strerror})") from None
    with (
        handle,
        tqdm(total=path.stat().st_size, desc="reading rows", unit="B", unit_scale=True, disable=not progress) as bar,
    ):
        records = _records(handle)
        first = next(records, None)
        if first is None:
            raise CatalogError(f"{path}: the file is empty")
        if first.cells is None:
            raise CatalogError(f"{path}, line {first.line}: the header is {first.fault}")
        headers = first.cells
        try:
            mapping = map_columns(headers)
        except CatalogError as error:
            raise CatalogError(f"{path}: {error}") from None
        if raw and (lacking := [name for name in SEED_FEATURES if name not in mapping]):
            raise CatalogError(f"{path}: the seed profile needs every published feature; missing {', '.join(lacking)}")
        report.columns = {name: headers[index] for name, index in mapping.items()}
        sample: list[_Record] = []
        for record in records:
            sample.append(record)
            if len(sample) >= UNIT_SAMPLE_ROWS:
                break
        scales = _unit_scales(headers, mapping, [r.cells for r in sample if r.cells is not None])
        parser = _RowParser(headers, mapping, scales, raw)
        # Imported here: the column reader is built from this module's converters.
        from .catalog_columns import read_columns

        columns = None if raw or not COLUMNWISE else read_columns(path, report.encoding, parser, corrections, bar)
        if columns is None:
            rows = _tracked(_chain(sample, records), handle, bar)
            drafts = _parse_all(path, parser, rows, report, lenient)
    if columns is not None:
        songs, report.rows_read, report.repairs = columns
    else:
        if not drafts:
            rejected = f" ({len(report.rejected)} rejected)" if report.rejected else ""
            raise CatalogError(f"{path}: no usable rows{rejected}")
        if not raw:
            drafts = _repair(drafts, corrections, report)
        songs = SongTable(_songs(drafts))
    report.songs_kept = len(songs)
    return Catalog(path=path, sha256=sha256_file(path), songs=songs, report=report)


def _songs(drafts: list[_Draft]) -> Iterator[Song]:
    """Each draft as a song, letting go of the draft at once: a large catalog never holds both in full."""
    drafts.reverse()
    for i in range(len(drafts)):
        d = drafts.pop()
        yield Song(
            id=i,
            title=d.title,
            artist=d.artist,
            genres=tuple(d.genres),
            years=tuple(d.years),
            features=d.features,
            spotify_id=d.spotify_id,
            album=d.album,
            artists=d.artists,
        )


def _chain(sample: list[_Record], rest: Iterator[_Record]) -> Iterator[_Record]:
    yield from sample
    yield from rest


def _parse_all(
    path: Path,
    parser: _RowParser,
    records: Iterator[_Record],
    report: CatalogReport,
    lenient: bool,
) -> list[_Draft]:
    drafts = []
    try:
        for record in records:
            report.rows_read += 1
            try:
                if record.cells is None:
                    raise _RowError(None, record.fault or "not valid CSV")
                drafts.append(parser.parse(record.cells))
            except _RowError as error:
                rejected = Rejected(record.line, error.column, error.reason)
                if not lenient:
                    raise CatalogError(f"{path}, {rejected} (use --lenient to skip bad rows)") from None
                report.rejected.append(rejected)
    except UnicodeDecodeError as error:
        raise CatalogError(f"{path}: the text stopped decoding as {report.encoding} ({error.reason})") from None
    except OSError as error:
        raise CatalogError(f"{path}: reading failed ({error.strerror or error})") from None
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
        if draft.artists:
            draft.artists = tuple(repair_text(name)[0] for name in draft.artists)
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
        first.album = first.album or draft.album
    songs = list(merged.values())
    unmeasured = sum(d.features is None for d in songs)
    if unmeasured:
        report.repairs["songs without measurements (kept, never described)"] = unmeasured
    return songs
