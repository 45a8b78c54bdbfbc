"""Catalog ingestion: the three layouts read with no flags, header mapping by meaning, and bad input."""

from __future__ import annotations

import csv
import gzip
import io
import random
import re
import string
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.catalog import SEED_FEATURES, CatalogError, load_catalog
from recommender.parser import IntentParser
from recommender.ranking import Ranker
from recommender.songs import Features, Song, SongTable
from recommender.templates import describe as default_text

KAGGLE_HEADER = "title,artist,top genre,year,bpm,nrgy,dnce,dB,live,val,dur,acous,spch,pop"
KAGGLE_ROWS = (
    '"Hey, Soul Sister",Train,neo mellow,2010,97,89,67,-4,8,80,217,19,4,83',
    "Halo,Beyoncé,dance pop,2009,80,72,51,-5,6,46,262,26,4,72",
    "Can’t Stop the Feeling!,Justin Timberlake,dance pop,2016,113,83,67,-6,19,70,236,1,7,81",
)


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "catalog.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def kaggle(*rows: str, header: str = KAGGLE_HEADER) -> str:
    return "\n".join((header, *rows)) + "\n"


# --- the reference file (long descriptive headers) ---------------------------------------


def test_reference_catalog_reads_with_no_flags(reference_catalog: Path) -> None:
    catalog = load_catalog(reference_catalog)
    report = catalog.report
    assert report.rows_read == 603
    assert report.songs_kept == len(catalog.songs) == 587
    assert report.rejected == []
    assert set(report.columns) == {"title", "artist", "genre", "year", *SEED_FEATURES}
    assert catalog.columns == {"genre", "year", *SEED_FEATURES}
    first = catalog.songs[0]
    assert (first.title, first.artist, first.genres, first.years) == (
        "Hey, Soul Sister",
        "Train",
        ("neo mellow",),
        (2010,),
    )
    assert first.features is not None
    assert first.features.as_dict() == {
        "bpm": 97,
        "energy": 89,
        "danceability": 67,
        "loudness": -4,
        "liveness": 8,
        "valence": 80,
        "length": 217,
        "acousticness": 19,
        "speechiness": 4,
        "popularity": 83,
    }
    assert [song.id for song in catalog.songs] == list(range(587))


