"""What the request parser understands, as a table: phrase -> the parts of the Intent it fills.

Every kind of request from issue 10 has rows here: activity, setting and season words; songs named
in free text; negation of artists, genres, moods and years; numbers with symbols and units; emoji
and slang; genres that mean a sound or that the catalog lacks; eras outside the catalog; and
refinements that replace what they contradict. The catalog is a small fake one (no model), with the
shapes the real one has: a "The ..." artist, two-word names with distinctive surnames, titles that
contain everyday words ("Someone Like You", "Summer"), place-named genre labels and years 2010-2019.

Each row names only the fields the phrase should fill; every other field must stay empty, so a row
also fails when the parser reads something that is not there (an artist filter from a song title).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from recommender.catalog import load_catalog
from recommender.intent import Intent, Wish
from recommender.parser import SECONDARY_WEIGHT, IntentParser, trait_wish
from recommender.request import Request
from recommender.songs import Features, Song
from recommender.vocabulary import CONCEPTS, EMOJI, GENRES


def features(*, bpm: float = 120, energy: float = 60, valence: float = 50, acousticness: float = 10) -> Features:
    return Features(bpm, energy, 60, -6, 10, valence, 210, acousticness, 5, 70)


ROWS: tuple[tuple[str, str, tuple[str, ...], int, Features], ...] = (
    ("Uptown Funk", "Mark Ronson", ("dance pop",), 2015, features(bpm=115, valence=93)),
    ("Someone Like You", "Adele", ("british soul",), 2011, features(bpm=135, energy=33, valence=29, acousticness=89)),
    ("Hello", "Adele", ("british soul",), 2016, features(bpm=79, energy=43, valence=29)),
    ("Shape of You", "Ed Sheeran", ("pop",), 2017, features(bpm=96, energy=65, valence=93)),
    ("Thinking Out Loud", "Ed Sheeran", ("pop",), 2015, features(bpm=79, energy=45, valence=59)),
    ("Sorry", "Justin Bieber", ("canadian pop",), 2016, features(bpm=100, energy=76, valence=41)),
    ("Baby", "Justin Bieber", ("canadian pop",), 2010, features(bpm=65, energy=86, valence=54)),
    ("Starboy", "The Weeknd", ("canadian contemporary r&b",), 2017, features(bpm=186, valence=49)),
    ("Hotline Bling", "Drake", ("canadian hip hop",), 2016, features(bpm=135, valence=55)),
    ("Bad and Boujee", "Migos", ("atl hip hop",), 2017, features(bpm=127, valence=17)),
    ("Animals", "Martin Garrix", ("big room",), 2014, features(bpm=128, energy=93, valence=4)),
    ("Summer", "Calvin Harris", ("edm", "dance pop"), 2014, features(bpm=128, energy=86, valence=74)),
    ("Let Her Go", "Passenger", ("neo mellow",), 2013, features(bpm=75, energy=54, valence=24)),
    ("Royals", "Lorde", ("art pop",), 2013, features(bpm=85, energy=43, valence=35)),
    ("Roar", "Katy Perry", ("dance pop",), 2013, features(bpm=180, energy=77, valence=46)),
    ("Radioactive", "Imagine Dragons", ("modern rock",), 2012, features(bpm=137, energy=78, valence=24)),
    ("Sunflower", "Post Malone", ("dfw rap",), 2018, features(bpm=90, energy=48, valence=91)),
    ("Bad Guy", "Billie Eilish", ("electropop",), 2019, features(bpm=135, energy=43, valence=56)),
    ("Stay With Me", "Sam Smith", ("uk pop",), 2014, features(bpm=84, energy=42, valence=18)),
    ("Stay", "Zedd", ("complextro",), 2017, features(bpm=102, energy=62, valence=50)),
    ("This Is What You Came For", "Calvin Harris", ("dance pop",), 2016, features(bpm=124, energy=93, valence=46)),
    ("Just Can’t Get Enough", "The Black Eyed Peas", ("dance pop",), 2011, features(bpm=94, energy=64, valence=48)),
    ("Crying in the Club", "Camila Cabello", ("dance pop",), 2017, features(bpm=85, energy=62, valence=60)),
)
SONGS = [Song(i, title, artist, genres, (year,), f) for i, (title, artist, genres, year, f) in enumerate(ROWS)]
TITLES = [song.title for song in SONGS]


@pytest.fixture(scope="module")
def parser() -> IntentParser:
    return IntentParser(SONGS)


def labels(name: str) -> set[str]:
    """The catalog labels a genre of the vocabulary stands for (so a row does not copy the table)."""
    return set(next(genre for genre in GENRES if genre.name == name).labels)


RANKED = ("high", "low", "not_high", "not_low")


def concept_wishes(*names: str) -> set[tuple[str, str] | tuple[str, str, float]]:
    """The ranking wishes the named concepts stand for in the vocabulary, as ``understood`` writes them."""
    wishes = [
        trait_wish(*trait, concept.name) for concept in CONCEPTS if concept.name in names for trait in concept.wishes
    ]
    return {(w.feature, w.kind) if w.kind in RANKED else (w.feature, w.kind, w.value) for w in wishes}


def understood(intent: Intent) -> dict[str, object]:
    """The parts of an intent a table row can name, as comparable values.

    Ranked wishes are (feature, kind); bounds and targets carry their value: (feature, kind, value).
    ``like`` is the title of the song named; ``notes`` are tested apart (their wording may change).
    """
    return {
        "artists": intent.artists,
        "exclude_artists": intent.exclude_artists,
        "years": intent.years,
        "exclude_years": intent.exclude_years,
        "genres": set(intent.genre_keys),
        "exclude_genres": set(intent.exclude_genre_keys),
        "wishes": {wish_row(w) for w in intent.wishes},
        "concepts": intent.concepts,
        "like": TITLES[intent.like] if intent.like is not None else None,
    }


def wish_row(wish: Wish) -> tuple[str, str] | tuple[str, str, float]:
    """(feature, kind) for a ranked wish, (feature, kind, value) for a bound or a target, where a strict bound's
    kind reads "above" or "below" (">140bpm" is above 140, "140+ bpm" min 140)."""
    if wish.kind in RANKED:
        return wish.feature, wish.kind
    if wish.strict:
        return wish.feature, "above" if wish.kind == "min" else "below", wish.value
    return wish.feature, wish.kind, wish.value


EMPTY: dict[str, object] = {
    "artists": set(),
    "exclude_artists": set(),
    "years": None,
    "exclude_years": set(),
    "genres": set(),
    "exclude_genres": set(),
    "wishes": set(),
    "concepts": [],
    "like": None,
}


def xfail(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=reason)


# (phrase or refinements, fields it fills, words the honest notes must name (one note each))
CASES = [
    # -- activities, settings, seasons, eras -------------------------------------------------------
    pytest.param("study music", {"concepts": ["study"]}, (), id="study"),
    pytest.param("songs for studying", {"concepts": ["study"]}, (), id="studying"),
    pytest.param("homework", {"concepts": ["study"]}, (), id="homework"),
    pytest.param("road trip", {"concepts": ["road trip"]}, (), id="road-trip"),
    pytest.param("summer", {"concepts": ["summer"]}, (), id="summer"),
    pytest.param("late night", {"concepts": ["late night"]}, (), id="late-night"),
    pytest.param("songs to sleep to", {"concepts": ["sleep"]}, (), id="sleep"),
    pytest.param("pregame", {"concepts": ["party"]}, (), id="pregame"),
    pytest.param("gym", {"concepts": ["workout"]}, (), id="gym"),
    pytest.param("love songs", {"concepts": ["love songs"]}, (), id="love-songs"),
    pytest.param("rainy day", {"concepts": ["rainy day"]}, (), id="rainy-day"),
    pytest.param("morning coffee", {"concepts": ["morning"]}, (), id="morning"),
    # The catalog spans 2010-2019: its oldest third is a throwback, its newest third is new music.
    pytest.param("throwback", {"concepts": ["throwback"], "years": {2010, 2011, 2012}}, (), id="throwback"),
    pytest.param("new music", {"concepts": ["new"], "years": {2018, 2019}}, (), id="new-music"),
    pytest.param("throwback 2015", {"concepts": ["throwback"], "years": {2015}}, (), id="year-beats-era"),
    # -- songs named in free text -----------------------------------------------------------------
    pytest.param("songs like Uptown Funk", {"like": "Uptown Funk"}, (), id="like-title"),  # not the genre funk
    pytest.param(
        "like shape of you but slower", {"like": "Shape of You", "wishes": {("bpm", "low")}}, (), id="like-but-slower"
    ),
    pytest.param("more like someone like you by adele", {"like": "Someone Like You"}, (), id="like-title-by-artist"),
    pytest.param(
        "smth like sorry by bieber but slower",
        {"like": "Sorry", "wishes": {("bpm", "low")}},
        (),
        id="like-title-by-surname-is-not-a-filter",
    ),
    pytest.param("similar to hello", {"like": "Hello"}, (), id="similar-to"),
    pytest.param("sounds like royals", {"like": "Royals"}, (), id="sounds-like"),
    pytest.param("songs like girls like you", {}, (), id="unknown-title-is-nothing"),
    pytest.param("hotline bling vibes", {"like": "Hotline Bling"}, (), id="title-vibes"),
    pytest.param("Starboy vibes", {"like": "Starboy"}, (), id="one-word-title-vibes"),
    pytest.param("summer vibes", {"concepts": ["summer"]}, (), id="summer-vibes-is-the-season"),
    pytest.param("songs like summer", {"like": "Summer"}, (), id="like-summer-is-the-song"),
    pytest.param("summer by calvin harris", {"like": "Summer"}, (), id="title-by-its-artist"),
    # Titles that hold a word which otherwise ends a reference ("with", "for", "but", "and", ...).
    pytest.param("songs like stay with me", {"like": "Stay With Me"}, (), id="title-with-a-stop-word"),
    pytest.param("more songs like this one: hello", {"like": "Hello"}, (), id="like-this-one-title"),
    pytest.param(
        "uptown funk but make it sad", {"like": "Uptown Funk", "wishes": {("valence", "low")}}, (), id="title-but"
    ),
    pytest.param(
        "summer but sadder",
        {"concepts": ["summer"], "wishes": {("danceability", "high"), ("energy", "high"), ("valence", "low")}},
        (),
        id="word-but",
    ),
    pytest.param("songs in the same vibe as royals", {"like": "Royals"}, (), id="same-vibe-as"),
    pytest.param("what to listen to after let her go", {"like": "Let Her Go"}, (), id="listen-to-after"),
    pytest.param("been playing royals on repeat, need more", {"like": "Royals"}, (), id="on-repeat"),
    pytest.param("vibing to royals rn, anything similar?", {"like": "Royals"}, (), id="anything-similar"),
    pytest.param(
        "songs like royals but newer", {"like": "Royals", "years": set(range(2014, 2101))}, (), id="but-newer"
    ),
    pytest.param(
        "songs like royals but older", {"like": "Royals", "years": set(range(1900, 2013))}, (), id="but-older"
    ),
    pytest.param("i love royals, more like that pls", {"like": "Royals"}, (), id="title-then-more-like-that"),
    pytest.param("songs that hit like royals", {"like": "Royals"}, (), id="hits-like"),
    pytest.param("something like lordes royals", {"like": "Royals"}, (), id="possessive-artist-title"),
    pytest.param("songs like adele's hello", {"like": "Hello"}, (), id="possessive-with-apostrophe"),
    pytest.param("royals but chiller", {"like": "Royals", "wishes": {("energy", "low")}}, (), id="comparative-chiller"),
    # Emoji beside a named song are about that song: they count only where it already leans that way.
    pytest.param("songs like royals 🔥", {"like": "Royals"}, (), id="emoji-against-the-song-dropped"),
    pytest.param(
        "songs like someone like you 😭",
        {"like": "Someone Like You", "concepts": ["heartbreak"], "wishes": concept_wishes("heartbreak")},
        (),
        id="emoji-with-the-song-kept",
    ),
    # Two concepts pulling one feature opposite ways: the one it defines wins.
    pytest.param(
        "morning run",
        {
            "concepts": ["morning", "workout"],
            "wishes": {("valence", "not_low"), ("acousticness", "high"), ("energy", "high"), ("bpm", "high")},
        },
        (),
        id="defining-trait-wins",
    ),
    pytest.param(
        "rainy day workout",
        {"concepts": ["workout", "rainy day"], "wishes": {("energy", "high"), ("bpm", "high"), ("valence", "low")}},
        (),
        id="each-keeps-its-defining-trait",
    ),
    # Chat idioms that look like vocabulary words but are not.
    pytest.param("lowkey need some hype songs", {"concepts": ["hype"]}, (), id="lowkey-as-kind-of"),
    pytest.param("lowkey songs", {"concepts": ["relaxing"]}, (), id="lowkey-as-relaxed"),
    pytest.param("songs that hit different", {}, (), id="hit-different-is-not-popular"),
    pytest.param("get me out of this funk", {}, (), id="a-funk-is-a-mood"),
    pytest.param("locking in for finals", {"concepts": ["study"]}, (), id="finals"),
    pytest.param("viral tiktok songs", {"wishes": {("popularity", "high")}}, (), id="viral-is-popular"),
    # Playlist words for where people are and what they do, and chat phrases for a mood.
    pytest.param("hot girl walk", {"concepts": ["walking"]}, (), id="walking"),
    pytest.param(
        "halloween party", {"concepts": ["halloween", "party"]}, (), id="halloween-is-spooky-not-just-a-party"
    ),
    pytest.param("songs for a long flight", {"concepts": ["travel"]}, (), id="travel"),
    pytest.param("golden hour", {"concepts": ["golden hour"]}, (), id="golden-hour"),
    pytest.param("songs for a night in", {"concepts": ["cozy"]}, (), id="night-in-is-cozy"),
    pytest.param("main character energy", {"concepts": ["empowerment"]}, (), id="main-character"),
    pytest.param("songs to cry to in the shower", {"concepts": ["heartbreak"]}, (), id="a-shower-is-not-chores"),
    pytest.param(
        "lowkey bops",
        {
            "concepts": ["relaxing", "bops"],
            "wishes": {
                ("energy", "low"),
                ("loudness", "low"),
                ("valence", "not_low"),
                ("danceability", "high"),
                ("valence", "high"),
                ("popularity", "high"),
            },
        },
        (),
        id="lowkey-bops-are-chill",
    ),
    pytest.param("after a rough day", {"wishes": {("valence", "low")}}, (), id="a-rough-day-is-sad"),
    pytest.param("royals type stuff", {"like": "Royals"}, (), id="title-type-stuff"),
    # The catalog's own column names beside a number ("dnce", "nrgy", "pop" in the CSV's header).
    pytest.param("dnce 75+", {"wishes": {("danceability", "min", 75)}}, (), id="column-name-dnce"),
    pytest.param("pop 80+", {"wishes": {("popularity", "min", 80)}}, (), id="column-name-pop"),
    pytest.param("nrg>80", {"wishes": {("energy", "above", 80)}}, (), id="column-name-nrg"),
    pytest.param(
        "happy pop under 3 mins",
        {"genres": labels("pop"), "wishes": {("length", "below", 180), ("valence", "high")}},
        (),
        id="pop-beside-a-duration-is-the-genre",
    ),
    pytest.param(
        "mellow pop over 100 bpm",
        {"genres": labels("pop"), "wishes": {("bpm", "above", 100), ("energy", "low")}},
        (),
        id="pop-beside-a-tempo-is-the-genre",
    ),
    pytest.param(
        "cozy winter nights by the fire", {"concepts": ["cozy"]}, (), id="by-the-fire-is-a-fireplace-not-a-banger"
    ),
    pytest.param(
        "kpop like bts but chill",
        {"wishes": {("danceability", "high"), ("energy", "low")}},
        ("k-pop",),
        id="a-word-said-overrules-a-missing-genres-stand-in-sound",
    ),
    pytest.param(
        "motivation to clean", {"concepts": ["hype", "cleaning"]}, (), id="to-clean-is-chores-not-clean-lyrics"
    ),
    pytest.param("prom night", {"concepts": ["party"]}, (), id="prom-is-a-party"),
    pytest.param("festival season", {"genres": labels("EDM")}, (), id="a-festival-is-edm"),
    pytest.param("date night 🍷", {"concepts": ["date night"]}, (), id="date-night-has-a-groove"),
    pytest.param("up to date hits", {"wishes": {("popularity", "high")}}, (), id="up-to-date-is-not-a-date"),
    pytest.param("weekend vibes", {"concepts": ["bops"]}, (), id="weekend-vibes-are-bops"),
    pytest.param(
        "songs that remind me of high school",
        {"concepts": ["throwback"], "years": {2010, 2011, 2012}},
        (),
        id="high-school-is-a-throwback",
    ),
    pytest.param("cottagecore", {"concepts": ["cozy"]}, (), id="cottagecore-is-cozy"),
    pytest.param("under 180 seconds", {"wishes": {("length", "below", 180)}}, (), id="seconds"),
    pytest.param(
        "whats hot rn",
        {"concepts": ["hot right now"], "years": {2018, 2019}, "wishes": {("popularity", "high")}},
        (),
        id="whats-hot-is-new-and-popular",
    ),
    pytest.param(
        "something that sounds like a live concert",
        {"wishes": {("liveness", "high")}},
        (),
        id="words-run-together-are-not-a-shorter-title",
    ),
    pytest.param("more like thinkingout loud", {"like": "Thinking Out Loud"}, (), id="a-title-missing-a-space"),
    pytest.param(
        "smth chill but not boring", {"wishes": {("energy", "low"), ("danceability", "not_low")}}, (), id="not-boring"
    ),
    pytest.param("best of 2013", {"years": {2013}, "wishes": {("popularity", "high")}}, (), id="best-of-a-year"),
    pytest.param("top 10 2016", {"years": {2016}, "wishes": {("popularity", "high")}}, (), id="top-n-of-a-year"),
    pytest.param("dance ≥ 80", {"wishes": {("danceability", "min", 80)}}, (), id="dance-beside-a-number"),
    pytest.param("any artist but ed sheeran", {"exclude_artists": {"Ed Sheeran"}}, (), id="any-artist-but"),
    # Neither end of a scale: its middle.
    pytest.param("mid tempo", {"wishes": {("bpm", "near", 117.5)}}, (), id="mid-tempo-aims-at-the-middle"),
    pytest.param(
        "medium energy sad songs",
        {"wishes": {("energy", "near", 55), ("valence", "low")}},
        (),
        id="medium-energy-aims-at-the-middle",
    ),
    # A slash offers options as "or" does; chat's "w/o" is "without".
    pytest.param("nothing from 2010/2011", {"exclude_years": {2010, 2011}}, (), id="slash-between-years"),
    pytest.param(
        "no edm/rap",
        {"exclude_genres": labels("EDM"), "wishes": {("speechiness", "not_high")}},
        (),
        id="slash-between-genre-and-feature",
    ),
    pytest.param(
        "chill w/o rap", {"wishes": {("energy", "low"), ("speechiness", "not_high")}}, (), id="w-slash-o-is-without"
    ),
    pytest.param(
        "acoustic stuff that isn't a downer",
        {"wishes": {("acousticness", "high"), ("valence", "not_low")}},
        (),
        id="a-downer-is-sad",
    ),
    pytest.param("music for my 8am", {"concepts": ["morning"]}, (), id="8am-is-morning"),
    pytest.param("songs for my gf", {"concepts": ["love songs"]}, (), id="partner-love-songs"),
    pytest.param("sleepover", {"concepts": ["bops"]}, (), id="sleepover-bops"),
    pytest.param("pick me up songs", {"wishes": {("valence", "high")}}, (), id="pick-me-up-is-happy"),
    pytest.param("im so tired give me energy", {"wishes": {("energy", "high")}}, (), id="give-me-energy"),
    pytest.param("something with a good beat", {"wishes": {("danceability", "high")}}, (), id="a-good-beat"),
    # Occasions read as one phrase, longer than the word inside them that means something else.
    pytest.param("stretching after a workout", {"concepts": ["cooldown"]}, (), id="cooldown-after-workout"),
    pytest.param("house cleaning playlist", {"concepts": ["cleaning"]}, (), id="house-cleaning-is-not-house"),
    # Occasions neither calm nor intense aim at the middle of the energy scale, and a word said outright still wins.
    pytest.param(
        "late night drive",
        {"concepts": ["night drive"], "wishes": {("valence", "low"), ("energy", "near", 55)}},
        (),
        id="a-night-drive-is-dark-with-middling-energy",
    ),
    pytest.param("driving home alone at night", {"concepts": ["night drive"]}, (), id="driving-at-night"),
    pytest.param(
        "night drive but hype",
        {"concepts": ["night drive", "hype"], "wishes": {("valence", "low"), ("energy", "high")}},
        (),
        id="hype-overrules-a-night-drives-energy",
    ),
    pytest.param(
        "dinner party but energetic",
        {"concepts": ["dinner"], "wishes": {("valence", "not_low"), ("speechiness", "low"), ("energy", "high")}},
        (),
        id="a-word-said-overrules-a-middling-trait",
    ),
    pytest.param("music for cooking", {"concepts": ["cooking"]}, (), id="cooking-is-not-cleaning"),
    pytest.param("sum slow jams", {"concepts": ["slow jams"]}, (), id="slow-jams-are-slow-before-romantic"),
    # Outdoors, seasons, holidays, creative desk work, baths and grief, as playlists name them.
    pytest.param("camping trip 🏕", {"concepts": ["outdoors"]}, (), id="camping-is-outdoors"),
    pytest.param("spring vibes", {"concepts": ["spring"]}, (), id="spring"),
    pytest.param("spring break", {"concepts": ["summer"]}, (), id="spring-break-is-summer"),
    pytest.param("4th of july", {"concepts": ["summer"]}, (), id="fourth-of-july"),
    pytest.param("painting and drawing", {"concepts": ["study"]}, (), id="painting-is-desk-work"),
    pytest.param("bubble bath", {"concepts": ["relaxing"]}, (), id="a-bath-is-relaxing"),
    pytest.param("funeral songs", {"concepts": ["heartbreak"]}, (), id="grief"),
    pytest.param("songs to sing in the shower", {"concepts": ["singalong"]}, (), id="shower-singing"),
    pytest.param("songs for the bus", {"concepts": ["commute"]}, (), id="the-bus-is-a-commute"),
    pytest.param("hopeful songs", {"wishes": {("valence", "high")}}, (), id="hopeful-is-happy"),
    pytest.param(
        "stuff ppl havent heard 100 times",
        {"wishes": {("popularity", "low"), ("popularity", "max", 50)}},
        (),
        id="not-heard-a-hundred-times",
    ),
    pytest.param(
        "songs nobody's heard of",
        {"wishes": {("popularity", "low"), ("popularity", "max", 50)}},
        (),
        id="nobody-has-heard",
    ),
    # Lesser-known is a band of the scale (a chart song at popularity 62 is not), unless a number says otherwise.
    pytest.param(
        "underrated stuff (popularity under 60)",
        {"wishes": {("popularity", "low"), ("popularity", "below", 60)}},
        (),
        id="a-number-replaces-the-words-band",
    ),
    # Years as chat writes them.
    pytest.param("summer '16", {"concepts": ["summer"], "years": {2016}}, (), id="apostrophe-year"),
    pytest.param("2k19 bangers", {"concepts": ["hype"], "years": {2019}}, (), id="2k-year"),
    pytest.param("anything 2014ish", {"years": {2014}}, (), id="year-ish"),
    pytest.param("cleaning the house", {"concepts": ["cleaning"]}, (), id="cleaning-the-house-is-not-house-music"),
    pytest.param("rage", {"concepts": ["rage"]}, (), id="rage-is-intense"),
    pytest.param("in my feelings", {"concepts": ["heartbreak"]}, (), id="in-my-feelings"),
    pytest.param("snowed in", {"concepts": ["cozy"]}, (), id="snowed-in-is-cozy"),
    pytest.param("late night city drive", {"concepts": ["night drive"]}, (), id="a-night-drive-through-the-city"),
    pytest.param(
        "neither pop nor edm", {"exclude_genres": labels("pop") | labels("EDM")}, (), id="neither-nor-rules-both-out"
    ),
    # "Or less" is the bound's, not a negation of what follows.
    pytest.param(
        "100 bpm or less, acousticness 40+",
        {"wishes": {("bpm", "max", 100), ("acousticness", "min", 40)}},
        (),
        id="or-less-then-a-bound",
    ),
    pytest.param(
        "keeps giving me katy perry, anything else upbeat",
        {"exclude_artists": {"Katy Perry"}, "wishes": {("energy", "high"), ("valence", "high")}},
        (),
        id="anything-else-rules-out-the-artist-named",
    ),
    pytest.param("dont give me drake", {"exclude_artists": {"Drake"}}, (), id="dont-give-me-negates"),
    pytest.param(
        "house party tonight, nothin slow pls",
        {"concepts": ["party"], "wishes": {("danceability", "high"), ("energy", "high"), ("bpm", "not_low")}},
        (),
        id="tonight-says-when-and-nothin-negates",
    ),
    pytest.param("biggest hits (80+)", {"wishes": {("popularity", "min", 80)}}, (), id="hits-beside-a-number"),
    pytest.param(
        "no katy perry / calvin harris",
        {"exclude_artists": {"Katy Perry", "Calvin Harris"}},
        (),
        id="spaced-slash-is-or",
    ),
    # The negation is the word's; the number beside it says which way the bound goes.
    pytest.param("not too popular (< 75)", {"wishes": {("popularity", "below", 75)}}, (), id="negated-word-then-bound"),
    pytest.param(
        "nothing with popularity over 80", {"wishes": {("popularity", "max", 80)}}, (), id="negated-name-then-bound"
    ),
    pytest.param(
        "hiking in the mountains",
        {
            "concepts": ["hiking"],
            "wishes": {("energy", "not_low"), ("valence", "not_low"), ("acousticness", "not_low")},
        },
        (),
        id="a-hike-is-lively",
    ),
    pytest.param(
        "a chill nite in",
        {"concepts": ["cozy"], "wishes": {("energy", "low"), ("acousticness", "high")}},
        (),
        id="nite-is-night",
    ),
    pytest.param(
        "energetic but hard to dance to",
        {"wishes": {("energy", "high"), ("danceability", "low")}},
        (),
        id="hard-to-dance-to",
    ),
    pytest.param("speechy (20+)", {"wishes": {("speechiness", "min", 20)}}, (), id="speechy-is-speechiness"),
    pytest.param(
        "gym stuff that aint edm", {"concepts": ["workout"], "exclude_genres": labels("EDM")}, (), id="aint-negates"
    ),
    # "Not sad edm" is EDM that is not sad; "no sad adele stuff" is no Adele.
    pytest.param(
        "not sad edm", {"genres": labels("EDM"), "wishes": {("valence", "not_low")}}, (), id="not-sad-edm-is-edm"
    ),
    # A negated word meets a concept's trait halfway: not depressing, but still a grey day.
    pytest.param(
        "rainy day music but not depressing",
        {"concepts": ["rainy day"], "wishes": {("valence", "near", 52.5), ("energy", "low"), ("valence", "not_low")}},
        (),
        id="a-negated-word-meets-a-concept-halfway",
    ),
    pytest.param(
        "work from home playlist",
        {"concepts": ["workday"], "wishes": {("energy", "near", 55), ("speechiness", "low")}},
        (),
        id="a-workday-is-steady-not-calm",
    ),
    pytest.param(
        "happy songs that nobody knows",
        {"wishes": {("valence", "high"), ("popularity", "low"), ("popularity", "max", 50)}},
        (),
        id="nobody-knows-is-lesser-known",
    ),
    # An emoji whose defining trait the words contradict is about the one asking, not the music.
    pytest.param(
        "nothing too slow pls i need to wake up 😴",
        {"concepts": ["hype"], "wishes": {("energy", "high"), ("bpm", "not_low")}},
        (),
        id="a-sleepy-emoji-beside-waking-up",
    ),
    pytest.param(
        "villain era", {"concepts": ["angry"], "wishes": {("valence", "low"), ("energy", "high")}}, (), id="villain-era"
    ),
    pytest.param("bday party 🎂", {"concepts": ["celebration"]}, (), id="a-birthday-party-is-a-happy-celebration"),
    pytest.param("wedding reception", {"concepts": ["celebration"]}, (), id="a-reception-is-not-a-first-dance"),
    pytest.param("music for my commute", {"concepts": ["commute"]}, (), id="a-commute-is-upbeat-not-a-road-trip"),
    pytest.param("self love anthems", {"concepts": ["empowerment", "singalong"]}, (), id="empowerment"),
    pytest.param("i wanna move", {"wishes": {("danceability", "high")}}, (), id="wanna-move-is-dancing"),
    pytest.param("smth with a big drop", {"genres": labels("EDM")}, (), id="a-big-drop-is-edm"),
    # A negation carries to another option, or to a synonym right beside it, but not to a new word.
    pytest.param(
        "nothing loud or fast", {"wishes": {("loudness", "not_high"), ("bpm", "not_high")}}, (), id="negated-options"
    ),
    pytest.param(
        "no edm or rap",
        {"exclude_genres": labels("EDM"), "wishes": {("speechiness", "not_high")}},
        (),
        id="negated-genre-then-feature",
    ),
    pytest.param(
        "happy songs that arent the super obvious overplayed ones",
        {"wishes": {("valence", "high"), ("popularity", "not_high")}},
        (),
        id="negated-synonyms",
    ),
    pytest.param(
        "no rap chill vibes", {"wishes": {("speechiness", "not_high"), ("energy", "low")}}, (), id="negation-stops"
    ),
    # Chat says "not" many ways; "too fast" complains of speed.
    pytest.param("not feeling rap today", {"wishes": {("speechiness", "not_high")}}, (), id="not-feeling"),
    pytest.param("sick of sad songs", {"wishes": {("valence", "not_low")}}, (), id="sick-of"),
    pytest.param("way too loud", {"wishes": {("loudness", "not_high")}}, (), id="too-loud-is-a-complaint"),
    pytest.param(
        "isnt drake, adele or bieber",
        {"exclude_artists": {"Drake", "Adele", "Justin Bieber"}},
        (),
        id="a-negated-list-with-commas",
    ),
    pytest.param(
        "no more sad adele stuff",
        {"exclude_artists": {"Adele"}, "wishes": {("valence", "not_low")}},
        (),
        id="no-more-x",
    ),
    pytest.param(
        "dont want anything by ed sheeran or adele",
        {"exclude_artists": {"Ed Sheeran", "Adele"}},
        (),
        id="dont-want-anything-by",
    ),
    # A vocabulary word typed with a letter missing, doubled or swapped; titles and artists are never respelled.
    pytest.param("depresing songs", {"wishes": {("valence", "low")}}, (), id="typo-depressing"),
    pytest.param("acustic stuff", {"wishes": {("acousticness", "high")}}, (), id="typo-acoustic"),
    pytest.param("songs for studing", {"concepts": ["study"]}, (), id="typo-studying"),
    pytest.param("not to sad pls", {"wishes": {("valence", "not_low")}}, (), id="not-to-for-not-too"),
    pytest.param("songs like radioactive", {"like": "Radioactive"}, (), id="title-not-respelled"),
    # An artist named the way a song is ("something like X", "X vibes"): their sound, by other artists.
    pytest.param(
        "something like the weeknd", {"like": "Starboy", "exclude_artists": {"The Weeknd"}}, (), id="like-an-artist"
    ),
    pytest.param("lorde vibes", {"like": "Royals", "exclude_artists": {"Lorde"}}, (), id="artist-vibes"),
    pytest.param(
        "songs like let her go but not by them",
        {"like": "Let Her Go", "exclude_artists": {"Passenger"}},
        (),
        id="reference-not-by-them",
    ),
    pytest.param(
        "like radioactive from other artists",
        {"like": "Radioactive", "exclude_artists": {"Imagine Dragons"}},
        (),
        id="reference-other-artists",
    ),
    pytest.param("songs like stay but slower", {"like": "Stay", "wishes": {("bpm", "low")}}, (), id="title-then-stop"),
    # A whole request that is one title of two words or more names the song, though its words are moods.
    pytest.param("crying in the club", {"concepts": ["sad dance"]}, (), id="title-that-is-a-vocabulary-phrase"),
    pytest.param("thinking out loud", {"like": "Thinking Out Loud"}, (), id="bare-title-with-feature-word"),
    pytest.param("Stay With Me by Sam Smith!", {"like": "Stay With Me"}, (), id="bare-title-by-artist"),
    pytest.param(
        "loud summer",
        {"concepts": ["summer"], "wishes": {("loudness", "high")} | concept_wishes("summer")},
        (),
        id="one-word-title-is-a-word",
    ),
    pytest.param(
        "more like this is what you came for by calvin harris",
        {"like": "This Is What You Came For"},
        (),
        id="stop-word-title-by-artist",
    ),
    # A phone's typographic apostrophe reads as the straight one.
    pytest.param(
        "more like just can’t get enough by the black eyed peas",
        {"like": "Just Can’t Get Enough"},
        (),
        id="curly-title",
    ),
    pytest.param(
        "like starboy but not by the weeknd",
        {"like": "Starboy", "exclude_artists": {"The Weeknd"}},
        (),
        id="like-but-not-its-artist",
    ),
    # -- artists -------------------------------------------------------------------------------------
    pytest.param("the weeknd", {"artists": {"The Weeknd"}}, (), id="leading-the"),
    pytest.param("weeknd", {"artists": {"The Weeknd"}}, (), id="without-the"),
    pytest.param("bieber", {"artists": {"Justin Bieber"}}, (), id="surname"),
    pytest.param("ed sheeran songs", {"artists": {"Ed Sheeran"}}, (), id="full-name"),
    pytest.param(
        "esheeran but only the happy ones",
        {"artists": {"Ed Sheeran"}, "wishes": {("valence", "high")}},
        (),
        id="initial-and-surname",
    ),
    pytest.param("t-swift or j bieber", {"artists": {"Justin Bieber"}}, (), id="initial-dash-surname"),
    pytest.param("songs by passenger", {"artists": {"Passenger"}}, (), id="common-word-artist-by"),
    pytest.param("passenger seat songs", {}, (), id="common-word-is-a-word"),
    # -- negation of artists, genres, moods and years ----------------------------------------------
    pytest.param("anything but sad", {"wishes": {("valence", "not_low")}}, (), id="anything-but-sad"),
    pytest.param("nothing too sad", {"wishes": {("valence", "not_low")}}, (), id="nothing-too-sad"),
    pytest.param("not chill", {"wishes": {("energy", "not_low")}}, (), id="not-chill"),
    pytest.param("i don’t want sad songs", {"wishes": {("valence", "not_low")}}, (), id="curly-dont-want"),
    pytest.param("nothing that isn’t chill", {"wishes": {("energy", "not_low")}}, (), id="curly-isnt"),
    pytest.param(
        "canadian artists but not bieber",
        {"genres": {"canadian"}, "exclude_artists": {"Justin Bieber"}},
        (),
        id="canadian-not-bieber",
    ),
    pytest.param(
        "not pop, something acoustic",
        {"exclude_genres": labels("pop"), "wishes": {("acousticness", "high")}},
        (),
        id="not-pop-acoustic",
    ),
    pytest.param("anything but hip hop", {"exclude_genres": labels("hip hop")}, (), id="anything-but-genre"),
    pytest.param(
        "edm but not big room", {"genres": labels("EDM"), "exclude_genres": {"big room"}}, (), id="genre-but-not-label"
    ),
    pytest.param(
        "atl hip hop without migos",
        {"genres": {"atl hip hop"}, "exclude_artists": {"Migos"}},
        (),
        id="label-without-artist",
    ),
    pytest.param("except drake", {"exclude_artists": {"Drake"}}, (), id="except-artist"),
    # A negation carries down a list of artists or genres, never past a new clause.
    pytest.param(
        "canadian artists except bieber and drake",
        {"genres": {"canadian"}, "exclude_artists": {"Justin Bieber", "Drake"}},
        (),
        id="except-two-artists",
    ),
    pytest.param(
        "sad songs but not by adele or sam smith",
        {"exclude_artists": {"Adele", "Sam Smith"}, "wishes": {("valence", "low")}},
        (),
        id="not-by-two-artists",
    ),
    pytest.param("no edm or hip hop", {"exclude_genres": labels("EDM") | labels("hip hop")}, (), id="no-two-genres"),
    pytest.param(
        "no drake, the weeknd instead",
        {"artists": {"The Weeknd"}, "exclude_artists": {"Drake"}},
        (),
        id="negation-stops-at-comma",
    ),
    pytest.param(
        "adele and sam smith but not drake",
        {"artists": {"Adele", "Sam Smith"}, "exclude_artists": {"Drake"}},
        (),
        id="two-artists-not-one",
    ),
    pytest.param(
        "upbeat with no rap verses",
        {"wishes": {("energy", "high"), ("valence", "high"), ("speechiness", "not_high")}},
        (),
        id="no-rap-verses",
    ),
    # A bound said with a negation turns round.
    pytest.param("nothing over 4 min", {"wishes": {("length", "max", 240)}}, (), id="nothing-over-minutes"),
    # "Over" and "under" exclude their number, "+" and "at most" include it; a negation turns one into the other.
    pytest.param("nothing under 130 bpm", {"wishes": {("bpm", "min", 130)}}, (), id="nothing-under-includes"),
    pytest.param("no less than 3 min", {"wishes": {("length", "min", 180)}}, (), id="no-less-than-includes"),
    pytest.param("at most 3:30", {"wishes": {("length", "max", 210)}}, (), id="at-most-includes"),
    pytest.param("3 min max", {"wishes": {("length", "max", 180)}}, (), id="minutes-max-includes"),
    pytest.param("nothing faster than 140 bpm", {"wishes": {("bpm", "max", 140)}}, (), id="nothing-faster-bpm"),
    pytest.param(
        "nothing with energy over 80", {"wishes": {("energy", "max", 80)}}, (), id="nothing-with-feature-over"
    ),
    pytest.param("other than drake", {"exclude_artists": {"Drake"}}, (), id="other-than-artist"),
    pytest.param("nothing from 2010", {"exclude_years": {2010}}, (), id="nothing-from-year"),
    pytest.param("not from 2010 to 2012", {"exclude_years": {2010, 2011, 2012}}, (), id="not-year-range"),
    pytest.param(
        "songs from 2013 but not 2014",
        {"years": {2013}, "exclude_years": {2014}},
        (),
        id="year-but-not-year",
    ),
    pytest.param(
        "no love songs",
        {
            "concepts": ["not love songs"],
            "wishes": {("energy", "not_low")},
        },
        (),
        id="negated-concept",
    ),
    # A feeling says how the music should feel; a setting only suggests it.
    pytest.param(
        "something to cry to in the car",
        {"concepts": ["road trip", "heartbreak"], "wishes": {("valence", "low"), ("energy", "low")}},
        (),
        id="a-feeling-overrules-a-setting",
    ),
    pytest.param(
        "road trip songs but not too happy",
        {"concepts": ["road trip"], "wishes": {("energy", "high"), ("valence", "near", 52.5), ("valence", "not_high")}},
        (),
        id="concept-but-not-mood",
    ),
    # -- numbers with symbols and units -------------------------------------------------------------
    pytest.param(">140bpm", {"wishes": {("bpm", "above", 140)}}, (), id="gt-bpm"),
    pytest.param(">= 150 bpm", {"wishes": {("bpm", "min", 150)}}, (), id="ge-bpm"),
    pytest.param("<100 bpm", {"wishes": {("bpm", "below", 100)}}, (), id="lt-bpm"),
    pytest.param("140+ bpm", {"wishes": {("bpm", "min", 140)}}, (), id="plus-bpm"),
    # Typographic symbols phones and keyboards insert read as the ASCII ones.
    pytest.param("≤90bpm", {"wishes": {("bpm", "max", 90)}}, (), id="le-sign-bpm"),
    # "About" a value: a tempo is aimed at, another feature kept within a span either side.
    pytest.param("tempo 90ish", {"wishes": {("bpm", "near", 90)}}, (), id="tempo-ish"),
    pytest.param("bpm around 95", {"wishes": {("bpm", "near", 95)}}, (), id="bpm-around"),
    pytest.param("120ish bpm", {"wishes": {("bpm", "near", 120)}}, (), id="ish-bpm"),
    pytest.param("energy around 50", {"wishes": {("energy", "min", 40), ("energy", "max", 60)}}, (), id="about-energy"),
    pytest.param(
        "loudness around -5 db", {"wishes": {("loudness", "min", -7), ("loudness", "max", -3)}}, (), id="about-loudness"
    ),
    pytest.param("energy 70", {}, (), id="a-bare-number-beside-energy-says-no-direction"),
    pytest.param("energy ≥ 80", {"wishes": {("energy", "min", 80)}}, (), id="ge-sign-energy"),
    pytest.param("2012–2015", {"years": set(range(2012, 2016))}, (), id="en-dash-years"),
    pytest.param("dance pop from 2011 only", {"years": {2011}, "genres": {"dance pop"}}, (), id="from-year-only"),
    pytest.param("songs over 140 bpm", {"wishes": {("bpm", "above", 140)}}, (), id="over-bpm"),
    pytest.param("below 90bpm", {"wishes": {("bpm", "below", 90)}}, (), id="below-bpm"),
    pytest.param("about 100 bpm", {"wishes": {("bpm", "near", 100)}}, (), id="about-bpm"),
    pytest.param("120-130 bpm", {"wishes": {("bpm", "min", 120), ("bpm", "max", 130)}}, (), id="bpm-range"),
    pytest.param(
        "140 bpm or more",
        {"wishes": {("bpm", "min", 140)}},
        (),
        id="bpm-or-more",
    ),
    pytest.param("<3 min", {"wishes": {("length", "below", 180)}}, (), id="lt-minutes"),
    pytest.param("<3:00", {"wishes": {("length", "below", 180)}}, (), id="lt-clock"),
    pytest.param("under 3 min", {"wishes": {("length", "below", 180)}}, (), id="under-minutes"),
    pytest.param("under three minutes", {"wishes": {("length", "below", 180)}}, (), id="under-word-minutes"),
    pytest.param("2:30 or less", {"wishes": {("length", "max", 150)}}, (), id="clock-or-less"),
    pytest.param("long (4+ min)", {"wishes": {("length", "min", 240)}}, (), id="plus-between-number-and-unit"),
    pytest.param("smooth r&b", {"genres": {"r&b"}, "wishes": {("energy", "low")}}, (), id="smooth-is-calm"),
    # A time's seconds are never a number of their own: "20) + danceable" is not "danceability 20+".
    pytest.param(
        "short (<3:20) + danceable",
        {"wishes": {("length", "below", 200), ("danceability", "high")}},
        (),
        id="clock-in-brackets-before-plus",
    ),
    pytest.param("over 4 minutes", {"wishes": {("length", "above", 240)}}, (), id="over-minutes"),
    pytest.param("3:00-4:00", {"wishes": {("length", "min", 180), ("length", "max", 240)}}, (), id="clock-range"),
    pytest.param(
        "3-4 min",
        {"wishes": {("length", "min", 180), ("length", "max", 240)}},
        (),
        id="minutes-range",
    ),
    pytest.param(
        "between 3 and 4 minutes",
        {"wishes": {("length", "min", 180), ("length", "max", 240)}},
        (),
        id="between-minutes",
    ),
    # A feature's own name beside a number: a bound on its scale, whichever side the number is on.
    pytest.param("energy over 80", {"wishes": {("energy", "above", 80)}}, (), id="feature-over"),
    pytest.param("popularity < 50", {"wishes": {("popularity", "below", 50)}}, (), id="feature-lt"),
    pytest.param("danceability 70+", {"wishes": {("danceability", "min", 70)}}, (), id="feature-plus"),
    pytest.param("75+ danceability", {"wishes": {("danceability", "min", 75)}}, (), id="plus-feature"),
    pytest.param("at least 60 energy", {"wishes": {("energy", "min", 60)}}, (), id="at-least-feature"),
    pytest.param("super danceable (75+)", {"wishes": {("danceability", "min", 75)}}, (), id="feature-word-paren"),
    pytest.param("valence at least 0.7", {"wishes": {("valence", "min", 70)}}, (), id="feature-fraction"),
    pytest.param("acousticness 30% or less", {"wishes": {("acousticness", "max", 30)}}, (), id="feature-percent"),
    pytest.param("40-60 energy", {"wishes": {("energy", "min", 40), ("energy", "max", 60)}}, (), id="range-feature"),
    pytest.param(
        "tempo between 100 and 110",
        {"wishes": {("bpm", "min", 100), ("bpm", "max", 110)}},
        (),
        id="tempo-between",
    ),
    pytest.param("loudness over -5 db", {"wishes": {("loudness", "above", -5)}}, (), id="loudness-db"),
    pytest.param("louder than -4db", {"wishes": {("loudness", "above", -4)}}, (), id="louder-than-db"),
    pytest.param("quieter than -8 decibels", {"wishes": {("loudness", "below", -8)}}, (), id="quieter-than-db"),
    pytest.param(
        "acoustic under 3 min",
        {"wishes": {("acousticness", "high"), ("length", "below", 180)}},
        (),
        id="feature-word-then-duration",
    ),
    # Relative to a named song: a bound at that song's own value (Uptown Funk is 115 BPM).
    pytest.param("faster than Uptown Funk", {"wishes": {("bpm", "above", 115)}}, (), id="faster-than-song"),
    pytest.param("slower than hello", {"wishes": {("bpm", "below", 79)}}, (), id="slower-than-song"),
    # -- emoji and slang --------------------------------------------------------------------------
    pytest.param("💔", {"concepts": ["heartbreak"]}, (), id="broken-heart"),
    pytest.param("💔 breakup songs", {"concepts": ["heartbreak"]}, (), id="broken-heart-breakup"),
    pytest.param("😭", {"concepts": ["heartbreak"]}, (), id="crying"),
    pytest.param("need a good cry", {"concepts": ["heartbreak"]}, (), id="a-good-cry"),
    pytest.param("karaoke night", {"concepts": ["singalong"]}, (), id="karaoke"),
    pytest.param("anthems everyone knows", {"concepts": ["singalong"]}, (), id="anthems"),
    pytest.param("real instruments please", {"wishes": {("acousticness", "high")}}, (), id="real-instruments"),
    pytest.param("songs with big drops", {"genres": labels("EDM")}, (), id="drops-are-edm"),
    pytest.param("bonfire songs", {"concepts": ["cozy"]}, (), id="bonfire"),
    pytest.param("hungover sunday", {"concepts": ["relaxing"]}, (), id="hungover"),
    pytest.param("grwm", {"concepts": ["party"]}, (), id="getting-ready"),
    pytest.param("birthday playlist", {"concepts": ["celebration"]}, (), id="birthday"),
    pytest.param("nye countdown", {"concepts": ["party"]}, (), id="new-years-eve"),
    pytest.param("basketball warm up", {"concepts": ["workout"]}, (), id="warm-up"),
    # Emoji decorate the words: what the words say, or its opposite, is not asked again.
    pytest.param("campfire acoustic 🔥", {"concepts": ["cozy"]}, (), id="emoji-the-words-contradict"),
    pytest.param(
        "sad bangers 😭",
        {"concepts": ["hype"], "wishes": {("valence", "low"), ("energy", "high")}},
        (),
        id="emoji-the-words-say",
    ),
    pytest.param("gym 🎉", {"concepts": ["workout", "party"]}, (), id="emoji-adds-what-words-lack"),
    pytest.param("🔥", {"concepts": ["hype"]}, (), id="fire"),
    pytest.param("🎉", {"concepts": ["party"]}, (), id="party-popper"),
    pytest.param("😴", {"concepts": ["sleep"]}, (), id="sleeping"),
    pytest.param("I need some bops", {"concepts": ["bops"]}, (), id="bops"),
    pytest.param("lowkey", {"concepts": ["relaxing"]}, (), id="lowkey"),
    pytest.param("songs that slap", {"concepts": ["hype"]}, (), id="slap"),
    # -- genres: catalog labels, families, sound words, genres the catalog lacks --------------------
    pytest.param("dance pop", {"genres": {"dance pop"}}, (), id="label-dance-pop"),
    pytest.param("canadian pop", {"genres": {"canadian pop"}}, (), id="label-canadian-pop"),
    pytest.param("atl hip hop", {"genres": {"atl hip hop"}}, (), id="label-atl-hip-hop"),
    pytest.param("british soul", {"genres": {"british soul"}}, (), id="label-british-soul"),
    pytest.param("neo mellow", {"genres": {"neo mellow"}}, (), id="label-neo-mellow"),
    pytest.param("big room", {"genres": {"big room"}}, (), id="label-big-room"),
    pytest.param("edm", {"genres": labels("EDM")}, (), id="family-edm"),
    pytest.param("hip hop", {"genres": labels("hip hop")}, (), id="family-hip-hop"),
    pytest.param(
        "chill electronic", {"genres": labels("EDM"), "wishes": {("energy", "low")}}, (), id="chill-electronic"
    ),
    pytest.param(
        "jazz for a rainy day",
        {"concepts": ["rainy day"], "wishes": concept_wishes("rainy day") | {("acousticness", "high")}},
        ("jazz",),
        id="missing-genre-jazz",
    ),
    pytest.param(
        "heavy metal for the gym",
        {
            "concepts": ["workout"],
            "wishes": concept_wishes("workout") | {("loudness", "high"), ("acousticness", "low")},
        },
        ("metal",),
        id="missing-genre-metal",
    ),
    pytest.param("k-pop", {"wishes": {("danceability", "high"), ("energy", "high")}}, ("k-pop",), id="missing-k-pop"),
    pytest.param(
        "christmas songs", {"wishes": {("valence", "high"), ("acousticness", "high")}}, ("christmas",), id="xmas"
    ),
    pytest.param("no jazz", {"exclude_genres": labels("jazz")}, (), id="excluding-a-missing-genre-is-no-news"),
    # -- eras and years, in and out of the catalog --------------------------------------------------
    pytest.param("songs from 2015", {"years": {2015}}, (), id="year"),
    pytest.param("2014+", {"years": set(range(2014, 2101))}, (), id="year-plus"),
    pytest.param("2016 onwards", {"years": set(range(2016, 2101))}, (), id="year-onwards"),
    pytest.param(
        "energy 70 or less, 2015 onwards",
        {"years": set(range(2015, 2101)), "wishes": {("energy", "max", 70)}},
        (),
        id="a-bounds-word-negates-nothing",
    ),
    pytest.param("no songs before 2015", {"years": set(range(2015, 2101))}, (), id="nothing-before-year"),
    pytest.param("nothing after 2013", {"years": set(range(1900, 2014))}, (), id="nothing-after-year"),
    pytest.param(
        "songs from the last few years", {"concepts": ["new"], "years": {2018, 2019}}, (), id="last-few-years"
    ),
    pytest.param("2012-2014", {"years": {2012, 2013, 2014}}, (), id="year-range"),
    pytest.param("mid 2010s", {"years": {2013, 2014, 2015, 2016}}, (), id="mid-decade"),
    pytest.param("late 2010s", {"years": {2017, 2018, 2019}}, (), id="late-decade"),
    pytest.param("80s", {}, ("80s",), id="era-before-the-catalog"),
    pytest.param("songs from 1995", {}, ("1995",), id="year-before-the-catalog"),
    pytest.param("2020s", {}, ("2020s",), id="era-after-the-catalog"),
    # -- refinements: a later wish replaces the one it contradicts; exclusions add up ---------------
    pytest.param(["slower please", "actually faster"], {"wishes": {("bpm", "high")}}, (), id="faster-replaces-slower"),
    pytest.param(["calm", "more energetic"], {"wishes": {("energy", "high")}}, (), id="energetic-replaces-calm"),
    pytest.param(
        ["chill", "sad"], {"wishes": {("energy", "low"), ("valence", "low")}}, (), id="different-features-add"
    ),
    pytest.param(["songs from 2012", "actually 2016"], {"years": {2016}}, (), id="later-year-replaces"),
    pytest.param(["adele", "ed sheeran instead"], {"artists": {"Ed Sheeran"}}, (), id="later-artist-replaces"),
    pytest.param(["edm", "actually hip hop"], {"genres": labels("hip hop")}, (), id="later-genre-replaces"),
    pytest.param(["under 3 min", "under 4 min"], {"wishes": {("length", "below", 240)}}, (), id="later-bound-replaces"),
    pytest.param(
        ["under 3 min", "over 2 min"],
        {"wishes": {("length", "below", 180), ("length", "above", 120)}},
        (),
        id="bounds-of-both-sides-add",
    ),
    pytest.param(
        ["not bieber", "no drake"], {"exclude_artists": {"Justin Bieber", "Drake"}}, (), id="exclusions-add-up"
    ),
    pytest.param(
        ["songs like hello", "but faster"], {"like": "Hello", "wishes": {("bpm", "high")}}, (), id="refined-reference"
    ),
]


@pytest.mark.parametrize(("phrase", "fills", "notes"), CASES)
def test_what_a_phrase_is_understood_as(
    parser: IntentParser, phrase: str | Sequence[str], fills: dict[str, object], notes: tuple[str, ...]
) -> None:
    intent = parser.parse(phrase)
    expected = {**EMPTY, **fills}
    if "wishes" not in fills:  # a concept stands for its own wishes and nothing else
        expected["wishes"] = concept_wishes(*intent.concepts) if "concepts" in fills else set()
    assert understood(intent) == expected
    assert len(intent.notes) == len(notes), intent.notes
    for note, word in zip(intent.notes, notes, strict=True):
        assert word in note


@pytest.mark.parametrize(
    ("phrase", "wish"),
    [
        ("study", ("energy", "low")),
        ("sleep", ("energy", "low")),
        ("sleep", ("bpm", "low")),
        ("workout", ("energy", "high")),
        ("party", ("danceability", "high")),
        ("summer", ("valence", "high")),
        ("heartbreak", ("valence", "low")),
        ("love songs", ("valence", "not_low")),
        ("road trip", ("valence", "high")),
    ],
)
def test_concepts_point_the_way_their_words_mean(parser: IntentParser, phrase: str, wish: tuple[str, str]) -> None:
    """The concept table is data the lead tunes; its directions must still mean what the words say."""
    assert wish in {(w.feature, w.kind) for w in parser.parse(phrase).wishes}


def test_a_catalog_without_jazz_says_so_and_one_with_jazz_filters_by_it() -> None:
    jazzy = [*SONGS, Song(len(SONGS), "Blue in Green", "Miles Davis", ("cool jazz",), (2014,), features())]
    with_jazz = IntentParser(jazzy).parse("jazz")
    assert with_jazz.notes == [] and set(with_jazz.genre_keys) == labels("jazz")
    assert IntentParser(SONGS).parse("jazz").genre_keys == ()


def test_the_note_for_a_missing_genre_is_one_honest_line(parser: IntentParser) -> None:
    assert parser.parse("jazz for a rainy day").notes == ["No jazz in this catalog; closest in sound:"]


def test_throwback_follows_the_catalogs_own_years() -> None:
    later = [Song(i, s.title, s.artist, s.genres, (s.years[0] + 5,), s.features) for i, s in enumerate(SONGS)]
    assert IntentParser(later).parse("throwback").years == {2015, 2016, 2017}
    assert IntentParser(later).parse("new music").years == {2023, 2024}


def test_a_title_two_songs_share_names_the_better_known_one() -> None:
    def hello(i: int, artist: str, popularity: float) -> Song:
        return Song(i, "Hello", artist, ("pop",), (2015,), Features(120, 60, 60, -6, 10, 50, 210, 10, 5, popularity))

    parser = IntentParser([hello(0, "Martin Solveig", 40), hello(1, "Adele", 85)])
    assert parser.parse("songs like hello but happier").like == 1
    assert parser.parse("like hello by martin solveig").like == 0


# --- every title of the reference catalog, named the way people type it -------------------------------


def typed(title: str) -> str:
    """A title as people type it: no "(feat. ...)" part, no " - Remix" suffix."""
    return re.sub(r"\s+-\s+.*$", "", re.sub(r"\s*[\(\[].*?[\)\]]", "", title)).strip()


def reference_titles(path: Path) -> tuple[list[Song], list[Song], list[Song]]:
    """The reference catalog's songs, one per typed title: those typed in plain words, and the rest (dots,
    slashes, a lone digit) that people write in more than one way."""
    songs = load_catalog(path).songs
    firsts = list({typed(song.title).casefold(): song for song in reversed(songs)}.values())
    plain = [s for s in firsts if re.fullmatch(r"[\w' ’&-]{2,}", typed(s.title)) and not typed(s.title).isdigit()]
    return list(songs), plain, [s for s in firsts if s not in plain]


def misread(songs: Sequence[Song], named: Sequence[Song], template: str) -> list[str]:
    """The requests naming a song of ``named`` by ``template`` that miss the song or add a filter."""
    parser = IntentParser(songs)
    missed = []
    for song in named:
        text = template.format(title=typed(song.title), artist=song.artist)
        intent = parser.parse(text)
        found = songs[intent.like].title if intent.like is not None else None
        if found is None or typed(found).casefold() != typed(song.title).casefold() or intent.has_filters:
            missed.append(f"{text!r} -> {found!r}, {intent.describe()}")
    return missed


TEMPLATES = ["songs like {title}", "more like {title} by {artist}", "like {title} but slower"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_plain_title_of_the_reference_catalog_is_found(reference_catalog: Path, template: str) -> None:
    songs, plain, _ = reference_titles(reference_catalog)
    assert len(plain) > 550
    assert misread(songs, plain, template) == []


@pytest.mark.parametrize("template", TEMPLATES[:2])
def test_titles_with_punctuation_are_found(reference_catalog: Path, template: str) -> None:
    songs, _, punctuated = reference_titles(reference_catalog)
    assert misread(songs, punctuated, template) == []


@pytest.mark.parametrize(("emoji", "word"), [(e, w) for e, w in EMOJI.items() if w])
def test_every_emoji_stands_for_words_the_parser_reads(parser: IntentParser, emoji: str, word: str) -> None:
    """An emoji alone is understood (a concept, a wish, a genre, or an honest note for a genre the catalog lacks)."""
    intent = parser.parse(f"{emoji} songs")
    assert intent.understood or intent.notes, (emoji, word)


def test_tropical_house_is_a_genre_not_summer(parser: IntentParser) -> None:
    intent = parser.parse("tropical house but chill")
    assert intent.concepts == [] and intent.genre_keys
    assert {(w.feature, w.kind) for w in intent.wishes} == {("energy", "low")}


def test_a_concepts_defining_trait_weighs_more_than_its_others(parser: IntentParser) -> None:
    """ "relaxing acoustic": the said word and relaxing's defining trait count in full, its other traits half."""
    weights = {(w.feature, w.label): w.weight for w in parser.parse("relaxing acoustic").wishes}
    assert weights == {
        ("energy", "relaxing"): 1.0,
        ("loudness", "relaxing"): SECONDARY_WEIGHT,
        ("valence", "relaxing"): SECONDARY_WEIGHT,
        ("acousticness", "acoustic"): 1.0,
    }
    assert SECONDARY_WEIGHT < 1.0


