"""Repairs made while loading a catalog, each counted in the report: mojibake, corrections, merged rows."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from recommender.catalog import load_catalog
from recommender.repair import load_corrections, repair_text

GBK = "mojibake (cp1252 read as GBK)"
FTFY = "mojibake (UTF-8/latin-1)"
CORRECTION = "title from corrections file"
MERGED = "repeated rows merged into one song"
UNMEASURED = "songs without measurements (kept, never described)"

HEADER = "title,artist,top genre,year,bpm,nrgy,dnce,dB,live,val,dur,acous,spch,pop"
FEATURES = "100,50,60,-6,10,50,200,10,5,70"


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "catalog.csv"
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def has_cjk(text: str) -> bool:
    return any(unicodedata.name(c, "").startswith("CJK") for c in text)


@pytest.mark.parametrize(
    ("damaged", "repaired", "kind"),
    [
        ("Se駉rita", "Señorita", GBK),
        ("Just Can抰 Get Enough", "Just Can’t Get Enough", GBK),
        ("Janelle Mon醗", "Janelle Monáe", GBK),
        ("Reggaet髇 Lento (Remix)", "Reggaetón Lento (Remix)", GBK),
        ("BeyoncÃ©", "Beyoncé", FTFY),
        ("CafÃ© del Mar", "Café del Mar", FTFY),
        ("Beyoncé", "Beyoncé", None),
        ("Can’t Stop the Feeling!", "Can’t Stop the Feeling!", None),
        ("Mötley Crüe", "Mötley Crüe", None),
        ("告白气球", "告白气球", None),
        ("周杰倫", "周杰倫", None),
        ("說好的幸福呢", "說好的幸福呢", None),
        ("Jay Chou 周杰倫 - 晴天", "Jay Chou 周杰倫 - 晴天", None),
        ("Hey, Soul Sister", "Hey, Soul Sister", None),
    ],
)
def test_repair_text(damaged: str, repaired: str, kind: str | None) -> None:
    assert repair_text(damaged) == (repaired, kind)


def test_mojibake_in_a_catalog_is_repaired_and_counted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"Se駉rita,Shawn Mendes,canadian pop,2019,{FEATURES}",
        f"Just Can抰 Get Enough,The Black Eyed Peas,dance pop,2010,{FEATURES}",
        f"We Are Young (feat. Janelle Mon醗),fun.,baroque pop,2012,{FEATURES}",
        f"Halo,BeyoncÃ©,dance pop,2009,{FEATURES}",
        f"告白气球,周杰倫,mandopop,2016,{FEATURES}",
        f"Plain,Nobody,pop,2016,{FEATURES}",
    )
    catalog = load_catalog(path)
    assert [(s.title, s.artist) for s in catalog.songs] == [
        ("Señorita", "Shawn Mendes"),
        ("Just Can’t Get Enough", "The Black Eyed Peas"),
        ("We Are Young (feat. Janelle Monáe)", "fun."),
        ("Halo", "Beyoncé"),
        ("告白气球", "周杰倫"),
        ("Plain", "Nobody"),
    ]
    assert catalog.report.repairs == {GBK: 3, FTFY: 1}
    assert f"  {GBK}: 3" in catalog.report.lines()


def test_raw_mode_keeps_the_text_as_the_file_has_it(tmp_path: Path) -> None:
    path = write(
        tmp_path, f"Se駉rita,Shawn Mendes,canadian pop,2019,{FEATURES}", f"43776,Beyonce,dance pop,2015,{FEATURES}"
    )
    catalog = load_catalog(path, raw=True)
    assert [s.title for s in catalog.songs] == ["Se駉rita", "43776"]
    assert catalog.report.repairs == {}


def test_the_date_serial_title_is_corrected_from_the_corrections_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"43776,Beyonce,dance pop,2015,{FEATURES}",
        f"43776,Somebody Else,dance pop,2015,{FEATURES}",
    )
    catalog = load_catalog(path)
    assert [(s.title, s.artist) for s in catalog.songs] == [("7/11", "Beyonce"), ("43776", "Somebody Else")]
    assert catalog.report.repairs[CORRECTION] == 1


def test_corrections_file_rows_are_read_past_its_comments() -> None:
    corrections = load_corrections()
    assert corrections[("Beyonce", "43776")] == "7/11"
    assert (
        corrections[("Major Lazer", "Cold Water (feat. Justin Bieber & M?")] == "Cold Water (feat. Justin Bieber & MØ)"
    )
    assert all(not artist.startswith("#") for artist, _ in corrections)


def test_repeated_rows_merge_keeping_every_chart_year(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"Just the Way You Are,Bruno Mars,pop,2011,{FEATURES}",
        f"Other,Someone,pop,2010,{FEATURES}",
        f"just the way you are,BRUNO MARS,pop,2010,{FEATURES}",
        f"Just the Way You Are,Bruno Mars,pop,2010,{FEATURES}",
    )
    catalog = load_catalog(path)
    assert len(catalog.songs) == 2
    merged = catalog.songs[0]
    assert (merged.title, merged.artist, merged.years) == ("Just the Way You Are", "Bruno Mars", (2010, 2011))
    assert [s.id for s in catalog.songs] == [0, 1]
    assert catalog.report.repairs[MERGED] == 2
    assert catalog.report.rows_read == 4 and catalog.report.songs_kept == 2


def test_a_row_of_zeros_is_kept_without_features(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Million Years Ago,Adele,british soul,2016,0,0,0,-60,0,0,227,0,0,0",
        f"Hello,Adele,british soul,2016,{FEATURES}",
    )
    catalog = load_catalog(path)
    silent, hello = catalog.songs
    assert (silent.title, silent.features) == ("Million Years Ago", None)
    assert hello.features is not None
    assert catalog.report.repairs[UNMEASURED] == 1
    # The published view keeps the zeros as measured values.
    raw = load_catalog(path, raw=True).songs[0]
    assert raw.features is not None and raw.features.bpm == 0


# --- the reference catalog ----------------------------------------------------------------


@pytest.fixture(scope="module")
def reference(reference_catalog: Path):
    return load_catalog(reference_catalog)


def song(catalog, title: str, artist: str):
    found = [s for s in catalog.songs if s.title == title and s.artist == artist]
    assert len(found) == 1, f"{title!r} by {artist!r}: {len(found)} songs"
    return found[0]


def test_reference_gbk_mojibake_is_repaired(reference) -> None:
    song(reference, "Señorita", "Shawn Mendes")
    song(reference, "Just Can’t Get Enough", "The Black Eyed Peas")
    assert any("Janelle Monáe" in s.title for s in reference.songs)
    assert not [s.label for s in reference.songs if has_cjk(s.title) or has_cjk(s.artist)]
    # Titles whose damaged character was lost are restored from the corrections file.
    labels = {(s.artist, s.title) for s in reference.songs}
    for (artist, _), title in load_corrections().items():
        assert (artist, title) in labels
    song(reference, "Perfect Duet (Ed Sheeran & Beyoncé)", "Ed Sheeran")


def test_reference_repairs_are_counted(reference, reference_catalog: Path) -> None:
    # Every damaged field in the file is one counted repair: CJK mojibake not covered by a correction...
    raw = load_catalog(reference_catalog, raw=True)
    corrections = load_corrections()
    damaged = sum(
        has_cjk(field) for s in raw.songs if (s.artist, s.title) not in corrections for field in (s.title, s.artist)
    )
    corrected = sum((s.artist, s.title) in corrections for s in raw.songs)
    assert damaged > 0 and corrected == len(corrections)
    repairs = reference.report.repairs
    assert repairs[GBK] == damaged
    assert repairs[CORRECTION] == corrected
    assert repairs[MERGED] == 16
    assert repairs[UNMEASURED] == 1


def test_reference_date_serial_is_corrected(reference) -> None:
    assert song(reference, "7/11", "Beyonce").years == (2015,)
    assert not [s for s in reference.songs if s.title == "43776"]


def test_reference_repeated_rows_are_merged_with_all_chart_years(reference) -> None:
    assert reference.report.rows_read - reference.report.songs_kept == 16
    assert song(reference, "Just the Way You Are", "Bruno Mars").years == (2010, 2011)
    assert song(reference, "Kissing Strangers", "DNCE").years == (2017, 2018)
    assert song(reference, "Sugar", "Maroon 5").years == (2015,)
    keys = [(s.title.casefold(), s.artist.casefold()) for s in reference.songs]
    assert len(keys) == len(set(keys))


def test_reference_row_of_zeros_is_kept_without_features(reference) -> None:
    adele = song(reference, "Million Years Ago", "Adele")
    assert adele.features is None
    assert adele.genres == ("british soul",) and adele.years == (2016,)
    assert sum(s.features is None for s in reference.songs) == 1
