"""Reading a request: which artists, years, genres and sound it asks for, from the catalog's own vocabulary.

The words are data (``FEATURE_TERMS`` and ``GENRE_TERMS`` below); the code only finds them.
Named entities become filters, feature words become ranking terms, and whatever is left
is carried by the embedding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .songs import Song


@dataclass(frozen=True, slots=True)
class Wish:
    """A wish about one feature: ``high``/``low`` rank by it; ``min``/``max`` bound it; ``near`` aims at a value."""

    feature: str
    kind: str
    label: str
    value: float = 0.0


# (pattern, wishes): each pattern is a regular expression matched on word boundaries in the
# lowercased request. A "not"/"no"/"without"/"less" just before a term turns high into low and back.
FEATURE_TERMS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    (r"instrumentals?|no vocals|without vocals|no lyrics|without lyrics|vocal-?less|(?:music |songs? )?for "
     r"(?:studying|study|focus(?:ing)?|concentrat(?:ion|ing)|reading|coding)|study(?:ing)? music|focus music",
     (("instrumentalness", "high", "instrumental"),)),
    # "clean" is a bound (explicit at most 0): it must keep every explicit song out, not just rank them lower.
    (r"clean(?: versions?| lyrics| songs?| tracks?)?|no explicit(?: lyrics| content| songs?)?|non-?explicit|"
     r"not explicit|family[- ]friendly|kid[- ]friendly|for kids|child[- ]friendly|radio[- ]edits?|"
     r"no (?:swearing|cursing|profanity)|without (?:swearing|cursing|profanity|explicit lyrics)|profanity[- ]free",
     (("explicit", "max", "clean"),)),
    (r"explicit(?: lyrics| content)?|uncensored|nsfw|swearing|cursing",
     (("explicit", "high", "explicit"),)),
    (r"with vocals|vocals|vocal|singing",
     (("instrumentalness", "low", "with vocals"),)),
    (r"minor[- ]key|in (?:a )?minor(?: key)?|minor chords?",
     (("mode", "low", "minor key"),)),
    (r"major[- ]key|in (?:a )?major(?: key)?|major chords?",
     (("mode", "high", "major key"),)),
    (r"chill(?:ed|y|out)?|laid[- ]back|relax(?:ing|ed)?|mellow|calm(?:er|ing)?|sooth(?:ing|e)|peaceful|gentle|"
     r"low[- ]energy|sleepy|sleep|lounge|unwind|wind(?:ing)? down|cozy|easy[- ]going|serene|tranquil",
     (("energy", "low", "calm"),)),
    (r"energetic|high[- ]energy|hype[d]?|pump(?:ed)?[- ]up|intense|workout|gym|running|banger[s]?|adrenaline|"
     r"more energy|lively|powerful",
     (("energy", "high", "energetic"),)),
    (r"up-?beat|more upbeat",
     (("energy", "high", "energetic"), ("valence", "high", "upbeat mood"))),
    (r"part(?:y|ies)|club(?:bing)?",
     (("danceability", "high", "danceable"), ("energy", "high", "energetic"))),
    (r"sad(?:der)?|melanchol(?:y|ic)|depress(?:ing|ed)|heartbr(?:eak|oken)|cry(?:ing)?|tear[- ]?jerker[s]?|"
     r"gloomy|somber|sombre|blue|lonely|emotional|bittersweet",
     (("valence", "low", "sad"),)),
    (r"dark(?:er)?|moody|brooding|angsty",
     (("valence", "low", "dark mood"),)),
    (r"happ(?:y|ier)|cheerful|joyful|feel[- ]?good|uplifting|sunny|positive|bright|cheery|fun|good vibes",
     (("valence", "high", "happy"),)),
    (r"danceable|dance(?:s|y)?|dancing|groov(?:y|e)|dance ?floor",
     (("danceability", "high", "danceable"),)),
    (r"acoustic|unplugged|stripped(?:[- ]down)?|more acoustic",
     (("acousticness", "high", "acoustic"),)),
    (r"electronic|synth(?:y|s)?|synthesi[sz]ed",
     (("acousticness", "low", "electronic"),)),
    (r"live|concert|live recording[s]?|crowd",
     (("liveness", "high", "live"),)),
    (r"rap[- ]heavy|rapping|rapped|spoken(?: word)?|lots of rap|wordy|bars|verses",
     (("speechiness", "high", "rap-heavy"),)),
    (r"rap",
     (("speechiness", "high", "rap"),)),
    (r"loud(?:er)?|blasting|noisy",
     (("loudness", "high", "loud"),)),
    (r"quiet(?:er)?|soft(?:er)?|hushed|whisper(?:y|ing)?",
     (("loudness", "low", "quiet"),)),
    (r"fast(?:er)?|quick tempo|high[- ]tempo|high bpm|speedy|up-?tempo|rapid",
     (("bpm", "high", "fast"),)),
    (r"slow(?:er)?|slow[- ]tempo|low bpm|ballad[s]?|down-?tempo",
     (("bpm", "low", "slow"),)),
    (r"popular|hits?|chart[- ]?top(?:ping|pers?)|mainstream|famous|well[- ]known|biggest|smash(?:es)?",
     (("popularity", "high", "popular"),)),
    (r"underground|obscure|lesser[- ]known|deep cuts?|hidden gems?|unknown|niche|underrated",
     (("popularity", "low", "lesser-known"),)),
    (r"long(?:er)? (?:songs?|tracks?|ones)|lengthy",
     (("length", "high", "long"),)),
    (r"short(?:er)? (?:songs?|tracks?|ones)|quick (?:songs?|tracks?)",
     (("length", "low", "short"),)),
)
NEGATION = r"(?:not|no|non|without|nothing|never|less|isn'?t|aren'?t|don'?t want|avoid|zero)(?:[- ](?:too|very|so|that|really|a|any))*[- ]"

# Genre words people type -> substrings of catalog genres that belong to that family.
GENRE_TERMS: dict[str, tuple[str, ...]] = {
    r"k-?pop": ("k-pop", "korean"),
    r"hip[- ]?hop|rap(?:per[s]?| music| songs?| tracks?)|trap": ("hip hop", "rap", "trap"),
    r"edm|electronic dance|house(?: music)?|big room|dubstep|brostep|techno|trance": (
        "edm", "house", "big room", "brostep", "dubstep", "complextro", "techno", "trance", "electronic trap", "electro",
    ),
    r"latin[oa]?|reggaeton|spanish": ("latin", "reggaeton", "colombian", "spanish", "puerto rican", "cubaton"),
    r"soul(?:ful)?": ("soul",),
    r"r&b|rnb|r and b": ("r&b",),
    r"funk(?:y)?": ("funk",),
    r"rock|indie|alternative|alt": ("rock", "indie", "permanent wave", "alternative", "escape room"),
    r"country|folk|americana": ("country", "folk"),
    r"boy ?bands?": ("boy band",),
    r"pop": ("pop",),
}
# Places that name a scene in catalog genres ("canadian pop", "atl hip hop"): "canadian artists" means those genres.
GENRE_PLACES = (
    "canadian", "british", "australian", "barbadian", "colombian", "detroit", "atl", "chicago", "belgian", "danish",
    "french", "irish", "moroccan", "alaska", "celtic", "uk", "korean", "swedish", "italian", "german", "puerto rican",
    "mexican", "brazilian", "dutch", "norwegian", "nigerian", "jamaican",
)

YEAR = r"((?:19|20)\d\d)"
ERA_PARTS = {"early": (0, 3), "mid": (3, 6), "late": (7, 9)}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
# Artist names that are everyday words match only as "by NAME" or when capitalized as in the catalog.
COMMON_WORD_ARTISTS = {"train", "jewel", "passenger", "fun", "magic", "disclosure", "birdy", "usher"}


@dataclass(slots=True)
class Intent:
    """What a request asks for. Empty fields mean "no preference"."""

    text: str
    artists: set[str] = field(default_factory=set)
    years: set[int] | None = None
    year_label: str = ""
    genre_keys: tuple[str, ...] = ()
    genre_label: str = ""
    wishes: list[Wish] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return bool(self.artists or self.years is not None or self.genre_keys or self.bounds)

    @property
    def bounds(self) -> list[Wish]:
        return [w for w in self.wishes if w.kind in ("min", "max")]

    def describe(self) -> list[str]:
        """Short phrases for what was understood, e.g. ["artist: Adele", "year 2015", "acoustic"]."""
        parts = [f"artist: {a}" for a in sorted(self.artists)]
        if self.year_label:
            parts.append(self.year_label)
        if self.genre_label:
            parts.append(f"genre: {self.genre_label}")
        parts += list(dict.fromkeys(w.label for w in self.wishes))
        return parts


def _normalize(text: str) -> str:
    return " ".join(re.sub(r"[^\w&'+:.-]+", " ", text.lower()).split())


def _artist_key(name: str) -> str:
    """Lowercase, no punctuation, no leading "the", digits for number words ("maroon five" is "maroon 5")."""
    key = re.sub(r"[^\w\s&]", "", name.lower())
    key = re.sub(r"^the ", "", key)
    return " ".join(str(NUMBER_WORDS.get(word, word)) for word in key.split())


class IntentParser:
    """Parses requests against one catalog's artists and genres."""

    def __init__(self, songs: Sequence[Song]) -> None:
        # Every credited artist ("feat." guests too), so each one is findable by name.
        self.artists = sorted({a for s in songs for a in s.artists}, key=len, reverse=True)
        self.artist_keys = {name: _artist_key(name) for name in self.artists}
        self.names_by_key: dict[str, list[str]] = {}
        for name, key in self.artist_keys.items():
            if key:
                self.names_by_key.setdefault(key, []).append(name)
        # Artist names that are everyday words are matched apart, only when clearly meant as names.
        self.common_word_keys = {k: v for k, v in self.names_by_key.items() if k in COMMON_WORD_ARTISTS}
        self.keys_by_size: dict[int, list[str]] = {}
        for key in self.names_by_key:
            if key not in COMMON_WORD_ARTISTS:
                self.keys_by_size.setdefault(len(key.split()), []).append(key)
        # A distinctive surname alone ("bieber", "sheeran") names a "First Last" artist when no other shares it;
        # longer names end in ordinary words ("5 Seconds of Summer").
        last = [key.split()[-1] for key in self.artist_keys.values() if len(key.split()) == 2]
        self.surnames = {
            name: key.split()[-1]
            for name, key in self.artist_keys.items()
            if len(key.split()) == 2 and len(key.split()[-1]) >= 5 and last.count(key.split()[-1]) == 1
        }
        self.genres = sorted({g for s in songs for g in s.genres if len(g.split()) >= 2}, key=len, reverse=True)

    def parse(self, text: str) -> Intent:
        lowered = _normalize(text)
        intent = Intent(text=text)
        intent.artists = self._artists(text, lowered)
        self._years(lowered, intent)
        self._genres(lowered, intent)
        intent.wishes = _numeric_wishes(lowered) + _word_wishes(lowered, intent.genre_keys)
        return intent

    def _artists(self, raw: str, lowered: str) -> set[str]:
        tokens = lowered.replace("'s ", " ").split()
        found: set[str] = set()
        # Each word run of the request is keyed once and compared with every artist key of its length
        # in one rapidfuzz call: this runs on every request, so it must not loop over artists in Python.
        for size, keys in self.keys_by_size.items():
            grams = {_artist_key(" ".join(tokens[i : i + size]).strip(".,!?")) for i in range(len(tokens) - size + 1)}
            for gram in grams:
                for key, score, _ in process.extract(gram, keys, scorer=fuzz.ratio, score_cutoff=85, limit=None):
                    if score >= 100 or len(key) > 4:
                        found.update(self.names_by_key[key])
        for key, names in self.common_word_keys.items():
            for name in names:
                if re.search(rf"\bby {re.escape(key)}\b", lowered) or re.search(rf"\b{re.escape(name)}\b", raw):
                    found.add(name)
        found.update(name for name, surname in self.surnames.items() if surname in tokens)
        # "Selena Gomez" also means "Selena Gomez & The Scene": keep every catalog artist that extends a match.
        extended = {a for a in self.artists for f in found if a != f and self.artist_keys[a].startswith(self.artist_keys[f] + " ")}
        return found | extended

    def _years(self, lowered: str, intent: Intent) -> None:
        rules: Iterable[tuple[str, object]] = (
            (rf"(?:between|from) {YEAR} (?:and|to|-) {YEAR}", lambda m: (int(m[1]), int(m[2]))),
            (rf"{YEAR} ?(?:-|–|to|through) ?{YEAR}", lambda m: (int(m[1]), int(m[2]))),
            (rf"(?:before|earlier than|prior to|pre-?|older than) {YEAR}", lambda m: (1900, int(m[1]) - 1)),
            (rf"(?:until|up to|through) {YEAR}", lambda m: (1900, int(m[1]))),
            (rf"(?:after|later than|post-?|newer than) {YEAR}", lambda m: (int(m[1]) + 1, 2100)),
            (rf"(?:since|from|starting) {YEAR} (?:on(?:wards?)?|and later|or later)", lambda m: (int(m[1]), 2100)),
            (rf"since {YEAR}", lambda m: (int(m[1]), 2100)),
            (r"(early|mid|late)[- ]?(?:(19|20)?(\d)0'?s)", _era),
            (r"\b((?:19|20)\d)0'?s", lambda m: (int(m[1]) * 10, int(m[1]) * 10 + 9)),
        )
        for pattern, to_range in rules:
            match = re.search(rf"\b{pattern}", lowered)
            if match:
                low, high = to_range(match)  # type: ignore[operator]
                intent.years = set(range(min(low, high), max(low, high) + 1))
                intent.year_label = _year_label(match.group(0))
                return
        years = {int(y) for y in re.findall(rf"\b{YEAR}\b", lowered)}
        if years:
            intent.years = years
            intent.year_label = "year " + " or ".join(str(y) for y in sorted(years))

    def _genres(self, lowered: str, intent: Intent) -> None:
        for genre in self.genres:
            if re.search(rf"\b{re.escape(genre)}\b", lowered):
                intent.genre_keys, intent.genre_label = (genre,), genre
                return
        for pattern, keys in GENRE_TERMS.items():
            match = re.search(rf"\b(?:{pattern})\b", lowered)
            if match and not re.search(rf"\b{NEGATION}(?:{pattern})\b", lowered):
                intent.genre_keys, intent.genre_label = keys, match.group(0)
                return
        for place in GENRE_PLACES:
            if re.search(rf"\b{place}\b", lowered):
                intent.genre_keys, intent.genre_label = (place,), place
                return