# --- the short Kaggle layout --------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
@pytest.mark.parametrize("index_column", [False, True], ids=["no-index", "unnamed-index"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_short_kaggle_layout(tmp_path: Path, encoding: str, index_column: bool, newline: str) -> None:
    lines = [KAGGLE_HEADER, *KAGGLE_ROWS]
    if index_column:
        lines = ["," + lines[0]] + [f"{n},{row}" for n, row in enumerate(lines[1:], start=1)]
    path = write(tmp_path, newline.join(lines) + newline, encoding=encoding)

    catalog = load_catalog(path)

    assert catalog.report.rows_read == 3
    assert [(s.title, s.artist) for s in catalog.songs] == [
        ("Hey, Soul Sister", "Train"),
        ("Halo", "Beyoncé"),
        ("Can’t Stop the Feeling!", "Justin Timberlake"),
    ]
    assert catalog.report.encoding.replace("-sig", "") == encoding
    halo = catalog.songs[1]
    assert halo.genres == ("dance pop",)
    assert halo.years == (2009,)
    assert halo.spotify_id is None
    assert halo.features is not None
    assert halo.features.as_dict() == {
        "bpm": 80,
        "energy": 72,
        "danceability": 51,
        "loudness": -5,
        "liveness": 6,
        "valence": 46,
        "length": 262,
        "acousticness": 26,
        "speechiness": 4,
        "popularity": 72,
    }
    assert catalog.report.repairs == {}


# --- Spotify Web API units ----------------------------------------------------------------


def test_spotify_top200_reads_with_no_flags(spotify_catalog: Path) -> None:
    catalog = load_catalog(spotify_catalog)
    report = catalog.report
    assert report.rows_read == 1556
    assert report.rejected == []
    songs = {(s.title, s.artist): s for s in catalog.songs}

    beggin = songs[("Beggin'", "Måneskin")]
    assert beggin.spotify_id == "3Wrjm47oTz2sjIgck11l5e"
    assert beggin.genres == ("indie rock italiano", "italian pop")
    assert beggin.years == (2017,)
    assert beggin.features is not None
    expected = {
        "bpm": 134.002,
        "energy": 80.0,
        "danceability": 71.4,
        "loudness": -4.808,
        "liveness": 35.9,
        "valence": 58.9,
        "length": 211.56,
        "acousticness": 12.7,
        "speechiness": 5.04,
        "popularity": 100.0,
    }
    assert beggin.features.as_dict() == pytest.approx(expected, abs=1e-6)

    unmeasured = [s for s in catalog.songs if s.features is None]
    assert len(unmeasured) == 11
    assert ("NOT SOBER", "The Kid LAROI") in {(s.title, s.artist) for s in unmeasured}
    # Every song with features carries its Spotify track id.
    assert all(s.spotify_id and len(s.spotify_id) == 22 for s in catalog.songs if s.features is not None)
    # All features lie on the common scales: nothing left as a 0-1 fraction or in milliseconds.
    measured = [s.features for s in catalog.songs if s.features is not None]
    assert max(f.energy for f in measured if f.energy is not None) > 1
    assert max(f.length for f in measured if f.length is not None) < 1000


def test_spotify_web_api_units_in_a_small_file(tmp_path: Path) -> None:
    text = (
        ",track_id,artists,album_name,track_name,popularity,duration_ms,danceability,energy,loudness,"
        "speechiness,acousticness,liveness,valence,tempo,track_genre,release_date\n"
        '0,5SuOikwiRyPMVoIQDJUgSV,Gen Hoshino,Comedy,Comedy,73,"230,666",0.676,0.461,-6.746,0.143,0.0322,'
        "0.358,0.715,87.917,acoustic,2019-05-04\n"
        '1,4qPNDBW1i3p13qLCt0Ki3A,Ben Woodward,Ghost (Acoustic),"Ghost - Acoustic",55,149610,0.42,0.166,-17.235,'
        "0.0763,0.924,0.101,0.267,77.489,acoustic,2021\n"
    )
    catalog = load_catalog(write(tmp_path, text))
    comedy, ghost = catalog.songs
    assert (comedy.title, comedy.artist, comedy.spotify_id) == ("Comedy", "Gen Hoshino", "5SuOikwiRyPMVoIQDJUgSV")
    assert comedy.years == (2019,) and ghost.years == (2021,)
    assert comedy.genres == ("acoustic",)
    assert comedy.features is not None and ghost.features is not None
    assert comedy.features.length == pytest.approx(230.666)
    assert ghost.features.length == pytest.approx(149.61)
    assert comedy.features.energy == pytest.approx(46.1)
    assert comedy.features.acousticness == pytest.approx(3.22)
    assert comedy.features.popularity == 73
    assert comedy.features.bpm == pytest.approx(87.917)
    assert comedy.features.loudness == pytest.approx(-6.746)


# --- header matching by meaning -----------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "length", "bpm", "seconds"),
    [
        ("name", "duration_ms", "tempo", 217.0),
        ("track_name", "Duration (ms)", "BPM", 217.0),
        ("Song Name", "dur", "Tempo", 217000.0 / 1000),
        (" TITLE ", "Length", "bpm", 217.0),
        ("song-name", "DURATION_MS", "Beats Per Minute", 217.0),
        ("Track.Name", "duration", "tempo", 217.0),
    ],
)
def test_headers_match_by_meaning(tmp_path: Path, title: str, length: str, bpm: str, seconds: float) -> None:
    value = "217000" if "ms" in length.lower() else "217"
    header = (
        f"{title},ARTIST,Genre,Year,{bpm},Energy,Danceability,Loudness,Liveness,Valence,{length},"
        "Acousticness,Speechiness,Popularity"
    )
    row = f"Song A,Artist A,pop,2012,120,50,60,-7,10,40,{value},20,5,70"
    song = load_catalog(write(tmp_path, f"{header}\n{row}\n")).songs[0]
    assert (song.title, song.artist, song.years) == ("Song A", "Artist A", (2012,))
    assert song.features is not None
    assert song.features.bpm == 120
    assert song.features.length == pytest.approx(seconds)


def test_unmappable_columns_name_what_was_found_and_what_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "song,colour,weight\nA,red,3\n", name="odd.csv")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    message = str(caught.value)
    assert "odd.csv" in message
    assert "missing artist" in message and "found" in message
    for found in ("'colour'", "'weight'"):
        assert found in message
    # Columns that did map are not reported missing, and optional ones are never required.
    assert "title" not in message.split("found")[0]
    assert "bpm" not in message and "year" not in message


def test_only_title_and_artist_are_required(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, "song,singer,colour\nA,B,red\nC,D,blue\n"))
    assert [(s.title, s.artist, s.years, s.genres, s.features) for s in catalog.songs] == [
        ("A", "B", (), (), None),
        ("C", "D", (), (), None),
    ]
    assert catalog.columns == frozenset()
    lines = catalog.report.lines()
    assert "optional columns found: none" in lines
    assert any(line.startswith("optional columns missing: album, genre, year") for line in lines)


def test_a_catalog_without_a_year_column_leaves_years_unknown(tmp_path: Path) -> None:
    header = KAGGLE_HEADER.replace(",year", "")
    row = KAGGLE_ROWS[1].replace(",2009", "")
    catalog = load_catalog(write(tmp_path, kaggle(row, header=header)))
    assert catalog.songs[0].years == ()
    assert "year" not in catalog.columns and "popularity" in catalog.columns


def test_a_blank_value_stays_unknown_and_the_seed_profile_refuses_it(tmp_path: Path) -> None:
    path = write(tmp_path, kaggle(GOOD, "Blank,Someone,pop,2011,100,50,,-5,10,50,200,10,5,50"))
    blank = load_catalog(path).songs[1]
    assert blank.features is not None
    assert blank.features.danceability is None and blank.features.energy == 50
    assert "danceability" not in blank.features.as_dict()
    with pytest.raises(CatalogError, match=r"line 3, column 'dnce': the value is missing"):
        load_catalog(path, raw=True)


