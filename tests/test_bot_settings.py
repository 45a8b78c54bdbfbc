"""Settings, start-up and its failures: one clear line and a non-zero exit, never the token."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot import app, service
from bot.logs import REDACTED, Redact
from bot.settings import Settings, SettingsError
from recommender.paths import FETCHED_CATALOG

REPO = Path(__file__).resolve().parent.parent
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabCde.fake-token-that-must-never-be-logged"


def test_every_setting_is_read() -> None:
    settings = Settings.from_env(
        {
            "DISCORD_TOKEN": f" {TOKEN} ",
            "MUSICREC_CATALOG": "~/songs.csv",
            "MUSICREC_CACHE_DIR": "/var/cache/musicrec",
            "MUSICREC_DATA_DIR": "/var/lib/musicrec",
            "HISTORY_RETENTION_DAYS": "30",
            "RECOMMEND_CHANNEL_IDS": "111111111111111111, 222222222222222222",
            "DEV_GUILD_ID": "333333333333333333",
            "LOG_LEVEL": "debug",
            "SHARD_COUNT": "16",
            "SHARD_IDS": "4-6,9",
        }
    )
    assert settings.token == TOKEN
    assert settings.catalog == Path("~/songs.csv").expanduser()
    assert settings.cache_dir == Path("/var/cache/musicrec")
    assert settings.data_dir == settings.resolved_data_dir == Path("/var/lib/musicrec")
    assert settings.retention_days == 30
    assert settings.recommend_channel_ids == {111111111111111111, 222222222222222222}
    assert settings.dev_guild_id == 333333333333333333
    assert settings.log_level == "DEBUG"
    assert (settings.shard_count, settings.shard_ids) == (16, (4, 5, 6, 9))
    assert not settings.syncs_commands, "only the process with shard 0 syncs commands"
    assert TOKEN not in repr(settings)


def test_nothing_set_means_defaults() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.syncs_commands


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"RECOMMEND_CHANNEL_IDS": "general"}, "RECOMMEND_CHANNEL_IDS"),
        ({"DEV_GUILD_ID": "-5"}, "DEV_GUILD_ID"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT"),
        ({"SHARD_IDS": "1"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "3-5"}, "SHARD_IDS"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "1,1"}, "SHARD_IDS"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "one"}, "SHARD_IDS"),
        # Digits that str.isdigit() accepts and int() refuses, and values too long to be ids.
        ({"RECOMMEND_CHANNEL_IDS": "²"}, "RECOMMEND_CHANNEL_IDS"),
        ({"DEV_GUILD_ID": "①"}, "DEV_GUILD_ID"),
        ({"DEV_GUILD_ID": "7" * 5000}, "DEV_GUILD_ID"),
        ({"DEV_GUILD_ID": "18446744073709551616"}, "DEV_GUILD_ID"),
        ({"RECOMMEND_CHANNEL_IDS": "111111111111111111,12345"}, "RECOMMEND_CHANNEL_IDS"),
        ({"SHARD_COUNT": "²"}, "SHARD_COUNT"),
        ({"SHARD_COUNT": "9" * 5000}, "SHARD_COUNT"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, "SHARD_IDS"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0-3,0-3"}, "SHARD_IDS"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0-99999999999"}, "SHARD_IDS"),
        ({"SHARD_COUNT": "100000", "SHARD_IDS": ",".join(["0-99999"] * 2000)}, "SHARD_IDS"),
        ({"HISTORY_RETENTION_DAYS": "0"}, "HISTORY_RETENTION_DAYS"),
        ({"DISCORD_TOKEN": "abc.def\nghi"}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": "Bot abc.def.ghi"}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": "abc.def\x00.ghi"}, "DISCORD_TOKEN"),
    ],
)
def test_a_bad_setting_is_named_in_one_line(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env(environ)
    message = str(error.value)
    assert message.startswith(named) and "\n" not in message and ".env" in message
    assert len(message) < 300, "a pasted long value is quoted only in part"
    assert environ.get("DISCORD_TOKEN", "\x01") not in message, "a token is never quoted, even a broken one"


def test_shard_ranges_are_checked_before_they_are_expanded() -> None:
    # Expanding 0-99999999999 first would take hundreds of gigabytes; the bound is checked on the numbers.
    started = time.perf_counter()
    with pytest.raises(SettingsError):
        Settings.from_env({"SHARD_COUNT": "100000", "SHARD_IDS": "0-99999999999"})
    assert Settings.from_env({"SHARD_COUNT": "100000", "SHARD_IDS": "0-99999"}).shard_ids == tuple(range(100000))
    assert time.perf_counter() - started < 60, "a generous bound: the failure case must not allocate and grind"


TOKEN_ALPHABET = st.characters(codec="utf-8", exclude_categories=["Cs"])
SETTING_NAMES = (
    "DISCORD_TOKEN",
    "RECOMMEND_CHANNEL_IDS",
    "DEV_GUILD_ID",
    "SHARD_COUNT",
    "SHARD_IDS",
    "LOG_LEVEL",
    "HISTORY_RETENTION_DAYS",
)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(SETTING_NAMES),
        st.one_of(
            st.text(TOKEN_ALPHABET, max_size=60),
            st.from_regex(r"[0-9²①٣ ,\-]{0,40}", fullmatch=True),
            st.integers(min_value=0, max_value=2**70).map(str),
        ),
    )
)
def test_any_environment_parses_or_fails_with_one_line(environ: dict[str, str]) -> None:
    try:
        parsed = Settings.from_env(environ)
    except SettingsError as error:
        message = str(error)
        assert "\n" not in message and len(message) < 400
        return
    ids = list(parsed.recommend_channel_ids) + [parsed.dev_guild_id or 1]
    assert all(0 < i < 2**64 for i in ids)
    if parsed.shard_ids is not None:
        assert parsed.shard_count is not None and all(0 <= i < parsed.shard_count for i in parsed.shard_ids)


def test_the_token_is_required_to_run() -> None:
    with pytest.raises(SettingsError, match="DISCORD_TOKEN is not set"):
        Settings().require_token()


def test_secrets_are_redacted_from_messages_and_tracebacks() -> None:
    try:
        raise RuntimeError(f"login with {TOKEN} failed")
    except RuntimeError as error:
        record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "token %s", (TOKEN,), (type(error), error, None))
    assert Redact([TOKEN]).filter(record)
    assert record.getMessage() == f"token {REDACTED}"
    assert record.exc_text is not None and TOKEN not in record.exc_text and REDACTED in record.exc_text


def run_bot(tmp_path: Path, *args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot`` in an empty folder (no .env) with only ``environ`` of the bot's settings."""
    names = (
        "DISCORD_TOKEN",
        "MUSICREC_CATALOG",
        "MUSICREC_CACHE_DIR",
        "MUSICREC_DATA_DIR",
        "RECOMMEND_CHANNEL_IDS",
        "SHARD_COUNT",
    )
    env = {k: v for k, v in os.environ.items() if k not in names} | environ
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )


def a_file(tmp_path: Path) -> str:
    (tmp_path / "in-the-way").write_text("a file where a folder should be")
    return str(tmp_path / "in-the-way")


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": TOKEN, "SHARD_COUNT": "many"}, "SHARD_COUNT must be"),
        ({"DISCORD_TOKEN": TOKEN, "SHARD_COUNT": "²"}, "SHARD_COUNT must be"),
        ({"DISCORD_TOKEN": TOKEN, "SHARD_COUNT": "4", "SHARD_IDS": "0-99999999999"}, "SHARD_IDS must name"),
        ({"DISCORD_TOKEN": TOKEN, "RECOMMEND_CHANNEL_IDS": "7" * 5000}, "RECOMMEND_CHANNEL_IDS must be"),
        ({"DISCORD_TOKEN": f"{TOKEN}\nsecond line"}, "DISCORD_TOKEN contains spaces, line breaks"),
        ({"DISCORD_TOKEN": "not-a-token"}, "DISCORD_TOKEN does not look like a bot token"),
        (
            {"DISCORD_TOKEN": TOKEN, "MUSICREC_CATALOG": "/nowhere/songs.csv"},
            "MUSICREC_CATALOG names /nowhere/songs.csv",
        ),
        # Root reads any file whatever its mode; /proc/self/mem is a file whose first byte fails to read.
        ({"DISCORD_TOKEN": TOKEN, "MUSICREC_CATALOG": "/proc/self/mem"}, "which cannot be read"),
        ({"DISCORD_TOKEN": TOKEN, "MUSICREC_CACHE_DIR": "FILE"}, "MUSICREC_CACHE_DIR: cannot write to"),
        ({"DISCORD_TOKEN": TOKEN, "MUSICREC_DATA_DIR": "FILE/state"}, "MUSICREC_DATA_DIR: cannot write to"),
        ({"DISCORD_TOKEN": TOKEN, "MUSICREC_CACHE_DIR": "/proc/musicrec"}, "MUSICREC_CACHE_DIR: cannot write to"),
        ({"DISCORD_TOKEN": TOKEN, "MUSICREC_CATALOG": ""}, "no catalog: set MUSICREC_CATALOG"),
    ],
)
def test_start_up_problems_end_with_one_line_and_status_2(tmp_path: Path, environ: dict[str, str], says: str) -> None:
    if environ.get("MUSICREC_CATALOG") == "" and FETCHED_CATALOG.is_file():
        pytest.skip(f"`musicrec data fetch` left a catalog at {FETCHED_CATALOG}, so one is found")
    environ = {name: value.replace("FILE", a_file(tmp_path)) for name, value in environ.items()}
    environ.setdefault("MUSICREC_DATA_DIR", str(tmp_path / "data"))
    finished = run_bot(tmp_path, **environ)
    assert finished.returncode == 2, finished.stderr
    assert "Traceback" not in finished.stderr
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("musicrec bot: ") and says in lines[0]
    assert TOKEN not in finished.stderr + finished.stdout


