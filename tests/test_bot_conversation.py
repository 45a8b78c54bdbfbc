"""Messages: mentions, DMs, request channels and replies to cards, acted on only when meant for the bot."""

from __future__ import annotations

from typing import Any

import pytest
from card_reading import bot_messages, card_in, songs_on

from bot import cards
from bot.cooldown import RATE
from bot.limits import MAX_TEXT_CHARS

pytestmark = pytest.mark.simcord(shard_count=1, settle_timeout=30)


def is_help(message: Any) -> bool:
    return bool(message.embeds) and message.embeds[0].title == "How to ask me for songs"


async def test_a_mention_is_a_request_and_pings_nobody(scene: Any) -> None:
    me = scene.env.bot.user.mention
    sent = await scene.alice.send(scene.channel, f"{me} chill acoustic evening")
    reply = scene.channel.last_message
    assert reply.reference is not None and reply.reference.message_id == sent.id
    card = card_in(reply)
    assert card.title == "Songs for “chill acoustic evening”"
    assert len(card.fields) == 5
    assert not reply.mentions and not reply.mention_everyone


@pytest.mark.parametrize("said", ["", "hi", "help", "Hello!"])
async def test_an_empty_mention_or_a_greeting_gets_help(scene: Any, said: str) -> None:
    await scene.alice.send(scene.channel, f"{scene.env.bot.user.mention} {said}")
    assert is_help(scene.channel.last_message)


@pytest.mark.parametrize("said", ["hi", "help", "hey there", "Hi :)", "what can you do?"])
async def test_hi_in_a_dm_gets_help_not_songs(scene: Any, said: str) -> None:
    dana = scene.env.create_user("dana")
    scene.guild.add_member(dana)
    await dana.send_dm(said)
    assert is_help(dana.dm_channel.last_message)


@pytest.mark.parametrize("said", ["work", "help me find sad songs", "hi energy workout"])
def test_only_whole_greetings_count_as_greetings(said: str) -> None:
    from bot.cogs.conversation import is_greeting

    assert not is_greeting(said)


async def test_a_direct_message_is_a_request(scene: Any) -> None:
    dana = scene.env.create_user("dana")
    scene.guild.add_member(dana)
    await dana.send_dm("sad breakup songs")
    assert card_in(dana.dm_channel.last_message).title == "Songs for “sad breakup songs”"


async def test_nonsense_in_a_dm_says_so_with_the_closest_songs(scene: Any) -> None:
    dana = scene.env.create_user("dana")
    scene.guild.add_member(dana)
    await dana.send_dm("asdfgh")
    card = card_in(dana.dm_channel.last_message)
    assert "I didn't recognise an artist, year, genre or sound" in (card.description or "")
    assert len(card.fields) == 5


async def test_an_over_long_message_is_answered_with_the_limit(scene: Any) -> None:
    me = scene.env.bot.user.mention
    await scene.alice.send(scene.channel, f"{me} " + "very " * 300)
    assert (
        scene.channel.last_message.content == f"That request is 1,499 characters long; keep it under {MAX_TEXT_CHARS}."
    )


async def test_ordinary_messages_everyone_pings_and_other_bots_are_ignored(scene: Any) -> None:
    await scene.alice.send(scene.channel, "anyone up for lunch?")
    await scene.alice.send(scene.channel, "@everyone chill songs please")
    robot = scene.guild.add_member(scene.env.create_user("robot", bot=True))
    await robot.send(scene.channel, f"{scene.env.bot.user.mention} chill songs please")
    assert bot_messages(scene.channel, scene.env) == []


async def test_a_request_channel_answers_requests_and_ignores_the_rest(scene: Any, make_bot: Any) -> None:
    requests = scene.guild.create_text_channel("song-requests")
    await scene.env.restart_bot(make_bot(recommend_channel_ids=frozenset({requests.id})))
    assert scene.env.bot.intents.message_content, "free text in a request channel needs the Message Content intent"
    await scene.alice.send(requests, "upbeat summer road trip")
    assert card_in(requests.last_message).title == "Songs for “upbeat summer road trip”"
    for chatter in ("thanks, that last one was great!", "lol same"):
        await scene.alice.send(requests, chatter)
    await scene.alice.send(requests, "", attachments=[("holiday.png", b"\x89PNG")])
    assert len(bot_messages(requests, scene.env)) == 1, "nothing to act on, nothing said"
    await scene.alice.send(scene.channel, "upbeat summer road trip")
    assert bot_messages(scene.channel, scene.env) == [], "other channels still need a mention"


