"""Turns requests into cards on Discord, for slash commands, card buttons and messages alike."""

from __future__ import annotations

import dataclasses

import discord

from recommender.engine import MAX_K
from recommender.ranking import song_key
from recommender.songs import Recommendation

from . import cards
from .cooldown import Cooldown
from .memory import CardMemory
from .replies import report_failure, tell
from .request import Request
from .service import MusicService
from .views import CardView

FORGOTTEN_CARD = (
    "I no longer remember the request behind this card (I restarted since). "
    "Ask again with /recommend or /similar, or reply to the card with a mood."
)
OTHER_CATALOG = "This card was made from another song catalog than the one I use now. Ask again with /similar."


class Answers:
    def __init__(self, service: MusicService, cooldown: Cooldown, memory: CardMemory) -> None:
        self.service = service
        self.cooldown = cooldown
        self.memory = memory
        self.source = cards.Source(service.catalog_name, service.song_count, service.model_name)

    async def admit(self, interaction: discord.Interaction) -> bool:
        """Whether the user is within their rate; if not, say when they can ask again."""
        retry = self.cooldown.retry_after(interaction.user.id)
        if retry:
            await tell(interaction, cards.slow_down(retry_at(retry)))
        return not retry

    async def send_card(self, interaction: discord.Interaction, request: Request) -> None:
        """Acknowledge first, since the model may take longer than Discord's 3 seconds, then answer."""
        if not interaction.response.is_done():
            await interaction.response.defer(thinking=True)
        results = await self.fetch(request)
        if not results:
            await interaction.followup.send(cards.NOTHING_MORE)
            return
        view = self._view(request, results)
        message = await interaction.followup.send(embed=cards.card(request, results, self.source), view=view, wait=True)
        view.message = message
        self.memory.remember(message.id, request)

    async def reply_card(self, message: discord.Message, request: Request, *, note: str = "") -> None:
        results = await self.fetch(request)
        if not results:
            await message.reply(cards.NOTHING_MORE)
            return
        view = self._view(request, results)
        sent = await message.reply(embed=cards.card(request, results, self.source, note=note), view=view)
        view.message = sent
        self.memory.remember(sent.id, request)

    async def more(self, interaction: discord.Interaction) -> None:
        """The "More" button: the next page of the card's request."""
        try:
            request = self.memory.recall(interaction.message.id) if interaction.message else None
            if request is None:
                await tell(interaction, FORGOTTEN_CARD)
            elif await self.admit(interaction):
                await self.send_card(interaction, request.next_page())
        except Exception as error:
            await report_failure(interaction, error)

    async def more_like(self, interaction: discord.Interaction, catalog_tag: str, song_id: str) -> None:
        """The "More like…" menu: ``/similar`` for the chosen song, which the menu names by id."""
        try:
            song = self.service.song(int(song_id)) if catalog_tag == self.service.catalog_tag else None
            if song is None:
                await tell(interaction, OTHER_CATALOG)
                return
            if await self.admit(interaction):
                card = self.memory.recall(interaction.message.id) if interaction.message else None
                count = card.count if card else Request().count
                await self.send_card(interaction, Request(seed=song, count=count))
        except Exception as error:
            await report_failure(interaction, error)

    async def fetch(self, request: Request) -> list[Recommendation]:
        """The songs of the request's page, ranked from 1 on every page as the library does."""
        if request.seed is None:
            return await self.service.recommend(request.query, request.count, offset=request.offset)
        if not request.moods:
            return await self.service.similar(request.seed, request.count, offset=request.offset)
        # A refined "songs like X" is a text request, which knows nothing of X: take one extra
        # result from the top so that dropping X still leaves a full, gap-free page.
        end = request.offset + request.count
        if end + 1 > MAX_K:
            return []
        ranked = await self.service.recommend(request.query, end + 1)
        seed = song_key(request.seed)
        kept = [result for result in ranked if song_key(result.song) != seed][request.offset : end]
        return [dataclasses.replace(result, rank=n) for n, result in enumerate(kept, start=1)]

    def _view(self, request: Request, results: list[Recommendation]) -> CardView:
        last_page = len(results) < request.count or request.offset + 2 * request.count > self.service.song_count
        if request.seed is not None and request.moods:
            last_page = last_page or request.offset + 2 * request.count + 1 > MAX_K
        return CardView(results, first=request.offset + 1, catalog_tag=self.service.catalog_tag, more=not last_page)


def retry_at(retry_after: float) -> int:
    """The Unix second from which a user may ask again, for a Discord relative timestamp."""
    return int(discord.utils.utcnow().timestamp() + retry_after) + 1
