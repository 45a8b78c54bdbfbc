"""A real Recommender over six songs with a stand-in model: every library path runs, no model loads (milliseconds)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from recommender.engine import Recommender
from recommender.profiles import ProfileName
from recommender.songs import Features, Song

DIMENSIONS = 8
TITLES = [
    ("Hello", "Adele", "british soul"),
    ("Halo", "Beyoncé", "dance pop"),
    ("Blinding Lights", "The Weeknd", "canadian pop"),
    ("Someone Like You", "Adele", "british soul"),
    ("Shape of You", "Ed Sheeran", "pop"),
    ("Sweet but Psycho", "Ava Max", "dance pop"),
]


class HashModel:
    """The two calls Recommender makes on a SentenceTransformer, with a vector from each text's hash.

    Like the real tokenizer, it raises TypeError on text it cannot encode as UTF-8 (a lone surrogate).
    """

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def preprocess(self, texts: list[str]) -> dict[str, list[str]]:
        for text in texts:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise TypeError(
                    "TextEncodeInput must be Union[TextInputSequence, Tuple[InputSequence, InputSequence]]"
                ) from None
        return {"texts": list(texts)}

    def __call__(self, features: dict[str, list[str]]) -> dict[str, torch.Tensor]:
        self.calls.append(features["texts"])
        rows = [unit_vector(text) for text in features["texts"]]
        return {"sentence_embedding": torch.tensor(np.stack(rows))}


class HashEncoder:
    """The encoder the Recommender calls, over the stand-in model (so its calls are counted the same way)."""

    name = "hash"

    def __init__(self, model: HashModel | None = None) -> None:
        self.model = model or HashModel()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.model(self.model.preprocess(list(texts)))["sentence_embedding"].numpy()

    def release(self) -> None:
        """Nothing is held for builds."""

    def words(self) -> frozenset[str]:
        return frozenset()


def unit_vector(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
    vector = np.random.default_rng(seed).normal(size=DIMENSIONS).astype(np.float32)
    return vector / np.linalg.norm(vector)


def tiny_songs() -> list[Song]:
    return [
        Song(
            id=number,
            title=title,
            artist=artist,
            genres=(genre,),
            years=(2010 + number,),
            features=Features(100 + number, 20 * number, 50, -5, 10, 15 * number, 200, 30, 5, 60 + number),
        )
        for number, (title, artist, genre) in enumerate(TITLES)
    ]


def tiny_recommender(profile: ProfileName = "default") -> Recommender:
    songs = tiny_songs()
    vectors = np.stack([unit_vector(f"{s.title} {s.artist}") for s in songs])
    return Recommender(
        songs=songs,
        vectors=vectors,
        index=None,
        encoder=HashEncoder(),
        profile=profile,
        catalog=Path("tiny.csv"),
    )