async def test_without_request_channels_the_bot_does_not_ask_for_message_content(scene: Any) -> None:
    assert not scene.env.bot.intents.message_content


async def mention_card(scene: Any, words: str) -> Any:
    """A card the bot posted as a reply to a mention: replies to it reach the bot with their text."""
    await scene.alice.send(scene.channel, f"{scene.env.bot.user.mention} {words}")
    return scene.channel.last_message


async def test_a_reply_that_reads_as_a_request_refines_the_card(scene: Any) -> None:
    first = await mention_card(scene, "chill evening")
    await scene.alice.send(scene.channel, "more acoustic", reply_to=first)
    refined = scene.channel.last_message
    card = card_in(refined)
    assert card.title == "Songs for “chill evening”"
    assert "Refined with “more acoustic”" in (card.description or "")
    assert "acoustic" in (card.description or "").split("\n")[0], "says what it now understands"
    assert songs_on(card) != songs_on(card_in(first))
    await scene.alice.send(scene.channel, "but from 2015", reply_to=refined)
    again = card_in(scene.channel.last_message)
    assert "Refined with “more acoustic” + “but from 2015”" in (again.description or "")
    assert all((field.value or "").startswith("2015") for field in again.fields)


@pytest.mark.parametrize("chatter", ["lol same", "thanks!", "thanks, that last one was great!"])
async def test_chit_chat_replies_to_a_card_get_no_card(scene: Any, make_bot: Any, chatter: str) -> None:
    # With the Message Content intent on (a request channel elsewhere), every reply's text reaches the bot.
    elsewhere = scene.guild.create_text_channel("song-requests")
    await scene.env.restart_bot(make_bot(recommend_channel_ids=frozenset({elsewhere.id})))
    first = await scene.alice.slash(scene.channel, "recommend", mood="chill evening")
    assert first.response is not None
    bob = scene.guild.add_member(scene.env.create_user("bob"))
    await bob.send(scene.channel, chatter, reply_to=first.response)
    await scene.alice.send(scene.channel, chatter, reply_to=await mention_card(scene, "rainy day"))
    assert len(bot_messages(scene.channel, scene.env)) == 2, "the two cards and nothing else"


async def test_a_reply_to_a_slash_card_that_mentions_the_bot_refines_whatever_it_says(scene: Any) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="chill evening")
    assert first.response is not None
    await scene.alice.send(scene.channel, f"{scene.env.bot.user.mention} rainy sunday vibes", reply_to=first.response)
    card = card_in(scene.channel.last_message)
    assert card.title == "Songs for “chill evening”"
    assert "Refined with “rainy sunday vibes”" in (card.description or "")


async def test_a_refinement_replaces_the_wish_it_contradicts(scene: Any) -> None:
    first = await mention_card(scene, "chill evening")
    await scene.alice.send(scene.channel, "slower please", reply_to=first)
    await scene.alice.send(scene.channel, "actually faster", reply_to=scene.channel.last_message)
    understood = (card_in(scene.channel.last_message).description or "").split("\n")[0]
    wishes = understood.removeprefix("Understood: ").split(" · ")
    assert "fast" in wishes and "slow" not in wishes


async def test_a_reply_to_a_similar_card_keeps_the_seed(scene: Any) -> None:
    first = await scene.alice.slash(scene.channel, "similar", song="Love The Way You Lie")
    assert first.response is not None
    await scene.alice.send(scene.channel, f"{scene.env.bot.user.mention} something sadder", reply_to=first.response)
    card = card_in(scene.channel.last_message)
    assert card.title == "Songs like Love The Way You Lie — Eminem"
    assert "Refined with “something sadder”" in (card.description or "")
    assert ("Love The Way You Lie", "Eminem") not in {(t, a) for _, t, a in songs_on(card)}
    assert len(card.fields) == 5


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


async def test_an_over_long_reply_to_a_card_stays_within_discord_limits(scene: Any) -> None:
    first = await mention_card(scene, "chill evening")
    await scene.alice.send(scene.channel, "acoustic " + "x" * (MAX_TEXT_CHARS - 9), reply_to=first)
    assert len(card_in(scene.channel.last_message)) <= cards.EMBED_TOTAL_LIMIT