def test_a_word_for_two_traits_weighs_its_second_less(parser: IntentParser) -> None:
    """ "upbeat rap": upbeat is energetic first and happy second, so its two wishes do not outvote rap."""
    weights = {(w.feature, w.kind): w.weight for w in parser.parse("upbeat rap").wishes}
    assert weights == {("energy", "high"): 1.0, ("valence", "high"): SECONDARY_WEIGHT, ("speechiness", "high"): 1.0}


def test_a_word_said_softly_weighs_less(parser: IntentParser) -> None:
    """ "kinda sad but danceable": sad, said softly, weighs as a secondary trait; danceable in full."""
    weights = {(w.feature, w.kind): w.weight for w in parser.parse("kinda sad but danceable").wishes}
    assert weights == {("valence", "low"): SECONDARY_WEIGHT, ("danceability", "high"): 1.0}


def test_a_named_artists_title_after_a_negation_is_ruled_out(quick_recommender: Any) -> None:
    """ "The Weeknd but not Starboy": his songs without that one; "not happy" stays a mood (no artist named)."""
    answer = quick_recommender.answer(Request(text="the weeknd but not starboy", k=3))
    assert "not Starboy — The Weeknd" in answer.understood
    assert answer.results and all(r.song.artist == "The Weeknd" for r in answer.results)
    assert "Starboy" not in {r.song.title for r in answer.results}
    assert quick_recommender.understand("not happy").exclude_songs == {}


