"""What the bot remembers in its database: cards across restarts, 👍/👎, recent answers, history, forgetting, sync."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import simcord
from card_reading import bot_messages, card_in, card_of, menu, songs_on

from bot.notices import FORGOTTEN_CARD, OTHER_CATALOG

pytestmark = pytest.mark.simcord(shard_count=1, settle_timeout=30)


def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "musicrec-bot.sqlite3"


async def test_a_card_from_before_a_restart_pages_refines_and_gives_more_like(
    scene: Any, make_bot: Any, quick_recommender: Any
) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="Lady Gaga dance tracks")
    assert first.response is not None
    page_one = songs_on(card_of(first))
    like = menu(first.response, "mr:like:")
    await scene.env.restart_bot(make_bot())

    await scene.alice.click(first.response, label="Next")
    assert [n for n, _, _ in songs_on(card_in(first.response.message))] == [6, 7, 8, 9, 10]
    await scene.alice.click(first.response, label="Previous")
    assert songs_on(card_in(first.response.message)) == page_one

    await scene.alice.send(scene.channel, f"{scene.env.bot.user.mention} from 2011", reply_to=first.response)
    refined = card_in(scene.channel.last_message)
    assert refined.title == "Songs for “Lady Gaga dance tracks”"
    assert "Refined with “from 2011”" in (refined.description or "")

    value = like["options"][0]["value"]
    picked = await scene.alice.select(first.response, [value], custom_id=like["custom_id"])
    assert card_of(picked).title == f"Songs like {quick_recommender.songs[int(value)].label}"


async def test_an_unknown_card_answers_politely(scene: Any, tmp_path: Path) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="rainy day")
    assert first.response is not None
    with sqlite3.connect(database(tmp_path)) as db:
        db.execute("DELETE FROM cards")
    clicked = await scene.alice.click(first.response, label="Next")
    assert clicked.ephemeral and clicked.response is not None and clicked.response.content == FORGOTTEN_CARD


async def test_a_card_from_another_catalog_is_not_misread(scene: Any, make_bot: Any) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="Lady Gaga dance tracks")
    assert first.response is not None
    like = menu(first.response, "mr:like:")
    restarted = make_bot()
    restarted.service.catalog_tag = "0123abcd"
    await scene.env.restart_bot(restarted)
    picked = await scene.alice.select(first.response, [like["options"][0]["value"]], custom_id=like["custom_id"])
    assert picked.ephemeral and picked.response is not None and picked.response.content == OTHER_CATALOG


async def test_thumbs_down_removes_a_song_from_that_members_answers_only(scene: Any, make_bot: Any) -> None:
    bob = scene.guild.add_member(scene.env.create_user("bob"))
    first = await scene.alice.slash(scene.channel, "recommend", mood="Lady Gaga dance tracks")
    assert first.response is not None
    top = songs_on(card_of(first))[0]
    rate = menu(first.response, "mr:rate:")
    [down] = [o for o in rate["options"] if o["value"].startswith("-") and o["label"].startswith("#1 ")]
    rated = await scene.alice.select(first.response, [down["value"]], custom_id=rate["custom_id"])
    assert rated.ephemeral and rated.response is not None and rated.response.content.startswith("👎 Noted")

    await scene.env.restart_bot(make_bot(repeat_hours=1))
    await scene.env.advance_time(2 * 3600)  # past the no-repeats window: only the 👎 keeps it out
    again = songs_on(card_of(await scene.alice.slash(scene.channel, "recommend", mood="Lady Gaga dance tracks")))
    assert top[1:] not in {song[1:] for song in again}
    for_bob = songs_on(card_of(await bob.slash(scene.channel, "recommend", mood="Lady Gaga dance tracks")))
    assert for_bob[0] == top, "another member still gets it"


async def test_a_liked_songs_neighbours_rise_for_that_member(scene: Any, quick_recommender: Any) -> None:
    import numpy as np

    bob = scene.guild.add_member(scene.env.create_user("bob"))
    first = await scene.alice.slash(scene.channel, "recommend", mood="happy dance songs")
    assert first.response is not None
    rate = menu(first.response, "mr:rate:")
    up = [option for option in rate["options"] if option["value"].startswith("+")][-1]  # 👍 the card's last song
    await scene.alice.select(first.response, [up["value"]], custom_id=rate["custom_id"])
    # "Toward their sound": closeness of the answers' audio features to the liked song's.
    sound = quick_recommender.searcher.ranker.audio
    liked = sound[int(up["value"][1:])]
    ids = {song.label: song.id for song in quick_recommender.songs}

    def closeness(result: Any) -> float:
        labels = [f"{title} — {artist}" for _, title, artist in songs_on(card_of(result))]
        return float(np.mean([sound[ids[label]] @ liked for label in labels]))

    await scene.env.advance_time(25 * 3600)  # past the no-repeats window
    for_alice = await scene.alice.slash(scene.channel, "recommend", mood="rainy day songs")
    for_bob = await bob.slash(scene.channel, "recommend", mood="rainy day songs")
    assert closeness(for_alice) > closeness(for_bob)


async def test_asking_again_brings_fresh_songs_first(scene: Any) -> None:
    first = songs_on(card_of(await scene.alice.slash(scene.channel, "recommend", mood="Lady Gaga dance tracks")))
    second = songs_on(card_of(await scene.alice.slash(scene.channel, "recommend", mood="Lady Gaga dance tracks")))
    assert not {s[1:] for s in first} & {s[1:] for s in second}
    bob = scene.guild.add_member(scene.env.create_user("bob"))
    assert songs_on(card_of(await bob.slash(scene.channel, "recommend", mood="Lady Gaga dance tracks"))) == first


async def test_history_is_private_and_forget_me_leaves_no_row(scene: Any, tmp_path: Path) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="rainy day")
    assert first.response is not None
    rate = menu(first.response, "mr:rate:")
    await scene.alice.select(first.response, [rate["options"][0]["value"]], custom_id=rate["custom_id"])

    await scene.alice.click(first.response, label="Next")
    history = await scene.alice.slash(scene.channel, "history")
    assert history.ephemeral
    text = "\n".join(f"{f.name} {f.value}" for f in card_of(history).fields)
    assert text.count("“rainy day”") == 1, "a request is listed once however many pages were turned"
    assert rate["options"][0]["label"].split(" ", 1)[1] in text

    forgot = await scene.alice.slash(scene.channel, "forget-me")
    assert forgot.ephemeral and forgot.response is not None and forgot.response.content.startswith("Done")
    with sqlite3.connect(database(tmp_path)) as db:
        for table, column in (("cards", "owner_id"), ("feedback", "member_id"), ("history", "member_id")):
            assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (scene.alice.id,)).fetchone() == (0,)
    clicked = await scene.alice.click(first.response, label="Next")
    assert clicked.ephemeral and clicked.response is not None and clicked.response.content == FORGOTTEN_CARD


async def test_commands_sync_on_the_first_start_and_after_a_change_only(scene: Any, make_bot: Any) -> None:
    def sync_calls() -> int:
        return len([r for r in scene.env.http_requests if r.method == "PUT" and r.path.endswith("/commands")])

    assert sync_calls() == 1, "the first start syncs"
    await scene.env.restart_bot(make_bot())
    assert sync_calls() == 1, "an unchanged tree is not synced again"
    await scene.env.restart_bot(make_bot(dev_guild_id=scene.guild.id))
    assert sync_calls() == 2, "a different target is a change"
    await scene.env.bot.sync_commands(force=True)  # what `python -m bot --sync` asks for
    assert sync_calls() == 3, "a forced sync always syncs"


async def test_a_development_server_gets_the_commands_directly(scene: Any, make_bot: Any) -> None:
    await scene.env.restart_bot(make_bot(dev_guild_id=scene.guild.id))
    put = [r for r in scene.env.http_requests if r.method == "PUT" and r.path.endswith("/commands")][-1]
    assert put.path.endswith(f"/guilds/{scene.guild.id}/commands")
    assert {c["name"] for c in put.json} == {
        "recommend",
        "similar",
        "help",
        "about",
        "history",
        "forget-me",
        "settings",
    }


async def test_an_admin_adds_a_request_channel_for_their_server_only(scene: Any, make_bot: Any) -> None:
    owner = scene.guild.add_member(
        scene.env.create_user("olive"), roles=[scene.guild.create_role("Admins", permissions=_manage_guild())]
    )
    requests = scene.guild.create_text_channel("song-requests")
    other_guild = scene.env.create_guild("Other Server")
    twin = other_guild.create_text_channel("song-requests")
    stranger = other_guild.add_member(scene.env.create_user("sam"))

    added = await owner.slash(scene.channel, "settings add-channel", channel=requests)
    assert added.ephemeral and added.response is not None and "Added" in added.response.content
    await scene.env.restart_bot(make_bot())  # the Message Content intent is chosen at start-up
    assert scene.env.bot.intents.message_content
    await scene.alice.send(requests, "upbeat summer road trip")
    assert card_in(requests.last_message).title == "Songs for “upbeat summer road trip”"
    await stranger.send(twin, "upbeat summer road trip")
    assert bot_messages(twin, scene.env) == []


async def test_a_member_without_manage_server_cannot_change_settings(scene: Any) -> None:
    requests = scene.guild.create_text_channel("song-requests")
    assert "settings" not in scene.alice.available_commands(scene.channel), "hidden from members by default"
    with pytest.raises(simcord.SetupError):
        await scene.alice.slash(scene.channel, "settings add-channel", channel=requests)
    # A server admin may show the command to everyone; changing settings still needs Manage Server.
    [settings] = [c for c in await scene.env.bot.tree.fetch_commands() if c.name == "settings"]
    scene.guild.set_command_permissions(settings, {scene.alice: True})
    refused = await scene.alice.slash(scene.channel, "settings add-channel", channel=requests)
    assert refused.ephemeral and refused.response is not None and "Manage Server" in refused.response.content
    await scene.alice.send(requests, "upbeat summer road trip")
    assert bot_messages(requests, scene.env) == []


async def test_a_servers_song_count_survives_a_restart(scene: Any, make_bot: Any) -> None:
    admin = scene.guild.add_member(
        scene.env.create_user("olive"), roles=[scene.guild.create_role("Admins", permissions=_manage_guild())]
    )
    await admin.slash(scene.channel, "settings song-count", count=3)
    await scene.env.restart_bot(make_bot())
    assert len(songs_on(card_of(await scene.alice.slash(scene.channel, "recommend", mood="rainy day")))) == 3


def _manage_guild() -> Any:
    import discord

    return discord.Permissions(manage_guild=True)


async def test_a_server_can_turn_off_refining_by_reply(scene: Any, make_bot: Any) -> None:
    admin = scene.guild.add_member(
        scene.env.create_user("olive"), roles=[scene.guild.create_role("Admins", permissions=_manage_guild())]
    )
    requests = scene.guild.create_text_channel("song-requests")
    await scene.env.restart_bot(make_bot(recommend_channel_ids=frozenset({requests.id})))
    await admin.slash(scene.channel, "settings replies-refine", on=False)
    await scene.alice.send(scene.channel, f"{scene.env.bot.user.mention} chill evening")
    await scene.alice.send(scene.channel, "more acoustic", reply_to=scene.channel.last_message)
    assert len(bot_messages(scene.channel, scene.env)) == 1, "a plain reply no longer refines"
    await scene.alice.send(requests, "upbeat summer road trip")
    await scene.alice.send(requests, "but from 2015", reply_to=requests.last_message)
    latest = card_in(requests.last_message)
    assert latest.title == "Songs for “but from 2015”", "in a request channel it is a request of its own"
