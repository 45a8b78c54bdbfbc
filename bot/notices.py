"""Short replies whatever state an interaction is in, and what users and the log see on failure."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import discord

from recommender.engine import RequestError

from .lifecycle import ShuttingDown

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
NOT_YOURS = "Only the person who asked can change this card. Ask for your own with /recommend or /similar."
FORGOTTEN_CARD = (
    "I no longer have the request behind this card (I keep cards for a while, then let them go). "
    "Ask again with /recommend or /similar."
)
OTHER_CATALOG = (
    "This card was made from another song catalog than the one I use now. Ask again with /recommend or /similar."
)


def not_understood(text: str, examples: Sequence[str]) -> str:
    """Said when the request parser found nothing it knows in ``text``; the songs are only the closest by words."""
    tries = ", ".join(f"*{example}*" for example in examples[:3])
    shown = " ".join(text.split())[:80]
    return (
        f"I didn't recognise an artist, year, genre or sound in “{discord.utils.escape_markdown(shown)}”, so the songs "
        f"are only the closest by description. Try e.g. {tries}, or see /help."
    )


async def tell(interaction: discord.Interaction, text: str) -> None:
    """An ephemeral message, as the response or, once acknowledged, as a follow-up.

    After a public "thinking…" acknowledgement Discord shows the first follow-up in its place,
    visible to the channel; only later follow-ups can be ephemeral.
    """
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


async def report_failure(interaction: discord.Interaction, error: BaseException) -> None:
    """Log the full traceback and tell the user briefly; a failing Discord call must not escalate.

    A request the library refuses (``RequestError``) is the member's to fix: they get its message, the log no traceback.
    """
    if isinstance(error, RequestError):
        await tell(interaction, f"I can't answer that: {error}.")
        return
    if isinstance(error, ShuttingDown):
        await tell(interaction, str(error))
        return
    where = interaction.command.qualified_name if interaction.command else _custom_id(interaction)
    log.error("request %s from user %s failed", where, interaction.user.id, exc_info=error)
    try:
        await tell(interaction, SORRY)
    except discord.HTTPException as failure:
        log.warning("could not tell user %s about the failure: %s", interaction.user.id, failure)


async def report_message_failure(message: discord.Message, error: BaseException) -> None:
    if isinstance(error, ShuttingDown):
        await message.reply(str(error), mention_author=False)
        return
    log.error("message request %s from user %s failed", message.id, message.author.id, exc_info=error)
    try:
        await message.reply(SORRY, mention_author=False)
    except discord.HTTPException as failure:
        log.warning("could not tell user %s about the failure: %s", message.author.id, failure)


def _custom_id(interaction: discord.Interaction) -> str:
    data: Mapping[str, object] = interaction.data or {}
    return str(data.get("custom_id", "interaction"))
