"""Catalog ingestion: the three layouts read with no flags, header mapping by meaning, and bad input."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from recommender.catalog import SEED_FEATURES, CatalogError, load_catalog

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
    assert (first.title, first.artist, first.genres, first.years) == ("Hey, Soul Sister", "Train", ("neo mellow",), (2010,))
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
    assert max(f.energy for f in measured) > 1
    assert max(f.length for f in measured) < 1000


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
    header = f"{title},ARTIST,Genre,Year,{bpm},Energy,Danceability,Loudness,Liveness,Valence,{length},Acousticness,Speechiness,Popularity"
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
    header = "title,artist,genre,year,bpm,energy,danceability,loudness,liveness,valence,duration_ms,acousticness,speechiness,popularity"
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
