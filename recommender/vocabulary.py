"""Every word the default profile uses for a feature, and where its thresholds lie: the one place to tune.

Each scale maps a feature value to the words written into a song's description. The
words are the ones people type into Discord ("chill", "hype", "sad", "acoustic"), so a
request and a description meet in the embedding space. Values are on the catalog's
common scales: BPM, dB, seconds, 0-100 for the rest.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scale:
    """Words for a feature: ``words[i]`` applies to values up to ``bounds[i]`` (inclusive); the last has no bound."""

    feature: str
    bounds: tuple[float, ...]
    words: tuple[str, ...]

    def describe(self, value: float) -> str:
        return self.words[bisect.bisect_left(self.bounds, value)]


SCALES: dict[str, Scale] = {
    scale.feature: scale
    for scale in (
        Scale("bpm", (75, 95, 115, 135, 160), ("very slow", "slow", "mid-tempo", "upbeat", "fast", "very fast")),
        Scale("energy", (35, 55, 75), ("calm, mellow and low-energy", "relaxed and laid-back", "energetic", "high-energy, intense and hype")),
        Scale("danceability", (45, 60, 75), ("not really danceable", "somewhat danceable", "danceable and groovy", "very danceable, made for the dance floor")),
        Scale("valence", (25, 45, 65, 80), ("sad, melancholic and dark", "moody and bittersweet", "neither happy nor sad", "happy and cheerful", "joyful, feel-good and uplifting")),
        Scale("acousticness", (10, 35, 65), ("electronic and synth-produced", "mostly produced", "partly acoustic", "acoustic and unplugged")),
        Scale("speechiness", (10, 25), ("sung", "with some rap verses", "rap-heavy with spoken vocals")),
        Scale("liveness", (30, 60), ("a studio recording", "a recording with some crowd sound", "a live recording from a concert")),
        Scale("loudness", (-10, -6), ("quiet and soft", "moderately loud", "loud")),
        Scale("length", (150, 240, 300), ("short", "of average length", "long", "very long")),
        Scale("popularity", (40, 70), ("an underground, lesser-known track", "a moderately popular track", "a very popular, chart-topping hit")),
        Scale("instrumentalness", (10, 50), ("with vocals", "mostly instrumental with few vocals", "instrumental with no vocals, good for studying and focus")),
        Scale("mode", (0.5,), ("in a minor key", "in a major key")),
        Scale("explicit", (0.5,), ("clean, with no explicit lyrics and family friendly", "explicit, with explicit lyrics")),
    )
}

# Pitch classes as Spotify numbers them (0 = C); with the mode they name the key, "in C# minor".
KEY_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
# Beats per bar other than the usual four, in the words people use for them.
METER_WORDS = {3: "in 3/4 waltz time", 5: "in an odd 5/4 meter", 6: "in 6/8 time", 7: "in an odd 7/8 meter"}

# Overall moods that people ask for by one word, from the features that make them.
CHILL_MAX_ENERGY = 55
CHILL_MAX_LOUDNESS = -6
PARTY_MIN_DANCEABILITY = 70
PARTY_MIN_ENERGY = 70


def decade_words(year: int) -> str:
    """'2014' -> 'from the mid 2010s (2014)': the decade words people use for eras."""
    decade = year // 10 * 10
    part = "early" if year % 10 <= 3 else "mid" if year % 10 <= 6 else "late"
    return f"from the {part} {decade}s ({year})"


# Genre families: a catalog genre containing the key words also belongs to the family,
# so "hip hop" finds "detroit hip hop" and "rap" finds "canadian hip hop".
GENRE_FAMILIES: dict[str, tuple[str, ...]] = {
    "hip hop and rap": ("hip hop", "rap", "trap", "grime", "drill"),
    "pop": ("pop",),
    "dance and EDM": ("edm", "electro", "house", "big room", "tropical", "dance", "dubstep", "brostep", "electronic", "techno", "trance"),
    "R&B and soul": ("r&b", "soul", "neo soul", "funk"),
    "latin": ("latin", "reggaeton", "colombian", "puerto rican", "mexican", "cubaton", "spanish"),
    "rock and indie": ("rock", "indie", "alternative", "permanent wave", "garage", "punk", "metal", "modern alternative"),
    "country and folk": ("country", "folk", "americana", "mellow", "singer-songwriter"),
}


def genre_families(genre: str) -> list[str]:
    lowered = genre.lower()
    return [family for family, keys in GENRE_FAMILIES.items() if any(key in lowered for key in keys)]
