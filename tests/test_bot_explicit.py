"""``/settings explicit``: a server's admins keep explicit songs off every card in their server, and only there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import numpy as np
import pytest
import simcord
from card_reading import card_in, card_of, menu, songs_on
from tiny_recommender import HashEncoder, unit_vector

from recommender.engine import Recommender
from recommender.profiles.default import HybridSearch
from recommender.songs import Features, Song

pytestmark = pytest.mark.simcord(shard_count=1, settle_timeout=30)

ARTISTS = ["Ava", "Ben", "Cleo", "Dex", "Emi", "Finn", "Gia", "Hal", "Ivy", "Jon"]
MOODS = ["party dance", "sad acoustic", "chill night"]


def explicit_catalog() -> list[Song]:
    """30 songs, 3 per artist; two in three are marked explicit, so a clean card needs songs from several artists."""
    return [
        Song(
            id=n,
            title=f"Track {n} {MOODS[n % 3]}",
            artist=ARTISTS[n // 3],
            genres=("pop",),
            years=(2010 + n % 10,),
            features=Features(90 + 2 * n, 3 * n, 50, -6, 10, 40, 200, 20, 5, 60, 0, 1, explicit=float(n % 3 != 0)),
        )
        for n in range(30)
    ]


@pytest.fixture(scope="module")
def quick_recommender() -> Recommender:
    """Overrides conftest's: the bot over a small catalog that marks explicit songs (the reference one marks none)."""
    songs = explicit_catalog()
    vectors = np.stack([unit_vector(f"{s.title} {s.artist}") for s in songs])
    recommender = Recommender(
        songs=songs, vectors=vectors, index=None, encoder=HashEncoder(), profile="default", catalog=Path("explicit.csv")
    )
    # Hash vectors carry no meaning: concepts are read from words alone, as conftest's stand-in does.
    assert isinstance(recommender.searcher, HybridSearch)
    recommender.searcher.parser.concept_vectors = None
    return recommender


def explicit_on(card: discord.Embed, recommender: Recommender) -> list[str]:
    by_label = {song.label: song for song in recommender.songs}
    return [f"{t} — {a}" for _, t, a in songs_on(card) if by_label[f"{t} — {a}"].is_explicit]


def admin_of(scene: Any) -> Any:
    role = scene.guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    return scene.guild.add_member(scene.env.create_user("olive"), roles=[role])


async def test_explicit_songs_off_in_one_server_keeps_them_off_every_card_there_only(
    scene: Any, make_bot: Any, quick_recommender: Recommender
) -> None:
    other = scene.env.create_guild("Other Server")
    elsewhere, sam = other.create_text_channel("general"), other.add_member(scene.env.create_user("sam"))
    assert explicit_on(
        card_of(await scene.alice.slash(scene.channel, "recommend", mood="party dance")), quick_recommender
    )

    turned = await admin_of(scene).slash(scene.channel, "settings explicit", allowed=False)
    assert turned.ephemeral and turned.response is not None
    assert "Explicit songs: never shown" in turned.response.content
    await scene.env.restart_bot(make_bot())  # the choice is in the database, not in the old bot's memory
    await scene.env.advance_time(3600)  # past the cooldown and the no-repeats window

    first = await scene.alice.slash(scene.channel, "recommend", mood="party dance")
    assert first.response is not None and len(songs_on(card_of(first))) == 5
    assert explicit_on(card_of(first), quick_recommender) == []
    await scene.alice.click(first.response, label="Next")
    assert explicit_on(card_in(first.response.message), quick_recommender) == [], "a later page"
    like = menu(first.response, "mr:like:")
    more = await scene.alice.select(first.response, [like["options"][0]["value"]], custom_id=like["custom_id"])
    assert explicit_on(card_of(more), quick_recommender) == [], "More like…"

    await scene.env.advance_time(60)
    similar = await scene.alice.slash(scene.channel, "similar", song=quick_recommender.songs[1].label)
    assert explicit_on(card_of(similar), quick_recommender) == [], "/similar of an explicit song"
    await scene.alice.send(scene.channel, f"{scene.env.bot.user.mention} sad acoustic")
    mentioned = scene.channel.last_message
    assert explicit_on(card_in(mentioned), quick_recommender) == [], "a mention"
    await scene.alice.send(scene.channel, f"{scene.env.bot.user.mention} explicit songs", reply_to=mentioned)
    assert explicit_on(card_in(scene.channel.last_message), quick_recommender) == [], "a refinement asking for them"

    there = await sam.slash(elsewhere, "recommend", mood="party dance")
    assert explicit_on(card_of(there), quick_recommender), "another server still gets explicit songs"


async def test_a_member_without_manage_server_cannot_allow_explicit_songs(scene: Any, make_bot: Any) -> None:
    admin = admin_of(scene)
    await admin.slash(scene.channel, "settings explicit", allowed=False)
    with pytest.raises(simcord.SetupError):
        await scene.alice.slash(scene.channel, "settings explicit", allowed=True)
    [settings] = [c for c in await scene.env.bot.tree.fetch_commands() if c.name == "settings"]
    scene.guild.set_command_permissions(settings, {scene.alice: True})
    refused = await scene.alice.slash(scene.channel, "settings explicit", allowed=True)
    assert refused.ephemeral and refused.response is not None and "Manage Server" in refused.response.content
    shown = await admin.slash(scene.channel, "settings show")
    assert shown.response is not None and "Explicit songs: never shown" in shown.response.content
