"""/recommend, /similar and its lookup, /help and /about, the cooldown and mention safety, through SimCord."""

from __future__ import annotations

import re
from typing import Any

import pytest
import simcord
from card_reading import card_of, card_text, songs_on

from bot import cards
from bot.cooldown import PER, RATE
from bot.limits import MAX_COUNT, MAX_TEXT_CHARS

# Discord recommends one shard for a small bot; SimCord needs that said for an AutoShardedBot.
pytestmark = pytest.mark.simcord(shard_count=1, settle_timeout=30)


def synced(env: Any, name: str) -> dict[str, Any]:
    puts = [r for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
    return next(command for command in puts[-1].json if command["name"] == name)


async def test_recommend_shows_songs_what_was_understood_and_the_catalog(scene: Any) -> None:
    result = await scene.alice.slash(scene.channel, "recommend", mood="slow acoustic songs from 2015")
    card = card_of(result)
    assert not result.ephemeral
    assert card.title == "Songs for “slow acoustic songs from 2015”"
    assert card.description is not None and card.description.startswith("Understood: ")
    assert {"year 2015", "acoustic", "slow"} <= set(card.description.removeprefix("Understood: ").split(" · "))
    assert [number for number, _, _ in songs_on(card)] == [1, 2, 3, 4, 5]
    assert card.footer.text == "Top 50 Music From 2010-2019 · 587 songs", "a catalog name, not a file or model"
    tempos = [
        re.search(r"(very slow|slow|mid-tempo|upbeat|fast|very fast), \d+ BPM", f.value or "") for f in card.fields
    ]
    assert all(tempos), "every card gives its tempo in words from the song scales"
    assert all(t and "slow" in t[1] for t in tempos[:3]), "the best answers are slow"
    for field in card.fields:
        assert "2015" in (field.value or "").split("\n")[0]
        assert "[Listen on Spotify](https://open.spotify.com/search/" in (field.value or "")
    [welcome] = result.followups
    assert welcome.ephemeral and welcome.content.startswith("Welcome!"), "a first request gets a private welcome"
    again = await scene.alice.slash(scene.channel, "recommend", mood="slow acoustic songs from 2016")
    assert again.followups == [], "once, and a request that was understood needs no hint"


async def test_recommend_options_have_limits_and_an_example(scene: Any) -> None:
    mood, count = synced(scene.env, "recommend")["options"]
    assert mood["max_length"] == MAX_TEXT_CHARS
    assert "e.g." in mood["description"]
    assert (count["min_value"], count["max_value"], count["required"]) == (1, MAX_COUNT, False)
    result = await scene.alice.slash(scene.channel, "recommend", mood="chill acoustic evening", count=MAX_COUNT)
    assert len(songs_on(card_of(result))) == MAX_COUNT


async def test_an_over_long_mood_cannot_be_sent(scene: Any) -> None:
    with pytest.raises(simcord.OptionError):
        await scene.alice.slash(scene.channel, "recommend", mood="x" * (MAX_TEXT_CHARS + 1))


async def test_a_blank_mood_gets_a_private_hint(scene: Any) -> None:
    result = await scene.alice.slash(scene.channel, "recommend", mood="   ")
    assert result.ephemeral
    assert result.response is not None and "Describe a mood" in result.response.content


async def test_nonsense_gets_the_closest_songs_and_a_private_word_on_what_to_try(scene: Any) -> None:
    result = await scene.alice.slash(scene.channel, "recommend", mood="asdfgh")
    card = card_of(result)
    assert len(card.fields) == 5 and "Understood" not in (card.description or "")
    [hint] = result.followups
    assert hint.ephemeral
    assert hint.content.startswith("I didn't recognise an artist, year, genre or sound in “asdfgh”")
    assert "/help" in hint.content


async def test_autocomplete_ranks_title_matches_first(scene: Any, quick_recommender: Any) -> None:
    choices = await scene.alice.autocomplete(scene.channel, "similar", "song", "love the wa")
    assert choices[0]["name"] == "Love The Way You Lie — Eminem (2010)"
    by_artist = await scene.alice.autocomplete(scene.channel, "similar", "song", "eminem")
    assert all("— Eminem" in choice["name"] for choice in by_artist[:2])
    popular = await scene.alice.autocomplete(scene.channel, "similar", "song", "")
    assert len(popular) == 25
    for choice in popular + choices + by_artist:
        assert 0 < len(choice["name"]) <= 100


async def test_autocomplete_tells_duplicate_titles_apart(scene: Any, quick_recommender: Any) -> None:
    choices = await scene.alice.autocomplete(scene.channel, "similar", "song", "hello")
    assert {c["name"] for c in choices[:2]} == {"Hello — Adele (2015)", "Hello — Martin Solveig (2010)"}
    adele = next(c for c in choices if "Adele" in c["name"])
    card = card_of(await scene.alice.slash(scene.channel, "similar", song=adele["value"]))
    assert card.title == "Songs like Hello — Adele"


@pytest.mark.parametrize(
    ("typed", "seed"),
    [
        ("3", "3 — Britney Spears"),
        ("love the way u lie", "Love The Way You Lie — Eminem"),
        ("seven years", "7 Years — Lukas Graham"),
        ("suit and tie", "Suit & Tie — Justin Timberlake"),
        ("E.T", "E.T. — Katy Perry"),
    ],
)
async def test_similar_resolves_titles_typed_by_hand(scene: Any, typed: str, seed: str) -> None:
    card = card_of(await scene.alice.slash(scene.channel, "similar", song=typed))
    assert card.title == f"Songs like {cards.escape(seed)}"
    assert seed.split(" — ")[0] not in {title for _, title, _ in songs_on(card)}, "never the seed itself"


async def test_an_unknown_song_gets_the_closest_titles_privately(scene: Any) -> None:
    result = await scene.alice.slash(scene.channel, "similar", song="Someone Like You live")
    assert result.ephemeral and result.response is not None
    lines = result.response.content.split("\n")
    assert lines[0] == "I couldn't find “Someone Like You live” in the catalog. Did you mean:"
    assert lines[1] == "• Someone Like You — Adele"
    nothing = await scene.alice.slash(scene.channel, "similar", song="Bohemian Rhapsody")
    assert nothing.ephemeral and nothing.response is not None and "pick a song" in nothing.response.content


async def test_help_shows_an_example_of_every_kind_the_library_understands(scene: Any, quick_recommender: Any) -> None:
    from recommender.examples import example_requests

    result = await scene.alice.slash(scene.channel, "help")
    assert result.ephemeral
    text = card_text(card_of(result))
    for examples in example_requests(quick_recommender.songs).values():
        for example in examples:
            assert f"*{cards.escape(example)}*" in text
    for command in ("/recommend", "/similar", "/history", "/forget-me", "Reply"):
        assert command in text


async def test_about_says_what_is_stored_and_for_how_long(scene: Any, make_bot: Any) -> None:
    await scene.env.restart_bot(make_bot(retention_days=30))
    result = await scene.alice.slash(scene.channel, "about")
    assert result.ephemeral
    embed = card_of(result)
    text = card_text(embed)
    assert "587 chart songs" in text and "Top 50 Music From 2010-2019" in text
    assert "deleted after 30 days" in text and "/forget-me" in text
    assert len(embed) <= cards.EMBED_TOTAL_LIMIT


async def test_the_cooldown_says_privately_when_to_try_again(scene: Any) -> None:
    for n in range(RATE):
        card_of(await scene.alice.slash(scene.channel, "recommend", mood=f"happy song {n}"))
    before = scene.env.now().timestamp()
    blocked = await scene.alice.slash(scene.channel, "recommend", mood="one more")
    assert blocked.ephemeral and blocked.response is not None
    match = re.fullmatch(r"Slow down a little: you can ask again <t:(\d+):R>\.", blocked.response.content)
    assert match and 0 < int(match[1]) - before <= PER + 1
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
    bodies = []
    for request in scene.env.http_requests:
        body = request.json.get("data") if request.path.endswith("/callback") and request.json else request.json
        if isinstance(body, dict) and ("content" in body or "embeds" in body):
            bodies.append(body)
    assert bodies and all(body.get("allowed_mentions") == {"parse": []} for body in bodies)


async def test_cards_at_count_ten_with_the_longest_titles_fit_discord(scene: Any, quick_recommender: Any) -> None:
    longest = sorted(quick_recommender.songs, key=lambda s: len(s.label), reverse=True)[:3]
    mood = " ".join(s.title for s in longest)[:MAX_TEXT_CHARS]
    card = card_of(await scene.alice.slash(scene.channel, "recommend", mood=mood, count=MAX_COUNT))
    assert len(card.fields) == MAX_COUNT
    assert len(card) <= cards.EMBED_TOTAL_LIMIT
    assert len(card.title or "") <= cards.TITLE_LIMIT
