"""The bot's memory in one SQLite database: cards, per-server settings, feedback, history, the synced command tree.

Every call runs on one worker thread that owns the connection, so the event loop never waits on
the disk and writes never interleave. WAL mode lets a reader (``--check``, a second shard) look
while the bot writes. The schema carries its version in ``PRAGMA user_version`` and moves forward
through ``MIGRATIONS``; a database from a newer bot is refused rather than misread, and a missing
or unreadable one is recreated (after setting the broken file aside) with a warning.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from recommender.request import Request

log = logging.getLogger(__name__)

DATABASE_FILE = "musicrec-bot.sqlite3"
DAY = 24 * 3600.0

# Index i takes the schema from version i to i + 1. Append only; never edit a shipped step.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE cards (
        message_id INTEGER PRIMARY KEY,
        owner_id INTEGER NOT NULL,
        guild_id INTEGER,
        catalog_tag TEXT NOT NULL,
        request TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX cards_owner ON cards (owner_id);
    CREATE TABLE guild_settings (
        guild_id INTEGER PRIMARY KEY,
        request_channels TEXT NOT NULL DEFAULT '[]',
        song_count INTEGER,
        replies_refine INTEGER
    );
    CREATE TABLE feedback (
        member_id INTEGER NOT NULL,
        catalog_tag TEXT NOT NULL,
        song_id INTEGER NOT NULL,
        liked INTEGER NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (member_id, catalog_tag, song_id)
    );
    CREATE TABLE history (
        member_id INTEGER NOT NULL,
        catalog_tag TEXT NOT NULL,
        words TEXT NOT NULL,
        song_ids TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX history_member ON history (member_id, at);
    """,
    # A server's choice of explicit songs (NULL: the host's default).
    """
    ALTER TABLE guild_settings ADD COLUMN allow_explicit INTEGER;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
# Tables with a member_id column: what /forget-me clears (cards keep their owner as owner_id).
MEMBER_TABLES = ("feedback", "history")

T = TypeVar("T")


class StoreError(RuntimeError):
    """The database cannot be used as it is (written by a newer bot); the message says what to do."""


@dataclass(frozen=True, slots=True)
class Card:
    """A card the bot posted: who asked, where, and the library request behind its current page."""

    message_id: int
    owner_id: int
    guild_id: int | None
    catalog_tag: str
    request: Request


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """One server's choices; None means "the host's default" (the environment)."""

    request_channels: frozenset[int] = frozenset()
    song_count: int | None = None
    replies_refine: bool | None = None
    allow_explicit: bool | None = None


@dataclass(frozen=True, slots=True)
class Taste:
    """A member's feedback on one catalog: 👍 songs (newest first) and 👎 songs."""

    liked: tuple[int, ...] = ()
    disliked: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Asked:
    """One answered request in a member's history."""

    at: float
    words: str
    song_ids: tuple[int, ...]


def request_to_json(request: Request) -> str:
    """The parts of a request a card owns; a member's exclusions and likes are looked up fresh each time."""
    return json.dumps(
        {
            "text": request.text,
            "seed": request.seed,
            "refinements": list(request.refinements),
            "k": request.k,
            "offset": request.offset,
        }
    )


def request_from_json(raw: str) -> Request:
    data = json.loads(raw)
    return Request(
        text=str(data["text"]),
        seed=None if data["seed"] is None else int(data["seed"]),
        refinements=tuple(str(t) for t in data["refinements"]),
        k=int(data["k"]),
        offset=int(data["offset"]),
    )