def test_the_seed_profile_needs_every_published_feature(tmp_path: Path) -> None:
    header = KAGGLE_HEADER.replace(",pop", "")
    row = KAGGLE_ROWS[1].rsplit(",", 1)[0]
    with pytest.raises(CatalogError, match="seed profile needs every published feature; missing popularity"):
        load_catalog(write(tmp_path, kaggle(row, header=header)), raw=True)
    assert load_catalog(write(tmp_path, kaggle(row, header=header))).songs[0].features is not None


# --- bad values: strict names the place, lenient lists it -----------------------------------

GOOD = KAGGLE_ROWS[1]


@pytest.mark.parametrize(
    ("bad_row", "column", "fragment"),
    [
        ("Bad,Someone,pop,2011,fast,50,50,-5,10,50,200,10,5,50", "bpm", "'fast' is not a number"),
        ("Bad,Someone,pop,2011,100,150,50,-5,10,50,200,10,5,50", "nrgy", "out of range"),
        ("Bad,Someone,pop,2011,100,50,50,-95,10,50,200,10,5,50", "dB", "out of range"),
        ("Bad,Someone,pop,2011,100,50,50,-5,10,50,-3,10,5,50", "dur", "out of range"),
        ("Bad,Someone,pop,2011,100,50,1_0,-5,10,50,200,10,5,50", "dnce", "'1_0' is not a number"),
        ("Bad,Someone,pop,2011,100,50,inf,-5,10,50,200,10,5,50", "dnce", "'inf' is not a number"),
        ("Bad,Someone,pop,20101,100,50,50,-5,10,50,200,10,5,50", "year", "'20101' is not a year"),
        (",Someone,pop,2011,100,50,50,-5,10,50,200,10,5,50", "title", "title is missing"),
        ("Bad,  ,pop,2011,100,50,50,-5,10,50,200,10,5,50", "artist", "artist is missing"),
        ("Bad,Someone,pop,twenty,100,50,50,-5,10,50,200,10,5,50", "year", "not a year"),
    ],
)
def test_a_bad_value_names_file_line_and_column(tmp_path: Path, bad_row: str, column: str, fragment: str) -> None:
    path = write(tmp_path, kaggle(GOOD, GOOD.replace("Halo", "Halo 2"), bad_row), name="bad.csv")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    message = str(caught.value)
    assert str(path) in message
    assert "line 4" in message
    assert f"column '{column}'" in message
    assert fragment in message

    lenient = load_catalog(path, lenient=True)
    assert [s.title for s in lenient.songs] == ["Halo", "Halo 2"]
    assert lenient.report.rows_read == 3
    assert [(r.line, r.column) for r in lenient.report.rejected] == [(4, column)]
    assert fragment in lenient.report.rejected[0].reason


@pytest.mark.parametrize(
    "bad_row",
    ["Bad,Someone,pop,2011,100,50,50,-5,10,50,200,10,5", "Bad,Someone,pop,2011,100,50,50,-5,10,50,200,10,5,50,7"],
    ids=["short", "long"],
)
def test_a_ragged_row_names_file_and_line(tmp_path: Path, bad_row: str) -> None:
    path = write(tmp_path, kaggle(GOOD, bad_row), name="ragged.csv")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    message = str(caught.value)
    assert str(path) in message and "line 3" in message and "fields" in message
    lenient = load_catalog(path, lenient=True)
    assert [s.title for s in lenient.songs] == ["Halo"]
    assert [r.line for r in lenient.report.rejected] == [3]


def test_line_numbers_count_the_lines_of_multi_line_quoted_fields(tmp_path: Path) -> None:
    multi = '"A Title\nOn Three\nLines",Someone,pop,2011,100,50,50,-5,10,50,200,10,5,50'
    bad = "Bad,Someone,pop,2011,100,50,50,-5,10,50,200,10,5,loud"
    # header: line 1; GOOD: line 2; multi: lines 3-5; bad: line 6.
    path = write(tmp_path, kaggle(GOOD, multi, bad))
    with pytest.raises(CatalogError, match=r"line 6, column 'pop'"):
        load_catalog(path)
    lenient = load_catalog(path, lenient=True)
    assert [r.line for r in lenient.report.rejected] == [6]
    assert lenient.songs[1].title == "A Title\nOn Three\nLines"


def test_a_bad_row_that_spans_lines_is_named_by_its_first_line(tmp_path: Path) -> None:
    bad = '"Bad\nTitle",Someone,pop,2011,100,50,50,-5,10,50,200,10,5,loud'
    path = write(tmp_path, kaggle(GOOD, GOOD, bad, GOOD))
    with pytest.raises(CatalogError, match=r"line 4, column 'pop'"):
        load_catalog(path)


