"""Faults, load, restarts and shards: the bot keeps answering, off the event loop, and never goes silent."""

from __future__ import annotations

import logging
import threading
from typing import Any

import discord
import pytest
import simcord

from bot.notices import SORRY

pytestmark = pytest.mark.simcord(shard_count=1, settle_timeout=30)


def card_title(result: simcord.InteractionResult) -> str:
    assert result.response is not None and result.response.embeds, "no card"
    return result.response.embeds[0].title or ""


def logged_tracebacks(caplog: pytest.LogCaptureFixture, kind: type[BaseException]) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info and isinstance(r.exc_info[1], kind)]


@pytest.mark.logs_errors
async def test_a_failed_answer_is_reported_and_the_next_request_works(
    scene: Any, caplog: pytest.LogCaptureFixture
) -> None:
    scene.env.inject_error("POST", "/webhooks/*/*", status=500)
    failed = await scene.alice.slash(scene.channel, "recommend", mood="rainy day")
    assert failed.acknowledged
    assert failed.response is not None and failed.response.content == SORRY
    simcord.assert_error(scene.env, discord.HTTPException)
    assert logged_tracebacks(caplog, discord.HTTPException)
    assert card_title(await scene.alice.slash(scene.channel, "recommend", mood="rainy day")) == "Songs for “rainy day”"


@pytest.mark.logs_errors
async def test_a_rate_limited_acknowledgement_is_reported_privately(
    scene: Any, caplog: pytest.LogCaptureFixture
) -> None:
    scene.env.inject_error("POST", "/interactions/*/*/callback", status=429, message="You are being rate limited.")
    failed = await scene.alice.slash(scene.channel, "similar", song="Love The Way You Lie")
    assert failed.ephemeral
    assert failed.response is not None and failed.response.content == SORRY
    simcord.assert_error(scene.env, discord.HTTPException)
    assert logged_tracebacks(caplog, discord.HTTPException)
    assert card_title(await scene.alice.slash(scene.channel, "similar", song="Love The Way You Lie"))


@pytest.mark.logs_errors
async def test_a_failed_reply_to_a_message_is_reported(scene: Any, caplog: pytest.LogCaptureFixture) -> None:
    me = scene.env.bot.user.mention
    scene.env.inject_error("POST", "/channels/*/messages", status=500)
    await scene.alice.send(scene.channel, f"{me} rainy day")
    assert scene.channel.last_message.content == SORRY
    assert logged_tracebacks(caplog, discord.HTTPException)
    await scene.alice.send(scene.channel, f"{me} rainy day")
    assert scene.channel.last_message.embeds[0].title == "Songs for “rainy day”"


@pytest.mark.logs_errors
async def test_a_failed_button_is_reported(scene: Any, caplog: pytest.LogCaptureFixture) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="rainy day")
    assert first.response is not None
    scene.env.inject_error("PATCH", "/webhooks/*/*/messages/@original", status=500)
    failed = await scene.alice.click(first.response, label="Next")
    assert failed.followups and failed.followups[0].content == SORRY and failed.followups[0].ephemeral
    assert logged_tracebacks(caplog, discord.HTTPException)
    await scene.alice.click(first.response, label="Next")
    assert first.response.embeds[0].fields[0].name.startswith("6. "), "the next click pages as usual"