class Store:
    """The database at ``path``; open it with :meth:`open` (synchronous, before the bot connects)."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.path = path
        self._db = connection
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="musicrec-store")
        self._closed = False

    @classmethod
    def open(cls, path: Path) -> Store:
        """The database at ``path``, created or migrated to this bot's schema; StoreError if it is newer."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = _connect(path)
        except sqlite3.DatabaseError as error:
            broken = path.with_name(f"{path.name}.broken-{int(time.time())}")
            log.warning("the database %s is unreadable (%s); set aside as %s and started afresh", path, error, broken)
            path.replace(broken)
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            connection = _connect(path)
        return cls(connection, path)

    async def close(self) -> None:
        """Close the connection after the writes already queued (a bot closes it once; later calls do nothing)."""
        if self._closed:
            return
        self._closed = True
        await self._run(self._db.close)
        self._executor.shutdown(wait=True)

    async def _run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def _write(self, sql: str, params: tuple[object, ...] = ()) -> int:
        with self._db:
            return self._db.execute(sql, params).rowcount

    # --- cards -------------------------------------------------------------------------------
    async def save_card(self, card: Card) -> None:
        await self._run(lambda: self._write(CARD_SQL, _card_row(card)))

    def remember_answer(self, card: Card, words: str, song_ids: tuple[int, ...]) -> asyncio.Future[None]:
        """Save ``card`` and add its answer to the owner's history in one transaction, queued: no need to wait.

        A request does not wait for its own writes (the thread hop alone would cost it more than the rest of
        its work after encoding). Nothing is lost by that: the one worker runs them before anything queued
        later, so the card's next page, the member's next request and /history see them, and ``close`` runs
        after them. A failed write is logged; the returned future is for callers that want to wait.
        """

        def write() -> None:
            # Serialised here, on the worker, too: the request's thread only queues.
            with self._db:
                self._db.execute(CARD_SQL, _card_row(card))
                self._db.execute(HISTORY_SQL, _history_row(card.owner_id, card.catalog_tag, words, song_ids))

        queued = asyncio.get_running_loop().run_in_executor(self._executor, write)
        queued.add_done_callback(_log_failed_write)
        return queued

    async def card(self, message_id: int) -> Card | None:
        def read() -> Card | None:
            row = self._db.execute(
                "SELECT owner_id, guild_id, catalog_tag, request FROM cards WHERE message_id = ?", (message_id,)
            ).fetchone()
            if row is None:
                return None
            return Card(message_id, row[0], row[1], row[2], request_from_json(row[3]))

        return await self._run(read)

    async def turn_page(self, card: Card, page: int) -> Card:
        turned = replace(card, request=card.request.page(page))
        sql = "UPDATE cards SET request = ? WHERE message_id = ?"
        await self._run(lambda: self._write(sql, (request_to_json(turned.request), card.message_id)))
        return turned

    # --- per-server settings -------------------------------------------------------------------
    async def guild_settings(self, guild_id: int) -> GuildSettings:
        def read() -> GuildSettings:
            row = self._db.execute(
                "SELECT request_channels, song_count, replies_refine, allow_explicit FROM guild_settings "
                "WHERE guild_id = ?",
                (guild_id,),
            ).fetchone()
            if row is None:
                return GuildSettings()
            refine, explicit = (None if flag is None else bool(flag) for flag in row[2:])
            return GuildSettings(frozenset(json.loads(row[0])), row[1], refine, explicit)

        return await self._run(read)

    async def save_guild_settings(self, guild_id: int, settings: GuildSettings) -> None:
        sql = (
            "INSERT OR REPLACE INTO guild_settings (guild_id, request_channels, song_count, replies_refine, "
            "allow_explicit) VALUES (?, ?, ?, ?, ?)"
        )
        refine, explicit = (
            None if flag is None else int(flag) for flag in (settings.replies_refine, settings.allow_explicit)
        )
        params = (guild_id, json.dumps(sorted(settings.request_channels)), settings.song_count, refine, explicit)
        await self._run(lambda: self._write(sql, params))

    def has_request_channels(self) -> bool:
        """Whether any server listed a request channel (read once at start-up, to choose the intents)."""
        return (
            self._db.execute("SELECT 1 FROM guild_settings WHERE request_channels != '[]' LIMIT 1").fetchone()
            is not None
        )

    # --- feedback and history -------------------------------------------------------------------
    async def rate(self, member_id: int, catalog_tag: str, song_id: int, *, liked: bool) -> None:
        sql = "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?)"
        await self._run(lambda: self._write(sql, (member_id, catalog_tag, song_id, int(liked), time.time())))

    async def taste(self, member_id: int, catalog_tag: str) -> Taste:
        def read() -> Taste:
            rows = self._db.execute(
                "SELECT song_id, liked FROM feedback WHERE member_id = ? AND catalog_tag = ? ORDER BY at DESC",
                (member_id, catalog_tag),
            ).fetchall()
            return Taste(tuple(s for s, liked in rows if liked), frozenset(s for s, liked in rows if not liked))

        return await self._run(read)

    async def record_answer(self, member_id: int, catalog_tag: str, words: str, song_ids: tuple[int, ...]) -> None:
        await self._run(lambda: self._write(HISTORY_SQL, _history_row(member_id, catalog_tag, words, song_ids)))

    async def recent_songs(self, member_id: int, catalog_tag: str, within: float) -> frozenset[int]:
        def read() -> frozenset[int]:
            rows = self._db.execute(
                "SELECT song_ids FROM history WHERE member_id = ? AND catalog_tag = ? AND at >= ?",
                (member_id, catalog_tag, time.time() - within),
            ).fetchall()
            return frozenset(song for (ids,) in rows for song in json.loads(ids))

        return await self._run(read)

    async def history(self, member_id: int, limit: int = 10) -> list[Asked]:
        def read() -> list[Asked]:
            rows = self._db.execute(
                "SELECT at, words, song_ids FROM history WHERE member_id = ? ORDER BY at DESC LIMIT ?",
                (member_id, limit),
            ).fetchall()
            return [Asked(at, words, tuple(json.loads(ids))) for at, words, ids in rows]

        return await self._run(read)

    async def forget(self, member_id: int) -> int:
        """Delete every row about ``member_id``: feedback, history and the cards they asked for."""

        def delete() -> int:
            with self._db:
                removed = sum(
                    self._db.execute(f"DELETE FROM {t} WHERE member_id = ?", (member_id,)).rowcount
                    for t in MEMBER_TABLES
                )
                return removed + self._db.execute("DELETE FROM cards WHERE owner_id = ?", (member_id,)).rowcount

        return await self._run(delete)

    async def rows_about(self, member_id: int) -> int:
        def count() -> int:
            tables = [f"SELECT COUNT(*) FROM {t} WHERE member_id = ?" for t in MEMBER_TABLES]
            total = sum(int(self._db.execute(sql, (member_id,)).fetchone()[0]) for sql in tables)
            cards = self._db.execute("SELECT COUNT(*) FROM cards WHERE owner_id = ?", (member_id,)).fetchone()[0]
            return total + int(cards)

        return await self._run(count)

    async def purge(self, older_than_days: float) -> int:
        """Delete cards, feedback and history older than the retention period."""
        cutoff = time.time() - older_than_days * DAY

        def delete() -> int:
            with self._db:
                removed = self._db.execute("DELETE FROM cards WHERE created_at < ?", (cutoff,)).rowcount
                return removed + sum(
                    self._db.execute(f"DELETE FROM {t} WHERE at < ?", (cutoff,)).rowcount for t in MEMBER_TABLES
                )

        return await self._run(delete)

    # --- meta ------------------------------------------------------------------------------------
    async def meta(self, key: str) -> str | None:
        def read() -> str | None:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return None if row is None else str(row[0])

        return await self._run(read)

    async def set_meta(self, key: str, value: str) -> None:
        await self._run(lambda: self._write("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value)))


CARD_SQL = "INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?, ?, ?)"
HISTORY_SQL = "INSERT INTO history VALUES (?, ?, ?, ?, ?)"


def _card_row(card: Card) -> tuple[object, ...]:
    request = request_to_json(card.request)
    return (card.message_id, card.owner_id, card.guild_id, card.catalog_tag, request, time.time())


def _history_row(member_id: int, catalog_tag: str, words: str, song_ids: tuple[int, ...]) -> tuple[object, ...]:
    return (member_id, catalog_tag, words, json.dumps(song_ids), time.time())


def _log_failed_write(queued: asyncio.Future[None]) -> None:
    if not queued.cancelled() and (error := queued.exception()) is not None:
        log.error("an answer could not be saved in the database", exc_info=error)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL never corrupts; a power cut may lose the last moments of writes (a rating, a page).
        connection.execute("PRAGMA synchronous=NORMAL")
        if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("integrity check failed")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            connection.close()
            raise StoreError(
                f"the database {path} was written by a newer musicrec bot (schema {version}, this bot knows up to "
                f"{SCHEMA_VERSION}): upgrade the bot, or set MUSICREC_DATA_DIR to another folder"
            )
        for step in range(version, SCHEMA_VERSION):
            connection.executescript(f"BEGIN; {MIGRATIONS[step]} PRAGMA user_version = {step + 1}; COMMIT;")
        # isolation_level=None above keeps executescript's own BEGIN/COMMIT; writes use "with connection" after this.
        connection.isolation_level = "DEFERRED"
    except sqlite3.DatabaseError:
        connection.close()
        raise
    return connection
