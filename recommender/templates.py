"""The template: how the default profile turns a song into the text the model embeds.

Grammatical sentences in the words people type, every word and threshold taken from
``vocabulary``. (The published system's template lives with the rest of it in ``profiles/seed.py``.)
"""

from __future__ import annotations

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

# Bump when the template or a threshold behind it changes: cached indexes built with the old text are rebuilt.
TEMPLATE_VERSION = 6


def describe(song: Song) -> str:
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