def test_lenient_lists_every_rejected_row_in_the_report(tmp_path: Path) -> None:
    rows = (
        GOOD,  # line 2
        "X,Someone,pop,2011,abc,50,50,-5,10,50,200,10,5,50",  # 3: bpm
        "Y,Someone,pop,2011,100,50,50,-5,10,50,200,10,5,50",  # 4: fine
        "Z,Someone,pop,2011,100,50,50,-5,10,50",  # 5: ragged
        ",Someone,pop,2011,100,50,50,-5,10,50,200,10,5,50",  # 6: title
        "W,Someone,pop,2011,100,50,50,-5,10,50,200,10,500,50",  # 7: spch
    )
    catalog = load_catalog(write(tmp_path, kaggle(*rows)), lenient=True)
    assert [s.title for s in catalog.songs] == ["Halo", "Y"]
    assert catalog.report.rows_read == 6
    assert catalog.report.songs_kept == 2
    assert [(r.line, r.column) for r in catalog.report.rejected] == [(3, "bpm"), (5, None), (6, "title"), (7, "spch")]
    lines = catalog.report.lines()
    assert "rows rejected: 4" in lines
    assert any(line.strip().startswith("line 3, column 'bpm'") for line in lines)


def test_a_catalog_with_only_bad_rows_is_unusable_even_when_lenient(tmp_path: Path) -> None:
    path = write(tmp_path, kaggle("X,Someone,pop,2011,abc,50,50,-5,10,50,200,10,5,50"))
    with pytest.raises(CatalogError, match="no usable rows"):
        load_catalog(path, lenient=True)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (b"\n\n  \r\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary"),
        (gzip.compress(b"title,artist\nA,B\n" * 50), "binary"),
        (KAGGLE_HEADER.encode() + b"\n", "no usable rows"),
    ],
    ids=["empty", "blank-lines", "png", "gzip", "header-only"],
)
@pytest.mark.parametrize("lenient", [False, True])
def test_unusable_files_name_the_file(tmp_path: Path, content: bytes, fragment: str, lenient: bool) -> None:
    path = tmp_path / "unusable.csv"
    path.write_bytes(content)
    with pytest.raises(CatalogError) as caught:
        load_catalog(path, lenient=lenient)
    assert str(path) in str(caught.value)
    assert fragment in str(caught.value)


def test_a_missing_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no such file"):
        load_catalog(tmp_path / "nowhere.csv")


def test_thousands_separators_in_numbers(tmp_path: Path) -> None:
    header = (
        "title,artist,genre,year,bpm,energy,danceability,loudness,liveness,valence,duration_ms,"
        "acousticness,speechiness,popularity"
    )
    row = 'Long One,Someone,pop,2015,100,0.5,0.6,-5,0.1,0.5,"1,234,567",0.2,0.05,55'
    song = load_catalog(write(tmp_path, f"{header}\n{row}\n")).songs[0]
    assert song.features is not None
    assert song.features.length == pytest.approx(1234.567)
    assert song.features.energy == pytest.approx(50)


# --- progress -----------------------------------------------------------------------------


def test_progress_shows_rows_rate_and_eta_on_stderr_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [f"Song {n},Artist {n % 50},dance pop,2015,{60 + n % 90},70,60,-5,10,50,200,10,5,60" for n in range(5000)]
    path = write(tmp_path, kaggle(*rows))
    load_catalog(path)
    assert capsys.readouterr().err == ""

    catalog = load_catalog(path, progress=True)
    err = capsys.readouterr().err
    assert len(catalog.songs) == 5000
    assert "reading rows: 100%" in err and "5,000 rows" in err
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d, [\d.]+[kM]?B/s", err), err[-300:]  # elapsed<ETA, bytes a second


# --- the big public Spotify datasets, in their exact header layouts -------------------------

FEATURES_1_2M = (
    "id,name,album,album_id,artists,artist_ids,track_number,disc_number,explicit,danceability,energy,key,loudness,"
    "mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms,time_signature,year,release_date"
)
TRACKS_600K = (
    "id,name,popularity,duration_ms,explicit,artists,id_artists,release_date,danceability,energy,key,loudness,mode,"
    "speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature"
)
DATASET_114K = (
    ",track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,"
    "speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre"
)
ROWS = 300


def spotify_id(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(22))


def audio(rng: random.Random) -> dict[str, str]:
    return {
        "danceability": f"{rng.random():.3f}",
        "energy": f"{rng.random():.3f}",
        "key": str(rng.randrange(-1, 12)),
        "loudness": f"{rng.uniform(-30, 0):.3f}",
        "mode": str(rng.randrange(2)),
        "speechiness": f"{rng.random() * 0.5:.4f}",
        "acousticness": f"{rng.random():.4f}",
        "instrumentalness": f"{rng.random() ** 3:.6f}",
        "liveness": f"{rng.random():.4f}",
        "valence": f"{rng.random():.4f}",
        "tempo": f"{rng.uniform(60, 200):.3f}",
        "duration_ms": str(rng.randrange(90_000, 400_000)),
        "time_signature": str(rng.choice([3, 4, 4, 4, 5])),
    }


GUESTS = ("Rihanna", "Pitbull", "Khalid", "Halsey", "Lizzo", "Sia", "Drake")


def artists_of(n: int) -> list[str]:
    return [f"Artist {n % 40}"] + ([GUESTS[n % 7]] if n % 3 == 0 else [])


