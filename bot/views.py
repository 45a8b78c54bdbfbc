"""The controls under a card: a "More like…" menu and a "More" button.

Both are dynamic items: discord.py routes a click by its custom_id pattern rather than by a view
kept in memory, so a click on a card from before a restart still reaches the bot and gets an
answer (the song id travels in the menu; a forgotten request gets a polite reply).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from recommender.songs import Recommendation

from . import cards

if TYPE_CHECKING:
    from .client import MusicBot

log = logging.getLogger(__name__)

# Interaction tokens, which edit cards sent as interaction responses, last 15 minutes.
CARD_TIMEOUT = 10 * 60.0


class MoreLikeSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"musicrec:like:(?P<tag>[0-9a-f]+)"):
    def __init__(self, catalog_tag: str, options: list[discord.SelectOption]) -> None:
        super().__init__(
            discord.ui.Select(custom_id=f"musicrec:like:{catalog_tag}", placeholder="More like…", options=options)
        )
        self.catalog_tag = catalog_tag

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MoreLikeSelect:
        options = item.options if isinstance(item, discord.ui.Select) else []
        return cls(match["tag"], list(options))

    async def callback(self, interaction: discord.Interaction[MusicBot]) -> None:  # type: ignore[override]
        await interaction.client.answers.more_like(interaction, self.catalog_tag, self.item.values[0])


class MoreButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"musicrec:more"):
    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(label="More", style=discord.ButtonStyle.secondary, custom_id="musicrec:more")
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MoreButton:
        return cls()

    async def callback(self, interaction: discord.Interaction[MusicBot]) -> None:  # type: ignore[override]
        await interaction.client.answers.more(interaction)


class CardView(discord.ui.View):
    def __init__(self, results: Sequence[Recommendation], *, first: int, catalog_tag: str, more: bool) -> None:
        super().__init__(timeout=CARD_TIMEOUT)
        self.message: discord.Message | None = None
        options = [
            discord.SelectOption(
                label=cards.select_label(first + result.rank - 1, result.song),
                value=str(result.song.id),
                description=cards.select_description(result.song),
            )
            for result in results
        ]
        self.add_item(MoreLikeSelect(catalog_tag, options))
        if more:
            self.add_item(MoreButton())

    async def on_timeout(self) -> None:
        """Retire the controls so an idle card reads as finished rather than broken."""
        if self.message is None:
            return
        try:
            await self.message.edit(view=None)
        except discord.HTTPException as error:
            # Deleted card or expired token: nothing left to tidy.
            log.debug("could not retire the controls of card %s: %s", self.message.id, error)
