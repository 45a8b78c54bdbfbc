"""Slash commands, autocomplete, card controls and the cooldown, driven through SimCord."""

from __future__ import annotations

import re
from typing import Any

import discord
import pytest
import simcord

from bot import cards
from bot.cooldown import PER, RATE
from bot.request import MAX_COUNT, MAX_MOOD_CHARS

# Discord recommends one shard for a small bot; SimCord needs that said for an AutoShardedBot.
# The model answers in tens of milliseconds, but CI cores are slow and shared.
pytestmark = pytest.mark.simcord(shard_count=1, settle_timeout=30)

SONG_NAME = re.compile(r"^(?P<number>\d+)\. (?P<title>.+) — (?P<artist>.+)$")


def songs_on(embed: discord.Embed) -> list[tuple[int, str, str]]:
    """(number, title, artist) of each song on a card."""
    found = []
    for field in embed.fields:
        match = SONG_NAME.match(field.name or "")
        assert match, field.name
        found.append((int(match["number"]), match["title"], match["artist"]))
    return found


def card_of(result: simcord.InteractionResult) -> discord.Embed:
    assert result.acknowledged
    assert result.response is not None, "no answer"
    [embed] = result.response.embeds
    return embed


def synced(env: Any, name: str) -> dict[str, Any]:
    puts = [r for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
    return next(command for command in puts[-1].json if command["name"] == name)


async def test_recommend_lists_songs_for_the_mood(scene: Any) -> None:
    result = await scene.alice.slash(scene.channel, "recommend", mood="Lady Gaga dance tracks")
    card = card_of(result)
    assert not result.ephemeral
    assert card.title == "Songs for “Lady Gaga dance tracks”"
    songs = songs_on(card)
    assert [number for number, _, _ in songs] == [1, 2, 3, 4, 5]
    assert {artist for _, _, artist in songs} == {"Lady Gaga"}
    assert card.footer.text == "top50MusicFrom2010-2019.csv (587 songs) · all-mpnet-base-v2"
    for field in card.fields:
        assert "[Listen on Spotify](https://open.spotify.com/search/" in (field.value or "")
        assert re.search(r"\d+ BPM · energy \d+", field.value or "")


async def test_recommend_options_have_limits_and_an_example(scene: Any) -> None:
    mood, count = synced(scene.env, "recommend")["options"]
    assert mood["max_length"] == MAX_MOOD_CHARS
    assert "e.g." in mood["description"]
    assert (count["min_value"], count["max_value"], count["required"]) == (1, MAX_COUNT, False)
    result = await scene.alice.slash(scene.channel, "recommend", mood="chill acoustic evening", count=MAX_COUNT)
    assert len(songs_on(card_of(result))) == MAX_COUNT


async def test_an_over_long_mood_cannot_be_sent(scene: Any) -> None:
    # Discord's client enforces max_length; SimCord refuses the same way.
    with pytest.raises(simcord.OptionError):
        await scene.alice.slash(scene.channel, "recommend", mood="x" * (MAX_MOOD_CHARS + 1))


async def test_a_blank_mood_gets_a_hint(scene: Any) -> None:
    result = await scene.alice.slash(scene.channel, "recommend", mood="   ")
    assert result.ephemeral
    assert result.response is not None and "Describe a mood" in result.response.content


async def test_autocomplete_offers_catalog_songs_by_title_or_artist(scene: Any, recommender: Any) -> None:
    choices = await scene.alice.autocomplete(scene.channel, "similar", "song", "love the way")
    assert choices[0]["name"] == "Love The Way You Lie — Eminem (2010)"
    assert recommender.songs[int(choices[0]["value"])].label == "Love The Way You Lie — Eminem"
    by_artist = await scene.alice.autocomplete(scene.channel, "similar", "song", "eminem")
    assert any("— Eminem" in choice["name"] for choice in by_artist)
    popular = await scene.alice.autocomplete(scene.channel, "similar", "song", "")
    assert len(popular) == 25
    for choice in popular + choices + by_artist:
        assert 0 < len(choice["name"]) <= 100


async def test_autocomplete_tells_duplicate_titles_apart(scene: Any, recommender: Any) -> None:
    choices = await scene.alice.autocomplete(scene.channel, "similar", "song", "hello")
    hellos = [c for c in choices if c["name"].startswith("Hello — ")]
    assert {c["name"] for c in hellos} == {"Hello — Adele (2015)", "Hello — Martin Solveig (2010)"}
    picked = {recommender.songs[int(c["value"])].artist for c in hellos}
    assert picked == {"Adele", "Martin Solveig"}
    adele = next(c for c in hellos if "Adele" in c["name"])
    card = card_of(await scene.alice.slash(scene.channel, "similar", song=adele["value"]))
    assert card.title == "Songs like Hello — Adele"


async def test_similar_never_lists_the_seed_song(scene: Any) -> None:
    [choice, *_] = await scene.alice.autocomplete(scene.channel, "similar", "song", "love the way")
    result = await scene.alice.slash(scene.channel, "similar", song=choice["value"], count=MAX_COUNT)
    card = card_of(result)
    assert card.title == "Songs like Love The Way You Lie — Eminem"
    songs = songs_on(card)
    assert len(songs) == MAX_COUNT
    assert ("Love The Way You Lie", "Eminem") not in {(title, artist) for _, title, artist in songs}


async def test_similar_accepts_a_typed_title(scene: Any) -> None:
    card = card_of(await scene.alice.slash(scene.channel, "similar", song="Love The Way You Lie"))
    assert card.title == "Songs like Love The Way You Lie — Eminem"


async def test_a_song_that_is_not_in_the_catalog_gets_the_closest_titles(scene: Any) -> None:
    result = await scene.alice.slash(scene.channel, "similar", song="Someone Like You live")
    assert result.ephemeral
    assert result.response is not None
    lines = result.response.content.split("\n")
    assert lines[0] == "I couldn't find “Someone Like You live” in the catalog. The closest titles are:"
    assert lines[1] == "• Someone Like You — Adele"
    nothing = await scene.alice.slash(scene.channel, "similar", song="Bohemian Rhapsody")
    assert nothing.response is not None and "pick a song from the list" in nothing.response.content


async def test_about_explains_the_bot(scene: Any, recommender: Any) -> None:
    result = await scene.alice.slash(scene.channel, "about")
    assert result.ephemeral
    embed = card_of(result)
    text = " ".join([embed.description or ""] + [f"{f.name} {f.value}" for f in embed.fields])
    assert f"{len(recommender.songs)} chart songs" in text
    assert "all-mpnet-base-v2" in text
    for how in ("/recommend", "/similar", "Mention me", "Reply to one of my cards"):
        assert how in text
    assert len(embed) <= cards.EMBED_TOTAL_LIMIT


async def test_more_shows_the_next_songs_for_the_same_request(scene: Any) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="Lady Gaga dance tracks")
    assert first.response is not None
    more = await scene.alice.click(first.response, label="More")
    card = card_of(more)
    assert card.title == "Songs for “Lady Gaga dance tracks”"
    assert card.description == "Songs 6–10"
    next_songs = songs_on(card)
    assert [number for number, _, _ in next_songs] == [6, 7, 8, 9, 10]
    first_titles = {title for _, title, _ in songs_on(card_of(first))}
    assert not first_titles & {title for _, title, _ in next_songs}
    assert {artist for _, _, artist in next_songs} == {"Lady Gaga"}