def layout_text(layout: str, rows: int = ROWS, seed: int | str | None = None) -> str:
    """Rows in one public dataset's exact header and conventions."""
    rng = random.Random(seed if seed is not None else layout)
    header = {"1.2M": FEATURES_1_2M, "600k": TRACKS_600K, "114k": DATASET_114K}[layout]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header.split(","))
    for n in range(rows):
        row = audio(rng) | {
            "id": spotify_id(rng),
            "track_id": spotify_id(rng),
            "name": f"Song {n}",
            "track_name": f"Song {n}",
            "album": f"Album {n // 10}",
            "album_name": f"Album {n // 10}",
            "album_id": spotify_id(rng),
            "artists": str(artists_of(n)) if layout != "114k" else ";".join(artists_of(n)),
            "artist_ids": str([spotify_id(rng) for _ in artists_of(n)]),
            "id_artists": str([spotify_id(rng) for _ in artists_of(n)]),
            "track_number": str(n % 12 + 1),
            "disc_number": "1",
            "explicit": ("True" if n % 4 == 0 else "False") if layout != "600k" else str(int(n % 4 == 0)),
            "popularity": str(rng.randrange(101)),
            "year": str(1960 + n % 60),
            "release_date": f"{1960 + n % 60}-0{n % 9 + 1}-1{n % 9}" if n % 2 else str(1960 + n % 60),
            "track_genre": rng.choice(["acoustic", "k-pop", "techno", "study"]),
            "": str(n),
        }
        writer.writerow([row[name] for name in header.split(",")])
    return out.getvalue()


@pytest.mark.parametrize("layout", ["1.2M", "600k", "114k"])
def test_the_public_spotify_datasets_load_with_no_flags(tmp_path: Path, layout: str) -> None:
    catalog = load_catalog(write(tmp_path, layout_text(layout), name=f"{layout}.csv"))
    report = catalog.report
    assert report.rows_read == ROWS and report.rejected == [] and len(catalog.songs) == ROWS

    expected = {"spotify_id", "explicit", "instrumentalness", "mode", "key", "time_signature", "speechiness"}
    expected |= {"bpm", "energy", "danceability", "loudness", "liveness", "valence", "length", "acousticness"}
    expected |= {"1.2M": {"album", "year"}, "600k": {"popularity", "year"}, "114k": {"album", "popularity", "genre"}}[
        layout
    ]
    assert catalog.columns == expected

    featured = catalog.songs[3]  # a song with a guest
    assert featured.title == "Song 3"
    assert featured.artist == "Artist 3, Halsey"
    assert featured.artists == ("Artist 3", "Halsey")
    assert featured.years == ((1963,) if layout != "114k" else ())
    assert featured.url is not None and featured.url.startswith("https://open.spotify.com/track/")
    assert featured.album == (None if layout == "600k" else "Album 0")
    assert bool(featured.genres) == (layout == "114k")
    solo = catalog.songs[1]
    assert solo.artists == ("Artist 1",) and solo.artist == "Artist 1"

    known = [s.features for s in catalog.songs if s.features is not None]
    assert len(known) == ROWS
    assert [f.explicit for f in known] == [1.0 if n % 4 == 0 else 0.0 for n in range(ROWS)]
    # Fractions on the common 0-100 scale, milliseconds as seconds, Spotify's "not detected" key unknown.
    assert max(f.instrumentalness or 0 for f in known) > 1
    assert all(f.instrumentalness is not None and 0 <= f.instrumentalness <= 100 for f in known)
    assert all(f.length is not None and 90 <= f.length <= 400 for f in known)
    assert {f.mode for f in known} == {0.0, 1.0}
    assert None in {f.key for f in known} and all(f.key is None or 0 <= f.key <= 11 for f in known)
    assert {f.time_signature for f in known} <= {3.0, 4.0, 5.0}
    if layout == "1.2M":
        assert all(f.popularity is None for f in known)
        assert "popularity" not in known[0].as_dict()


@pytest.mark.parametrize(
    ("cell", "artist", "artists"),
    [
        ("['Daft Punk']", "Daft Punk", ("Daft Punk",)),
        (
            "['Tyler, The Creator', 'Kali Uchis']",
            "Tyler, The Creator, Kali Uchis",
            ("Tyler, The Creator", "Kali Uchis"),
        ),
        ("Tyler, The Creator", "Tyler, The Creator", ("Tyler, The Creator",)),
        ("Ed Sheeran;Justin Bieber", "Ed Sheeran, Justin Bieber", ("Ed Sheeran", "Justin Bieber")),
        ("Calvin Harris feat. Rihanna", "Calvin Harris feat. Rihanna", ("Calvin Harris", "Rihanna")),
        ("Simon & Garfunkel", "Simon & Garfunkel", ("Simon & Garfunkel",)),
    ],
)
def test_several_artists_per_song_are_each_credited(
    tmp_path: Path, cell: str, artist: str, artists: tuple[str, ...]
) -> None:
    song = load_catalog(write(tmp_path, kaggle(f'Song,"{cell}",pop,2015,100,50,50,-5,10,50,200,10,5,50'))).songs[0]
    assert (song.artist, song.artists) == (artist, artists)


