"""Property-based tests: arbitrary text and argument lists never raise anything but the documented errors.

Bounded for CI: each property runs a fixed number of examples with a per-example deadline, the
whole file in a few seconds. No model loads: the CLI runs against a six-song Recommender.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from datetime import timedelta

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from tiny_recommender import TITLES, tiny_recommender, tiny_songs

from recommender.cli import main
from recommender.engine import MAX_QUERY_CHARS, Recommender
from recommender.parser import IntentParser
from recommender.text import RequestError, clean_request, normalize_text

BOUNDED = settings(max_examples=200, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])

# Every code point, lone surrogates included: they reach the library from argv (surrogateescape) and JSON.
ANY_CHARACTER = st.characters(codec=None, exclude_categories=())
TRICKY = st.sampled_from(
    ["\x1b[31m", "\x1b]0;t\x07", "\u202e", "\u200b", "\ufeff", "\ud800", "\udcff", "\u0301", "²", "①", "ｓ", "\t", "\n"]
)
WORDS = st.sampled_from(
    [title for song in TITLES for title in song]
    + ["sad", "chill", "not", "acoustic", "songs", "by", "from", "2015", "90s", "early 2010s", "under 3 minutes"]
    + ["over 120 bpm", "between 2012 and 2014", "the", "like", "minutes", "bpm", "energy", "-", "&", "'s"]
)
# Text that looks like requests often enough to reach the parser's branches, and arbitrary text besides.
REQUEST_TEXT = st.lists(st.one_of(WORDS, TRICKY, st.text(ANY_CHARACTER, max_size=12)), max_size=12).map(
    " ".join
) | st.text(ANY_CHARACTER, max_size=200)
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}


@BOUNDED
@given(REQUEST_TEXT)
def test_normalised_text_is_visible_normal_and_stable(text: str) -> None:
    cleaned = normalize_text(text)
    assert normalize_text(cleaned) == cleaned
    assert unicodedata.is_normalized("NFKC", cleaned)
    assert not any(unicodedata.category(char) in INVISIBLE_CATEGORIES for char in cleaned)
    assert cleaned == " ".join(cleaned.split())
    cleaned.encode("utf-8")  # what the tokenizer needs


@BOUNDED
@given(REQUEST_TEXT | st.text(ANY_CHARACTER, min_size=450, max_size=700))
def test_a_request_is_cleaned_or_refused_with_a_request_error(text: str) -> None:
    try:
        cleaned = clean_request(text, MAX_QUERY_CHARS)
    except RequestError as error:
        assert str(error).startswith("the request is ")
    else:
        assert cleaned == normalize_text(text)
        assert 0 < len(cleaned) <= MAX_QUERY_CHARS


PARSER = IntentParser(tiny_songs())


@BOUNDED
@given(REQUEST_TEXT)
def test_the_request_parser_reads_any_text(text: str) -> None:
    intent = PARSER.parse(text)
    assert isinstance(intent.describe(), list)
    assert intent.artists <= {artist for _, artist, _ in TITLES}


# --- the CLI -----------------------------------------------------------------------------------

# Commands with side effects beyond printing (network, report files, the bot) are left out.
UNSAFE_COMMANDS = {"data", "eval", "bench"}
CLI_WORDS = [
    "recommend", "similar", "index", "build", "catalog", "check", "--k", "--json", "--profile", "default", "seed",
    "--catalog", "--lenient", "--rebuild", "-v", "--verbose", "--help", "--", "-", "0", "3", "51", "-1", "²", "①",
    "Hello", "halo", "sad songs", "", " ", "good.csv", "bad.csv", "missing.csv", ".", "/",
]  # fmt: skip
# What argv can hold: no NUL, and invalid UTF-8 only as surrogateescape (U+DC80-U+DCFF), never "\ud800".
ARGV_CHARACTER = st.characters(codec="utf-8", exclude_characters="\x00") | st.sampled_from("\udc80\udce9\udcff")
ARGUMENT = st.one_of(
    st.sampled_from(CLI_WORDS), TRICKY.filter(lambda t: t != "\ud800"), st.text(ARGV_CHARACTER, max_size=20)
)
COMMANDS = [["recommend"], ["similar"], ["index", "build"], ["catalog", "check"], ["-v", "recommend"], ["index"], []]
# A real command and then anything, most of the time: arbitrary first words only test click's "No such command".
ARGUMENT_LISTS = st.builds(
    lambda command, rest: command + rest, st.sampled_from(COMMANDS), st.lists(ARGUMENT, max_size=6)
)
HEADER = "title,artist,top genre,year,bpm,nrgy,dnce,dB,live,val,dur,acous,spch,pop"


@pytest.fixture(scope="module")
def cli_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recommender]:
    """A good and a bad catalog in the working directory; every command gets the six-song Recommender."""
    folder = tmp_path_factory.mktemp("cli")
    (folder / "good.csv").write_text(
        f"{HEADER}\nHalo,Beyoncé,dance pop,2009,80,72,51,-5,6,46,262,26,4,72\n", encoding="utf-8"
    )
    (folder / "bad.csv").write_text(
        f"{HEADER}\nBad,Someone,pop,2011,fast,50,50,-5,10,50,200,10,5,50\n", encoding="utf-8"
    )
    loaded = tiny_recommender()
    level = logging.getLogger("recommender").level  # `index build` raises it to INFO
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        patch.setattr(Recommender, "load", lambda *args, **kwargs: loaded)
        yield loaded
    logging.getLogger("recommender").setLevel(level)


@settings(max_examples=300, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])
@given(ARGUMENT_LISTS)
def test_any_argument_list_ends_in_a_documented_exit(cli_sandbox: Recommender, args: list[str]) -> None:
    assume(not UNSAFE_COMMANDS & set(args))
    with CliRunner().isolation() as (out, err, _):
        code = main(args)
    stderr = err.getvalue().decode("utf-8")
    event(f"exit {code}: {stderr.split(':')[1] if code == 2 and ':' in stderr else ''}"[:50])
    assert code in (0, 2), (code, stderr)
    if code == 2:
        lines = stderr.splitlines()
        if lines and lines[0].startswith("Usage: "):  # a group named without its command prints its help
            return
        assert len(lines) == 1 and lines[0].startswith("musicrec: "), stderr
        assert out.getvalue() == b""


@settings(max_examples=100, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["recommend", "similar"]), REQUEST_TEXT)
def test_any_request_text_is_answered_or_refused_in_one_line(cli_sandbox: Recommender, command: str, text: str) -> None:
    with CliRunner().isolation() as (out, err, _):
        code = main([command, "--k", "2", "--", text])
    stderr = err.getvalue().decode("utf-8")
    assert code in (0, 2), (code, stderr)
    if code == 0:
        assert stderr == "" and out.getvalue()
    else:
        assert len(stderr.splitlines()) == 1 and stderr.startswith("musicrec: "), stderr
