"""Finding the song someone means: autocomplete order and titles typed by hand (recommender/lookup.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender.catalog import load_catalog
from recommender.lookup import CHOICE_PREFIX, SongLookup, choice_value, plain
from recommender.songs import Song


@pytest.fixture(scope="module")
def lookup(reference_catalog: Path) -> SongLookup:
    return SongLookup(load_catalog(reference_catalog).songs)


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("3", "3 — Britney Spears"),
        ("love the way u lie", "Love The Way You Lie — Eminem"),
        ("Love The Way You Lie", "Love The Way You Lie — Eminem"),
        ("love the way you lie eminem", "Love The Way You Lie — Eminem"),
        ("seven years", "7 Years — Lukas Graham"),
        ("suit and tie", "Suit & Tie — Justin Timberlake"),
        ("et", "E.T. — Katy Perry"),
        ("thatpower", "#thatPOWER — will.i.am"),
        ("moment 4 life", "Moment 4 Life - Album Version (Edited) — Nicki Minaj"),
        ("hello adele", "Hello — Adele"),
    ],
)
def test_hand_typed_titles_resolve_to_the_song_meant(lookup: SongLookup, typed: str, label: str) -> None:
    found = lookup.resolve(typed).song
    assert found is not None and found.label == label


def test_a_near_miss_offers_the_close_titles_instead_of_guessing(lookup: SongLookup) -> None:
    unsure = lookup.resolve("Someone Like You live")
    assert unsure.song is None
    assert unsure.close[0].label == "Someone Like You — Adele"
    assert lookup.resolve("Bohemian Rhapsody").song is None


def test_an_autocomplete_pick_names_its_row_and_a_bare_number_is_a_title(lookup: SongLookup) -> None:
    song = lookup.songs[42]
    assert lookup.resolve(choice_value(song)).song == song
    assert lookup.resolve("42").song is None or lookup.resolve("42").song != song
    assert lookup.resolve(f"{CHOICE_PREFIX}{len(lookup.songs)}").song is None


def test_autocomplete_puts_title_and_word_prefix_matches_before_fuzzy_ones(lookup: SongLookup) -> None:
    [first, *rest] = lookup.find("love the wa", 10)
    assert first.label == "Love The Way You Lie — Eminem"
    assert [s.artist for s in lookup.find("eminem", 2)] == ["Eminem", "Eminem"]
    assert [s.title for s in lookup.find("hello", 2)] == ["Hello", "Hello"]


def test_autocomplete_lists_each_song_once(lookup: SongLookup) -> None:
    for text in ("", "a", "love", "the"):
        found = lookup.find(text, 25)
        assert len(found) == len({(s.title.casefold(), s.artist.casefold()) for s in found}) <= 25


@given(st.text(max_size=60))
def test_any_text_is_looked_up_without_error(text: str) -> None:
    songs = [Song(id=0, title="3", artist="Britney Spears", genres=(), years=(2010,), features=None)]
    lookup = SongLookup(songs)
    assert len(lookup.find(text, 5)) <= 1
    lookup.resolve(text)
    assert plain(plain(text)) == plain(text)


def test_autocomplete_is_not_padded_with_unrelated_songs(lookup: SongLookup) -> None:
    assert [s.label for s in lookup.find("love the wa", 25)] == ["Love The Way You Lie — Eminem"]
    assert lookup.find("somone like you", 25)[0].label == "Someone Like You — Adele", "a misspelt title"
    assert {s.artist for s in lookup.find("rihana", 25)} == {"Rihanna"}, "a misspelt artist"
