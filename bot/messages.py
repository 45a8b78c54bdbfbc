"""Free-text requests: messages that mention the bot, DMs, listed channels and replies to cards."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord

from . import cards
from .answers import retry_at
from .replies import report_message_failure
from .request import MoodError, Request, clean_mood

if TYPE_CHECKING:
    from .client import MusicBot

ANSWERED_TYPES = (discord.MessageType.default, discord.MessageType.reply)


class FreeText:
    def __init__(self, bot: MusicBot) -> None:
        self.bot = bot

    async def handle(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.type not in ANSWERED_TYPES:
            return
        card, replied_to_bot = self._replied_card(message, me)
        if not (replied_to_bot or self._addressed(message, me)):
            return
        text = re.sub(rf"<@!?{me.id}>", " ", message.content)
        try:
            if text.strip():
                await self._answer(message, text, card, forgotten=replied_to_bot and card is None)
            elif replied_to_bot or message.guild is None or me in message.mentions:
                # Only someone talking to the bot gets a hint; a picture posted in a listed channel does not.
                await message.reply(cards.usage(me.mention if message.guild else None))
        except Exception as error:
            await report_message_failure(message, error)

    async def _answer(self, message: discord.Message, text: str, card: Request | None, *, forgotten: bool) -> None:
        answers = self.bot.answers
        try:
            mood = clean_mood(text)
        except MoodError as error:
            await message.reply(str(error))
            return
        retry = answers.cooldown.retry_after(message.author.id)
        if retry:
            # Messages cannot be answered privately, so a burst gets one notice rather than one each.
            if answers.cooldown.first_warning(message.author.id, retry):
                await message.reply(cards.slow_down(retry_at(retry)))
            return
        request = card.refined(mood) if card else Request(moods=(mood,))
        await answers.reply_card(message, request, note=cards.FORGOTTEN if forgotten else "")

    def _replied_card(self, message: discord.Message, me: discord.ClientUser) -> tuple[Request | None, bool]:
        """The request of the card ``message`` replies to, and whether it replies to a card at all."""
        reference = message.reference
        if reference is None or reference.message_id is None:
            return None, False
        card = self.bot.answers.memory.recall(reference.message_id)
        if card is not None:
            return card, True
        # A card from before a restart is still a card; a reply to the usage hint is not.
        resolved = reference.resolved
        return None, isinstance(resolved, discord.Message) and resolved.author == me and bool(resolved.embeds)

    def _addressed(self, message: discord.Message, me: discord.ClientUser) -> bool:
        if message.guild is None:
            return True
        channel = message.channel
        listed = self.bot.settings.recommend_channel_ids
        if channel.id in listed or getattr(channel, "parent_id", None) in listed:
            return True
        # An @everyone, or a reply that pings someone else, is not a request to the bot.
        return me in message.mentions