def test_feat_credits_in_the_title_credit_the_guests(tmp_path: Path) -> None:
    row = '"Love The Way You Lie (feat. Rihanna)",Eminem,pop,2010,87,93,75,-5,52,64,263,24,23,82'
    song = load_catalog(write(tmp_path, kaggle(row))).songs[0]
    assert song.title == "Love The Way You Lie (feat. Rihanna)" and song.artist == "Eminem"
    assert song.artists == ("Eminem", "Rihanna")


@pytest.mark.parametrize(
    ("cell", "year"),
    [
        ("2019", 2019),
        ("2019.0", 2019),
        ("2019-05-04", 2019),
        ("2019-05", 2019),
        ("04/05/2019", 2019),
        ("0000", None),
        ("0", None),
        ("", None),
    ],
)
def test_years_and_release_dates(tmp_path: Path, cell: str, year: int | None) -> None:
    header = KAGGLE_HEADER.replace(",year", ",release_date")
    row = f"Song,Someone,pop,{cell},100,50,50,-5,10,50,200,10,5,50"
    assert load_catalog(write(tmp_path, kaggle(row, header=header))).songs[0].year == year


def test_a_song_url_needs_a_real_track_id() -> None:
    assert Song(0, "A", "B", (), (), None, spotify_id="3Wrjm47oTz2sjIgck11l5e").url == (
        "https://open.spotify.com/track/3Wrjm47oTz2sjIgck11l5e"
    )
    assert Song(0, "A", "B", (), (), None, spotify_id="not an id").url is None
    assert Song(0, "A", "B", (), (), None).url is None


# --- inputs that were read wrongly or refused (issue 11, item 6) -------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"], ids=["bom", "le-no-bom", "be-no-bom"])
def test_utf16_catalogs_are_read(tmp_path: Path, encoding: str) -> None:
    catalog = load_catalog(write(tmp_path, kaggle(*KAGGLE_ROWS), encoding=encoding))
    assert [s.artist for s in catalog.songs] == ["Train", "Beyoncé", "Justin Timberlake"]
    assert catalog.report.encoding.startswith("utf-16")


def test_a_huge_field_names_its_line_and_lenient_skips_only_that_row(tmp_path: Path) -> None:
    huge = "x" * 1_000_000
    after = "After,Someone,pop,2011,100,50,50,-5,10,50,200,10,5,50"
    path = write(tmp_path, kaggle(GOOD, f"{huge},Someone,pop,2011,100,50,50,-5,10,50,200,10,5,50", after))
    with pytest.raises(CatalogError, match=r"line 3: a field is longer than"):
        load_catalog(path)
    lenient = load_catalog(path, lenient=True)
    assert [s.title for s in lenient.songs] == ["Halo", "After"]
    assert [r.line for r in lenient.report.rejected] == [3]


def test_an_unclosed_quote_under_lenient_costs_one_row_not_the_next_ones(tmp_path: Path) -> None:
    rows = (
        GOOD,  # line 2
        '"Unclosed,Someone,pop,2011,100,50,50,-5,10,50,200,10,5,50',  # 3
        "Next,Someone,pop,2011,100,50,50,-5,10,50,200,10,5,50",  # 4
        "Last,Someone,pop,2011,100,50,50,-5,10,50,200,10,5,50",  # 5
    )
    path = write(tmp_path, kaggle(*rows))
    with pytest.raises(CatalogError, match=r"line 3: .*unclosed quote"):
        load_catalog(path)
    lenient = load_catalog(path, lenient=True)
    assert [s.title for s in lenient.songs] == ["Halo", "Next", "Last"]
    assert [(r.line, r.column) for r in lenient.report.rejected] == [(3, None)]
    assert "unclosed quote" in lenient.report.rejected[0].reason


def test_a_ten_thousand_column_header_gives_a_short_error(tmp_path: Path) -> None:
    header = ",".join(f"column number {n}" for n in range(10_000))
    with pytest.raises(CatalogError) as caught:
        load_catalog(write(tmp_path, header + "\n" + ",".join("1" * 10_000) + "\n"))
    message = str(caught.value)
    assert len(message) < 1000 and "missing title, artist" in message and "and 9980 more" in message


def test_a_symlink_loop_is_named_as_such(tmp_path: Path) -> None:
    loop = tmp_path / "loop.csv"
    loop.symlink_to(tmp_path / "loop.csv")
    with pytest.raises(CatalogError, match="loop of symbolic links"):
        load_catalog(loop)


def test_a_directory_is_not_a_catalog(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="not a regular file"):
        load_catalog(tmp_path)


@pytest.mark.parametrize("title", ["\u200b\u200b", "\u200d", "\ufeff", "\u202e", " \u2060 "])
def test_titles_made_only_of_invisible_characters_are_refused(tmp_path: Path, title: str) -> None:
    path = write(tmp_path, kaggle(GOOD, f"{title},Someone,pop,2011,100,50,50,-5,10,50,200,10,5,50"))
    with pytest.raises(CatalogError, match=r"line 3, column 'title': the title is missing"):
        load_catalog(path)


