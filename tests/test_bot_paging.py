"""Cards page in place; only the member who asked can page or pick "More like…"; controls never expire."""

from __future__ import annotations

from typing import Any

import pytest
from card_reading import bot_messages, buttons, card_in, card_of, menu, songs_on

from bot.notices import NOT_YOURS

pytestmark = pytest.mark.simcord(shard_count=1, settle_timeout=30)


async def test_paging_edits_the_one_card_forward_and_back(scene: Any) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="Lady Gaga dance tracks")
    assert first.response is not None
    page_one = songs_on(card_of(first))
    assert buttons(first.response) == ["Next"], "no way back from the first page"

    await scene.alice.click(first.response, label="Next")
    card = card_in(first.response.message)
    assert [number for number, _, _ in songs_on(card)] == [6, 7, 8, 9, 10]
    assert card.title == "Songs for “Lady Gaga dance tracks”"
    assert "Songs 6–10" in (card.description or "")
    assert not {title for _, title, _ in page_one} & {title for _, title, _ in songs_on(card)}
    assert buttons(first.response) == ["Previous", "Next"]

    await scene.alice.click(first.response, label="Next")
    await scene.alice.click(first.response, label="Previous")
    await scene.alice.click(first.response, label="Previous")
    assert songs_on(card_in(first.response.message)) == page_one
    assert len(bot_messages(scene.channel, scene.env)) == 1, "paging leaves exactly one card message"


async def test_a_bystanders_click_changes_nothing_public(scene: Any) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="rainy day")
    assert first.response is not None
    before = card_in(first.response.message).to_dict()
    bob = scene.guild.add_member(scene.env.create_user("bob"))

    clicked = await bob.click(first.response, label="Next")
    assert clicked.ephemeral and clicked.response is not None and clicked.response.content == NOT_YOURS
    like = menu(first.response, "mr:like:")
    picked = await bob.select(first.response, [like["options"][0]["value"]], custom_id=like["custom_id"])
    assert picked.ephemeral and picked.response is not None and picked.response.content == NOT_YOURS

    assert card_in(first.response.message).to_dict() == before
    assert len(bot_messages(scene.channel, scene.env)) == 1


async def test_more_like_is_a_new_card_for_that_song(scene: Any, quick_recommender: Any) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="sad breakup songs", count=3)
    assert first.response is not None
    like = menu(first.response, "mr:like:")
    second = like["options"][1]
    assert second["label"].startswith("#2 ")
    picked = await scene.alice.select(first.response, [second["value"]], custom_id=like["custom_id"])
    seed = quick_recommender.songs[int(second["value"])]
    card = card_of(picked)
    assert card.title == f"Songs like {seed.label}"
    assert len(songs_on(card)) == 3, "keeps the count of the card it came from"
    assert (seed.title, seed.artist) not in {(t, a) for _, t, a in songs_on(card)}


async def test_controls_do_not_expire(scene: Any) -> None:
    first = await scene.alice.slash(scene.channel, "recommend", mood="rainy day")
    assert first.response is not None
    await scene.env.advance_time(7 * 24 * 3600)
    assert buttons(first.response) == ["Next"]
    await scene.alice.click(first.response, label="Next")
    assert songs_on(card_in(first.response.message))[0][0] == 6
