"""The library's public API: ``recommender.__all__`` is pinned here, and importing it stays light and Discord-free.

A name added to or dropped from the API fails this test on purpose: change the list below in the same
commit, and say why in it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import recommender

PACKAGE = Path(recommender.__file__).resolve().parent
PUBLIC_API = [
    "Answer",
    "CatalogError",
    "Features",
    "Intent",
    "MicroBatcher",
    "ModelError",
    "PROFILE_NAMES",
    "ProfileName",
    "Recommendation",
    "Recommender",
    "Request",
    "RequestError",
    "Song",
    "Wish",
    "load_catalog",
    "song_key",
]


def test_the_public_api_is_exactly_these_names_in_sorted_order() -> None:
    assert sorted(PUBLIC_API) == PUBLIC_API
    assert recommender.__all__ == PUBLIC_API


@pytest.mark.parametrize("name", PUBLIC_API)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(recommender, name) is not None
    assert name in dir(recommender)


def test_a_public_name_is_the_object_its_module_defines() -> None:
    from recommender import engine, profiles, songs, text

    assert recommender.song_key is songs.song_key  # one song_key, wherever it is imported from
    assert recommender.Recommender is engine.Recommender
    assert recommender.PROFILE_NAMES == profiles.PROFILE_NAMES == ("default", "seed")
    assert recommender.RequestError is text.RequestError is engine.RequestError


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'recommend'"):
        recommender.recommend  # noqa: B018 - the lookup itself is under test


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    # From the repository root, so the checkout under test is imported, not an installed copy.
    return subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True, text=True, timeout=120)


def test_importing_the_library_does_not_import_torch() -> None:
    done = run_python(
        "import sys, recommender\n"
        "from recommender import Answer, Intent, MicroBatcher, ModelError, Request, load_catalog\n"
        "print(recommender.__file__)\n"
        "print(sorted(name for name in ('torch', 'sentence_transformers', 'discord') if name in sys.modules))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(PACKAGE / "__init__.py"), "[]"]


def test_the_heavy_names_load_on_first_use() -> None:
    script = "import sys, recommender\nprint('recommender.engine' in sys.modules)\nrecommender.Recommender\n"
    done = run_python(script + "print('recommender.engine' in sys.modules)\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


BOT_IMPORT = re.compile(r"^\s*(?:from\s+bot(?:\.|\s)|import\s+bot\b)", re.MULTILINE)


def test_the_bot_imports_are_found_by_the_pattern() -> None:
    found = [
        code for code in ("from bot.app import main", "    import bot", "from bot import x") if BOT_IMPORT.search(code)
    ]
    assert len(found) == 3 and not BOT_IMPORT.search("from bottle import x\nimport botocore\n# the bot")


def test_the_library_never_imports_the_bot() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{source.count(chr(10), 0, match.start()) + 1}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for source in [path.read_text(encoding="utf-8")]
        for match in BOT_IMPORT.finditer(source)
    ]
    assert offenders == []
