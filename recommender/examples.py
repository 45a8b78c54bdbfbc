"""Example requests of every kind the library understands, built from the vocabulary and the catalog.

``/help`` and the README show these, so an example never names a word the parser has dropped, a
genre the catalog lacks or an artist it does not have: they are made from the same tables that
describe songs, and the tests check that the parser understands each one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .songs import Song
from .vocabulary import CARD_WORDS, GENRE_FAMILIES, SCALES, genre_families


def example_requests(songs: Sequence[Song]) -> dict[str, tuple[str, ...]]:
    """Kind of request -> two or three examples, e.g. {"tempo": ("slow songs", "fast songs", "about 115 BPM"), ...}."""
    sad, happy = _first_word(CARD_WORDS["valence"][0]), _first_word(CARD_WORDS["valence"][3])
    calm, energetic = CARD_WORDS["energy"][0], CARD_WORDS["energy"][2]
    slow, fast = CARD_WORDS["bpm"][1], CARD_WORDS["bpm"][4]
    acoustic = CARD_WORDS["acousticness"][-1].split()[-1]
    electronic = CARD_WORDS["acousticness"][0]
    tempo = SCALES["bpm"].bounds[len(SCALES["bpm"].bounds) // 2]
    kinds: dict[str, tuple[str, ...]] = {
        "mood": (f"{sad} songs", f"something {happy}"),
        "energy": (f"{calm} evening", f"{energetic} workout"),
        "tempo": (f"{slow} songs", f"{fast} songs", f"about {tempo:.0f} BPM"),
        "sound": (f"{acoustic} songs", f"{electronic} songs"),
    }
    years = sorted({year for song in songs for year in song.years})
    if years:
        middle = years[len(years) // 2]
        kinds["era"] = (f"songs from {middle}", f"songs from the {middle // 10 * 10}s")
    families = Counter(family for song in songs for genre in song.genres for family in genre_families(genre))
    present = [family for family in GENRE_FAMILIES if families[family]]
    if present:
        kinds["genre"] = tuple(GENRE_FAMILIES[family][0] for family in present[:3])
    artists = Counter(song.artist for song in songs)
    if artists:
        [(artist, _)] = artists.most_common(1)
        kinds["artist"] = (f"songs by {artist}",)
        if years:
            kinds["together"] = (f"{slow} {acoustic} songs from {years[len(years) // 2]}", f"{happy} {artist} songs")
    return kinds


def _first_word(phrase: str) -> str:
    return phrase.split()[0]
