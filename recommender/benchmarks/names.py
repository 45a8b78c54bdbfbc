"""Synthetic artist names and requests that read like real ones, for catalogs far larger than any shipped.

Names are built from syllables and a few shapes real catalogs have ("First Last", one word, "The
Adjective Nouns", "DJ Name", "A & The Bs", three-word names), so a lookup meets single and multi-word
names, shared first names and surnames, and everyday words inside band names, as over a real
100,000-artist catalog. Requests mix artist names (exact, misspelt, several, excluded) with the
plain mood, era and feature text most requests are.
"""

from __future__ import annotations

import random

FIRST = [
    "Maya",
    "Leo",
    "Ava",
    "Noah",
    "Zoe",
    "Eli",
    "Nora",
    "Kai",
    "Luna",
    "Omar",
    "Ines",
    "Theo",
    "Mila",
    "Ezra",
    "Ruby",
    "Jonah",
    "Iris",
    "Felix",
    "Cleo",
    "Milo",
    "Sade",
    "Rafael",
    "Hana",
    "Tobias",
    "Aria",
    "Dante",
    "Esme",
    "Jude",
    "Lena",
    "Marco",
    "Nina",
    "Oscar",
    "Priya",
    "Quinn",
    "Rosa",
    "Silas",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Yara",
    "Zane",
    "Amara",
    "Bruno",
    "Celine",
    "Diego",
    "Elena",
    "Farah",
    "Gus",
    "Hugo",
    "Ivy",
    "Jasper",
    "Kira",
    "Lucas",
    "Mira",
    "Nico",
    "Olive",
    "Paulo",
    "Rhea",
    "Sami",
    "Talia",
]
SYLLABLES = [
    "ka",
    "lo",
    "ri",
    "ven",
    "ta",
    "mor",
    "sel",
    "an",
    "dri",
    "vo",
    "le",
    "na",
    "tho",
    "rin",
    "cas",
    "bel",
    "mar",
    "ko",
    "sa",
    "dem",
    "ul",
    "fi",
    "zor",
    "pen",
    "ga",
    "wel",
    "bri",
    "stan",
    "ley",
    "ford",
    "ham",
    "ton",
    "ber",
    "gen",
    "ros",
    "li",
    "ma",
    "ca",
    "dor",
    "vin",
    "ette",
    "son",
    "ra",
    "ny",
    "qui",
    "ber",
    "ald",
    "wyn",
    "sha",
    "ko",
    "mi",
    "ro",
    "lan",
    "dis",
    "tel",
]
ADJECTIVES = [
    "Velvet",
    "Electric",
    "Golden",
    "Silent",
    "Neon",
    "Midnight",
    "Wild",
    "Paper",
    "Crystal",
    "Hollow",
    "Crimson",
    "Lucky",
    "Broken",
    "Bright",
    "Lonely",
    "Silver",
    "Northern",
    "Glass",
    "Honey",
    "Rusty",
    "Lunar",
    "Static",
    "Gentle",
    "Frozen",
    "Burning",
    "Distant",
]
NOUNS = [
    "Rivers",
    "Harbors",
    "Wolves",
    "Echoes",
    "Lights",
    "Foxes",
    "Ghosts",
    "Kings",
    "Sparrows",
    "Tides",
    "Engines",
    "Roses",
    "Signals",
    "Pilots",
    "Shadows",
    "Mountains",
    "Satellites",
    "Anchors",
    "Lanterns",
    "Arrows",
    "Dreamers",
    "Strangers",
    "Horses",
    "Giants",
]
MOODS = (
    "chill songs for a rainy evening",
    "upbeat workout music from 2015",
    "sad acoustic breakup songs",
    "instrumental music for studying",
    "clean party songs",
    "energetic songs over 140 bpm",
    "something calm to fall asleep to",
    "happy summer road trip songs",
    "dark moody songs in a minor key",
    "danceable pop from the late 2010s",
    "slow romantic songs for a dinner date",
    "loud angry songs under 3 minutes",
)


def _word(rng: random.Random, low: int = 2, high: int = 3) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(low, high))).capitalize()


def _name(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.45:
        return f"{rng.choice(FIRST)} {_word(rng)}"
    if shape < 0.60:
        return _word(rng, 2, 4)
    if shape < 0.75:
        return f"The {rng.choice(ADJECTIVES)} {_word(rng, 1, 2)} {rng.choice(NOUNS)}"
    if shape < 0.85:
        return f"{rng.choice(('DJ', 'Lil', 'MC', 'Young'))} {_word(rng)}"
    if shape < 0.95:
        return f"{_word(rng)} & The {rng.choice(NOUNS)}"
    return f"{rng.choice(FIRST)} {rng.choice(FIRST)} {_word(rng)}"


def artist_names(count: int, seed: int = 11) -> list[str]:
    """``count`` distinct artist names, the same for the same seed."""
    rng = random.Random(seed)
    names: dict[str, None] = {}
    while len(names) < count:
        names.setdefault(_name(rng))
    return list(names)


def _misspelt(rng: random.Random, name: str) -> str:
    """One letter dropped from a long word, as people type a name they half remember."""
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) >= 6:
        cut = rng.randrange(1, len(word) - 1)
        words[longest] = word[:cut] + word[cut + 1 :]
    return " ".join(words)


def requests(names: list[str], count: int, seed: int = 5) -> list[str]:
    """``count`` requests: a third plain mood text, the rest naming one or two of ``names`` in the ways people do."""
    rng = random.Random(seed)
    out = []
    for number in range(count):
        name, other, mood = rng.choice(names), rng.choice(names), MOODS[number % len(MOODS)]
        shape = number % 6
        if shape in (0, 1):
            out.append(mood)
        elif shape == 2:
            out.append(f"songs by {name}")
        elif shape == 3:
            out.append(f"{name.lower()} but calmer, from 2014")
        elif shape == 4:
            out.append(f"something like {name} and {other}, not too sad")
        else:
            out.append(f"{_misspelt(rng, name)} {mood}, no {other}")
    return out