def test_direction_overrides_are_taken_out_of_titles(tmp_path: Path) -> None:
    path = write(tmp_path, kaggle("\u202eevil\u202c Title,Someone,pop,2011,100,50,50,-5,10,50,200,10,5,50"))
    assert load_catalog(path).songs[0].title == "evil Title"


# --- any bytes or text: a CatalogError or songs, never anything else -----------------------------

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _load_or_refuse(path: Path, lenient: bool) -> None:
    try:
        catalog = load_catalog(path, lenient=lenient)
    except CatalogError as error:
        assert "\n" not in str(error) and len(str(error)) < 2000  # one short line
        return
    assert catalog.songs and all(s.title.strip() and s.artist.strip() for s in catalog.songs)


@PROPERTY_SETTINGS
@given(content=st.binary(max_size=2000), lenient=st.booleans())
def test_any_bytes_load_or_give_a_catalog_error(tmp_path: Path, content: bytes, lenient: bool) -> None:
    path = tmp_path / "any.csv"
    path.write_bytes(content)
    _load_or_refuse(path, lenient)


CSV_ALPHABET = st.sampled_from(list("ab,\";\n\r []'\\0123456789.-_eE\u200b\u202e\ufeffTrueFalse"))
HEADER_NAMES = st.sampled_from([*KAGGLE_HEADER.split(","), *FEATURES_1_2M.split(","), "", "x"])


@PROPERTY_SETTINGS
@given(
    header=st.lists(HEADER_NAMES, min_size=1, max_size=12),
    body=st.text(CSV_ALPHABET, max_size=400),
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]),
    lenient=st.booleans(),
)
def test_any_text_under_a_catalog_header_loads_or_gives_a_catalog_error(
    tmp_path: Path, header: list[str], body: str, encoding: str, lenient: bool
) -> None:
    path = tmp_path / "any.csv"
    path.write_bytes((",".join(header) + "\n" + body).encode(encoding, errors="replace"))
    _load_or_refuse(path, lenient)


# --- requests on the new features (text vectors all equal: the vocabulary and filters decide) ------


def rank(songs: Sequence[Song], request: str, k: int = 10) -> list[Song]:
    vectors = np.zeros((len(songs), 8), dtype=np.float32)
    query = np.zeros(8, dtype=np.float32)
    return [r.song for r in Ranker(songs, vectors).rank(IntentParser(songs).parse(request), query, k)]


@pytest.fixture(scope="module")
def layout_songs(tmp_path_factory: pytest.TempPathFactory) -> Sequence[Song]:
    return load_catalog(write(tmp_path_factory.mktemp("c"), layout_text("114k", rows=400), name="d.csv")).songs


def instrumentalness(song: Song) -> float:
    assert song.features is not None and song.features.instrumentalness is not None
    return song.features.instrumentalness


def test_instrumental_music_for_studying_is_instrumental(layout_songs: Sequence[Song]) -> None:
    songs = layout_songs
    top = rank(songs, "instrumental music for studying")
    assert len(top) == 10 and all(instrumentalness(song) >= 50 for song in top)


def test_clean_party_songs_are_never_explicit(layout_songs: Sequence[Song]) -> None:
    songs = layout_songs
    for request in ("clean party songs", "party songs with no explicit lyrics", "family friendly dance songs"):
        top = rank(songs, request)
        assert len(top) == 10
        assert all(s.features is not None and s.features.explicit == 0 for s in top), request


def test_minor_key_requests_rank_minor_songs_first(layout_songs: Sequence[Song]) -> None:
    songs = layout_songs
    assert all(s.features is not None and s.features.mode == 0 for s in rank(songs, "sad songs in a minor key"))


def test_every_credited_artist_is_findable(layout_songs: Sequence[Song]) -> None:
    songs = layout_songs
    top = rank(songs, "songs with Khalid", k=5)
    assert len(top) == 5 and all("Khalid" in s.artists for s in top)
    reasons = (
        Ranker(songs, np.zeros((len(songs), 8), dtype=np.float32))
        .rank(IntentParser(songs).parse("songs with Khalid"), np.zeros(8, dtype=np.float32), 1)[0]
        .reasons
    )
    assert "by Khalid" in reasons


def test_a_wish_on_a_feature_the_catalog_lacks_is_reported_and_left_out(tmp_path: Path) -> None:
    songs = load_catalog(write(tmp_path, layout_text("1.2M", rows=300), name="f.csv")).songs
    ranker = Ranker(songs, np.zeros((len(songs), 8), dtype=np.float32))
    intent = IntentParser(songs).parse("popular instrumental songs")
    assert ranker.missing_features(intent) == ["popularity"]
    assert "popularity" not in ranker.known_features and "instrumentalness" in ranker.known_features
    top = ranker.rank(intent, np.zeros(8, dtype=np.float32), 10)
    assert len(top) == 10 and all(instrumentalness(r.song) >= 50 for r in top)


