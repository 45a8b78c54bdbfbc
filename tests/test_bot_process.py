"""The bot as a process: clean stop on SIGTERM/SIGINT, the heartbeat and --health, --check, and the
token kept out of everything Python prints, including its own uncaught-exception reports."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import discord
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot import app
from bot.health import HEARTBEAT_FILE, Heartbeat, check_health, gateway_connected
from bot.lifecycle import RESTARTING, RequestGate, ShuttingDown
from bot.logs import REDACTED, Redact, RedactingHandler, Redactor, log_request
from bot.store import DATABASE_FILE

REPO = Path(__file__).resolve().parent.parent
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabCde.fake-token-that-must-never-be-printed"


def python(code: str, *args: str, cwd: Path, **environ: str) -> subprocess.Popen[str]:
    env = os.environ | {"PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"} | environ
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def wait_for_line(process: subprocess.Popen[str], wanted: str, timeout: float = 120) -> list[str]:
    """Lines of stdout up to and including ``wanted``."""
    assert process.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line.strip())
        if line.strip() == wanted:
            return seen
    process.kill()
    raise AssertionError(f"never printed {wanted!r}; got {seen}, stderr: {process.communicate()[1]}")


# --- the token in Python's own output ------------------------------------------------------------

LEAKS = {
    "main thread": "raise RuntimeError(f'login failed: Authorization: Bot {token}')",
    "other thread": (
        "import threading\n"
        "def boom(): raise RuntimeError(f'gateway said {token}')\n"
        "t = threading.Thread(target=boom); t.start(); t.join()"
    ),
    "exception ignored": (
        "class Holder:\n    def __del__(self): raise RuntimeError(f'closing with {token}')\nHolder()"
    ),
    "event loop": (
        "import asyncio, logging\n"
        "from bot.logs import loop_exception_handler, setup_logging\n"
        "setup_logging('INFO')\n"  # no secrets given to logging: the loop handler must redact by itself
        "async def main():\n"
        "    loop = asyncio.get_running_loop()\n"
        "    loop.set_exception_handler(loop_exception_handler(redact))\n"
        "    def boom(): raise RuntimeError(f'callback saw {token}')\n"
        "    loop.call_soon(boom)\n"
        "    await asyncio.sleep(0.05)\n"
        "asyncio.run(main())"
    ),
}


@pytest.mark.parametrize("where", LEAKS)
def test_an_uncaught_exception_never_prints_the_token(where: str, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from bot.logs import install_redaction\n"
        "token = sys.argv[1]\n"
        "redact = install_redaction([token])\n" + LEAKS[where]
    )
    status, out, err = finish(python(code, TOKEN, cwd=tmp_path))
    assert "Traceback" in err, f"the failure is still reported: {err}"
    assert REDACTED in err
    assert TOKEN not in err + out


def test_a_formatter_that_reformats_tracebacks_still_never_shows_the_token() -> None:
    # discord.py's colour formatter (used on a terminal) formats exc_info itself, ignoring a redacted exc_text.
    handler = RedactingHandler(Redactor([TOKEN]))
    handler.setFormatter(discord.utils._ColourFormatter())  # noqa: SLF001 - the formatter the bot gets on a TTY
    handler.addFilter(Redact([TOKEN]))
    try:
        raise RuntimeError(f"login with {TOKEN}")
    except RuntimeError as error:
        record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "token %s", (TOKEN,), (type(error), error, None))
    assert handler.filter(record)
    text = handler.format(record)
    assert "RuntimeError" in text and TOKEN not in text


# --- one log line per request --------------------------------------------------------------------


def test_a_request_is_logged_with_its_timing_and_without_its_text(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        log_request("recommend", 123456789012345678, 84.4, 5, text="my secret crush's favourite songs")
    assert [r.getMessage() for r in caplog.records] == ["request recommend guild=123456789012345678 results=5 in 84 ms"]
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        log_request("message", None, 12, 0, text="sad songs")
    assert [r.getMessage() for r in caplog.records] == [
        "request message guild=dm results=0 in 12 ms",
        "request message text: 'sad songs'",
    ]


# --- health ----------------------------------------------------------------------------------------


def test_health_follows_the_heartbeat_age(tmp_path: Path) -> None:
    assert not check_health(tmp_path)[0], "no heartbeat: never connected"
    Heartbeat(tmp_path).touch()
    assert check_health(tmp_path)[0]
    stale = time.time() - 600
    os.utime(tmp_path / HEARTBEAT_FILE, (stale, stale))
    healthy, why = check_health(tmp_path)
    assert not healthy and "600 s ago" in why


async def test_the_heartbeat_is_touched_only_while_connected(tmp_path: Path) -> None:
    heartbeat = Heartbeat(tmp_path, interval_s=0.01)
    connected = False
    beating = asyncio.create_task(heartbeat.run(lambda: connected))
    await asyncio.sleep(0.05)
    assert not heartbeat.path.exists(), "not connected yet: no heartbeat"
    connected = True
    await asyncio.sleep(0.05)
    assert heartbeat.path.exists()
    connected = False
    touched = heartbeat.path.stat().st_mtime_ns
    await asyncio.sleep(0.05)
    assert heartbeat.path.stat().st_mtime_ns == touched, "disconnected: the heartbeat goes stale"
    beating.cancel()


@pytest.mark.parametrize(("age_s", "status"), [(None, 1), (5, 0), (600, 1)])
def test_python_m_bot_health_exit_status(age_s: float | None, status: int, tmp_path: Path) -> None:
    if age_s is not None:
        (tmp_path / HEARTBEAT_FILE).touch()
        os.utime(tmp_path / HEARTBEAT_FILE, (time.time() - age_s, time.time() - age_s))
    code = "import sys\nfrom bot.app import main\nstatus = main(['--health'])\nprint('torch' in sys.modules)\n"
    code += "sys.exit(status)"
    returned, out, err = finish(python(code, cwd=tmp_path, MUSICREC_DATA_DIR=str(tmp_path)))
    assert returned == status, err
    assert out.strip().endswith("False"), "the health check runs every 30 s and must not import torch"
    assert "Traceback" not in err


@pytest.mark.simcord(shard_count=1)
async def test_a_connected_bot_counts_as_connected(scene: Any) -> None:
    assert gateway_connected(scene.env.bot)


def test_a_bot_that_never_connected_is_not_connected(make_bot: Any) -> None:
    assert not gateway_connected(make_bot())


# --- the command line ------------------------------------------------------------------------------


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(["--check", "--health", "--sync", "--bench", "--", "-", "-x"]), st.text(max_size=20))
    )
)
def test_any_argument_list_is_understood_or_refused_in_one_line(argv: list[str]) -> None:
    try:
        options = app._parser().parse_args(argv)  # noqa: SLF001 - the parser main() uses, without running the bot
    except app.UsageError as error:
        assert "\n" not in str(error) and str(error).endswith("(see python -m bot --help)")
    except SystemExit as done:
        assert done.code == 0, "only --help exits from the parser"
    else:
        assert sum((options.check, options.health, options.sync, options.bench)) <= 1


# --- --check ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_check_reports_each_item_without_connecting(tmp_path: Path) -> None:
    catalog = str(Path(os.environ["MUSICREC_CATALOG"]).resolve())
    env = {"DISCORD_TOKEN": TOKEN, "MUSICREC_CATALOG": catalog, "MUSICREC_DATA_DIR": str(tmp_path / "data")}
    status, out, err = finish(
        python("from bot.app import main; raise SystemExit(main(['--check']))", cwd=tmp_path, **env)
    )
    assert status == 0, out + err
    lines = out.strip().splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "ok    settings",
        "ok    token",
        "ok    cache directory",
        "ok    data directory",
        "ok    catalog",
        "ok    model",
    ]
    assert (
        re.search(rf"catalog: {re.escape(catalog)} reads as [1-9][0-9]* songs", out)
        and lines[-1] == "all checks passed (Discord was not contacted)"
    )
    assert TOKEN not in out + err

    env |= {"DISCORD_TOKEN": "not-a-token", "MUSICREC_CATALOG": str(tmp_path / "missing.csv")}
    status, out, err = finish(
        python("from bot.app import main; raise SystemExit(main(['--check']))", cwd=tmp_path, **env)
    )
    assert status == 2
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("FAIL")] == [
        "FAIL  token",
        "FAIL  catalog",
    ]
    assert err.strip() == "musicrec bot: check failed: token, catalog"


# --- stopping ----------------------------------------------------------------------------------------


async def test_the_gate_refuses_new_requests_and_waits_for_those_in_flight() -> None:
    gate = RequestGate()
    finished: list[int] = []

    async def request(n: int, seconds: float) -> None:
        async with gate.request():
            await asyncio.sleep(seconds)
            finished.append(n)

    running = [asyncio.create_task(request(n, 0.05 * n)) for n in range(1, 4)]
    await asyncio.sleep(0)
    assert gate.in_flight == 3
    gate.close()
    with pytest.raises(ShuttingDown, match="ask again"):
        async with gate.request():
            pass
    assert await gate.drain(5) == 0
    assert finished == [1, 2, 3]
    await asyncio.gather(*running)


async def test_the_drain_gives_up_after_its_timeout() -> None:
    gate = RequestGate()
    release = asyncio.Event()

    async def stuck() -> None:
        async with gate.request():
            await release.wait()

    task = asyncio.create_task(stuck())
    await asyncio.sleep(0)
    gate.close()
    assert await gate.drain(0.05) == 1
    release.set()
    await task


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_answers_every_request_in_flight_exits_0_and_leaves_the_database_whole(
    signum: signal.Signals, tmp_path: Path
) -> None:
    """The whole bot from ``bot.app.main`` (tests/stopping_bot.py says which two seams stand in for the model and
    discord.com): 20 mentions in flight at the signal are all answered, later ones are told to ask again, the
    process exits 0, and the database it leaves passes SQLite's integrity check and holds every answer's history."""
    data = tmp_path / "data"
    env = {
        "PYTHONPATH": os.pathsep.join((str(REPO), str(REPO / "tests"))),
        "DISCORD_TOKEN": TOKEN,
        "MUSICREC_DATA_DIR": str(data),
        "MUSICREC_CATALOG": "",  # the stand-in recommender reads none
    }
    server = python("import runpy; runpy.run_module('stopping_bot', run_name='__main__')", cwd=tmp_path, **env)
    wait_for_line(server, "in flight: 20")
    server.send_signal(signum)
    status, out, err = finish(server, timeout=60)
    assert status == 0, err
    lines = out.splitlines()
    answered = {int(line.split()[1]) for line in lines if line.startswith("answered")}
    assert set(range(20)) <= answered, f"every request in flight at the signal is answered: {sorted(answered)}"
    told = [line for line in lines if line.startswith("retry")]
    assert told and all(line.endswith(RESTARTING) for line in told), "later requests are told to ask again"
    assert all(line.startswith(("answered", "retry")) for line in lines), "no request is dropped silently"
    assert len(lines) == len({line.split()[1].rstrip(":") for line in lines}), "one reply per request"
    assert "stopping: no new requests; waiting for" in err and "stopped cleanly" in err
    assert "Traceback" not in err and TOKEN not in out + err
    assert not (data / HEARTBEAT_FILE).exists(), "a stopped bot leaves no heartbeat behind"

    with sqlite3.connect(data / DATABASE_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        history = [words for (words,) in db.execute("SELECT words FROM history")]
        cards = db.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
    assert sorted(history) == sorted(f"songs for mood {n}" for n in answered), "each answer's history row, once"
    assert cards == len(answered)


def test_a_stop_while_the_index_loads_exits_0(tmp_path: Path) -> None:
    code = (
        "import time\n"
        "from bot import app, service\n"
        "def slow_load(catalog, cache_dir):\n"
        "    print('loading', flush=True)\n"
        "    time.sleep(60)\n"
        "service.load_recommender = slow_load\n"
        "raise SystemExit(app.main([]))\n"
    )
    env = {"DISCORD_TOKEN": TOKEN, "MUSICREC_DATA_DIR": str(tmp_path / "data")}
    server = python(code, cwd=tmp_path, **env)
    wait_for_line(server, "loading")
    server.send_signal(signal.SIGTERM)
    status, _, err = finish(server, timeout=30)
    assert status == 0
    assert err.strip().splitlines()[-1] == "musicrec bot: stopped before connecting"
