"""musicrec's recommendation library: songs from a catalog for what people type, without Discord.

The names in ``__all__`` are the public API (tests/test_api.py pins them); every other module is
private to the library. ``import recommender`` stays light: ``Recommender`` (torch and the model)
and the profile names (FAISS and the ranking stack) load on first use, so a process that only reads
catalogs, checks settings or answers a health probe never pays for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .batching import MicroBatcher
from .catalog import CatalogError, load_catalog
from .intent import Intent, Wish
from .model import ModelError
from .request import Answer, Request
from .songs import Features, Recommendation, Song, song_key
from .text import RequestError

if TYPE_CHECKING:
    from .engine import Recommender
    from .profiles import PROFILE_NAMES, ProfileName

# Public names whose modules are heavy to import, and the module each lives in.
_LAZY = {"Recommender": ".engine", "PROFILE_NAMES": ".profiles", "ProfileName": ".profiles"}

__all__ = [
    "Answer",
    "CatalogError",
    "Features",
    "Intent",
    "MicroBatcher",
    "ModelError",
    "PROFILE_NAMES",
    "ProfileName",
    "Recommendation",
    "Recommender",
    "Request",
    "RequestError",
    "Song",
    "Wish",
    "load_catalog",
    "song_key",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next lookup is an ordinary module attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
