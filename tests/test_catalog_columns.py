"""The column reader gives the row reader's catalog, song for song, and gives way to it for every error."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_catalog import CSV_ALPHABET, DATASET_114K, FEATURES_1_2M, KAGGLE_HEADER, TRACKS_600K, layout_text

import recommender.catalog as catalog_module
import recommender.catalog_columns as columns_module
from recommender.catalog import CatalogError, load_catalog

LAYOUTS = {"1.2M": FEATURES_1_2M, "600k": TRACKS_600K, "114k": DATASET_114K}
Outcome = tuple[dict[str, np.ndarray], list[str]] | str


@contextmanager
def columnwise(enabled: bool) -> Iterator[list[bool]]:
    """The column reader on or off; the list says, per load, whether it made the catalog (True) or gave way."""
    made: list[bool] = []
    read = columns_module.read_columns

    def spy(*args: Any) -> Any:
        result = read(*args)
        made.append(result is not None)
        return result

    with (
        mock.patch.object(catalog_module, "COLUMNWISE", enabled),
        mock.patch.object(columns_module, "read_columns", spy),
    ):
        yield made


def outcome(path: Path, *, lenient: bool = False) -> Outcome:
    try:
        catalog = load_catalog(path, lenient=lenient)
    except CatalogError as error:
        return str(error)
    return catalog.songs.arrays(), catalog.report.lines()


def assert_same(columns: Outcome, rows: Outcome) -> None:
    if isinstance(rows, str) or isinstance(columns, str):
        assert columns == rows
        return
    assert columns[1] == rows[1]
    assert columns[0].keys() == rows[0].keys()
    for name, array in rows[0].items():
        assert array.dtype == columns[0][name].dtype, name
        assert np.array_equal(columns[0][name], array, equal_nan=array.dtype.kind == "f"), name


def both(path: Path, *, lenient: bool = False) -> tuple[Outcome, list[bool]]:
    """The catalog as each reader makes it, checked equal; the column reader's and whether it made it."""
    with columnwise(True) as made:
        columns = outcome(path, lenient=lenient)
    with columnwise(False):
        rows = outcome(path, lenient=lenient)
    assert_same(columns, rows)
    return columns, made


