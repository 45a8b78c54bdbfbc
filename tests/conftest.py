"""Shared fixtures: the real recommender loaded once, the bot built on it, and the library's fixtures."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@pytest.fixture
def make_bot(recommender: Any) -> Callable[..., Any]:
    """Builds the bot as ``create_bot`` does, with settings overridden by keyword."""
    from bot import create_bot
    from bot.settings import Settings

    def make(**settings: Any) -> Any:
        return create_bot(Settings(**settings), recommender=recommender)

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


# --- core library tests (catalog, repair, templates, index cache, model, engine, CLI) ------------
# Appended by the core-library test suite; uses its own import aliases so it stands on its own.
from pathlib import Path as _CorePath

import pytest as _core_pytest

CORE_SHARED_DATA = _CorePath(__file__).resolve().parent.parent.parent / "shared" / "data"


@_core_pytest.fixture(scope="session")
def reference_catalog() -> _CorePath:
    """The published reference catalog (603 rows, long descriptive headers), read-only."""
    return CORE_SHARED_DATA / "top50MusicFrom2010-2019.csv"


@_core_pytest.fixture(scope="session")
def spotify_catalog() -> _CorePath:
    """The Spotify top-200 catalog in Web API units, read-only."""
    return CORE_SHARED_DATA / "spotify_top200_2020_2021.csv"


@_core_pytest.fixture(scope="session")
def default_recommender(recommender, reference_catalog):  # type: ignore[no-untyped-def]
    """The one default-profile Recommender of the session: the shared ``recommender`` fixture."""
    assert recommender.catalog.resolve() == reference_catalog.resolve(), "MUSICREC_CATALOG must name the reference catalog"
    return recommender


@_core_pytest.fixture(scope="session")
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


@_core_pytest.fixture(scope="session")
def seed_recommender(load_encoder_once, reference_catalog):  # type: ignore[no-untyped-def]
    """The one seed-profile Recommender of the session (real model, reference catalog)."""
    from recommender.engine import Recommender

    with _core_pytest.MonkeyPatch.context() as patch:
        patch.setattr("recommender.engine.load_encoder", load_encoder_once)  # one model per backend for the session
        return Recommender.load(reference_catalog, profile="seed")
