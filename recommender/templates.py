"""Sentence templates that turn a song into the text the model embeds, one per profile.

``seed`` is the published system, reproduced exactly (its bins, its labels and its
template, typos included) so that its results can be compared with ours. ``default`` is
ours: grammatical sentences in the words people type, built from ``vocabulary``.
"""

from __future__ import annotations

import math

from .songs import Song
from .vocabulary import (
    CHILL_MAX_ENERGY,
    CHILL_MAX_LOUDNESS,
    KEY_NAMES,
    METER_WORDS,
    PARTY_MIN_DANCEABILITY,
    PARTY_MIN_ENERGY,
    SCALES,
    decade_words,
    genre_families,
)

PROFILES = ("default", "seed")
# Bump when a template or a threshold changes: cached indexes built with the old text are rebuilt.
TEMPLATE_VERSION = {"default": 2, "seed": 1}

INF = math.inf
# (bins, labels) as the published notebook gave them to pandas.cut (right-inclusive).
SEED_BINS: dict[str, tuple[tuple[float, ...], tuple[str, ...]]] = {
    "bpm": ((-1, 70, 90, 120, 140, 180, INF), ("Very Slow", "Slow", "Moderate", "Upbeat", "Fast", "Very Fast")),
    "energy": ((-1, 30, 50, 70, 90, INF), ("Very Low", "Low", "Moderate", "High", "very High")),
    "danceability": ((-1, 30, 50, 70, 90, INF), ("Very Low", "Low", "Moderate", "High", "very High")),
    "loudness": ((-INF, -20, -12, -6, -3, INF), ("Very Quiet", "Quiet", "Moderate", "Loud", "Very Loud")),
    "liveness": ((-1, 30, 60, INF), ("Studio like", "Slight Audience", "Live Recording")),
    "valence": ((-1, 30, 60, INF), ("Sad/Dark", "Neutral", "Happy/Uplifting")),
    "length": ((-1, 120, 180, 240, 300, INF), ("Very Short", "Short", "Average", "Long", "Very Long")),
    "acousticness": ((-1, 30, 70, INF), ("Electronic/Produced", "Mixed", "Acoustic")),
    "speechiness": ((-1, 5, 20, 35, INF), ("Instrumental", "Music-Dominant", "Lyric-Focused", "Speech-Heavy:")),
    "popularity": ((-1, 30, 70, INF), ("Underground", "Moderately Popular", "Very Popular")),
}
SEED_TEMPLATE = (
    "a {popularity_cat} and {loudness_cat} {speechiness_cat} music titled: {title}, by : {artist} "
    "released in : {year}, {genre} Genre {tempo_cat} Tempo, {energy_cat} Energy and {dancability_cat} "
    "Dancability . it has {liveness_cat} Liveness and {valence_cat} Mood. {length_cat} Length and "
    "{acousticness_cat} acousticness"
)


def seed_category(feature: str, value: float) -> str:
    """The label pandas.cut gives ``value`` with the seed bins (right-inclusive intervals)."""
    bins, labels = SEED_BINS[feature]
    for upper, label in zip(bins[1:], labels):
        if value <= upper:
            return label
    return labels[-1]


def seed_text(song: Song) -> str:
    features = song.features
    assert features is not None, "raw catalogs keep a row of zeros as measured"
    cat = {name: seed_category(name, getattr(features, name)) for name in SEED_BINS}
    return SEED_TEMPLATE.format(
        popularity_cat=cat["popularity"],
        loudness_cat=cat["loudness"],
        speechiness_cat=cat["speechiness"],
        title=song.title,
        artist=song.artist,
        year=song.year if song.year is not None else "",
        genre=song.genre,
        tempo_cat=cat["bpm"],
        energy_cat=cat["energy"],
        dancability_cat=cat["danceability"],
        liveness_cat=cat["liveness"],
        valence_cat=cat["valence"],
        length_cat=cat["length"],
        acousticness_cat=cat["acousticness"],
    )


def default_text(song: Song) -> str:
    """A description in plain words: who and when, the genre and its family, then how it sounds."""
    families = [f for genre in song.genres for f in genre_families(genre)]
    genres = ", ".join(dict.fromkeys([*song.genres, *families]))
    kind = f"a {genres} song" if genres else "a song"
    when = " and ".join(decade_words(year) for year in song.years) if song.years else "of unknown year"
    sentences = [f'"{song.title}" by {song.artist}, {kind} {when}.']
    if song.album and song.album != song.title:
        sentences.append(f'From the album "{song.album}".')
    f = song.features
    if f is not None:
        # A feature the catalog does not give is left out, never guessed ("underground" for no popularity).
        word = {name: scale.describe(v) for name, scale in SCALES.items() if (v := getattr(f, name)) is not None}
        moods = []
        if _at_most(f.energy, CHILL_MAX_ENERGY) and _at_most(f.loudness, CHILL_MAX_LOUDNESS):
            moods.append("chill")
        if _at_least(f.danceability, PARTY_MIN_DANCEABILITY) and _at_least(f.energy, PARTY_MIN_ENERGY):
            moods.append("a party song")
        key = None
        if f.key is not None and f.mode is not None:
            key = f"in {KEY_NAMES[int(f.key)]} {'major' if f.mode else 'minor'}"
        meter = METER_WORDS.get(int(f.time_signature)) if f.time_signature is not None else None
        sound = [word.get("danceability"), word.get("loudness")]
        traits = [word.get("instrumentalness"), key or word.get("mode"), meter, word.get("explicit")]
        sentences += [
            _sentence("It is ", ", ", [word.get("energy"), word.get("valence"), " and ".join(moods) or None]),
            _sentence("", ", ", [f"A {word['bpm']} song at {f.bpm:.0f} BPM", *sound])
            if f.bpm is not None
            else _sentence("It is ", ", ", sound),
            _sentence("It sounds ", ", ", [word.get("acousticness"), word.get("speechiness"), word.get("liveness")]),
            _sentence("It is ", " and ", [word.get("length"), word.get("popularity")]),
            _sentence("It is ", ", ", traits),
        ]
    return " ".join(s for s in sentences if s)


def _at_most(value: float | None, bound: float) -> bool:
    return value is not None and value <= bound


def _at_least(value: float | None, bound: float) -> bool:
    return value is not None and value >= bound


def _sentence(start: str, joiner: str, parts: list[str | None]) -> str:
    """``start`` and the known ``parts``, or nothing when none is known."""
    known = [part for part in parts if part]
    return start + joiner.join(known) + "." if known else ""


def song_text(song: Song, profile: str) -> str:
    return seed_text(song) if profile == "seed" else default_text(song)
