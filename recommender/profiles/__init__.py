"""Profiles: how songs are described, indexed and searched. ``seed`` is the published system, ``default`` ours.

A profile is one object. The Recommender asks it for a song's description (what the model embeds),
the index to build from the vectors, and a searcher over one catalog; it never compares profile
names. Add a profile by writing a module with an object that satisfies ``Profile`` and naming it in
``PROFILES``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Literal, Protocol

import faiss
import numpy as np

from ..intent import Intent
from ..songs import Recommendation, Song
from .default import DEFAULT
from .seed import SEED

ProfileName = Literal["default", "seed"]
Encode = Callable[[Sequence[str]], np.ndarray]


class Searcher(Protocol):
    """Answers over one catalog: its songs, their description vectors and the profile's index."""

    def understand(self, parts: Sequence[str], vector: np.ndarray | None) -> Intent | None:
        """What a request (its words, then any refinements) asks for, reading ``vector`` too where given;
        None for a profile that reads nothing but the embedding."""

    def rank(
        self,
        intent: Intent | None,
        vector: np.ndarray,
        k: int,
        exclude: Collection[tuple[str, str]],
        liked: Sequence[int] = (),
    ) -> list[Recommendation]:
        """The top ``k`` songs for an encoded request, none keyed in ``exclude``, nudged toward the sound of
        the ``liked`` song ids where the profile can; higher scores first."""

    def similar(
        self, seed: Song, k: int, exclude: Collection[tuple[str, str]], intent: Intent | None
    ) -> list[Recommendation]:
        """The top ``k`` songs like ``seed``, adjusted by what ``intent`` asks on top ("but slower")."""


class Profile(Protocol):
    # Read-only members: the profiles are frozen dataclasses.
    @property
    def name(self) -> ProfileName: ...

    # Bump when the description or a threshold behind it changes: cached indexes are rebuilt.
    @property
    def template_version(self) -> int: ...

    # Whether the catalog is read as published (repeated rows kept, no repairs beyond decoding).
    @property
    def raw_catalog(self) -> bool: ...

    # Whether it needs the exact fp32 encoder (torch) rather than the fast default (see encoder.py).
    @property
    def exact_encoder(self) -> bool: ...

    def describe(self, song: Song) -> str:
        """The text the model embeds for ``song``."""

    def build_index(self, vectors: np.ndarray) -> faiss.Index | None:
        """The FAISS index for the description vectors, or None where scoring every song is the search."""

    def searcher(
        self,
        songs: Sequence[Song],
        vectors: np.ndarray,
        index: faiss.Index | None,
        encode: Encode,
        words: frozenset[str] = frozenset(),
    ) -> Searcher:
        """The searcher over one catalog; ``encode`` embeds texts with the catalog's model, whose vocabulary's
        whole ``words`` are the English words a request may use as they are (never read as typos)."""


PROFILES: dict[ProfileName, Profile] = {"default": DEFAULT, "seed": SEED}
PROFILE_NAMES: tuple[ProfileName, ...] = tuple(PROFILES)


def get_profile(name: str) -> Profile:
    """The profile called ``name``; a ValueError naming the choices otherwise."""
    for known, profile in PROFILES.items():
        if name == known:
            return profile
    raise ValueError(f"unknown profile {name!r}: choose one of {', '.join(PROFILES)}")


__all__ = ["PROFILES", "PROFILE_NAMES", "Encode", "Profile", "ProfileName", "Searcher", "get_profile"]
