"""Answers a request for a member and posts, pages or replies with its card, remembering each card.

The card's request is the library's :class:`Request`; this module only adds what it knows about the
member (👎 songs left out, 👍 songs to lean toward, songs shown lately to put last) and the server
(explicit songs allowed or not), and never rewrites the words, the seed or the page.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import replace

import discord

from recommender.request import Answer, Request

from . import cards
from .controls import card_view
from .cooldown import Cooldown
from .guild_config import GuildConfigs
from .logs import log_request
from .notices import not_understood, tell
from .service import MusicService
from .store import Card, Store

# A factory of the context each request runs in, e.g. a shutdown gate's ``request``.
InFlight = Callable[[], AbstractAsyncContextManager[object]]

WELCOME = (
    "Welcome! ◀ ▶ turn your card's pages, **More like…** starts from a song, 👍/👎 teach me your taste, "
    "and a reply to your card refines it (*faster*, *from 2016*). /help lists what I understand."
)
# A member's newest 👍 songs that pull their answers; older ones have had their say.
LIKED_PULLING = 20


class CardMaker:
    def __init__(
        self,
        service: MusicService,
        store: Store,
        cooldown: Cooldown,
        configs: GuildConfigs,
        *,
        repeat_window: float,
        in_flight: InFlight = contextlib.nullcontext,
    ) -> None:
        """``in_flight`` wraps each request from the answer to the card sent (shutdown waits for those inside)."""
        self.in_flight = in_flight
        self.service = service
        self.store = store
        self.cooldown = cooldown
        self.configs = configs
        self.repeat_window = repeat_window
        self.source = cards.Source(service.catalog_title, service.song_count, service.model_name)
        self.tries = [text for texts in service.examples.values() for text in texts[:1]]

    async def admit(self, interaction: discord.Interaction) -> bool:
        """Whether the member is within their rate; if not, say privately when they can ask again."""
        retry = self.cooldown.retry_after(interaction.user.id)
        if retry:
            await tell(interaction, cards.slow_down(retry_at(retry)))
        return not retry

    async def for_member(self, member_id: int, request: Request) -> Request:
        """``request`` with this member's 👎 songs left out, 👍 songs leaning in and recent songs last."""
        tag = self.service.catalog_tag
        taste = await self.store.taste(member_id, tag)
        recent = await self.store.recent_songs(member_id, tag, self.repeat_window)
        return replace(
            request,
            exclude=request.exclude | taste.disliked,
            liked=taste.liked[:LIKED_PULLING],
            recent=recent - taste.disliked,
        )

    async def answer(self, kind: str, guild_id: int | None, request: Request) -> Answer:
        """The library's answer under the server's settings as they are now (a card's later pages too), timed for
        the one log line each request gets (its text only at DEBUG)."""
        config = await self.configs.get(guild_id)
        request = replace(request, allow_explicit=config.allow_explicit)
        started = time.perf_counter()
        answer = await self.service.answer(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        log_request(kind, guild_id, elapsed_ms, len(answer.results), text=request.words)
        return answer

    async def post(self, kind: str, interaction: discord.Interaction, request: Request) -> None:
        """A new card as the answer to a slash command or a menu pick; acknowledged first (the model may be slow)."""
        async with self.in_flight():
            if not interaction.response.is_done():
                await interaction.response.defer(thinking=True)
            personal = await self.for_member(interaction.user.id, request)
            answer = await self.answer(kind, interaction.guild_id, personal)
            if not answer.results:
                await interaction.followup.send(cards.NOTHING_MORE)
                return
            first_time = not await self.store.history(interaction.user.id, limit=1)
            view = card_view(answer, owner_id=interaction.user.id, catalog_tag=self.service.catalog_tag)
            message = await interaction.followup.send(embed=cards.card(answer, self.source), view=view, wait=True)
            self.remember(message.id, interaction.user.id, interaction.guild_id, answer)
            if self.missed(answer):
                await interaction.followup.send(not_understood(answer.request.words, self.tries), ephemeral=True)
            elif first_time:
                await interaction.followup.send(WELCOME, ephemeral=True)

    async def reply(self, message: discord.Message, request: Request, *, note: str = "") -> None:
        """A new card replying to ``message``; a reply cannot be private, so "not understood" goes on the card."""
        async with self.in_flight():
            guild_id = message.guild.id if message.guild else None
            answer = await self.answer("message", guild_id, await self.for_member(message.author.id, request))
            if not answer.results:
                await message.reply(cards.NOTHING_MORE)
                return
            if self.missed(answer):
                note = "\n".join(part for part in (note, not_understood(answer.request.words, self.tries)) if part)
            view = card_view(answer, owner_id=message.author.id, catalog_tag=self.service.catalog_tag)
            sent = await message.reply(embed=cards.card(answer, self.source, note=note), view=view)
            self.remember(sent.id, message.author.id, guild_id, answer)

    async def turn_page(self, interaction: discord.Interaction, card: Card, page: int) -> None:
        """Page ``page`` of ``card`` in place of the current one: the same message, edited."""
        async with self.in_flight():
            await interaction.response.defer()
            taste = await self.store.taste(interaction.user.id, self.service.catalog_tag)
            request = replace(card.request.page(page), exclude=card.request.exclude | taste.disliked)
            answer = await self.answer("page", interaction.guild_id, request)
            if not answer.results:
                await tell(interaction, cards.NOTHING_MORE)
                return
            view = card_view(answer, owner_id=card.owner_id, catalog_tag=card.catalog_tag)
            await interaction.edit_original_response(embed=cards.card(answer, self.source), view=view)
            self.remember(card.message_id, card.owner_id, card.guild_id, answer)

    def remember(self, message_id: int, owner_id: int, guild_id: int | None, answer: Answer) -> asyncio.Future[None]:
        """Queue the card and the owner's history row; the request goes on without waiting (see ``Store``)."""
        card = Card(message_id, owner_id, guild_id, self.service.catalog_tag, answer.request)
        shown = tuple(result.song.id for result in answer.results)
        return self.store.remember_answer(card, answer.request.words or answer.seed_label, shown)

    @staticmethod
    def missed(answer: Answer) -> bool:
        """A request in words of which the library understood nothing (a seed song is always understood)."""
        return answer.request.seed is None and not answer.understood


def retry_at(retry_after: float) -> int:
    """The Unix second from which a member may ask again, for a Discord relative timestamp."""
    return int(discord.utils.utcnow().timestamp() + retry_after) + 1
