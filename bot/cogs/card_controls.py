"""Clicks on a card's controls (see ``bot/controls.py``): turning pages, "More like…", 👍/👎.

Only the member who asked may turn their card's pages or start "More like…" from it; anyone else
is told privately and nothing public changes. Ratings are each member's own.
"""

from __future__ import annotations

import discord
from discord.ext import commands

from recommender.request import Request

from ..cardmaker import CardMaker
from ..controls import COG_NAME
from ..notices import FORGOTTEN_CARD, NOT_YOURS, OTHER_CATALOG, report_failure, tell
from ..service import MusicService
from ..store import Card, Store


class CardControls(commands.Cog, name=COG_NAME):
    def __init__(self, maker: CardMaker, service: MusicService, store: Store) -> None:
        self.maker = maker
        self.service = service
        self.store = store

    async def turn_page(self, interaction: discord.Interaction, owner_id: int, page: int) -> None:
        try:
            card = await self._own_card(interaction, owner_id)
            # Not rate-limited: a page re-reads the card's cached request vector, and only its owner can turn it.
            if card is not None:
                await self.maker.turn_page(interaction, card, page)
        except Exception as error:
            await report_failure(interaction, error)

    async def more_like(self, interaction: discord.Interaction, owner_id: int, catalog_tag: str, song_id: int) -> None:
        try:
            if catalog_tag != self.service.catalog_tag or self.service.song(song_id) is None:
                await tell(interaction, OTHER_CATALOG)
                return
            card = await self._own_card(interaction, owner_id)
            if card is not None and await self.maker.admit(interaction):
                await self.maker.post("more-like", interaction, Request(seed=song_id, k=card.request.k))
        except Exception as error:
            await report_failure(interaction, error)

    async def rate(self, interaction: discord.Interaction, catalog_tag: str, song_id: int, *, liked: bool) -> None:
        try:
            song = self.service.song(song_id) if catalog_tag == self.service.catalog_tag else None
            if song is None:
                await tell(interaction, OTHER_CATALOG)
                return
            await self.store.rate(interaction.user.id, catalog_tag, song_id, liked=liked)
            if liked:
                said = f"👍 Noted: your next answers lean toward the sound of {song.label}."
            else:
                said = f"👎 Noted: I won't recommend {song.label} to you again."
            await tell(interaction, discord.utils.escape_markdown(said))
        except Exception as error:
            await report_failure(interaction, error)

    async def _own_card(self, interaction: discord.Interaction, owner_id: int) -> Card | None:
        """The clicked card when the clicker owns it; otherwise None, after telling them why privately."""
        if interaction.user.id != owner_id:
            await tell(interaction, NOT_YOURS)
            return None
        card = await self.store.card(interaction.message.id) if interaction.message else None
        if card is None:
            await tell(interaction, FORGOTTEN_CARD)
        elif card.catalog_tag != self.service.catalog_tag:
            await tell(interaction, OTHER_CATALOG)
            return None
        return card