def test_a_wrong_flag_is_one_line_and_status_2(tmp_path: Path) -> None:
    finished = run_bot(tmp_path, "--chek")
    assert finished.returncode == 2
    assert finished.stderr.strip() == "musicrec bot: unrecognized arguments: --chek (see python -m bot --help)"


def test_settings_come_from_a_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("RECOMMEND_CHANNEL_IDS=444444444444444444\nDEV_GUILD_ID=555555555555555555\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RECOMMEND_CHANNEL_IDS", raising=False)
    monkeypatch.setenv("DEV_GUILD_ID", "666666666666666666")
    settings = Settings.load()
    assert settings.recommend_channel_ids == {444444444444444444}
    assert settings.dev_guild_id == 666666666666666666, "the environment wins over .env"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def http_error(kind: type[discord.HTTPException], status: int, text: str) -> discord.HTTPException:
    response = SimpleNamespace(status=status, reason="error")
    return kind(response, text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("failure", "says", "status"),
    [
        (discord.LoginFailure("Improper token has been passed."), "Discord rejected DISCORD_TOKEN", 2),
        (discord.PrivilegedIntentsRequired(shard_id=0), "Message Content intent", 2),
        # What discord.py raises once its retries of a 5xx during login are spent.
        (http_error(discord.DiscordServerError, 500, "Internal Server Error"), "Discord answered HTTP 500", 1),
        # An error body that echoes the Authorization header must not print the token.
        (http_error(discord.HTTPException, 400, f"bad header: Bot {TOKEN}"), "HTTP 400", 1),
    ],
)
def test_discord_refusing_the_bot_ends_with_one_line(
    failure: Exception,
    says: str,
    status: int,
    quick_recommender: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    restore_logging: None,
) -> None:
    # CI may name the catalog relative to the checkout, which this test leaves.
    monkeypatch.setenv("MUSICREC_CATALOG", str(Path(os.environ["MUSICREC_CATALOG"]).resolve()))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(service, "load_recommender", lambda catalog, cache_dir: quick_recommender)

    async def refuse(*args: Any, **kwargs: Any) -> None:
        raise failure

    async def accept(*args: Any, **kwargs: Any) -> None:
        return None

    # Login checks the token and connecting asks for the intents: the two places Discord says no.
    if not isinstance(failure, discord.PrivilegedIntentsRequired):
        monkeypatch.setattr(discord.http.HTTPClient, "static_login", refuse)
    else:
        monkeypatch.setattr(discord.Client, "login", accept)
        monkeypatch.setattr(discord.AutoShardedClient, "connect", refuse)
    with caplog.at_level(logging.DEBUG):
        assert app.main() == status
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("musicrec bot: ")]
    assert len(lines) == 1 and says in lines[0]
    assert "Traceback" not in err
    assert TOKEN not in err and TOKEN not in caplog.text


def test_a_full_disk_while_the_index_is_built_ends_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    monkeypatch.setenv("MUSICREC_CATALOG", str(Path(os.environ["MUSICREC_CATALOG"]).resolve()))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(tmp_path / "data"))

    def full_disk(catalog: Path | None, cache_dir: Path | None) -> None:
        raise OSError(28, "No space left on device", str(tmp_path / "cache" / "vectors.npy"))

    monkeypatch.setattr(service, "load_recommender", full_disk)
    assert app.main() == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("musicrec bot: cannot load the catalog's index")
    assert "No space left on device" in err and "vectors.npy" in err


def test_create_bot_reads_the_environment(
    quick_recommender: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot import client, create_bot

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SHARD_COUNT", "2")
    monkeypatch.setenv("RECOMMEND_CHANNEL_IDS", "777777777777777777")
    monkeypatch.setattr(client, "load_recommender", lambda catalog, cache_dir: quick_recommender)
    bot = create_bot()
    assert isinstance(bot, discord.AutoShardedClient)
    assert bot.shard_count == 2
    assert bot.settings.recommend_channel_ids == {777777777777777777}
    assert bot.intents.message_content
    assert bot.allowed_mentions is not None and bot.allowed_mentions.to_dict() == {"parse": []}
    assert not bot.is_ready(), "built, not connected"
    assert (tmp_path / "data" / "musicrec-bot.sqlite3").is_file(), "the database lives in MUSICREC_DATA_DIR"


def test_the_bots_memory_and_server_defaults_are_read() -> None:
    settings = Settings.from_env(
        {
            "MUSICREC_DATA_DIR": "/srv/musicrec",
            "HISTORY_RETENTION_DAYS": "30",
            "REPEAT_HOURS": "6",
            "SONG_COUNT": "8",
            "REPLIES_REFINE": "off",
            "ALLOW_EXPLICIT": "no",
        }
    )
    assert settings.resolved_data_dir == Path("/srv/musicrec")
    assert (settings.retention_days, settings.repeat_hours, settings.song_count) == (30, 6, 8)
    assert not settings.replies_refine and not settings.allow_explicit
    assert Settings.from_env({}).allow_explicit, "explicit songs are allowed unless the host turns them off"
    with pytest.raises(SettingsError, match="SONG_COUNT must be a whole number from 1 to 10"):
        Settings.from_env({"SONG_COUNT": "11"})
