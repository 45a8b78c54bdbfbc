"""The template: how the default profile turns a song into the text the model embeds.

Grammatical sentences in the words people type, every word and threshold taken from
``vocabulary``. (The published system's template lives with the rest of it in ``profiles/seed.py``.)
"""

from __future__ import annotations

from .songs import Song
from .vocabulary import (
    CHILL_MAX_ENERGY,
    CHILL_MAX_LOUDNESS,
    PARTY_MIN_DANCEABILITY,
    PARTY_MIN_ENERGY,
    SCALES,
    decade_words,
    genre_families,
)

# Bump when the template or a threshold behind it changes: cached indexes built with the old text are rebuilt.
TEMPLATE_VERSION = 2


def describe(song: Song) -> str:
    """A description in plain words: who and when, the genre and its family, then how it sounds."""
    families = [f for genre in song.genres for f in genre_families(genre)]
    genres = ", ".join(dict.fromkeys([*song.genres, *families]))
    kind = f"a {genres} song" if genres else "a song"
    when = " and ".join(decade_words(year) for year in song.years) if song.years else "of unknown year"
    sentences = [f'"{song.title}" by {song.artist}, {kind} {when}.']
    f = song.features
    if f is not None:
        word = {name: scale.describe(getattr(f, name)) for name, scale in SCALES.items()}
        moods = []
        if f.energy <= CHILL_MAX_ENERGY and f.loudness <= CHILL_MAX_LOUDNESS:
            moods.append("chill")
        if f.danceability >= PARTY_MIN_DANCEABILITY and f.energy >= PARTY_MIN_ENERGY:
            moods.append("a party song")
        sentences += [
            f"It is {word['energy']}, {word['valence']}" + (f", {' and '.join(moods)}" if moods else "") + ".",
            f"A {word['bpm']} song at {f.bpm:.0f} BPM, {word['danceability']}, {word['loudness']}.",
            f"It sounds {word['acousticness']}, {word['speechiness']}, {word['liveness']}.",
            f"It is {word['length']} and {word['popularity']}.",
        ]
    return " ".join(sentences)
