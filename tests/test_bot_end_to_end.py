"""The bot on the real model and catalog: the issue's targets end to end (the other bot tests use a stand-in model)."""

from __future__ import annotations

from typing import Any

import pytest
from card_reading import RAW_COLUMNS, bot_messages, card_in, card_of, card_text, menu, songs_on

pytestmark = [pytest.mark.slow, pytest.mark.simcord(shard_count=1, settle_timeout=60)]


async def test_a_request_pages_in_place_and_survives_a_restart(scene: Any, make_bot: Any, recommender: Any) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="Lady Gaga dance tracks")
    assert first.response is not None
    card = card_of(first)
    assert {artist for _, _, artist in songs_on(card)} == {"Lady Gaga"}
    assert card.footer.text == "Top 50 Music From 2010-2019 · 587 songs"
    await scene.alice.click(first.response, label="Next")

    await scene.env.restart_bot(make_bot())
    await scene.alice.click(first.response, label="Next")
    assert [n for n, _, _ in songs_on(card_in(first.response.message))] == [11, 12, 13, 14, 15]
    assert len(bot_messages(scene.channel, scene.env)) == 1
    like = menu(first.response, "mr:like:")
    value = like["options"][0]["value"]
    picked = await scene.alice.select(first.response, [value], custom_id=like["custom_id"])
    seed = recommender.songs[int(value)]
    assert card_of(picked).title == f"Songs like {seed.label}"
    assert (seed.title, seed.artist) not in {(t, a) for _, t, a in songs_on(card_of(picked))}


async def test_conversation_targets(scene: Any) -> None:
    dana = scene.env.create_user("dana")
    scene.guild.add_member(dana)
    await dana.send_dm("hi")
    assert dana.dm_channel.last_message.embeds[0].title == "How to ask me for songs"
    await scene.alice.send(scene.channel, f"{scene.env.bot.user.mention} chill evening")
    card = scene.channel.last_message
    await scene.alice.send(scene.channel, "lol same", reply_to=card)
    await scene.alice.send(scene.channel, "thanks!", reply_to=card)
    await scene.alice.send(scene.channel, "more acoustic", reply_to=card)
    cards = [m for m in bot_messages(scene.channel, scene.env) if m.embeds]
    assert len(cards) == 2 and "Refined with “more acoustic”" in (cards[-1].embeds[0].description or "")


async def test_no_card_shows_a_raw_column_name(scene: Any) -> None:
    for mood in ("sad acoustic songs", "happy danceable party", "live rap songs", "Lady Gaga dance tracks"):
        text = card_text(card_of(await scene.alice.slash(scene.channel, "recommend", mood=mood)))
        await scene.env.advance_time(10)  # past the cooldown
        assert not [raw for raw in RAW_COLUMNS if raw in text.casefold()], text