def test_like_before_a_number_with_a_unit_is_about_not_a_title(quick_recommender: Any) -> None:
    """The reference catalog has Britney Spears' "3": "like 3 and a half min max" is still about a length."""
    intent = quick_recommender.understand("short, like 3 and a half min max")
    assert intent.like is None
    assert [(w.feature, w.kind, w.value) for w in intent.wishes] == [("length", "max", 210)]
    assert quick_recommender.understand("songs like 3 by britney spears").like is not None


def test_an_era_beside_an_artist_is_of_that_artists_own_years(quick_recommender: Any) -> None:
    """ "old taylor swift" is her early years, "latest drake" his last: the catalog's own eras are not theirs."""
    parser = quick_recommender.searcher.parser
    first, last = parser.artist_spans["Taylor Swift"]
    old = quick_recommender.understand("old taylor swift")
    assert old.artists == {"Taylor Swift"} and old.years and min(old.years) == first and max(old.years) < last
    latest = quick_recommender.understand("latest drake")
    assert latest.years == {parser.artist_spans["Drake"][1]}
    assert quick_recommender.understand("new music").years == {2018, 2019}


def test_a_title_then_its_artist_without_by_names_the_song(quick_recommender: Any) -> None:
    """ "shape of you ed sheeran type stuff": that song, not Ed Sheeran's best-known one by other artists."""
    for text, title in (
        ("shape of you ed sheeran type stuff", "Shape of You"),
        ("love yourself bieber acoustic vibes", "Love Yourself"),
    ):
        intent = quick_recommender.understand(text)
        assert intent.like is not None and quick_recommender.songs[intent.like].title == title, text
        assert not intent.like_artist and not intent.exclude_artists and not intent.artists, text
