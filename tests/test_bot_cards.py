"""Cards as pure functions: what each song shows, links, escaping, and Discord's limits for any input."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import unquote

import discord
import pytest
from card_reading import RAW_COLUMNS

from bot import cards
from bot.limits import MAX_COUNT, MAX_TEXT_CHARS
from recommender.request import Answer, Request
from recommender.songs import FEATURE_NAMES, Features, Recommendation, Song

SOURCE = cards.Source("Top 50 Music From 2010-2019", 587, "all-mpnet-base-v2")


def answer(request: Request, results: list[Recommendation], **fields: Any) -> Answer:
    return Answer(request=request, results=tuple(results), **fields)


def features(**values: float) -> Features:
    """Middling features that earn no descriptive word unless ``values`` say otherwise."""
    neutral = {**dict.fromkeys(FEATURE_NAMES, 50.0), "acousticness": 10.0, "liveness": 10.0, "speechiness": 5.0}
    return Features(**{**neutral, **values})


def song(id: int = 0, title: str = "Song", artist: str = "Artist", **overrides: Any) -> Song:
    values = {
        "genres": ("dance pop",),
        "years": (2015,),
        "features": features(bpm=128, length=215),
        **overrides,
    }
    return Song(id=id, title=title, artist=artist, **values)


def results(*songs: Song, reasons: tuple[str, ...] = ()) -> list[Recommendation]:
    return [Recommendation(rank=n, song=s, score=1.0, reasons=reasons) for n, s in enumerate(songs, start=1)]


def assert_within_limits(embed: discord.Embed) -> None:
    assert len(embed) <= cards.EMBED_TOTAL_LIMIT
    assert len(embed.title or "") <= cards.TITLE_LIMIT
    assert len(embed.description or "") <= cards.DESCRIPTION_LIMIT
    assert len(embed.footer.text or "") <= cards.FOOTER_LIMIT
    assert len(embed.fields) <= 25
    for field in embed.fields:
        assert 0 < len(field.name or "") <= cards.FIELD_NAME_LIMIT
        assert 0 < len(field.value or "") <= cards.FIELD_VALUE_LIMIT


def test_a_song_shows_number_title_artist_year_genre_features_and_a_listen_link() -> None:
    card = cards.card(answer(Request(text="party"), results(song(title="Telephone", artist="Lady Gaga"))), SOURCE)
    [field] = card.fields
    assert field.name == "1. Telephone — Lady Gaga"
    about, features, listen = (field.value or "").split("\n")
    assert about == "2015 · dance pop"
    assert features == "upbeat, 128 BPM · relaxed · neutral mood · 3:35 long"
    assert listen == "[Listen on Spotify](https://open.spotify.com/search/Telephone%20Lady%20Gaga)"
    assert card.title == "Songs for “party”"
    assert card.footer.text == "Top 50 Music From 2010-2019 · 587 songs"


def test_every_chart_year_is_shown() -> None:
    [field] = cards.card(answer(Request(text="x"), results(song(years=(2015, 2016)))), SOURCE).fields
    assert (field.value or "").startswith("2015, 2016 · ")


def test_notes_and_what_was_understood_head_the_card() -> None:
    said = answer(
        Request(text="slow jazz"),
        results(song()),
        understood=("slow",),
        notes=("No jazz in this catalog; closest in mood:",),
    )
    assert cards.card(said, SOURCE).description == "No jazz in this catalog; closest in mood:\nUnderstood: slow"


def test_feature_words_come_from_the_scales_that_describe_songs() -> None:
    lively = features(bpm=128, energy=84, valence=70, danceability=75, length=200)
    assert cards.feature_line(lively) == "upbeat, 128 BPM · high-energy · happy mood · 3:20 long"
    quiet = replace(lively, bpm=82, valence=20, acousticness=90, liveness=70, speechiness=30)
    line = cards.feature_line(quiet)
    assert line == "slow, 82 BPM · high-energy · sad mood · very acoustic · rap-heavy · live recording · 3:20 long"
    # 60 is "neither happy nor sad" in the song descriptions, so the card does not call it happy.
    assert "neutral mood" in cards.feature_line(replace(lively, valence=60))
    assert not any(raw in line for raw in RAW_COLUMNS)


def test_a_catalog_without_some_columns_shows_what_it_has() -> None:
    """The 114-genre and 1.2M datasets lack columns the reference has: the card leaves them out, never crashes."""
    partial = replace(
        features(bpm=128, energy=84, valence=70, danceability=75, length=200),
        acousticness=None,
        speechiness=None,
        liveness=None,
        valence=None,
    )
    assert cards.feature_line(partial) == "upbeat, 128 BPM · high-energy · 3:20 long"


def test_reasons_show_when_the_library_gives_them() -> None:
    [field] = cards.card(
        answer(Request(text="adele"), results(song(), reasons=("artist: Adele", "acoustic"))), SOURCE
    ).fields
    assert "Why: artist: Adele · acoustic" in (field.value or "").split("\n")


def test_a_song_without_measurements_has_no_feature_line(quick_recommender: Any) -> None:
    [unmeasured] = [s for s in quick_recommender.songs if s.features is None]
    [field] = cards.card(answer(Request(text="adele"), results(unmeasured)), SOURCE).fields
    lines = (field.value or "").split("\n")
    assert not any("BPM" in line for line in lines)
    assert lines[0].startswith(str(unmeasured.year))


def test_listen_links_a_spotify_track_when_the_catalog_has_its_id() -> None:
    assert (
        cards.listen_url(song(spotify_id="4uLU6hMCjMI75M1A2tKUQC"))
        == "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
    )


def test_a_search_link_is_url_encoded() -> None:
    url = cards.listen_url(song(title="Rock & Roll? #1 / 100%", artist="Beyoncé"))
    query = url.removeprefix(cards.SPOTIFY_SEARCH)
    assert all(c not in query for c in "&?#/ ")
    assert unquote(query) == "Rock & Roll? #1 / 100% Beyoncé"


def test_user_text_is_shown_literally_and_never_pings() -> None:
    mood = "@everyone @here <@123456789012345678> <@&223456789012345678> **bold** __under__ `code` ||spoiler||"
    card = cards.card(answer(Request(text=mood), results(song())), SOURCE)
    title = card.title or ""
    assert "@everyone" not in title and "@here" not in title and "<@1" not in title and "<@&" not in title
    assert (
        r"\*\*bold\*\*" in title and r"\_\_under\_\_" in title and r"\`code\`" in title and r"\|\|spoiler\|\|" in title
    )


def test_catalog_text_is_escaped_too() -> None:
    [field] = cards.card(
        answer(Request(text="x"), results(song(title="*NSYNC_live*", artist="@everyone"))), SOURCE
    ).fields
    assert field.name == r"1. \*NSYNC\_live\* — @" + "\u200beveryone"


def test_cards_stay_within_discord_limits_for_the_longest_catalog_titles(quick_recommender: Any) -> None:
    songs = quick_recommender.songs
    longest = sorted(songs, key=lambda s: len(s.title) + len(s.artist), reverse=True)[:MAX_COUNT]
    reasons = tuple(f"reason number {n} about {s.title}" for n, s in enumerate(longest))
    request = (
        Request(text="x" * MAX_TEXT_CHARS, k=MAX_COUNT).refined("y" * MAX_TEXT_CHARS).refined("z" * MAX_TEXT_CHARS)
    )
    said = answer(request.page(4), results(*longest, reasons=reasons), notes=("n" * 300,), understood=("u" * 100,))
    card = cards.card(said, SOURCE, note=cards.FORGOTTEN)
    assert_within_limits(card)
    assert len(card.fields) == MAX_COUNT
    assert all("[Listen on Spotify](https://open.spotify.com/search/" in (f.value or "") for f in card.fields)


@pytest.mark.parametrize("text", ["a" * 5000, "*_`|~>" * 800, "é" * 3000, "@everyone " * 400, "字" * 4000])
def test_cards_stay_within_discord_limits_for_any_input(text: str) -> None:
    huge = [song(id=n, title=text, artist=text, genres=(text,), spotify_id=None) for n in range(MAX_COUNT)]
    request = Request(text=text, k=MAX_COUNT).refined(text)
    said = answer(request, results(*huge, reasons=(text, text)), notes=(text,), understood=(text,))
    assert_within_limits(cards.card(said, SOURCE, note=cards.FORGOTTEN))
    similar = answer(Request(seed=0, k=MAX_COUNT), results(*huge), seed_label=text)
    assert_within_limits(cards.card(similar, SOURCE))
    for piece in (cards.song_choice(huge[0]), cards.select_label(10, huge[0]), cards.select_description(huge[0])):
        assert 0 < len(piece) <= cards.CHOICE_LIMIT
    assert len(cards.not_found(text, huge)) <= cards.MESSAGE_LIMIT
    assert len(cards.listen_url(huge[0])) <= 600


def test_clip_never_splits_an_escape() -> None:
    clipped = cards.clip("*" * 300, 101)
    assert len(clipped) <= 101 and clipped.endswith("…")
    assert clipped.removesuffix("…") == r"\*" * 50


def test_a_refined_card_says_what_was_combined_and_which_page_it_is() -> None:
    request = Request(text="chill evening").refined("more acoustic").refined("but from 2015").page(1)
    card = cards.card(answer(request, results(song())), SOURCE)
    assert card.title == "Songs for “chill evening”"
    assert card.description == "Refined with “more acoustic” + “but from 2015” · Songs 6–6"
    assert (card.fields[0].name or "").startswith("6. ")


def test_a_similar_card_names_the_seed_song() -> None:
    said = answer(Request(seed=3), results(song()), seed_label="Love The Way You Lie — Eminem")
    assert cards.card(said, SOURCE).title == "Songs like Love The Way You Lie — Eminem"
