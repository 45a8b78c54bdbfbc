"""Ours: songs described in the words people type, requests read for what they name, hybrid ranking.

The description is ``templates.describe``; the index is exact scoring for catalogs a scan handles
and an IVF index beyond (``ann.py``); a request is read by ``parser.IntentParser`` and ranked by
``ranking.Ranker`` (filters, feature wishes and the embedding together).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import faiss
import numpy as np

from ..ann import build_index
from ..intent import Intent
from ..parser import IntentParser
from ..ranking import Ranker
from ..songs import Recommendation, Song
from ..templates import TEMPLATE_VERSION, describe
from ..vocabulary import CONCEPTS, GENERIC_REQUESTS


class HybridSearch:
    """The default profile's answers over one catalog: the parser and the ranker, built once.

    The concepts' meanings are embedded once here, so matching a request to them by meaning costs a
    small matrix product per request, never a second model call.
    """

    def __init__(
        self,
        songs: Sequence[Song],
        vectors: np.ndarray,
        index: faiss.Index | None,
        encode: Callable[[Sequence[str]], np.ndarray],
        words: frozenset[str] = frozenset(),
    ) -> None:
        meanings = np.asarray(encode([c.meaning for c in CONCEPTS] + list(GENERIC_REQUESTS)), dtype=np.float32)
        self.parser = IntentParser(songs, meanings[: len(CONCEPTS)], meanings[len(CONCEPTS) :], words)
        self.ranker = Ranker(songs, vectors, index)

    def understand(self, parts: Sequence[str], vector: np.ndarray | None) -> Intent:
        intent = self.parser.parse(parts)
        if vector is not None:
            self.parser.by_meaning(intent, vector)
        # A wish about a feature this catalog does not give is left out of the ranking: say so.
        # Only for what was said: "study" asking for instrumental songs of a catalog without that column is
        # no news to the member who typed "study".
        said = replace(intent, wishes=[w for w in intent.wishes if w.label not in intent.concepts])
        for feature in self.ranker.missing_features(said):
            intent.notes.append(f"This catalog has no {feature}, so that part of the request is left out:")
        return intent

    def rank(
        self,
        intent: Intent | None,
        vector: np.ndarray,
        k: int,
        exclude: Collection[tuple[str, str]],
        liked: Sequence[int] = (),
    ) -> list[Recommendation]:
        return self.ranker.rank(intent or Intent(text=""), vector, k, exclude=exclude, liked=liked)

    def similar(
        self, seed: Song, k: int, exclude: Collection[tuple[str, str]], intent: Intent | None
    ) -> list[Recommendation]:
        return self.ranker.similar(seed, k, exclude=exclude, intent=intent)


@dataclass(frozen=True, slots=True)
class DefaultProfile:
    name: Literal["default"] = "default"
    template_version: int = TEMPLATE_VERSION
    raw_catalog: bool = False
    exact_encoder: bool = False

    def describe(self, song: Song) -> str:
        return describe(song)

    def build_index(self, vectors: np.ndarray) -> faiss.Index | None:
        return build_index(vectors)

    def searcher(
        self,
        songs: Sequence[Song],
        vectors: np.ndarray,
        index: faiss.Index | None,
        encode: Callable[[Sequence[str]], np.ndarray],
        words: frozenset[str] = frozenset(),
    ) -> HybridSearch:
        return HybridSearch(songs, vectors, index, encode, words)


DEFAULT = DefaultProfile()
