"""Library misuse is a RequestError that says what was wrong, never an IndexError or a silently wrong answer."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tiny_recommender import tiny_recommender

from recommender.engine import Recommender, RequestError


@pytest.fixture
def tiny() -> Recommender:
    return tiny_recommender()


@pytest.mark.parametrize("position", [6, 7, 10**30, -1, -6, True, 2.0, "2", None], ids=repr)
def test_similar_refuses_a_position_outside_the_catalog(tiny: Recommender, position: object) -> None:
    # Before: 6 (len(songs)) raised IndexError, -1 answered with the last song's neighbours.
    with pytest.raises(RequestError, match="no song at position"):
        tiny.similar(position, 3)  # type: ignore[arg-type]


def test_similar_refuses_a_song_of_another_catalog(tiny: Recommender) -> None:
    stranger = dataclasses.replace(tiny.songs[2], title="Not Here")
    with pytest.raises(RequestError, match="'Not Here — The Weeknd' is not a song of this catalog"):
        tiny.similar(stranger, 3)
    with pytest.raises(RequestError, match="no song at position 99"):
        tiny.similar(dataclasses.replace(tiny.songs[2], id=99), 3)
    assert [r.song.id for r in tiny.similar(tiny.songs[2], 3)] == [r.song.id for r in tiny.similar(2, 3)]


@pytest.mark.parametrize("k", [0, -1, 51, True, False, 2.5, 3.0, "3", None, np.float64(3)], ids=repr)
def test_k_must_be_a_whole_number_in_range(tiny: Recommender, k: object) -> None:
    # Before: True answered one song, 2.5 and "3" raised TypeError deep in the ranking.
    for call in (lambda: tiny.recommend("sad songs", k), lambda: tiny.similar(0, k)):  # type: ignore[arg-type]
        with pytest.raises(RequestError, match="number of songs"):
            call()


@pytest.mark.parametrize("offset", [-1, -2, True, 1.5, "1", None], ids=repr)
def test_offset_must_be_a_whole_number_from_zero(tiny: Recommender, offset: object) -> None:
    # Before: offset=-2 answered with the last two songs of a longer list, ranked -1 and 0.
    for call in (
        lambda: tiny.recommend("sad songs", 3, offset=offset),  # type: ignore[arg-type]
        lambda: tiny.recommend_many(["sad songs"], 3, offset=offset),  # type: ignore[arg-type]
        lambda: tiny.similar(0, 3, offset=offset),  # type: ignore[arg-type]
    ):
        with pytest.raises(RequestError, match="offset"):
            call()


def test_numpy_integers_are_whole_numbers(tiny: Recommender) -> None:
    assert len(tiny.recommend("sad songs", np.int64(3), offset=np.int64(1))) == 3  # type: ignore[arg-type]
    assert len(tiny.similar(np.int64(2), np.int32(2))) == 2  # type: ignore[arg-type]


def test_offsets_that_are_allowed_still_page(tiny: Recommender) -> None:
    first = tiny.recommend("sad songs", 4)
    page = tiny.recommend("sad songs", 2, offset=2)
    assert [r.song.id for r in page] == [r.song.id for r in first[2:4]]
    assert [r.rank for r in page] == [1, 2]
    assert tiny.recommend("sad songs", 3, offset=100) == []


@pytest.mark.parametrize("limit", [0, -1, True, 2.5, None], ids=repr)
def test_find_songs_refuses_a_limit_below_one(tiny: Recommender, limit: object) -> None:
    # Before: limit=-1 returned all songs but the last.
    for text in ("", "adele"):
        with pytest.raises(RequestError, match="limit"):
            tiny.find_songs(text, limit=limit)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    ["²", "①", "٣", "9" * 5_000, "1" * 10, "-1", "6"],
    ids=["²", "①", "arabic-3", "5000-digits", "10-digits", "-1", "len"],
)
def test_resolve_song_reads_only_plain_positions_in_the_catalog(tiny: Recommender, text: str) -> None:
    # Before: "²" and "①" (isdigit but not int) and 5,000 digits (over int's limit) raised ValueError.
    assert tiny.resolve_song(text) is None


def test_resolve_song_still_reads_autocomplete_picks_and_titles(tiny: Recommender) -> None:
    # An autocomplete pick travels as "song:ROW"; a bare number is a title ("3" is a Britney Spears song).
    assert tiny.resolve_song("song:3") is tiny.songs[3]
    assert tiny.resolve_song(" song:0 ") is tiny.songs[0]
    assert tiny.resolve_song("halo") is tiny.songs[1]