def _era(match: re.Match[str]) -> tuple[int, int]:
    century = int(match[2]) * 100 if match[2] else 2000
    decade = century + int(match[3]) * 10
    low, high = ERA_PARTS[match[1]]
    return decade + low, decade + high


def _year_label(phrase: str) -> str:
    return phrase if phrase[0].isalpha() else f"years {phrase}"


def _minutes(text: str) -> float | None:
    """'3:30' -> 210, 'four minutes' -> 240, '3.5 min' -> 210, 'three and a half minutes' -> 210."""
    if match := re.fullmatch(r"(\d+):(\d\d)", text):
        return int(match[1]) * 60 + int(match[2])
    if match := re.fullmatch(r"(\d+(?:\.\d+)?|\w+)( and a half)? ?(?:minutes?|mins?|m)", text):
        number = NUMBER_WORDS.get(match[1]) or (float(match[1]) if re.fullmatch(r"\d+(?:\.\d+)?", match[1]) else None)
        if number is None:
            return None
        return (number + (0.5 if match[2] else 0)) * 60
    return None


DURATION = r"(\d+:\d\d|(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten)(?: and a half)? ?(?:minutes?|mins?|m)\b)"
LESS = r"(?:shorter than|less than|under|below|at most|no longer than|max(?:imum)?|up to|within)"
MORE = r"(?:longer than|more than|over|above|at least|min(?:imum)?|exceeding)"


