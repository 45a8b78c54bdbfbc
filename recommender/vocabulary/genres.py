"""Genres: one table that names them in song descriptions, finds them in requests and judges catalog labels.

A catalog genre label belongs to a ``Genre`` when it contains one of the genre's ``labels`` as
whole words ("detroit hip hop" is hip hop; "electropop" is not "electro"). A song's description
names the families of its labels, a request's genre words become a filter over the same labels,
and a genre no catalog label belongs to is reported as missing (its ``sound`` then stands in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Genre:
    """``name`` on cards and notes; ``family`` in descriptions; ``typed`` matches request words (a regex);
    ``sound`` is what the genre sounds like, as (feature, "high" | "low") wishes, for catalogs without it."""

    name: str
    family: str
    typed: str
    labels: tuple[str, ...]
    sound: tuple[tuple[str, str], ...] = ()

    def holds(self, label: str) -> bool:
        """Whether the catalog genre ``label`` belongs to this genre."""
        return _labels_pattern(self.labels).search(label.lower()) is not None


GENRES: tuple[Genre, ...] = (
    Genre("k-pop", "pop", r"k-?pop|korean pop", ("k-pop", "korean"), (("danceability", "high"), ("energy", "high"))),
    Genre(
        "hip hop",
        "hip hop and rap",
        r"hip[- ]?hop|rap(?:per[s]?| music| songs?| tracks?)|trap(?: music)?|drill|grime",
        ("hip hop", "rap", "trap", "grime", "drill"),
        (("speechiness", "high"),),
    ),
    Genre(
        "EDM",
        "dance and EDM",
        r"edm|electronic(?: dance)?(?: music)?|electronica|house(?: music)?|big room|dubstep|brostep|techno|"
        # A festival in a pop chart's world is a dance festival: big-room drops.
        r"trance|raves?|festivals?(?: season)?|(?:bass |beat |big |huge |massive |sick |hard |heavy )?drops|"
        r"(?:bass|beat|big|huge|massive|sick|hard|heavy) drop|the drop|dj sets?",
        (
            "edm",
            "house",
            "big room",
            "brostep",
            "dubstep",
            "complextro",
            "techno",
            "trance",
            "electronic trap",
            "electro",
            "tropical",
            "electropop",  # pop made as dance music (The Chainsmokers): both families
        ),
        (("acousticness", "low"), ("danceability", "high")),
    ),
    Genre(
        "latin",
        "latin",
        r"latin[oa]?|reggaeton|spanish|salsa|bachata",
        ("latin", "reggaeton", "colombian", "spanish", "puerto rican", "cubaton", "mexican"),
        (("danceability", "high"),),
    ),
    Genre("soul", "R&B and soul", r"soul(?:ful)?", ("soul",), (("acousticness", "high"),)),
    Genre("r&b", "R&B and soul", r"r&b|rnb|r and b|r ?n ?b", ("r&b",), (("danceability", "high"),)),
    # "In a funk", "out of this funk" is a low mood, not the genre.
    Genre(
        "funk",
        "R&B and soul",
        r"(?<!in a )(?<!this )(?<!my )funk(?:y)?",
        ("funk",),
        (("danceability", "high"), ("valence", "high")),
    ),
    Genre(
        "rock",
        "rock and indie",
        r"rock|indie|alternative|alt",
        ("rock", "indie", "permanent wave", "alternative", "escape room", "garage", "punk", "metal"),
        (("acousticness", "low"), ("energy", "high")),
    ),
    Genre(
        "country",
        "country and folk",
        r"country|folk|americana|singer[- ]songwriter",
        ("country", "folk", "americana", "singer-songwriter", "mellow"),
        (("acousticness", "high"),),
    ),
    Genre("boy band", "pop", r"boy ?bands?", ("boy band",), (("valence", "high"),)),
    # Electropop and synthpop are pop made with synthesizers: a whole-word "pop" misses them.
    Genre("pop", "pop", r"pop", ("pop", "boy band", "electropop", "synthpop"), (("valence", "high"),)),
    # Genres a pop-chart catalog may well lack: they are recognised so that a request for them is
    # told so, and answered by their sound instead of by title words.
    Genre(
        "jazz",
        "jazz",
        r"jazz(?:y)?|swing|bebop|smooth jazz",
        ("jazz", "bebop", "swing"),
        (("acousticness", "high"), ("energy", "low")),
    ),
    Genre(
        "classical",
        "classical",
        r"classical|orchestra(?:l)?|symphon(?:y|ic)|piano pieces?|opera",
        ("classical", "orchestra", "opera", "romantic era"),
        (("acousticness", "high"), ("energy", "low"), ("speechiness", "low")),
    ),
    Genre(
        "metal",
        "metal",
        r"(?:heavy |death |black |nu[- ]?)?metal|metalcore|hardcore|screamo",
        ("metal", "metalcore", "hardcore"),
        (("energy", "high"), ("loudness", "high"), ("acousticness", "low")),
    ),
    Genre("punk", "rock and indie", r"punk|pop[- ]punk", ("punk",), (("energy", "high"), ("loudness", "high"))),
    Genre("blues", "blues", r"blues(?:y)?", ("blues",), (("acousticness", "high"), ("valence", "low"))),
    Genre("reggae", "reggae", r"reggae|dancehall|ska", ("reggae", "dancehall", "ska"), (("danceability", "high"),)),
    Genre(
        "gospel", "gospel", r"gospel|worship|christian", ("gospel", "worship", "christian"), (("acousticness", "high"),)
    ),
    Genre("disco", "disco", r"disco", ("disco",), (("danceability", "high"), ("valence", "high"))),
    Genre(
        "lo-fi",
        "lo-fi",
        r"lo-?fi|lofi(?: beats)?|chillhop",
        ("lo-fi", "lofi", "chillhop"),
        (("energy", "low"), ("loudness", "low")),
    ),
    Genre(
        "j-pop",
        "j-pop",
        r"j-?pop|anime(?: openings?| songs?| music| soundtracks?)?|japanese(?: music| songs)?",
        ("j-pop", "anime", "japanese"),
        (("energy", "high"), ("valence", "high")),
    ),
    Genre(
        "bollywood",
        "bollywood",
        r"bollywood|desi|hindi|punjabi|bhangra",
        ("bollywood", "desi", "hindi", "filmi", "punjabi", "bhangra"),
        (("danceability", "high"),),
    ),
    Genre(
        "afrobeats",
        "afrobeats",
        r"afro-?beats?|afro-?pop|amapiano",
        ("afrobeat", "afropop", "afro", "amapiano"),
        (("danceability", "high"), ("valence", "high")),
    ),
    Genre(
        "christmas",
        "christmas",
        r"christmas|xmas|holiday songs?|festive",
        ("christmas", "holiday"),
        (("valence", "high"), ("acousticness", "high")),
    ),
)

# Places that name a scene in catalog genres ("canadian pop", "atl hip hop"): "canadian artists" means those.
PLACES: tuple[str, ...] = (
    "canadian",
    "british",
    "australian",
    "barbadian",
    "colombian",
    "detroit",
    "atl",
    "chicago",
    "belgian",
    "danish",
    "french",
    "irish",
    "moroccan",
    "alaska",
    "celtic",
    "uk",
    "korean",
    "swedish",
    "italian",
    "german",
    "puerto rican",
    "mexican",
    "brazilian",
    "dutch",
    "norwegian",
    "nigerian",
    "jamaican",
)


@cache
def _labels_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(label) for label in labels) + r")\b")


@cache
def genre_families(label: str) -> tuple[str, ...]:
    """The description families a catalog genre label belongs to, in table order, each once.

    Cached: every /similar request asks it of each distinct label in the catalog, and a build of every song's.
    """
    return tuple(dict.fromkeys(genre.family for genre in GENRES if genre.holds(label)))


@cache
def genre_names(label: str) -> tuple[str, ...]:
    """The table's genres a catalog genre label belongs to: "british soul" -> ("soul",). Finer than its
    families: soul, R&B and funk are one family for widening a filter, three sounds for "songs like X"."""
    return tuple(dict.fromkeys(genre.name for genre in GENRES if genre.holds(label)))


@cache
def family_labels(label: str) -> tuple[str, ...]:
    """The labels of every genre in the families ``label`` belongs to: "r&b" -> r&b and soul labels."""
    families = set(genre_families(label))
    return tuple(dict.fromkeys(key for genre in GENRES if genre.family in families for key in genre.labels))
