"""Short replies whatever state an interaction is in, and what users and the log see on failure."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import discord

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again in a moment."


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
    """Log the full traceback and tell the user briefly; a failing Discord call must not escalate."""
    where = interaction.command.qualified_name if interaction.command else _custom_id(interaction)
    log.error("request %s from user %s failed", where, interaction.user.id, exc_info=error)
    try:
        await tell(interaction, SORRY)
    except discord.HTTPException as failure:
        log.warning("could not tell user %s about the failure: %s", interaction.user.id, failure)


async def report_message_failure(message: discord.Message, error: BaseException) -> None:
    log.error("message request %s from user %s failed", message.id, message.author.id, exc_info=error)
    try:
        await message.reply(SORRY, mention_author=False)
    except discord.HTTPException as failure:
        log.warning("could not tell user %s about the failure: %s", message.author.id, failure)


def _custom_id(interaction: discord.Interaction) -> str:
    data: Mapping[str, object] = interaction.data or {}
    return str(data.get("custom_id", "interaction"))
