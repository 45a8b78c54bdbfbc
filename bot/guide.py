"""``/help`` and ``/about``: how to ask, with examples the library builds from its vocabulary, and what is stored."""

from __future__ import annotations

from collections.abc import Mapping

import discord

from .cards import COLOUR, FIELD_VALUE_LIMIT, Source, clip_markdown, escape

KIND_NAMES = {
    "mood": "A mood",
    "energy": "Energy",
    "tempo": "Tempo",
    "sound": "Sound",
    "era": "A year or an era",
    "genre": "A genre",
    "artist": "An artist",
    "together": "Several at once",
}


def help_embed(examples: Mapping[str, tuple[str, ...]], source: Source, *, mention: str | None = None) -> discord.Embed:
    """Every kind of request with examples, then the commands and what a reply to a card does."""
    ask = f"mention me ({mention})" if mention else "mention me"
    embed = discord.Embed(
        title="How to ask me for songs",
        colour=COLOUR,
        description=(
            f"Use `/recommend`, {ask}, or send me a DM with what you feel like. I read these kinds of wishes; "
            "anything else (a scene, a feeling) I match by how songs are described."
        ),
    )
    for kind, texts in examples.items():
        value = "\n".join(f"• *{escape(text)}*" for text in texts)
        embed.add_field(name=KIND_NAMES.get(kind, kind.capitalize()), value=clip_markdown(value, FIELD_VALUE_LIMIT))
    embed.add_field(
        name="Commands",
        value=(
            "`/recommend mood:` songs for your words\n"
            "`/similar song:` songs that sound like one you pick (start typing a title)\n"
            "`/history` your recent requests and 👍 songs · `/forget-me` delete what I keep about you\n"
            "`/about` what I am and what I store · `/settings` for server admins"
        ),
        inline=False,
    )
    embed.add_field(
        name="On a card",
        value=(
            "◀ ▶ turn the pages, **More like…** starts from one of the songs, **Rate a song** 👍/👎 shapes "
            "your later answers (👎 songs never come back to you).\n"
            "**Reply** to your card with a wish to refine it (*faster*, *from 2016*, *more acoustic*); "
            "a new wish replaces one it contradicts. Chit-chat replies are ignored."
        ),
        inline=False,
    )
    embed.set_footer(text=source.footer)
    return embed


def about_embed(source: Source, *, retention_days: int, repeat_hours: int) -> discord.Embed:
    embed = discord.Embed(
        title="About this bot",
        colour=COLOUR,
        description=(
            f"I recommend songs for a mood or a description, and songs that sound like one you like, "
            f"from {escape(source.catalog)}: {source.songs:,} chart songs with their audio features. "
            "Everything runs on this bot's own server; nothing you type leaves it."
        ),
    )
    embed.add_field(
        name="How recommendations are made",
        value=(
            "Every song is described in words (artist, genre, era, and what its tempo, energy, mood and "
            f"danceability say about it) and turned into a vector by the **{source.model}** sentence model. "
            "Your request becomes a vector the same way; artists, years, genres and sound words you name "
            "also filter and rank the songs. *Similar* songs are the closest to the song you pick."
        ),
        inline=False,
    )
    embed.add_field(
        name="What I store, and for how long",
        value=(
            "• each card: who asked, the server, the request and its page, so the buttons keep working\n"
            "• your 👍/👎 ratings, so 👎 songs never come back to you and 👍 ones shape your answers\n"
            f"• your recent requests and the songs shown, so the same mood within {repeat_hours} h brings fresh songs\n"
            "• each server's `/settings`\n"
            f"Everything about you is deleted after {retention_days} days, or at once with `/forget-me`. "
            "`/history` shows it to you."
        ),
        inline=False,
    )
    embed.set_footer(text=source.footer)
    return embed
