"""`musicrec`: bad input ends as one line on stderr and exit status 2; catalog check; JSON answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.cli import main

LONG_QUERY = "a" * 10_000


def forbid_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the command gets as far as the model (the fast paths must not load it)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded for input that could be refused before")

    monkeypatch.setattr("recommender.engine.load_encoder", refuse)
    monkeypatch.setattr("recommender.engine.resolve_model", refuse)


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, f"stderr should be one line, got {len(lines)}: {stderr!r}"
    assert lines[0].startswith("musicrec: ")
    return lines[0]


BAD_INPUT = {
    "empty-query": (["recommend", ""], "empty"),
    "blank-query": (["recommend", "  \t "], "empty"),
    "one-empty-among-many": (["recommend", "sad songs", ""], "empty"),
    "long-query": (["recommend", LONG_QUERY], "10000 characters"),
    "k-0": (["recommend", "--k", "0", "sad songs"], "--k"),
    "k-51": (["recommend", "--k", "51", "sad songs"], "--k"),
    "k-not-a-number": (["recommend", "--k", "ten", "sad songs"], "--k"),
    "similar-k-51": (["similar", "--k", "51", "Hello"], "--k"),
    "unknown-profile": (["recommend", "--profile", "fancy", "sad songs"], "fancy"),
    "similar-unknown-profile": (["similar", "--profile", "fancy", "Hello"], "fancy"),
    "no-query": (["recommend"], "QUERIES"),
    "unknown-command": (["recomend", "sad"], "recomend"),
}


@pytest.mark.parametrize(("argv", "fragment"), list(BAD_INPUT.values()), ids=list(BAD_INPUT))
def test_bad_input_is_one_line_and_status_2(
    argv: list[str], fragment: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    forbid_model(monkeypatch)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert fragment in one_error_line(err)


def test_a_missing_catalog_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    forbid_model(monkeypatch)
    missing = tmp_path / "gone" / "catalog.csv"
    monkeypatch.setenv("MUSICREC_CATALOG", str(missing))
    assert main(["recommend", "sad songs"]) == 2
    out, err = capsys.readouterr()
    line = one_error_line(err)
    assert str(missing) in line and "MUSICREC_CATALOG" in line
    assert out == ""


def test_a_missing_catalog_named_by_the_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    forbid_model(monkeypatch)
    missing = tmp_path / "nope.csv"
    assert main(["similar", "--catalog", str(missing), "Hello"]) == 2
    assert str(missing) in one_error_line(capsys.readouterr().err)


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "recommender.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("recommend", ""), "empty"),
        (("recommend", LONG_QUERY), "10000 characters"),
        (("recommend", "--k", "0", "sad"), "--k"),
        (("recommend", "--k", "51", "sad"), "--k"),
        (("recommend", "--profile", "fancy", "sad"), "fancy"),
    ],
    ids=["empty", "long", "k-0", "k-51", "profile"],
)
def test_bad_input_in_a_real_process(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    # An empty model folder and cache: were the model loaded, the error would be about it instead.
    empty = tmp_path / "no-model"
    empty.mkdir()
    result = run_cli(*args, env={"MUSICREC_MODEL": str(empty), "MUSICREC_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 2
    assert result.stdout == ""
    assert fragment in one_error_line(result.stderr)
    assert not (tmp_path / "cache").exists()


def test_a_missing_catalog_in_a_real_process(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    result = run_cli("recommend", "sad songs", env={"MUSICREC_CATALOG": str(missing), "MUSICREC_CACHE_DIR": str(tmp_path / "c")})
    assert result.returncode == 2
    assert str(missing) in one_error_line(result.stderr)


# --- musicrec catalog check ---------------------------------------------------------------


def test_catalog_check_prints_the_report(reference_catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "check", str(reference_catalog)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == f"catalog: {reference_catalog}"
    assert "rows read: 603" in lines
    assert "songs kept: 587" in lines
    assert "  repeated rows merged into one song: 16" in lines
    assert "  title from corrections file: 9" in lines
    assert "rows rejected: 0" in lines
    assert err == ""


HEADER = "title,artist,top genre,year,bpm,nrgy,dnce,dB,live,val,dur,acous,spch,pop"
GOOD = "Halo,Beyoncé,dance pop,2009,80,72,51,-5,6,46,262,26,4,72"
BAD = "Bad,Someone,pop,2011,fast,50,50,-5,10,50,200,10,5,50"


def test_catalog_check_on_a_bad_row_names_file_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\n{GOOD}\n{BAD}\n", encoding="utf-8")
    assert main(["catalog", "check", str(path)]) == 2
    out, err = capsys.readouterr()
    line = one_error_line(err)
    assert str(path) in line and "line 3" in line and "column 'bpm'" in line
    assert out == ""

    assert main(["catalog", "check", "--lenient", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "songs kept: 1" in out.splitlines()
    assert "rows rejected: 1" in out.splitlines()
    assert "  line 3, column 'bpm': 'fast' is not a number" in out.splitlines()


@pytest.mark.parametrize(
    "content", [b"", b"\x00\x01\x02binary\x00" * 20, b"colour,weight\nred,3\n", f"{HEADER}\n".encode()], ids=["empty", "binary", "unmappable", "header-only"]
)
@pytest.mark.parametrize("lenient", [[], ["--lenient"]], ids=["strict", "lenient"])
def test_catalog_check_on_an_unusable_catalog_exits_2(
    tmp_path: Path, content: bytes, lenient: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "unusable.csv"
    path.write_bytes(content)
    assert main(["catalog", "check", *lenient, str(path)]) == 2
    out, err = capsys.readouterr()
    assert str(path) in one_error_line(err)
    assert out == ""


def test_catalog_check_in_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\n{GOOD}\n{BAD}\n", encoding="utf-8")
    result = run_cli("catalog", "check", str(path))
    assert result.returncode == 2
    assert "line 3" in one_error_line(result.stderr)


# --- with the real model -------------------------------------------------------------------


@pytest.mark.slow
def test_unknown_song_for_similar_in_a_real_process() -> None:
    result = run_cli("similar", "zzqqxx no such song at all", timeout=300)
    assert result.returncode == 2
    assert result.stdout == ""
    line = one_error_line(result.stderr)
    assert "zzqqxx no such song at all" in line


@pytest.fixture
def shared_model(monkeypatch: pytest.MonkeyPatch, load_encoder_once) -> None:  # type: ignore[no-untyped-def]
    """``main`` builds its own Recommender; give it the session's model instead of loading another."""
    monkeypatch.setattr("recommender.engine.load_encoder", load_encoder_once)


