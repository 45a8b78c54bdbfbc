"""Free-text requests: mentions, DMs, listed and ignored channels, and replies that refine a card."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot import cards
from bot.cooldown import RATE
from bot.request import MAX_MOOD_CHARS

pytestmark = pytest.mark.simcord(shard_count=1, settle_timeout=30)


def bot_messages(channel: Any, env: Any) -> list[discord.Message]:
    return [m for m in channel.history() if m.author.id == env.bot.user.id]


def card_in(message: discord.Message | None) -> discord.Embed:
    assert message is not None and message.embeds, "no card"
    [embed] = message.embeds
    return embed


def songs_of(embed: discord.Embed) -> list[str]:
    return [(field.name or "").split(". ", 1)[1] for field in embed.fields]


async def test_a_mention_is_a_request(scene: Any) -> None:
    me = scene.env.bot.user.mention
    sent = await scene.alice.send(scene.channel, f"{me} chill acoustic evening")
    reply = scene.channel.last_message
    assert reply.reference is not None and reply.reference.message_id == sent.id
    card = card_in(reply)
    assert card.title == "Songs for “chill acoustic evening”"
    assert len(card.fields) == 5
    assert not reply.mentions and not reply.mention_everyone, "the reply does not ping alice"


async def test_an_empty_mention_gets_a_usage_hint(scene: Any) -> None:
    me = scene.env.bot.user.mention
    await scene.alice.send(scene.channel, f"  {me}  ")
    hint = scene.channel.last_message
    assert hint.author.id == scene.env.bot.user.id
    assert hint.content.startswith("Tell me a mood and I'll find songs for it, e.g. ")
    assert not hint.embeds


async def test_a_direct_message_is_a_request(scene: Any) -> None:
    dana = scene.env.create_user("dana")
    scene.guild.add_member(dana)
    await dana.send_dm("sad breakup songs")
    card = card_in(dana.dm_channel.last_message)
    assert card.title == "Songs for “sad breakup songs”"


async def test_an_over_long_message_is_answered_with_the_limit(scene: Any) -> None:
    me = scene.env.bot.user.mention
    await scene.alice.send(scene.channel, f"{me} " + "very " * 300)
    answer = scene.channel.last_message
    assert answer.content == f"That request is 1,499 characters long; keep it under {MAX_MOOD_CHARS}."
    await scene.alice.send(scene.channel, f"{me} " + "x" * MAX_MOOD_CHARS)
    assert len(card_in(scene.channel.last_message)) <= cards.EMBED_TOTAL_LIMIT


async def test_ordinary_messages_everyone_pings_and_other_bots_are_ignored(scene: Any) -> None:
    await scene.alice.send(scene.channel, "anyone up for lunch?")
    await scene.alice.send(scene.channel, "@everyone chill songs please")
    robot = scene.guild.add_member(scene.env.create_user("robot", bot=True))
    await robot.send(scene.channel, f"{scene.env.bot.user.mention} chill songs please")
    assert bot_messages(scene.channel, scene.env) == []


async def test_every_message_in_a_listed_channel_is_a_request(scene: Any, make_bot: Any) -> None:
    requests = scene.guild.create_text_channel("song-requests")
    await scene.env.restart_bot(make_bot(recommend_channel_ids=frozenset({requests.id})))
    await scene.alice.send(requests, "upbeat summer road trip")
    assert card_in(requests.last_message).title == "Songs for “upbeat summer road trip”"
    await scene.alice.send(requests, "", attachments=[("holiday.png", b"\x89PNG")])
    assert len(bot_messages(requests, scene.env)) == 1, "a picture is not a request, nor worth a hint"
    await scene.alice.send(scene.channel, "upbeat summer road trip")
    assert bot_messages(scene.channel, scene.env) == [], "other channels still need a mention"


async def test_replying_to_a_card_refines_it(scene: Any) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="chill evening")
    assert first.response is not None
    await scene.alice.send(scene.channel, "more acoustic", reply_to=first.response)
    refined = scene.channel.last_message
    card = card_in(refined)
    assert card.title == "Songs for “chill evening”"
    assert card.description == "Refined with “more acoustic”"
    assert songs_of(card) != songs_of(card_in(first.response.message))
    await scene.alice.send(scene.channel, "but from 2015", reply_to=refined)
    again = card_in(scene.channel.last_message)
    assert again.description == "Refined with “more acoustic” + “but from 2015”"
    assert all((field.value or "").startswith("2015 · ") for field in again.fields)


async def test_replying_to_a_similar_card_keeps_the_seed_out(scene: Any) -> None:
    first = await scene.alice.slash(scene.channel, "similar", song="Love The Way You Lie")
    assert first.response is not None
    await scene.alice.send(scene.channel, "something sadder", reply_to=first.response)
    card = card_in(scene.channel.last_message)
    assert card.title == "Songs like Love The Way You Lie — Eminem"
    assert card.description == "Refined with “something sadder”"
    assert "Love The Way You Lie — Eminem" not in songs_of(card)
    assert len(card.fields) == 5


async def test_a_reply_to_a_card_from_before_a_restart_is_a_fresh_request(scene: Any, make_bot: Any) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="chill evening")
    await scene.env.restart_bot(make_bot())
    assert first.response is not None
    await scene.alice.send(scene.channel, "more acoustic", reply_to=first.response)
    card = card_in(scene.channel.last_message)
    assert card.title == "Songs for “more acoustic”"
    assert card.description == cards.FORGOTTEN


async def test_a_reply_to_someone_else_is_not_a_request(scene: Any) -> None:
    bob = scene.guild.add_member(scene.env.create_user("bob"))
    said = await bob.send(scene.channel, "what should I listen to?")
    await scene.alice.send(scene.channel, "more acoustic", reply_to=said)
    assert bot_messages(scene.channel, scene.env) == []


async def test_a_burst_of_messages_gets_one_slow_down_notice(scene: Any) -> None:
    me = scene.env.bot.user.mention
    for n in range(RATE + 3):
        await scene.alice.send(scene.channel, f"{me} happy song {n}")
    sent = bot_messages(scene.channel, scene.env)
    assert len([m for m in sent if m.embeds]) == RATE
    [notice] = [m for m in sent if not m.embeds]
    assert notice.content.startswith("Slow down a little: you can ask again <t:")
