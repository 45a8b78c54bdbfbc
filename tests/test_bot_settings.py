"""Settings, start-up and its failures: one clear line and a non-zero exit, never the token."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import discord
import pytest

from bot import app
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
    ],
)
def test_a_bad_setting_is_named_in_one_line(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env(environ)
    message = str(error.value)
    assert message.startswith(named) and "\n" not in message and ".env" in message


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


def run_bot(tmp_path: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot`` in an empty folder (no .env) with only ``environ`` of the bot's settings."""
    names = ("DISCORD_TOKEN", "MUSICREC_CATALOG", "MUSICREC_CACHE_DIR", "RECOMMEND_CHANNEL_IDS", "SHARD_COUNT")
    env = {k: v for k, v in os.environ.items() if k not in names} | environ
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": TOKEN, "SHARD_COUNT": "many"}, "SHARD_COUNT must be"),
        (
            {"DISCORD_TOKEN": TOKEN, "MUSICREC_CATALOG": "/nowhere/songs.csv"},
            "MUSICREC_CATALOG names /nowhere/songs.csv",
        ),
        ({"DISCORD_TOKEN": TOKEN, "MUSICREC_CATALOG": ""}, "no catalog: set MUSICREC_CATALOG"),
    ],
)
def test_start_up_problems_end_with_one_line_and_a_failure_status(
    tmp_path: Path, environ: dict[str, str], says: str
) -> None:
    if environ.get("MUSICREC_CATALOG") == "" and FETCHED_CATALOG.is_file():
        pytest.skip(f"`musicrec data fetch` left a catalog at {FETCHED_CATALOG}, so one is found")
    finished = run_bot(tmp_path, **environ)
    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr
    last = finished.stderr.strip().splitlines()[-1]
    assert last.startswith("musicrec bot: ") and says in last
    assert TOKEN not in finished.stderr + finished.stdout


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


@pytest.mark.parametrize(
    ("failure", "says"),
    [
        (discord.LoginFailure("Improper token has been passed."), "Discord rejected DISCORD_TOKEN"),
        (discord.PrivilegedIntentsRequired(shard_id=0), "Message Content intent"),
    ],
)
def test_discord_refusing_the_bot_ends_with_one_line(
    failure: Exception,
    says: str,
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
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(app, "load_recommender", lambda catalog, cache_dir: quick_recommender)

    async def refuse(*args: Any, **kwargs: Any) -> None:
        raise failure

    async def accept(*args: Any, **kwargs: Any) -> None:
        return None

    # Login checks the token and connecting asks for the intents: the two places Discord says no.
    if isinstance(failure, discord.LoginFailure):
        monkeypatch.setattr(discord.http.HTTPClient, "static_login", refuse)
    else:
        monkeypatch.setattr(discord.Client, "login", accept)
        monkeypatch.setattr(discord.AutoShardedClient, "connect", refuse)
    with caplog.at_level(logging.DEBUG):
        assert app.main() == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("musicrec bot: ")]
    assert len(lines) == 1 and says in lines[0]
    assert "Traceback" not in err
    assert TOKEN not in err and TOKEN not in caplog.text


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
        }
    )
    assert settings.resolved_data_dir == Path("/srv/musicrec")
    assert (settings.retention_days, settings.repeat_hours, settings.song_count) == (30, 6, 8)
    assert not settings.replies_refine
    with pytest.raises(SettingsError, match="SONG_COUNT must be between 1 and 10"):
        Settings.from_env({"SONG_COUNT": "11"})
