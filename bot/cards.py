"""Embeds and short texts the bot shows: pure functions, within Discord's limits for any input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import discord

from recommender.songs import Features, Recommendation, Song

from .request import MAX_COUNT, MAX_MOOD_CHARS, Request

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
FORGOTTEN = "I no longer remember the request behind that card (I restarted since), so these are for your words alone."


@dataclass(frozen=True, slots=True)
class Source:
    """What the footer credits: the catalog and model behind every answer."""

    catalog: str
    songs: int
    model: str

    @property
    def footer(self) -> str:
        return clip_plain(f"{self.catalog} ({self.songs} songs){SEPARATOR}{self.model}", FOOTER_LIMIT)


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
    """A glance at how a song sounds, e.g. ``128 BPM · energy 84 · happy · danceable · 3:35``."""
    parts = [f"{features.bpm:.0f} BPM", f"energy {features.energy:.0f}"]
    if features.valence >= 60:
        parts.append("happy")
    elif features.valence <= 35:
        parts.append("sad")
    if features.danceability >= 70:
        parts.append("danceable")
    if features.acousticness >= 40:
        parts.append("acoustic")
    if features.liveness >= 60:
        parts.append("live")
    if features.speechiness >= 25:
        parts.append("wordy")
    minutes, seconds = divmod(round(features.length), 60)
    parts.append(f"{minutes}:{seconds:02d}")
    return SEPARATOR.join(parts)


def _song_field(number: int, result: Recommendation, budget: int, detail: int) -> tuple[str, str]:
    """Name and value for one song in ``budget`` characters; lower ``detail`` drops optional lines."""
    song = result.song
    name = f"{number}. " + clip(f"{song.title} — {song.artist}", SONG_NAME_LIMIT - 5)
    listen = f"[Listen on Spotify]({listen_url(song)})"
    about = SEPARATOR.join(str(part) for part in (song.year, song.genre) if part)
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


def card(request: Request, results: Sequence[Recommendation], source: Source, *, note: str = "") -> discord.Embed:
    """The answer to ``request``: one embed, one field per song, numbered across pages."""
    embed = discord.Embed(title=card_title(request), colour=COLOUR)
    embed.description = clip_markdown("\n".join(part for part in (note, combined_line(request)) if part), NOTE_LIMIT)
    embed.set_footer(text=source.footer)
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


def card_title(request: Request) -> str:
    if request.seed is not None:
        return "Songs like " + clip(request.seed.label, TITLE_LIMIT - 11)
    return "Songs for “" + clip(request.moods[0], TITLE_LIMIT - 12) + "”"


def combined_line(request: Request) -> str:
    """Says which replies were folded into the request, and which page this is."""
    parts = []
    if request.refinements:
        words = " + ".join(f"“{clip(mood, MAX_MOOD_CHARS)}”" for mood in request.refinements)
        parts.append(f"Refined with {words}")
    if request.offset:
        parts.append(f"Songs {request.offset + 1}–{request.offset + request.count}")
    return SEPARATOR.join(parts)


def clip_markdown(text: str, limit: int) -> str:
    """Already-escaped ``text`` within ``limit``, cut at a line break when it must be cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit("\n", 1)[0].rstrip("\\") + "…"


def select_label(number: int, song: Song) -> str:
    return clip_plain(f"#{number} {song.title}", CHOICE_LIMIT)


def select_description(song: Song) -> str:
    return clip_plain(SEPARATOR.join(str(p) for p in (song.artist, song.year) if p), CHOICE_LIMIT)


def song_choice(song: Song) -> str:
    """An autocomplete choice name; the year tells apart a song charted in several versions."""
    year = f" ({song.year})" if song.year else ""
    return clip_plain(song.label, CHOICE_LIMIT - len(year)) + year


def not_found(typed: str, suggestions: Sequence[Song]) -> str:
    missing = f"I couldn't find “{clip(typed, MAX_MOOD_CHARS)}” in the catalog."
    if not suggestions:
        return f"{missing} Start typing a title or an artist and pick a song from the list."
    closest = "\n".join(f"• {clip(song.label, 150)}" for song in suggestions[:5])
    return f"{missing} The closest titles are:\n{closest}\nPick one from the list as you type."


def slow_down(retry_at: int) -> str:
    return f"Slow down a little: you can ask again <t:{retry_at}:R>."


def usage(mention: str | None) -> str:
    example = f"{mention} *rainy sunday morning with coffee*" if mention else "*rainy sunday morning with coffee*"
    return f"Tell me a mood and I'll find songs for it, e.g. {example}. You can also use /recommend."


def about(source: Source) -> discord.Embed:
    embed = discord.Embed(
        title="About this bot",
        colour=COLOUR,
        description=(
            f"I recommend songs for a mood or a description, and songs that sound like one you like, "
            f"from a catalog of {source.songs} chart songs with their Spotify audio features."
        ),
    )
    embed.add_field(
        name="How recommendations are made",
        value=(
            "Every song is described in words (artist, genre, era, and what its tempo, energy, mood and "
            f"danceability say about it) and turned into a vector by the **{source.model}** sentence model. "
            "Your request becomes a vector the same way, and the songs whose vectors point the closest way "
            "are the answer. *Similar* songs are the closest to the song you pick."
        ),
        inline=False,
    )
    embed.add_field(
        name="How to use it",
        value=(
            "`/recommend mood:` a mood, scene or kind of song, e.g. *rainy sunday morning*\n"
            "`/similar song:` start typing a title or an artist and pick a song\n"
            "Mention me with a mood, send me a DM, or write in a channel set aside for requests.\n"
            "Reply to one of my cards to refine it: *more acoustic*, *but from 2015*, *something sadder*.\n"
            "Under each card: **More like…** picks a song to start from, **More** shows the next songs."
        ),
        inline=False,
    )
    embed.set_footer(text=source.footer)
    return embed