def test_descriptions_leave_out_what_is_unknown(tmp_path: Path) -> None:
    songs = load_catalog(write(tmp_path, layout_text("1.2M", rows=20), name="f.csv")).songs
    text = default_text(songs[0])
    assert "popular" not in text and "underground" not in text and "lesser-known" not in text
    assert 'From the album "Album 0"' in text
    assert "explicit lyrics" in text  # song 0 is explicit
    clean = default_text(songs[1])
    assert "clean, with no explicit lyrics" in clean
    assert " major" in clean or " minor" in clean


def test_a_one_song_catalog_does_not_call_its_song_calm_and_energetic() -> None:
    song = Song(0, "Only", "One", (), (), Features(energy=89.0, bpm=120.0))
    answer = Ranker((song,), np.ones((1, 8), dtype=np.float32) / np.sqrt(8)).rank(
        IntentParser((song,)).parse("calm songs"), np.ones(8, dtype=np.float32) / np.sqrt(8), 1
    )
    assert answer[0].reasons == ("high-energy",)


@pytest.mark.slow
def test_the_real_model_finds_instrumental_songs_for_studying(tmp_path: Path) -> None:
    from recommender.engine import Recommender

    path = write(tmp_path, layout_text("114k", rows=300), name="d.csv")
    recommender = Recommender.load(path, cache_dir=tmp_path / "cache")
    top = recommender.recommend("instrumental music for studying", 10)
    assert all(instrumentalness(r.song) >= 50 for r in top)
    assert all(
        r.song.features and r.song.features.explicit == 0 for r in recommender.recommend("clean party songs", 10)
    )


@pytest.mark.parametrize(
    ("make", "fragment"), [("loop", "loop of symbolic links"), ("dir", "is not a file"), ("none", "does not exist")]
)
def test_a_catalog_named_in_the_environment_says_why_it_cannot_be_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: str, fragment: str
) -> None:
    from recommender.paths import CATALOG_ENV, NoCatalogError, resolve_catalog

    path = tmp_path / "catalog.csv"
    if make == "loop":
        path.symlink_to(path)
    elif make == "dir":
        path.mkdir()
    monkeypatch.setenv(CATALOG_ENV, str(path))
    with pytest.raises(NoCatalogError, match=fragment):
        resolve_catalog()


# --- the song table: columns, songs made on access -------------------------------------------------


def test_the_song_table_gives_back_the_songs_it_was_given(tmp_path: Path) -> None:
    songs = (
        Song(0, "A", "B", ("pop", "dance pop"), (2010, 2011), Features(bpm=120.5, energy=None, explicit=1.0)),
        Song(1, "Ünïcode \ud800?", "C", (), (), None, spotify_id="3Wrjm47oTz2sjIgck11l5e", album="Album"),
        Song(2, "D (feat. E)", "D", ("rock",), (1999,), Features(), artists=("D", "E")),
    )
    table = SongTable(songs)
    assert len(table) == 3 and table == songs and songs == table and list(table) == list(songs)
    assert table[-1] == songs[2] and table[1:] == list(songs[1:])
    assert table[0].features is not None and table[0].features.energy is None  # unknown stays unknown
    assert table[1].features is None and table[2].features == Features()
    assert np.isnan(table.features[0, 1]) and table.features[0, 0] == 120.5 and list(table.measured) == [1, 0, 1]
    with pytest.raises(IndexError):
        table[3]


def test_the_table_holds_artists_and_genres_as_codes_and_keeps_derived_title_keys() -> None:
    songs = [
        Song(0, "One", "A, B", ("pop",), (2010,), None, artists=("A", "B")),
        Song(1, "Two", "B", ("pop", "rock"), (2011, 2012), None),
        Song(2, "Three", "A, B", (), (), None, artists=("A", "B")),
    ]
    table = SongTable(songs)
    names = table.artist_names()
    assert sorted(names) == ["A", "A, B", "B"]  # each distinct name once, the shown credit too
    codes, ends = table.credits()
    assert [[names[c] for c in codes[start:end]] for start, end in zip([0, *ends[:-1]], ends, strict=True)] == [
        ["A", "B"],
        ["B"],
        ["A", "B"],
    ]
    assert [names[c] for c in table.artist_codes] == ["A, B", "B", "A, B"]
    assert sorted(table.genre_names()) == ["pop", "rock"] and table.years()[1].tolist() == [1, 3, 3]

    made: list[str] = []

    def shout(title: str) -> str:
        made.append(title)
        return title.upper()

    assert table.derived(shout) == ["ONE", "TWO", "THREE"]
    again = SongTable.from_arrays(table.arrays())
    assert again.derived(shout) == ["ONE", "TWO", "THREE"] and len(made) == 3  # kept, not made again
    assert again == songs

    def shout(title: str) -> str:  # type: ignore[no-redef]  # the same name, other code: its keys are made afresh
        return title.lower()

    assert again.derived(shout) == ["one", "two", "three"]


def test_a_loaded_catalog_is_a_song_table(reference_catalog: Path) -> None:
    songs = load_catalog(reference_catalog).songs
    assert isinstance(songs, SongTable) and len(songs) == 587
    assert songs.features.shape == (587, len(Features.__slots__))
    assert songs[586].id == 586 and songs[586] == list(songs)[586]
