"""The one vocabulary: the words that describe songs, read requests and label cards, kept as data.

- ``scales``: each feature's thresholds, with its description words and its card words.
- ``features``: the words people type about a song's sound, and negation.
- ``genres``: one genre table for descriptions, requests, cards and "not in this catalog".
- ``concepts``: activities, settings, seasons, eras and moods; emoji and chat slang.

A threshold or a word changes in one place here and every reader follows.
"""

from __future__ import annotations

from .concepts import CONCEPTS, EMOJI, GENERIC_REQUESTS, Concept, Era, TraitKind
from .features import FEATURE_NAMES_TYPED, FEATURE_TERMS, NEGATION
from .genres import GENRES, PLACES, Genre, family_labels, genre_families, genre_names
from .scales import (
    CHILL_MAX_ENERGY,
    CHILL_MAX_LOUDNESS,
    KEY_NAMES,
    METER_WORDS,
    PARTY_MIN_DANCEABILITY,
    PARTY_MIN_ENERGY,
    SCALES,
    SOUND_WEIGHTS,
    Scale,
    decade_words,
    feature_phrase,
)

__all__ = [
    "CHILL_MAX_ENERGY",
    "CHILL_MAX_LOUDNESS",
    "CONCEPTS",
    "EMOJI",
    "FEATURE_NAMES_TYPED",
    "FEATURE_TERMS",
    "GENERIC_REQUESTS",
    "GENRES",
    "KEY_NAMES",
    "METER_WORDS",
    "NEGATION",
    "PARTY_MIN_DANCEABILITY",
    "PARTY_MIN_ENERGY",
    "PLACES",
    "SCALES",
    "SOUND_WEIGHTS",
    "Concept",
    "Era",
    "Genre",
    "Scale",
    "TraitKind",
    "decade_words",
    "feature_phrase",
    "family_labels",
    "genre_families",
    "genre_names",
]
