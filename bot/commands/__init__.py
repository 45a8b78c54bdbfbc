"""The slash commands, registered on the bot's command tree at start-up."""

from __future__ import annotations

from typing import Any

from discord import app_commands

from .about import about
from .recommend import recommend
from .similar import similar

COMMANDS: tuple[app_commands.Command[Any, ..., None], ...] = (recommend, similar, about)


def register(tree: app_commands.CommandTree) -> None:
    for command in COMMANDS:
        tree.add_command(command)
