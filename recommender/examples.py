"""Example requests of every kind the library understands, built from the vocabulary and the catalog.

``/help`` and the README show these, so an example never names a word the parser has dropped, a
genre the catalog lacks or an artist it does not have: they are made from the same tables that
read requests, and the tests check that the parser understands each one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .songs import Song
from .vocabulary import CONCEPTS, GENRES, SCALES


def example_requests(songs: Sequence[Song]) -> dict[str, tuple[str, ...]]:
    """Kind of request -> two or three examples, e.g. {"tempo": ("slow songs", "over 120 BPM"), ...}."""
    card = {feature: scale.card for feature, scale in SCALES.items()}
    sad, happy = card["valence"][0].split()[0], card["valence"][3].split()[0]
    calm, energetic = card["energy"][0], card["energy"][2]
    slow, fast = card["bpm"][1], card["bpm"][4]
    acoustic = card["acousticness"][-1].split()[-1]
    tempo = SCALES["bpm"].bounds[len(SCALES["bpm"].bounds) // 2]
    activities = [concept.name for concept in CONCEPTS if concept.wishes][:3]
    kinds: dict[str, tuple[str, ...]] = {
        "mood": (f"{sad} songs", f"something {happy}", f"anything but {sad}"),
        "activity": tuple(f"{name} playlist" for name in activities),
        "energy": (f"{calm} evening", f"{energetic} workout"),
        "tempo": (f"{slow} songs", f"over {tempo:.0f} BPM", "under 3:30"),
        "sound": (f"{acoustic} songs", f"{fast} {acoustic} songs"),
    }
    years = sorted({year for song in songs for year in song.years})
    if years:
        middle = years[len(years) // 2]
        kinds["era"] = (f"songs from {middle}", f"songs from the {middle // 10 * 10}s")
    labels = {genre.lower() for song in songs for genre in song.genres}
    present = [g for g in GENRES if any(g.holds(label) for label in labels)]
    if present:
        kinds["genre"] = (f"{present[0].name} songs", f"not {present[min(1, len(present) - 1)].name}, something {calm}")
    artists = Counter(song.artist for song in songs)
    if artists:
        [(artist, _)] = artists.most_common(1)
        kinds["artist"] = (f"songs by {artist}", f"{happy} songs but not {artist}")
        top = max(songs, key=lambda s: (s.features.popularity or 0) if s.features else 0)
        kinds["like a song"] = (f"songs like {top.title}", f"like {top.title} but {slow}er")
        if years:
            kinds["together"] = (f"{slow} {acoustic} songs from {years[len(years) // 2]}", f"{happy} {artist} songs")
    return kinds