def with_rows(text: str, extra: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(extra)
    return text + out.getvalue()


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_each_public_layout_reads_the_same_column_by_column(tmp_path: Path, layout: str) -> None:
    header = LAYOUTS[layout].split(",")
    text = layout_text(layout, rows=2000)
    first = next(csv.reader(io.StringIO(text.splitlines()[1])))
    # Repeated songs to merge, guests in a title, mojibake to repair, a blank line and an unmeasured song.
    twice = [*first]
    twice[header.index("name" if "name" in header else "track_name")] = "Song 1 (feat. Sia)"
    measured = ("danceability", "energy", "tempo", "speechiness", "acousticness", "liveness", "valence")
    unmeasured = ["0" if name in measured else cell for name, cell in zip(header, first, strict=True)]
    title = header.index("name" if "name" in header else "track_name")
    mojibake = [*first]
    mojibake[title] = "BeyoncÃ© Song"
    path = tmp_path / f"{layout}.csv"
    path.write_text(with_rows(text, [first, twice, [], unmeasured, mojibake, first]), encoding="utf-8")
    catalog, made = both(path)
    assert made == [True] and not isinstance(catalog, str)
    assert {"  repeated rows merged into one song: 3", "  mojibake (UTF-8/latin-1): 1"} <= set(catalog[1])


def test_windows_line_ends_bom_and_quoted_newlines_read_the_same(tmp_path: Path) -> None:
    text = layout_text("600k", rows=300).replace("Song 7,", '"Song\n7",', 1)
    path = tmp_path / "600k.csv"
    path.write_bytes("\ufeff".encode() + text.replace("\n", "\r\n").encode())
    _, made = both(path)
    assert made == [True]


@pytest.mark.parametrize(
    ("cell", "column", "fragment"),
    [
        ("fast", "tempo", "'fast' is not a number"),
        ("maybe", "explicit", "true/false"),
        ("400", "tempo", "out of range"),
    ],
)
def test_a_bad_value_deep_in_a_large_file_is_named_as_the_row_reader_names_it(
    tmp_path: Path, cell: str, column: str, fragment: str
) -> None:
    header = FEATURES_1_2M.split(",")
    lines = layout_text("1.2M", rows=5000).splitlines(keepends=True)
    bad = next(csv.reader(io.StringIO(lines[4321])))
    bad[header.index(column)] = cell
    lines[4321] = with_rows("", [bad])
    path = tmp_path / "big.csv"
    path.write_text("".join(lines), encoding="utf-8")
    error, made = both(path)
    assert made == [False]
    assert isinstance(error, str)
    assert f"line 4322, column '{column}'" in error and fragment in error
    lenient, made = both(path, lenient=True)
    assert made == [False] and not isinstance(lenient, str)
    assert "rows rejected: 1" in lenient[1]


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Each field's cells: the ones every row reader accepts, then ones it rejects (drawn in one file of ten).
FRACTIONS = st.floats(0, 1).map(lambda x: f"{x:.4f}")
NUMBERS = ["", " 0.5 ", "NULL", "nan", "-", ".5", "5.", "+0.25", "-0", "0.0", "0", "1", "1e-3", "0,000"]
CELLS: dict[str, tuple[st.SearchStrategy[str], list[str]]] = {
    "name": (
        st.sampled_from(["Song", "song", "Song (feat. B, C)", "Song [ft. A & D]", "BeyoncÃ©", "\u202eX", "駉"]),
        [""],
    ),
    "artists": (
        st.one_of(
            st.lists(st.text("abcAB ;'\"é", min_size=1, max_size=6), min_size=1, max_size=3).map(str),
            st.lists(st.sampled_from(["A", "B feat. C", "Beyoncé", " D ", "Bob Fisher"]), min_size=1, max_size=3).map(
                ";".join
            ),
            st.sampled_from(["['A', 'B']", "['A', 'A']", '["O\'Neil"]', "A ft. B", "[]", "['']", "['A'", "A, B"]),
        ),
        [" ", ""],
    ),
    "explicit": (st.sampled_from(["True", "False", "0", "1", "true", "1.0", "", "yes"]), ["2", "0.5", "T"]),
    "release_date": (st.sampled_from(["2019", "2019-05-04", "0000", "04/05/2019", "", "2019.0"]), ["1899", "soon"]),
    "year": (st.sampled_from(["2019", "2020", "0", "", "2019.0"]), ["x", "20190"]),
    "track_genre": (st.sampled_from(["pop", "k-pop", "['rock', 'pop']", "pop, rock", "", "Ã©"]), []),
    "mode": (st.sampled_from(["0", "1", "", "0.0", "1.0"]), ["2", "-1"]),
    "key": (st.sampled_from(["-1", "0", "11", "5.0", ""]), ["12", "-2"]),
    "time_signature": (st.sampled_from(["0", "4", "3", "4.0", ""]), ["13", "0.5"]),
    "id": (st.sampled_from(["spotify:track:abc", "abc", "", " x "]), []),
    "album": (st.sampled_from(["A", "", "BeyoncÃ©", "B"]), []),
    "number": (st.one_of(FRACTIONS, st.sampled_from(NUMBERS)), ["1_0", "inf", "fast", "1e5000", "1234"]),
}
ALIASES = {"track_name": "name", "track_id": "id", "album_name": "album", "": "id"}


@st.composite
def layout_files(draw: st.DrawFn) -> str:
    layout = draw(st.sampled_from(list(LAYOUTS)))
    header = LAYOUTS[layout].split(",")
    broken = draw(st.integers(0, 9)) == 0
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        row = []
        for name in header:
            valid, invalid = CELLS.get(ALIASES.get(name, name), CELLS["number"])
            row.append(draw(st.one_of(valid, st.sampled_from(invalid)) if broken and invalid else valid))
        rows.append(row)
    return with_rows(LAYOUTS[layout] + "\n", rows)


@PROPERTY_SETTINGS
@given(text=layout_files(), lenient=st.booleans())
def test_any_values_in_the_public_layouts_read_the_same_column_by_column(
    tmp_path: Path, text: str, lenient: bool
) -> None:
    path = tmp_path / "layout.csv"
    path.write_text(text, encoding="utf-8")
    _, made = both(path, lenient=lenient)
    event(f"column reader made it: {made}")


@PROPERTY_SETTINGS
@given(body=st.text(CSV_ALPHABET, max_size=400), lenient=st.booleans())
def test_any_text_reads_the_same_column_by_column(tmp_path: Path, body: str, lenient: bool) -> None:
    path = tmp_path / "any.csv"
    path.write_bytes((KAGGLE_HEADER + "\n" + body).encode("utf-8"))
    _, made = both(path, lenient=lenient)
    event(f"column reader made it: {made}")


def test_the_serving_benchmark_times_the_load_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from recommender.benchmarks import serving

    path = tmp_path / "tracks_features.csv"
    path.write_text(layout_text("1.2M", rows=50), encoding="utf-8")
    assert serving.main(["--step", "load", "--csv", str(path), "--cache", str(tmp_path)]) == 0
    measured = json.loads(capsys.readouterr().out)
    assert measured["songs"] == 50
    assert {"catalog_load_s", "catalog_load_cpu_s", "catalog_load_peak_rss_mb"} <= measured.keys()