async def test_fifty_concurrent_requests_are_all_acknowledged_and_answered(
    scene: Any, quick_recommender: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_calls: list[tuple[threading.Thread, int]] = []
    encode = quick_recommender.encode

    def watched(texts: Any) -> Any:
        model_calls.append((threading.current_thread(), len(texts)))
        return encode(texts)

    monkeypatch.setattr(quick_recommender, "encode", watched)
    fans = [scene.guild.add_member(scene.env.create_user(f"fan{n}")) for n in range(50)]

    async def dispatch_only(**_: Any) -> None:
        return None

    # SimCord settles the bot after every action, which would answer one request at a time; without
    # settling, all fifty are dispatched before the bot starts on any, then run together.
    with monkeypatch.context() as patch:
        patch.setattr(scene.env, "_settle_internal", dispatch_only)
        results = [
            await fan.slash(scene.channel, "recommend", mood=f"songs for sunny day number {n}")
            for n, fan in enumerate(fans)
        ]
    assert not any(result.acknowledged for result in results)
    await scene.env.settle(timeout=600)

    assert all(result.acknowledged for result in results)
    assert [card_title(result) for result in results] == [
        f"Songs for “songs for sunny day number {n}”" for n in range(50)
    ]
    callbacks = [r.json["type"] for r in scene.env.http_requests if r.path.endswith("/callback")]
    assert callbacks == [discord.InteractionResponseType.deferred_channel_message.value] * 50
    assert sum(size for _, size in model_calls) == 50
    # Requests in flight together share model calls (the micro-batcher), and none runs on the event loop.
    assert len(model_calls) < 50
    assert all(thread is not threading.main_thread() for thread, _ in model_calls), "the model ran on the event loop"


async def test_all_shards_in_one_process_answer_their_servers(make_bot: Any) -> None:
    bot = make_bot(shard_count=3)
    async with simcord.run(bot, settle_timeout=30) as env:
        for shard in range(3):
            guild = env.create_guild(f"Server {shard}", shard_id=shard)
            channel = guild.create_text_channel("general")
            fan = guild.add_member(env.create_user(f"fan{shard}"))
            result = await fan.slash(channel, "recommend", mood="Lady Gaga dance tracks")
            assert card_title(result) == "Songs for “Lady Gaga dance tracks”"
            assert bot.get_guild(guild.id).shard_id == shard
            await fan.send(channel, f"{bot.user.mention} rainy day")
            assert channel.last_message is not None
            assert channel.last_message.embeds[0].title == "Songs for “rainy day”"
        assert sorted(bot.shards) == [0, 1, 2]


async def test_a_process_runs_only_its_slice_of_the_shards(make_bot: Any) -> None:
    bot = make_bot(shard_count=4, shard_ids=(2, 3))
    async with simcord.run(bot, settle_timeout=30) as env:
        mine = env.create_guild("Mine", shard_id=2)
        other = env.create_guild("Another worker's", shard_id=0)
        for guild in (mine, other):
            channel = guild.create_text_channel("general")
            fan = guild.add_member(env.create_user(f"fan of {guild.name}"))
            await fan.send(channel, f"{bot.user.mention} rainy day")
        mine_reply, other_reply = mine.channels["general"].last_message, other.channels["general"].last_message
        assert mine_reply is not None and other_reply is not None
        assert mine_reply.embeds[0].title == "Songs for “rainy day”"
        assert other_reply.author.id != bot.user.id
        assert sorted(bot.shards) == [2, 3]
        # Shard 0's process registers the commands for the whole cluster.
        assert not [r for r in env.http_requests if r.path.endswith("/commands")]


async def test_each_request_runs_inside_the_in_flight_context_and_logs_one_line_without_its_text(
    scene: Any, make_bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import contextlib
    from collections.abc import AsyncIterator

    entered: list[str] = []

    @contextlib.asynccontextmanager
    async def in_flight() -> AsyncIterator[None]:
        entered.append("in")
        yield
        entered.append("out")

    bot = make_bot()
    bot.in_flight = in_flight  # as create_bot(in_flight=gate.request) would
    await scene.env.restart_bot(bot)
    with caplog.at_level(logging.INFO, logger="bot.requests"):
        first = await scene.alice.slash(scene.channel, "recommend", mood="secret rainy day")
        assert first.response is not None
        await scene.alice.click(first.response, label="Next")
        await scene.alice.send(scene.channel, f"{scene.env.bot.user.mention} secret chill evening")
    assert entered == ["in", "out"] * 3
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.requests" and r.levelno == logging.INFO]
    assert [line.split()[1] for line in lines] == ["recommend", "page", "message"]
    assert all("results=5 in " in line for line in lines)
    assert not [line for line in lines if "secret" in line], "no request text at INFO"
