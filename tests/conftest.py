"""Shared fixtures: the real recommender loaded once, a quick stand-in, the bot on either, the library's fixtures."""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
# CI sets this relative to the repository; a checkout beside ../shared finds the same file.
os.environ.setdefault("MUSICREC_CATALOG", str(REPO.parent / "shared" / "data" / "top50MusicFrom2010-2019.csv"))


@pytest.fixture(scope="session")
def recommender() -> Any:
    from recommender.engine import Recommender

    loaded = Recommender.load()
    # The first encode pays for lazy initialisation inside torch; pay it before any timed settle.
    loaded.recommend("warm up", 1)
    return loaded


WORD_HASH_DIMENSIONS = 256


def word_hash_vectors(texts: Sequence[str]) -> Any:
    """Unit vectors of hashed words: a stand-in model under which shared words mean closeness."""
    import numpy as np

    rows = np.zeros((len(texts), WORD_HASH_DIMENSIONS), dtype=np.float32)
    for row, text in zip(rows, texts, strict=True):
        for word in text.casefold().split():
            row[zlib.crc32(word.strip(".,!?;:()").encode()) % WORD_HASH_DIMENSIONS] += 1.0
        row += 1e-3  # no zero vector for an empty or all-punctuation text
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture(scope="session")
def quick_recommender() -> Any:
    """The library's real Recommender (parser, ranker, lookup, paging) over the reference catalog, with word-hash
    vectors instead of the sentence model: loads in well under a second, so most bot tests need no model."""
    from recommender.catalog import load_catalog
    from recommender.engine import Recommender
    from recommender.profiles.default import HybridSearch
    from recommender.templates import describe

    class QuickRecommender(Recommender):
        def _embed(self, texts: list[str]) -> np.ndarray:  # the stand-in model
            return word_hash_vectors(texts)

    class NoModel:
        """Only the model's vocabulary is asked of it: none here, so typos are read as without a model."""

        name = "word-hash"

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            raise AssertionError("the quick recommender embeds with word hashes")

        def release(self) -> None:
            """Nothing is held."""

        def words(self) -> frozenset[str]:
            return frozenset()

    path = Path(os.environ["MUSICREC_CATALOG"])
    songs = load_catalog(path).songs
    vectors = word_hash_vectors([describe(song) for song in songs])
    quick = QuickRecommender(
        songs=songs, vectors=vectors, index=None, encoder=NoModel(), profile="default", catalog=path
    )
    # Word-hash vectors carry no meaning, so concepts are read from words alone here.
    assert isinstance(quick.searcher, HybridSearch)
    quick.searcher.parser.concept_vectors = None
    return quick


@pytest.fixture
def make_bot(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., Any]:
    """Builds the bot as ``create_bot`` does, over one database per test, with settings overridden by keyword.

    Tests marked ``slow`` get the real model; the others the quick stand-in. Every bot a test builds
    shares the test's database, as a restarted bot would.
    """
    from bot import create_bot
    from bot.settings import Settings

    model = "recommender" if request.node.get_closest_marker("slow") else "quick_recommender"
    recommender = request.getfixturevalue(model)

    def make(**settings: Any) -> Any:
        return create_bot(Settings(**{"data_dir": tmp_path / "data", **settings}), recommender=recommender)

    return make


@pytest.fixture
def simcord_bot(make_bot: Callable[..., Any]) -> Any:
    return make_bot()


@dataclass
class Scene:
    """One server with a text channel and a member, the usual place a test acts in."""

    env: Any
    guild: Any
    channel: Any
    alice: Any


@pytest.fixture
def scene(simcord_env: Any) -> Scene:
    guild = simcord_env.create_guild("Music Lovers")
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    return Scene(simcord_env, guild, channel, alice)


@pytest.fixture(autouse=True)
def _no_unexpected_error_logs(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A bot test fails on any error the bot logged, unless it is marked as expecting some.

    SimCord fails tests on errors discord.py hands to its error hooks; the bot also catches errors
    itself to answer the user (buttons, messages), and those reach only the log.
    """
    yield
    if "simcord_env" not in request.fixturenames or request.node.get_closest_marker("logs_errors"):
        return
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, "the bot logged errors:\n" + "\n".join(r.getMessage() for r in errors)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "logs_errors: the test expects the bot to log errors")


# --- core library fixtures (catalog, repair, templates, index cache, model, engine, CLI) ----------
CORE_SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def reference_catalog() -> Path:
    """The published reference catalog (603 rows, long descriptive headers), read-only."""
    return CORE_SHARED_DATA / "top50MusicFrom2010-2019.csv"


@pytest.fixture(scope="session")
def spotify_catalog() -> Path:
    """The Spotify top-200 catalog in Web API units, read-only."""
    return CORE_SHARED_DATA / "spotify_top200_2020_2021.csv"


@pytest.fixture(scope="session")
def default_recommender(recommender, reference_catalog):  # type: ignore[no-untyped-def]
    """The one default-profile Recommender of the session: the shared ``recommender`` fixture."""
    assert recommender.catalog.resolve() == reference_catalog.resolve(), "MUSICREC_CATALOG must name the reference"
    return recommender


@pytest.fixture(scope="session")
def load_encoder_once(recommender):  # type: ignore[no-untyped-def]
    """A stand-in for ``recommender.encoder.load_encoder`` that loads each backend once per session.

    Patch it over ``recommender.engine.load_encoder`` wherever a test calls ``Recommender.load``, so that
    the real model is loaded once per backend however many recommenders the tests build.
    """
    from recommender.encoder import choice_from_env, load_encoder

    loaded = {choice_from_env(): recommender.encoder}

    def load(source, model_hash, cache_dir, choice=None, *, exact=False):  # type: ignore[no-untyped-def]
        key = "torch" if exact else choice_from_env(choice)
        if key not in loaded:
            loaded[key] = load_encoder(source, model_hash, cache_dir, choice, exact=exact)
        return loaded[key]

    return load


@pytest.fixture(scope="session")
def seed_recommender(load_encoder_once, reference_catalog):  # type: ignore[no-untyped-def]
    """The one seed-profile Recommender of the session (real model, reference catalog)."""
    from recommender.engine import Recommender

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("recommender.engine.load_encoder", load_encoder_once)  # one model per backend for the session
        return Recommender.load(reference_catalog, profile="seed")