def _numeric_wishes(lowered: str) -> list[Wish]:
    wishes = []
    for match in re.finditer(rf"\b{LESS} {DURATION}", lowered):
        if (seconds := _minutes(match[1])) is not None:
            wishes.append(Wish("length", "max", f"under {match[1]}", seconds))
    for match in re.finditer(rf"\b{MORE} {DURATION}", lowered):
        if (seconds := _minutes(match[1])) is not None:
            wishes.append(Wish("length", "min", f"over {match[1]}", seconds))
    for match in re.finditer(r"\b(?:(above|over|faster than|more than|at least)|(below|under|slower than|less than|at most))? ?"
                             r"(?:about|around|near|roughly|approximately|close to|~)? ?(\d{2,3}) ?bpm\b", lowered):
        bpm = float(match[3])
        if match[1]:
            wishes.append(Wish("bpm", "min", f"over {bpm:.0f} BPM", bpm))
        elif match[2]:
            wishes.append(Wish("bpm", "max", f"under {bpm:.0f} BPM", bpm))
        else:
            wishes.append(Wish("bpm", "near", f"about {bpm:.0f} BPM", bpm))
    return wishes


def _word_wishes(lowered: str, genre_keys: tuple[str, ...]) -> list[Wish]:
    """Feature wishes from words, each term once, longest phrases first so "rap-heavy" is not read as "rap"."""
    wishes: list[Wish] = []
    taken: list[tuple[int, int]] = []
    for pattern, terms in FEATURE_TERMS:
        for match in re.finditer(rf"\b(?P<neg>{NEGATION})?(?:{pattern})\b", lowered):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            # "rap" that named the genre already ("rap songs") is not also a wish about vocals.
            if "rap" in terms[0][2] and genre_keys and "rap" in genre_keys and not match.group(0).startswith("rap-"):
                continue
            taken.append(span)
            negated = bool(match.group("neg"))
            for feature, kind, label in terms:
                if negated:
                    kind = "low" if kind == "high" else "high"
                    label = f"not {label}"
                wishes.append(Wish(feature, kind, label))
    return wishes
