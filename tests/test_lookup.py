"""Finding the song someone means: autocomplete order and titles typed by hand (recommender/lookup.py)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender.benchmarks.names import ADJECTIVES, NOUNS, artist_names
from recommender.catalog import load_catalog
from recommender.lookup import CHOICE_PREFIX, SongLookup, choice_value, plain, unaccented
from recommender.songs import Song, SongTable


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


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_is_made_plain_as_any_text_is(text: str) -> None:
    # plain() lowercases ASCII directly, for speed: the same as taking accents off and casefolding.
    assert unaccented(text) == text.lower()


class CountingTable(SongTable):
    """A song table that counts the songs made from it."""

    made = 0

    def __getitem__(self, index: Any) -> Any:
        CountingTable.made += 1
        return super().__getitem__(index)


class CountingList(list[str]):
    """A list that counts its items read one by one or all at once."""

    def __init__(self, items: list[str]) -> None:
        super().__init__(items)
        self.read = 0

    def __getitem__(self, index: Any) -> Any:
        self.read += 1
        return super().__getitem__(index)

    def __iter__(self) -> Iterator[str]:
        self.read += len(self)
        return super().__iter__()


def test_a_large_catalog_is_looked_up_without_reading_every_song() -> None:
    rng = random.Random(5)
    artists = artist_names(25_000)
    songs = [
        Song(
            id=i,
            title=f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(NOUNS)}",
            artist=artists[i % len(artists)],
            genres=(),
            years=(2000,),
            features=None,
        )
        for i in range(200_000)
    ]
    table = CountingTable.from_arrays(SongTable(songs).arrays())
    lookup = SongLookup(table)
    keys = lookup.keys  # made once, at the first lookup
    keys.titles, keys.full_titles = CountingList(keys.titles), CountingList(keys.full_titles)
    CountingTable.made = 0
    wanted = songs[123_456]
    assert lookup.resolve(wanted.title).song is not None
    assert lookup.resolve(f"{wanted.title} {wanted.artist}").song == table[123_456]
    misspelt = lookup.resolve(wanted.title[:-1] + "x" + " " + wanted.artist)
    assert table[123_456] in misspelt.close or misspelt.song == table[123_456]
    assert table[123_456] in lookup.find(wanted.artist, 25)
    assert lookup.find(wanted.title.split()[0][:3], 25)
    # Each answer reads the songs it weighs, never the 200,000 titles one by one.
    assert keys.titles.read + keys.full_titles.read < 10_000
    assert CountingTable.made < 1_000
