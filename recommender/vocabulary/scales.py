"""The scales: where each feature's thresholds lie and the words for each band, in descriptions and on cards.

Each scale maps a feature value to the words written into a song's description and the few
words a card shows for the same band. Description words are the ones people type into Discord
("chill", "hype", "sad", "acoustic"), so a request and a description meet in the embedding space.
Values are on the catalog's common scales: BPM, dB, seconds, 0-100 for the rest.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scale:
    """Words for a feature: band ``i`` holds values up to ``bounds[i]`` (inclusive); the last band has no bound.

    ``words[i]`` describes band ``i`` in a song's description, ``card[i]`` on a card. A ``piled`` scale (0-100)
    is one most songs sit at one end of: most pop is produced, sung and recorded in a studio. Ranks spread that
    pile, so that a song a little more acoustic than most ranks near the top; a word said outright about such a
    scale is read by the value as well as the rank ("acoustic" is a song that sounds acoustic).
    """

    feature: str
    bounds: tuple[float, ...]
    words: tuple[str, ...]
    card: tuple[str, ...]
    piled: bool = False

    def band(self, value: float) -> int:
        return bisect.bisect_left(self.bounds, value)

    def describe(self, value: float) -> str:
        return self.words[self.band(value)]

    def edge(self, kind: str) -> float:
        """Where the upper (``high``: values above it) or lower (``low``: values up to it) half of the scale's
        bands begins; a scale with an odd number of bands leaves its middle band to neither."""
        centre = len(self.words) / 2
        if kind == "high":
            return self.bounds[next(band for band in range(len(self.words)) if band + 0.5 > centre) - 1]
        return self.bounds[max(band for band in range(len(self.words)) if band + 0.5 < centre)]

    def on_side(self, value: float, kind: str) -> bool:
        """Whether ``value`` lies in the upper (``high``) or lower (``low``) half of the scale's bands."""
        return value > self.edge(kind) if kind == "high" else value <= self.edge(kind)

    @property
    def middle(self) -> float:
        """The middle of the scale's moderate bands (all but its lowest and highest): what a concept that wants
        a feature neither low nor high ("middling" energy for a night drive or a dinner party) aims at."""
        return (self.bounds[0] + self.bounds[-1]) / 2


SCALES: dict[str, Scale] = {
    scale.feature: scale
    for scale in (
        Scale(
            "bpm",
            (75, 95, 115, 135, 160),
            ("very slow", "slow", "mid-tempo", "upbeat", "fast", "very fast"),
            ("very slow", "slow", "mid-tempo", "upbeat", "fast", "very fast"),
        ),
        Scale(
            "energy",
            (35, 55, 75),
            ("calm, mellow and low-energy", "relaxed and laid-back", "energetic", "high-energy, intense and hype"),
            ("calm", "relaxed", "energetic", "high-energy"),
        ),
        Scale(
            "danceability",
            (45, 60, 75),
            (
                "not really danceable",
                "somewhat danceable",
                "danceable and groovy",
                "very danceable, made for the dance floor",
            ),
            ("not danceable", "a bit danceable", "danceable", "very danceable"),
        ),
        Scale(
            "valence",
            (25, 45, 65, 80),
            (
                "sad, melancholic and dark",
                "moody and bittersweet",
                "neither happy nor sad",
                "happy and cheerful",
                "joyful, feel-good and uplifting",
            ),
            ("sad mood", "bittersweet mood", "neutral mood", "happy mood", "joyful mood"),
        ),
        Scale(
            "acousticness",
            (10, 35, 65),
            ("electronic and synth-produced", "mostly produced", "partly acoustic", "acoustic and unplugged"),
            ("electronic", "mostly produced", "partly acoustic", "very acoustic"),
            piled=True,
        ),
        Scale(
            "speechiness",
            (10, 25),
            ("sung", "with some rap verses", "rap-heavy with spoken vocals"),
            ("sung", "some rap", "rap-heavy"),
            piled=True,
        ),
        Scale(
            "liveness",
            (30, 60),
            ("a studio recording", "a recording with some crowd sound", "a live recording from a concert"),
            ("studio recording", "some crowd sound", "live recording"),
            piled=True,
        ),
        Scale(
            "loudness",
            (-10, -6),
            ("quiet and soft", "moderately loud", "loud"),
            ("quiet", "moderately loud", "loud"),
        ),
        Scale(
            "length",
            (150, 240, 300),
            ("short", "of average length", "long", "very long"),
            ("short", "average length", "long", "very long"),
        ),
        Scale(
            "popularity",
            (50, 70),
            ("an underground, lesser-known track", "a moderately popular track", "a very popular, chart-topping hit"),
            ("lesser-known", "fairly popular", "a big hit"),
        ),
        Scale(
            "instrumentalness",
            (10, 50),
            (
                "with vocals",
                "mostly instrumental with few vocals",
                "instrumental with no vocals, good for studying and focus",
            ),
            ("with vocals", "few vocals", "instrumental"),
        ),
        Scale("mode", (0.5,), ("in a minor key", "in a major key"), ("minor key", "major key")),
        Scale(
            "explicit",
            (0.5,),
            ("clean, with no explicit lyrics and family friendly", "explicit, with explicit lyrics"),
            ("clean", "explicit"),
        ),
    )
}

# How much each feature counts when two songs are compared by sound (/similar, "songs like X"): mood, energy,
# groove and production make two songs sound alike; chart popularity, length and crowd noise barely do.
SOUND_WEIGHTS: dict[str, float] = {
    "bpm": 1.0,
    "energy": 1.5,
    "danceability": 1.2,
    "loudness": 0.7,
    "liveness": 0.3,
    "valence": 1.5,
    "length": 0.3,
    "acousticness": 1.2,
    "speechiness": 1.0,
    "popularity": 0.3,
    "instrumentalness": 1.0,
    "mode": 0.5,
    "explicit": 0.3,
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


def feature_phrase(feature: str, value: float) -> str:
    """A feature in a member's words, with the number only where it means something to them:
    "slow, 82 BPM", "3:35 long", "very acoustic", "sad mood"."""
    scale = SCALES[feature]
    word = scale.card[scale.band(value)]
    if feature == "bpm":
        return f"{word}, {value:.0f} BPM"
    if feature == "length":
        return f"{int(value) // 60}:{int(value) % 60:02d} long"
    return word
