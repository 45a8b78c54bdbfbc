"""``python -m bot --bench``: post-encode time without and with the database write, side by side (no time asserted)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tiny_recommender import tiny_recommender

from bot import app, service
from bot.bench import measure_write_cost

LINE = re.compile(
    r"post-encode median: (?P<alone>\d+\.\d\d) ms without the database write, (?P<written>\d+\.\d\d) ms with the card "
    r"and history write \(\+-?\d+\.\d\d ms; (?P<requests>\d+) requests x (?P<repeats>\d+) repeats\)"
)


async def test_the_write_cost_is_measured_on_the_bots_own_store(tmp_path: Path) -> None:
    cost = await measure_write_cost(tiny_recommender(), tmp_path, requests=8, repeats=3)
    assert (cost.requests, cost.repeats) == (8, 3)
    assert cost.without_write_ms > 0 and cost.with_write_ms > 0
    assert LINE.fullmatch(cost.line())
    assert list(tmp_path.iterdir()) == [], "the scratch database is deleted; the bot's own is never touched"


def test_python_m_bot_bench_prints_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.delenv("MUSICREC_CATALOG")  # the stand-in recommender below reads no catalog
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(service, "load_recommender", lambda catalog, cache_dir: tiny_recommender())
    assert app.main(["--bench"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert LINE.fullmatch(lines[0]), lines
    assert re.fullmatch(r"target: post-encode median with the write under 2 ms: (yes|NO)", lines[1])
