"""Embeds and short texts the bot shows: pure functions, within Discord's limits for any input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import discord

from recommender.request import Answer
from recommender.songs import Features, Recommendation, Song
from recommender.vocabulary import SCALES, feature_phrase

from .limits import MAX_COUNT, MAX_TEXT_CHARS

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
CHOICE_LIMIT = 100
MESSAGE_LIMIT = 2000

COLOUR = discord.Colour.from_rgb(30, 215, 96)
SEPARATOR = " · "
# A long song name must not crowd out the other nine; the whole title still shows in Spotify.
SONG_NAME_LIMIT = 120
# The note and "Refined with …" line above the songs; most of the 6000 characters are theirs.
NOTE_LIMIT = 600
# Keeps every Listen link short enough to survive the per-song budget whole (non-Latin text
# encodes to up to nine characters a letter).
SEARCH_QUERY_LIMIT = 200
SPOTIFY_TRACK = "https://open.spotify.com/track/"
SPOTIFY_SEARCH = "https://open.spotify.com/search/"

NOTHING_MORE = "That's every song I have for this request. Try different words for a fresh list."
FORGOTTEN = "I no longer have the request behind that card, so these are for your words alone."
# Features shown only when they set a song apart (the first band of each is the unremarkable one).
TELLING_WHEN_NOT_FIRST_BAND = ("acousticness", "speechiness", "liveness")


@dataclass(frozen=True, slots=True)
class Source:
    """What the footer credits: the catalog behind every answer, in words a member understands."""

    catalog: str
    songs: int
    model: str

    @property
    def footer(self) -> str:
        return clip_plain(f"{self.catalog}{SEPARATOR}{self.songs:,} songs", FOOTER_LIMIT)


def escape(text: str) -> str:
    """``text`` on one line, shown literally: no markdown, and no mention that could ping."""
    flat = " ".join(text.split())
    return discord.utils.escape_mentions(discord.utils.escape_markdown(flat))


def clip(raw: str, limit: int) -> str:
    """Escaped ``raw`` within ``limit`` characters; cut before escaping so no escape is split."""
    flat = " ".join(raw.split())
    shown = escape(flat)
    keep = len(flat)
    while len(shown) > limit:
        keep = min(keep - 1, keep * (limit - 1) // len(shown))
        if keep <= 0:
            return "…"
        shown = escape(flat[:keep].rstrip()) + "…"
    return shown


def clip_plain(raw: str, limit: int) -> str:
    """``raw`` on one line within ``limit`` characters, for places Discord shows without markdown."""
    flat = " ".join(raw.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def listen_url(song: Song) -> str:
    if song.spotify_id:
        return SPOTIFY_TRACK + quote(song.spotify_id, safe="")
    query = " ".join(f"{song.title} {song.artist}".split())
    encoded = quote(query, safe="")
    while len(encoded) > SEARCH_QUERY_LIMIT:
        query = query[: len(query) * SEARCH_QUERY_LIMIT // len(encoded)].rstrip()
        encoded = quote(query, safe="")
    return SPOTIFY_SEARCH + encoded


def feature_line(features: Features) -> str:
    """A glance at how a song sounds in the words of the song descriptions' own scales,
    e.g. ``upbeat, 128 BPM · energetic · happy mood · very acoustic · 3:35 long``."""
    # A catalog may lack any of these columns: what it does not give is left out, never guessed.
    known = {name: value for name in SCALES if (value := getattr(features, name, None)) is not None}
    parts = [feature_phrase(name, known[name]) for name in ("bpm", "energy", "valence") if name in known]
    parts += [
        feature_phrase(name, known[name])
        for name in TELLING_WHEN_NOT_FIRST_BAND
        if name in known and known[name] > SCALES[name].bounds[0]
    ]
    if "length" in known:
        parts.append(feature_phrase("length", known["length"]))
    return SEPARATOR.join(parts)


def years_text(song: Song) -> str:
    """Every chart year of a song ("2015, 2016"), so it never contradicts a reason like "from 2016"."""
    return ", ".join(str(year) for year in song.years)


def _song_field(number: int, result: Recommendation, budget: int, detail: int) -> tuple[str, str]:
    """Name and value for one song in ``budget`` characters; lower ``detail`` drops optional lines."""
    song = result.song
    name = f"{number}. " + clip(f"{song.title} — {song.artist}", SONG_NAME_LIMIT - 5)
    listen = f"[Listen on Spotify]({listen_url(song)})"
    about = SEPARATOR.join(part for part in (years_text(song), song.genre) if part)
    lines = [escape(about)] if about else []
    if song.features is not None and detail >= 1:
        lines.append(feature_line(song.features))
    if result.reasons and detail >= 2:
        lines.append("Why: " + escape(SEPARATOR.join(result.reasons)))
    room = min(FIELD_VALUE_LIMIT, budget - len(name)) - len(listen) - 1
    body = "\n".join(lines)
    if len(body) > room:
        body = body[: max(0, room - 1)].rstrip().rstrip("\\") + "…" if room > 1 else ""
    return name, f"{body}\n{listen}" if body else listen


def card(answer: Answer, source: Source, *, note: str = "") -> discord.Embed:
    """The answer as one embed, one field per song, numbered across pages."""
    request = answer.request
    embed = discord.Embed(title=card_title(answer), colour=COLOUR)
    lines = [escape(line) for line in answer.notes] + [note, understood_line(answer), combined_line(answer)]
    embed.description = clip_markdown("\n".join(line for line in lines if line), NOTE_LIMIT)
    embed.set_footer(text=source.footer)
    results = answer.results
    if results:
        fixed = len(embed)
        budget = (EMBED_TOTAL_LIMIT - fixed) // len(results)
        for detail in (2, 1, 0):
            embed.clear_fields()
            for result in results[:MAX_COUNT]:
                name, value = _song_field(request.offset + result.rank, result, budget, detail)
                embed.add_field(name=name, value=value, inline=False)
            if len(embed) <= EMBED_TOTAL_LIMIT:
                break
    return embed


def card_title(answer: Answer) -> str:
    if answer.seed_label:
        return "Songs like " + clip(answer.seed_label, TITLE_LIMIT - 11)
    return "Songs for “" + clip(answer.request.text, TITLE_LIMIT - 12) + "”"


def understood_line(answer: Answer) -> str:
    """What the library read in the request ("Understood: slow · acoustic · year 2015"), if anything."""
    return "Understood: " + escape(SEPARATOR.join(answer.understood)) if answer.understood else ""


def combined_line(answer: Answer) -> str:
    """Says which replies were folded into the request, and which page this is."""
    request = answer.request
    parts = []
    if request.refinements:
        words = " + ".join(f"“{clip(text, MAX_TEXT_CHARS)}”" for text in request.refinements)
        parts.append(f"Refined with {words}")
    if request.offset:
        parts.append(f"Songs {request.offset + 1}–{request.offset + len(answer.results)}")
    return SEPARATOR.join(parts)


def clip_markdown(text: str, limit: int) -> str:
    """Already-escaped ``text`` within ``limit``, cut at a line break when it must be cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit("\n", 1)[0].rstrip("\\") + "…"


def select_label(number: int, song: Song) -> str:
    return clip_plain(f"#{number} {song.title}", CHOICE_LIMIT)


def select_description(song: Song) -> str:
    return clip_plain(SEPARATOR.join(p for p in (song.artist, years_text(song)) if p), CHOICE_LIMIT)


def song_choice(song: Song) -> str:
    """An autocomplete choice name; the year tells apart a song charted in several versions."""
    year = f" ({song.year})" if song.year else ""
    return clip_plain(song.label, CHOICE_LIMIT - len(year)) + year


def not_found(typed: str, suggestions: Sequence[Song]) -> str:
    missing = f"I couldn't find “{clip(typed, MAX_TEXT_CHARS)}” in the catalog."
    if not suggestions:
        return f"{missing} Start typing a title or an artist and pick a song from the list."
    closest = "\n".join(f"• {clip(song.label, 150)}" for song in suggestions[:5])
    return f"{missing} Did you mean:\n{closest}\nPick one from the list as you type."


def slow_down(retry_at: int) -> str:
    return f"Slow down a little: you can ask again <t:{retry_at}:R>."
