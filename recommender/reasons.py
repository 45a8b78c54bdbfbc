"""Why a song is in an answer, in a member's words: the same scales that describe songs, never a column name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .intent import Intent, Wish
from .songs import Song
from .vocabulary import SCALES, feature_phrase, genre_families

# How close a neighbour must be to the seed song on a feature to be called alike in it, per feature.
ALIKE_WITHIN = {"energy": 12, "valence": 15, "bpm": 10, "danceability": 12, "acousticness": 15}
MAX_REASONS = 4


@dataclass(frozen=True, slots=True)
class Fit:
    """A wish and whether the song is on its side (so the reason may repeat the wish's word)."""

    wish: Wish
    fits: bool


def on_scale_side(feature: str, value: float, kind: str) -> bool:
    """Whether ``value`` lies in the upper (``high``) or lower (``low``) half of the feature's scale bands."""
    return SCALES[feature].on_side(value, kind)


def years_phrase(years: Sequence[int]) -> str:
    """ "from 2016", or every chart year of a song that charted in several: "from 2015 and 2016"."""
    listed = sorted(set(years))
    if not listed:
        return ""
    return "from " + (" and ".join(str(y) for y in listed) if len(listed) <= 3 else f"{listed[0]}–{listed[-1]}")


def _wish_reason(song: Song, label: str, fits: list[Fit]) -> str:
    assert song.features is not None
    phrases = list(dict.fromkeys(feature_phrase(f.wish.feature, getattr(song.features, f.wish.feature)) for f in fits))
    if not all(f.fits for f in fits):
        return ", ".join(phrases)
    if label in phrases or any(phrase.startswith(label) for phrase in phrases):
        return ", ".join(phrases)
    return f"{label}: {', '.join(phrases)}"


def reasons_for(intent: Intent, song: Song, fits: Sequence[Fit], relaxed: Sequence[str]) -> tuple[str, ...]:
    """A ranked song's reasons: what it matched of the request, then what was relaxed to find it."""
    reasons: list[str] = []
    if intent.artists and "artist" not in relaxed:
        # A guest the request named is the reason, not the song's main artist.
        credited = [a for a in song.artists if a in intent.artists]
        reasons.append(f"by {song.artist if song.artist in intent.artists or not credited else ', '.join(credited)}")
    if intent.years is not None and "year" not in relaxed:
        matched = [y for y in song.years if y in intent.years]
        reasons.append(years_phrase(matched or song.years))
    if intent.genre_keys and "genre" not in relaxed and song.genres:
        reasons.append(", ".join(song.genres))
    if song.features is not None:
        by_label: dict[str, list[Fit]] = {}
        for fit in fits:
            if getattr(song.features, fit.wish.feature) is not None:
                by_label.setdefault(fit.wish.label, []).append(fit)
        reasons += [_wish_reason(song, label, group) for label, group in by_label.items()]
    for name in relaxed:
        if name == "genre" and intent.genre_family_keys and "family" not in relaxed and song.genres:
            reasons.append(f"kin to {intent.genre_label}: {', '.join(song.genres)} (few {intent.genre_label} songs)")
            continue
        what = intent.year_label if name == "year" else "numbers" if name == "bounds" else name
        if name != "family":  # a song outside the family is outside the genre: said once
            reasons.append(f"outside the {what} asked for (few matches)")
    return tuple(dict.fromkeys(r for r in reasons if r)) or ("close to your words",)


def shared_traits(seed: Song, song: Song) -> tuple[str, ...]:
    """What a neighbour has in common with the seed song, in the card's words."""
    reasons = []
    families = {f for g in seed.genres for f in genre_families(g)} & {f for g in song.genres for f in genre_families(g)}
    if set(seed.genres) & set(song.genres):
        reasons.append(f"same genre: {sorted(set(seed.genres) & set(song.genres))[0]}")
    elif families:
        reasons.append(f"same family: {sorted(families)[0]}")
    if seed.artist == song.artist:
        reasons.append(f"also by {song.artist}")
    a, b = seed.features, song.features
    if a is not None and b is not None:
        for feature, close in ALIKE_WITHIN.items():
            x, y = getattr(a, feature), getattr(b, feature)
            if x is not None and y is not None and abs(x - y) <= close:
                reasons.append(f"{feature_phrase(feature, getattr(b, feature))} like it")
    return tuple(reasons[:MAX_REASONS]) or ("close in sound and style",)
