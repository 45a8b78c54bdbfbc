"""The controls under a card: ◀ ▶ pages, a "More like…" menu and a "Rate a song" menu.

Each is a dynamic item, as in discord.py's ``examples/views/dynamic_counter.py``: its state (the
card's owner, the page it turns to, the catalog its song ids belong to) lives in its custom id, so
discord.py rebuilds it from any click, before or after a restart, and the controls never expire.
A click is handed to the :class:`CardControls` cog, which holds the card store.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

import discord

from recommender.request import Answer

from . import cards

COG_NAME = "CardControls"


class CardHandler(Protocol):
    """What the controls call on the cog; the clicked card is ``interaction.message``."""

    async def turn_page(self, interaction: discord.Interaction, owner_id: int, page: int) -> None: ...

    async def more_like(
        self, interaction: discord.Interaction, owner_id: int, catalog_tag: str, song_id: int
    ) -> None: ...

    async def rate(self, interaction: discord.Interaction, catalog_tag: str, song_id: int, *, liked: bool) -> None: ...


def _handler(interaction: discord.Interaction) -> CardHandler:
    client: Any = interaction.client  # a commands.Bot; discord.py types the client of an item's interaction loosely
    cog: CardHandler | None = client.get_cog(COG_NAME)
    if cog is None:
        raise RuntimeError(f"the {COG_NAME} cog is not loaded")
    return cog


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"mr:page:(?P<owner>\d+):(?P<page>\d+)"):
    def __init__(self, owner_id: int, page: int, *, forward: bool) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="▶" if forward else "◀",
                label="Next" if forward else "Previous",
                style=discord.ButtonStyle.secondary,
                custom_id=f"mr:page:{owner_id}:{page}",
            )
        )
        self.owner_id = owner_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        return cls(int(match["owner"]), int(match["page"]), forward=True)

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).turn_page(interaction, self.owner_id, self.page)


class MoreLikeSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"mr:like:(?P<owner>\d+):(?P<tag>[0-9a-f]+)"
):
    def __init__(self, owner_id: int, catalog_tag: str, options: list[discord.SelectOption]) -> None:
        super().__init__(
            discord.ui.Select(custom_id=f"mr:like:{owner_id}:{catalog_tag}", placeholder="More like…", options=options)
        )
        self.owner_id = owner_id
        self.catalog_tag = catalog_tag

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MoreLikeSelect:
        options = item.options if isinstance(item, discord.ui.Select) else []
        return cls(int(match["owner"]), match["tag"], list(options))

    async def callback(self, interaction: discord.Interaction) -> None:
        song_id = int(self.item.values[0])
        await _handler(interaction).more_like(interaction, self.owner_id, self.catalog_tag, song_id)


class RateSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"mr:rate:(?P<tag>[0-9a-f]+)"):
    """👍 or 👎 one song of the card; anyone may rate, each member for themselves."""

    def __init__(self, catalog_tag: str, options: list[discord.SelectOption]) -> None:
        super().__init__(
            discord.ui.Select(custom_id=f"mr:rate:{catalog_tag}", placeholder="Rate a song 👍 / 👎", options=options)
        )
        self.catalog_tag = catalog_tag

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RateSelect:
        options = item.options if isinstance(item, discord.ui.Select) else []
        return cls(match["tag"], list(options))

    async def callback(self, interaction: discord.Interaction) -> None:
        value = self.item.values[0]
        await _handler(interaction).rate(interaction, self.catalog_tag, int(value[1:]), liked=value[0] == "+")


DYNAMIC_ITEMS = (PageButton, MoreLikeSelect, RateSelect)


def card_view(answer: Answer, *, owner_id: int, catalog_tag: str) -> discord.ui.View:
    """The controls for one page of a card; they never time out."""
    view = discord.ui.View(timeout=None)
    first = answer.request.offset + 1
    page = answer.request.page_number
    if page > 0:
        view.add_item(PageButton(owner_id, page - 1, forward=False))
    if answer.has_more:
        view.add_item(PageButton(owner_id, page + 1, forward=True))
    numbered = [(first + result.rank - 1, result.song) for result in answer.results]
    if numbered:
        like = [
            discord.SelectOption(
                label=cards.select_label(n, song), value=str(song.id), description=cards.select_description(song)
            )
            for n, song in numbered
        ]
        view.add_item(MoreLikeSelect(owner_id, catalog_tag, like))
        view.add_item(RateSelect(catalog_tag, rate_options(numbered)))
    return view


def rate_options(numbered: Sequence[tuple[int, Any]]) -> list[discord.SelectOption]:
    options = []
    for sign, emoji in (("+", "👍"), ("-", "👎")):
        for n, song in numbered:
            options.append(
                discord.SelectOption(label=cards.select_label(n, song), value=f"{sign}{song.id}", emoji=emoji)
            )
    return options
