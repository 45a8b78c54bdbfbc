"""The bot's SQLite database on its own: migrations, refusal of a newer schema, recovery from a corrupt file."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Card,
    GuildSettings,
    Store,
    StoreError,
    request_from_json,
    request_to_json,
)
from recommender.request import Request


async def test_a_new_database_is_created_in_wal_mode_at_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "new" / "bot.sqlite3"
    store = Store.open(path)
    await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_everything_written_is_read_back_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    request = Request(text="rainy day", refinements=("slower",), k=7, offset=14, exclude=frozenset({3}))
    store = Store.open(path)
    await store.save_card(Card(11, 22, 33, "abcd", request))
    await store.save_guild_settings(33, GuildSettings(frozenset({44}), 3, False))
    await store.rate(22, "abcd", 5, liked=True)
    await store.rate(22, "abcd", 6, liked=False)
    await store.record_answer(22, "abcd", "rainy day", (1, 2))
    await store.close()

    again = Store.open(path)
    card = await again.card(11)
    assert card is not None and (card.owner_id, card.guild_id, card.catalog_tag) == (22, 33, "abcd")
    assert (card.request.text, card.request.refinements, card.request.k, card.request.offset) == (
        "rainy day",
        ("slower",),
        7,
        14,
    )
    assert await again.guild_settings(33) == GuildSettings(frozenset({44}), 3, False)
    taste = await again.taste(22, "abcd")
    assert (taste.liked, taste.disliked) == ((5,), frozenset({6}))
    assert await again.recent_songs(22, "abcd", within=60) == {1, 2}
    assert await again.rows_about(22) == 4
    assert await again.forget(22) == 4
    assert await again.rows_about(22) == 0
    await again.close()


def test_a_request_survives_json() -> None:
    request = Request(text="x", seed=4, refinements=("a", "b"), k=3, offset=6)
    assert request_from_json(request_to_json(request)) == request


async def test_a_database_from_a_newer_bot_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError) as refused:
        Store.open(path)
    assert "newer musicrec bot" in str(refused.value) and "\n" not in str(refused.value)
    assert "MUSICREC_DATA_DIR" in str(refused.value)


async def test_a_corrupt_database_is_set_aside_and_recreated_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "bot.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="bot.store"):
        store = Store.open(path)
    assert any("unreadable" in r.getMessage() for r in caplog.records)
    assert await store.card(1) is None
    await store.close()
    assert [p.name for p in tmp_path.iterdir() if ".broken-" in p.name], "the broken file is kept for inspection"


async def test_old_rows_are_purged_after_the_retention_period(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "bot.sqlite3")
    await store.record_answer(1, "abcd", "old", (1,))
    await store.save_card(Card(9, 1, None, "abcd", Request(text="old")))
    assert await store.purge(older_than_days=1) == 0
    assert await store.purge(older_than_days=-1) == 2
    assert await store.rows_about(1) == 0
    await store.close()


async def test_a_database_from_before_the_explicit_setting_keeps_its_servers_settings(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0])
        db.execute("PRAGMA user_version = 1")
        db.execute("INSERT INTO guild_settings VALUES (33, '[44]', 3, 0)")
    store = Store.open(path)
    assert await store.guild_settings(33) == GuildSettings(frozenset({44}), 3, False, allow_explicit=None)
    await store.save_guild_settings(33, GuildSettings(frozenset({44}), 3, False, allow_explicit=False))
    await store.close()
    again = Store.open(path)
    assert (await again.guild_settings(33)).allow_explicit is False
    await again.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


async def test_an_answer_queued_without_waiting_is_seen_by_later_reads_and_kept_by_close(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store = Store.open(path)
    store.remember_answer(Card(11, 22, 33, "abcd", Request(text="rainy day")), "rainy day", (1, 2))  # not awaited
    card = await store.card(11)
    assert card is not None and card.request.text == "rainy day"
    store.remember_answer(Card(12, 22, 33, "abcd", Request(text="sunny day")), "sunny day", (3,))
    await store.close()
    again = Store.open(path)
    assert [asked.words for asked in await again.history(22)] == ["sunny day", "rainy day"]
    await again.close()


async def test_a_queued_write_that_fails_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "bot.sqlite3"
    store = Store.open(path)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE history")
    with caplog.at_level(logging.ERROR, logger="bot.store"):
        queued = store.remember_answer(Card(11, 22, 33, "abcd", Request(text="x")), "x", (1,))
        with pytest.raises(sqlite3.OperationalError):
            await queued
    assert [r.getMessage() for r in caplog.records] == ["an answer could not be saved in the database"]
    assert await store.card(11) is None, "the card and its history row are one transaction"
    await store.close()