@pytest.mark.slow
def test_unknown_song_for_similar(shared_model: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["similar", "zzqqxx no such song at all"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "no song called 'zzqqxx no such song at all'" in one_error_line(err)


MOODS = [
    "sad", "happy", "chill", "angry", "romantic", "energetic", "melancholic", "dreamy", "nostalgic", "hopeful",
    "lonely", "confident", "peaceful", "rebellious", "playful", "dark", "uplifting", "sleepy", "summer", "rainy day",
]


@pytest.mark.slow
def test_recommend_json_answers_40_queries_in_one_call(shared_model: None, capsys: pytest.CaptureFixture[str]) -> None:
    queries = [f"{mood} songs" for mood in MOODS] + [f"{mood} music for the evening" for mood in MOODS]
    assert len(set(queries)) == 40
    assert main(["recommend", "--json", "--k", "5", *queries]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 40
    answers = [json.loads(line) for line in lines]
    assert [a["query"] for a in answers] == queries
    for answer in answers:
        assert {"query", "profile", "results"} <= set(answer)
        assert answer["profile"] == "default"
        assert [r["rank"] for r in answer["results"]] == [1, 2, 3, 4, 5]
        for result in answer["results"]:
            assert {"rank", "title", "artist", "year", "genre", "score", "features"} <= set(result)
            assert isinstance(result["score"], float)
            assert result["features"] is None or set(result["features"]) >= {"bpm", "energy", "valence"}
        scores = [r["score"] for r in answer["results"]]
        assert scores == sorted(scores, reverse=True), answer["query"]
    assert "Traceback" not in err


@pytest.mark.slow
def test_similar_json_excludes_the_song(shared_model: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["similar", "--json", "--k", "10", "Just the Way You Are"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    answer = json.loads(line)
    assert answer["query"] == "Just the Way You Are — Bruno Mars"
    assert len(answer["results"]) == 10
    assert "Just the Way You Are" not in [r["title"] for r in answer["results"]]


@pytest.mark.slow
def test_recommend_seed_profile_table(shared_model: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", "--profile", "seed", "--k", "3", "a music about Drugs and in genre of hip hop"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "query: a music about Drugs and in genre of hip hop · profile: seed"
    assert lines[1].startswith("  1. Your Love Is My Drug — Kesha (2010, dance pop)  score 0.80")
    assert lines[2].startswith("  2. Overdose — Ciara")


@pytest.mark.slow
def test_recommend_table_says_what_it_understood(shared_model: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", "sad songs by adele", "--k", "3"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "understood: artist: Adele, sad" in header


@pytest.mark.slow
def test_index_build_shows_progress_confirms_a_valid_index_and_rebuilds_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_model: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from recommender.model import MODEL_ENV, resolve_model
    from recommender.paths import cache_dir

    monkeypatch.setenv(MODEL_ENV, resolve_model(cache_dir())[0])  # the assembled model, not a fresh one in tmp_path
    monkeypatch.setenv("MUSICREC_CACHE_DIR", str(tmp_path / "cache"))
    catalog = tmp_path / "two.csv"
    catalog.write_text(f"{HEADER}\n{GOOD}\n{BAD.replace('fast', '96')}\n", encoding="utf-8")

    def build(*flags: str) -> str:
        """Run ``index build``; what it wrote on stderr."""
        assert main(["index", "build", "--catalog", str(catalog), *flags]) == 0
        out, err = capsys.readouterr()
        assert out.splitlines() == [f"index ready: 2 songs from {catalog} (default profile)"]
        return err

    # capsys's stderr is no terminal: the progress is there because `index build` asks for it.
    first = build()
    assert "reading rows: 100%" in first and "2 rows" in first
    assert "embedding: 100%" in first and "2/2" in first
    assert "embedding" not in build()  # a valid index is confirmed, not rebuilt
    assert "embedding: 100%" in build("--rebuild")