async def test_more_like_answers_with_similar_for_that_song(scene: Any, recommender: Any) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="sad breakup songs", count=3)
    assert first.response is not None
    [menu] = [c for row in first.response.components for c in row["components"] if c["type"] == 3]
    second = menu["options"][1]
    assert second["label"].startswith("#2 ")
    picked = await scene.alice.select(first.response, [second["value"]], custom_id=menu["custom_id"])
    seed = recommender.songs[int(second["value"])]
    card = card_of(picked)
    assert card.title == f"Songs like {cards.escape(seed.label)}"
    assert len(songs_on(card)) == 3, "keeps the count of the card it came from"
    assert (seed.title, seed.artist) not in {(t, a) for _, t, a in songs_on(card)}


async def test_cards_time_out_by_retiring_their_controls(scene: Any) -> None:
    from bot.views import CARD_TIMEOUT

    result = await scene.alice.slash(scene.channel, "recommend", mood="rainy day")
    assert result.response is not None and result.response.components
    await scene.env.advance_time(CARD_TIMEOUT + 1)
    assert result.response.components == []
    assert result.response.embeds, "the card itself stays"


async def test_the_cooldown_says_when_to_try_again(scene: Any) -> None:
    for n in range(RATE):
        card_of(await scene.alice.slash(scene.channel, "recommend", mood=f"happy song {n}"))
    before = scene.env.now().timestamp()
    blocked = await scene.alice.slash(scene.channel, "recommend", mood="one more")
    assert blocked.ephemeral
    assert blocked.response is not None
    match = re.fullmatch(r"Slow down a little: you can ask again <t:(\d+):R>\.", blocked.response.content)
    assert match and 0 < int(match[1]) - before <= PER + 1
    # Another member is not slowed down by alice.
    bob = scene.guild.add_member(scene.env.create_user("bob"))
    card_of(await bob.slash(scene.channel, "recommend", mood="one more"))
    await scene.env.advance_time(PER)
    card_of(await scene.alice.slash(scene.channel, "recommend", mood="one more"))


async def test_a_mention_laden_request_pings_nobody(scene: Any) -> None:
    role = scene.guild.create_role("Fans", mentionable=True)
    bob = scene.guild.add_member(scene.env.create_user("bob"))
    mood = f"@everyone @here {bob.mention} {role.mention} **loud** party songs"
    result = await scene.alice.slash(scene.channel, "recommend", mood=mood)
    assert result.response is not None
    message = result.response.message
    assert not message.mention_everyone
    assert message.mentions == [] and message.role_mentions == []
    title = card_of(result).title or ""
    assert "@\u200beveryone" in title and r"\*\*loud\*\*" in title
    assert_no_message_can_ping(scene.env)


def assert_no_message_can_ping(env: Any) -> None:
    """Every message the bot sent or edited carried allowed_mentions that allow nothing."""
    bodies = []
    for request in env.http_requests:
        body = request.json.get("data") if request.path.endswith("/callback") and request.json else request.json
        if isinstance(body, dict) and ("content" in body or "embeds" in body):
            bodies.append(body)
    assert bodies
    assert all(body.get("allowed_mentions") == {"parse": []} for body in bodies)


async def test_cards_at_count_ten_with_the_longest_titles_fit_discord(scene: Any, recommender: Any) -> None:
    longest = sorted(recommender.songs, key=lambda s: len(s.label), reverse=True)[:3]
    # Words from the longest titles draw them (and their kind) onto a full-length card.
    mood = " ".join(s.title for s in longest)[:MAX_MOOD_CHARS]
    result = await scene.alice.slash(scene.channel, "recommend", mood=mood, count=MAX_COUNT)
    card = card_of(result)
    assert len(card.fields) == MAX_COUNT
    assert len(card) <= cards.EMBED_TOTAL_LIMIT
    assert longest[0].title in {title for _, title, _ in songs_on(card)}
    assert len(card.title or "") <= cards.TITLE_LIMIT
