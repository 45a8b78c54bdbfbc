"""Messages to the bot: mentions, DMs, messages in request channels and replies to cards.

A message is acted on only when it is meant for the bot and has something to act on: a DM or a
mention is always answered (a greeting or "help" with the help card); a reply to a card refines it
only when it reads as a request (the library's parser understands something in it) or mentions the
bot, so "lol same" stays a conversation between people; a request channel answers only messages
that read as requests. A refinement is appended to the card's request; the library lets a new wish
replace one it contradicts.
"""

from __future__ import annotations

import re
from dataclasses import replace

import discord
from discord.ext import commands

from recommender.request import Request

from .. import cards, guide
from ..cardmaker import CardMaker, retry_at
from ..guild_config import GuildConfigs
from ..limits import TextError, clean_text
from ..notices import report_message_failure
from ..service import MusicService
from ..store import Store

ANSWERED_TYPES = (discord.MessageType.default, discord.MessageType.reply)
# Whole messages that greet the bot or ask how it works, rather than ask for songs.
GREETINGS = frozenset(
    (
        "hi", "hello", "hey", "hey there", "hiya", "heya", "howdy", "yo", "sup", "hallo", "hola", "hej",
        "good morning", "good evening", "help", "start", "commands", "info", "?", "what can you do",
        "how does this work", "how do i use you", "how do i use this",
    )
)  # fmt: skip


def is_greeting(words: str) -> bool:
    plain = " ".join(re.sub(r"[^\w\s?]", " ", words.casefold()).split())
    return plain in GREETINGS or plain.rstrip("? ") in GREETINGS


class Conversation(commands.Cog):
    def __init__(self, maker: CardMaker, service: MusicService, store: Store, configs: GuildConfigs) -> None:
        self.maker = maker
        self.service = service
        self.store = store
        self.configs = configs

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.type not in ANSWERED_TYPES:
            return
        me = message.guild.me if message.guild else getattr(message.channel, "me", None)
        if me is None:
            return
        try:
            await self._handle(message, me)
        except Exception as error:
            await report_message_failure(message, error)

    async def _handle(self, message: discord.Message, me: discord.abc.User) -> None:
        config = await self.configs.get(message.guild.id if message.guild else None)
        direct = message.guild is None
        # Written out, not implied: a reply pings the card's author (the bot), and an @everyone names no one.
        mention = re.compile(rf"<@!?{me.id}>")
        mentioned = not direct and mention.search(message.content) is not None
        card_request, to_a_card = await self._replied_card(message, me)
        refining = to_a_card and (direct or mentioned or config.replies_refine)
        channel = message.channel
        listed = channel.id in config.request_channels or getattr(channel, "parent_id", None) in config.request_channels
        if not (direct or mentioned or refining or listed):
            return
        words = " ".join(mention.sub(" ", message.content).split())
        if (direct or mentioned) and (not words or is_greeting(words)):
            help_card = guide.help_embed(
                self.service.examples, self.maker.source, mention=None if direct else me.mention
            )
            await message.reply(embed=help_card)
            return
        # A reply or a request-channel message is conversation unless it reads as a request.
        if not words or not (direct or mentioned or await self.service.understands(words)):
            return
        try:
            text = clean_text(words)
        except TextError as error:
            await message.reply(str(error))
            return
        retry = self.maker.cooldown.retry_after(message.author.id)
        if retry:
            # Messages cannot be answered privately, so a burst gets one notice rather than one each.
            if self.maker.cooldown.first_warning(message.author.id, retry):
                await message.reply(cards.slow_down(retry_at(retry)))
            return
        if refining and card_request is not None:
            await self.maker.reply(message, card_request.refined(text))
        else:
            forgotten = cards.FORGOTTEN if refining else ""
            await self.maker.reply(message, Request(text=text, k=config.song_count), note=forgotten)

    async def _replied_card(self, message: discord.Message, me: discord.abc.User) -> tuple[Request | None, bool]:
        """The request of the card ``message`` replies to, and whether it replies to a card of this bot at all."""
        reference = message.reference
        if reference is None or reference.message_id is None:
            return None, False
        card = await self.store.card(reference.message_id)
        if card is not None and card.catalog_tag == self.service.catalog_tag:
            # Whoever replies gets their own exclusions, likes and recent songs, looked up afresh.
            return replace(card.request, exclude=frozenset(), recent=frozenset(), liked=()), True
        resolved = reference.resolved
        is_card = isinstance(resolved, discord.Message) and resolved.author.id == me.id and bool(resolved.embeds)
        return None, card is not None or is_card
