"""`musicrec`: bad input ends as one line on stderr and exit status 2; catalog check; JSON answers."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tiny_recommender import tiny_recommender

from recommender.cli import main
from recommender.engine import Recommender

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


def test_a_missing_catalog_named_by_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
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
    result = run_cli(
        "recommend", "sad songs", env={"MUSICREC_CATALOG": str(missing), "MUSICREC_CACHE_DIR": str(tmp_path / "c")}
    )
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


def test_catalog_check_on_a_bad_row_names_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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
    "content",
    [b"", b"\x00\x01\x02binary\x00" * 20, b"colour,weight\nred,3\n", f"{HEADER}\n".encode()],
    ids=["empty", "binary", "unmappable", "header-only"],
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
    "sad",
    "happy",
    "chill",
    "angry",
    "romantic",
    "energetic",
    "melancholic",
    "dreamy",
    "nostalgic",
    "hopeful",
    "lonely",
    "confident",
    "peaceful",
    "rebellious",
    "playful",
    "dark",
    "uplifting",
    "sleepy",
    "summer",
    "rainy day",
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
    # The published squared L2 distance 0.8068 as a similarity: 1 - 0.8068 / 2.
    assert lines[1].startswith("  1. Your Love Is My Drug — Kesha (2010, dance pop)  score 0.596")
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


# --- issue 11: nothing a user can type gives a traceback --------------------------------------


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> Recommender:
    """Every command gets a six-song Recommender with a stand-in model instead of loading the real one."""
    loaded = tiny_recommender()
    monkeypatch.setattr(Recommender, "load", lambda *args, **kwargs: loaded)
    return loaded


@pytest.mark.parametrize("song", ["²", "①", "9" * 5_000], ids=["superscript", "circled", "5000-digits"])
def test_similar_with_digits_that_are_not_a_position(
    tiny: Recommender, song: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: isdigit() then int() raised ValueError (a traceback, exit 1).
    assert main(["similar", song]) == 2
    out, err = capsys.readouterr()
    line = one_error_line(err)
    assert line.startswith(f"musicrec: no song called '{song[:80]}")
    assert len(line) < 300  # the 5,000 digits are not all echoed back
    assert out == ""


def test_recommend_with_invalid_utf8_in_argv(tiny: Recommender, capsys: pytest.CaptureFixture[str]) -> None:
    # `musicrec recommend $'caf\xe9 \xff vibes'`: Python decodes argv with surrogateescape. Before: the
    # tokenizer's TypeError (a traceback); a bare print of the query could not encode it either.
    argv = [arg.decode("utf-8", "surrogateescape") for arg in (b"recommend", b"--k", b"2", b"caf\xe9 \xff vibes")]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].startswith("query: caf vibes · profile: default")
    assert len([line for line in out.splitlines() if line.lstrip().startswith(("1.", "2."))]) == 2
    assert err == ""


@pytest.mark.parametrize(
    "query", ["\u200b\u200b", "\x1b[31m\x1b[0m", "\u202e", "\ud800"], ids=["zero-width", "ansi", "rlo", "surrogate"]
)
def test_recommend_with_nothing_visible_is_refused_before_the_model(
    query: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    forbid_model(monkeypatch)
    assert main(["recommend", query]) == 2
    assert "the request is empty" in one_error_line(capsys.readouterr().err)


def test_an_unreadable_catalog_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    monkeypatch.setenv("MUSICREC_CATALOG", str(catalog))

    def unreadable(path: Path) -> str:
        # What open() raises for a file without read permission (root reads any file, so it is staged here).
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr("recommender.engine.resolve_model", lambda cache: ("model", "hash"))
    monkeypatch.setattr("recommender.engine.sha256_file", unreadable)
    assert main(["recommend", "sad songs"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line == f"musicrec: Permission denied: {catalog} (the catalog named by MUSICREC_CATALOG)"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_an_unreadable_catalog_in_a_real_process(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    catalog.chmod(0)
    empty = tmp_path / "no-model"
    empty.mkdir()
    env = {"MUSICREC_CATALOG": str(catalog), "MUSICREC_MODEL": str(empty), "MUSICREC_CACHE_DIR": str(tmp_path / "c")}
    result = run_cli("recommend", "sad songs", env=env)
    assert result.returncode == 2
    assert str(catalog) in one_error_line(result.stderr)


def test_a_cache_directory_that_is_a_file_in_a_real_process(tmp_path: Path) -> None:
    # Before: NotADirectoryError with a traceback, exit 1.
    cache = tmp_path / "cache"
    cache.write_text("not a folder")
    result = run_cli("recommend", "sad songs", env={"MUSICREC_CACHE_DIR": str(cache), "MUSICREC_MODEL": ""})
    assert result.returncode == 2
    line = one_error_line(result.stderr)
    assert "Not a directory" in line and str(cache) in line
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            PermissionError(errno.EROFS, os.strerror(errno.EROFS), "{cache}/models"),
            "{reason}: {cache}/models (in the cache",
        ),
        (
            OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
            "{reason} (while reading or writing; the cache directory is {cache}",
        ),
        (
            OSError("30720 requested and 29664 written"),
            "30720 requested and 29664 written (while reading or writing; the cache",
        ),
    ],
    ids=["read-only", "full", "full-as-numpy-says-it"],
)
def test_a_cache_directory_that_is_read_only_or_full(
    error: OSError, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("MUSICREC_CACHE_DIR", str(cache))
    if error.filename:
        error.filename = error.filename.format(cache=cache)

    def fail(*args: object) -> None:
        raise error

    monkeypatch.setattr("recommender.engine.resolve_model", fail)
    assert main(["recommend", "sad songs"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith("musicrec: " + expected.format(cache=cache, reason=error.strerror))


def test_error_lines_escape_what_would_break_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    forbid_model(monkeypatch)
    assert main(["catalog", "check", "two\nlines\x1b[2J\u202e.csv"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "two\\nlines\\x1b[2J\\u202e.csv" in line


def test_no_command_prints_the_help_not_an_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Usage: musicrec [OPTIONS] COMMAND")
    assert "recommend" in err and "musicrec: " not in err


def test_a_reader_that_left_ends_the_output_quietly(reference_catalog: Path) -> None:
    # `musicrec catalog check x.csv | head -0`: click itself catches the broken pipe and exits 1, silently.
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "recommender.cli", "catalog", "check", str(reference_catalog)],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(writer)
    assert result.stderr == ""
    assert result.returncode == 1


@pytest.mark.slow
def test_invalid_utf8_and_odd_digits_in_a_real_process() -> None:
    for argv, codes in ([b"recommend", b"--k", b"3", b"caf\xe9 \xff"], {0}), ([b"similar", "²".encode()], {2}):
        result = subprocess.run(
            [sys.executable.encode(), b"-m", b"recommender.cli", *argv], capture_output=True, timeout=300
        )
        stderr = result.stderr.decode("utf-8", "replace")
        assert "Traceback" not in stderr
        assert result.returncode in codes, stderr
        if result.returncode == 2:
            one_error_line(stderr)
        else:
            assert result.stdout.decode().startswith("query: caf · profile: default")
