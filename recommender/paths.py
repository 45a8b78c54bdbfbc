"""Where the catalog and the cache live, from flags, the environment, or the defaults."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import platformdirs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Where `musicrec data fetch` writes the public reference catalog.
FETCHED_CATALOG = PROJECT_ROOT / "data" / "top50MusicFrom2010-2019.csv"
CATALOG_ENV = "MUSICREC_CATALOG"
CACHE_ENV = "MUSICREC_CACHE_DIR"


class NoCatalogError(FileNotFoundError):
    """No catalog was named and none was fetched; the message says how to get one."""


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV, "").strip()
    return Path(configured).expanduser() if configured else Path(platformdirs.user_cache_dir("musicrec"))


def _why_not_a_file(path: Path) -> str:
    try:
        path.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "is a loop of symbolic links"
        if error.errno == errno.ENOENT:
            return "does not exist"
        return f"cannot be read ({error.strerror})"
    return "is not a file"


def resolve_catalog(path: str | Path | None = None) -> Path:
    """``path``, else ``MUSICREC_CATALOG``, else the fetched reference catalog."""
    if path:
        chosen, source = Path(path).expanduser(), "--catalog"
    elif os.environ.get(CATALOG_ENV, "").strip():
        chosen, source = Path(os.environ[CATALOG_ENV].strip()).expanduser(), CATALOG_ENV
    else:
        chosen, source = FETCHED_CATALOG, None
    if chosen.is_file():
        return chosen
    if source:
        raise NoCatalogError(f"the catalog {chosen} named by {source} {_why_not_a_file(chosen)}")
    raise NoCatalogError(
        f"no catalog: set {CATALOG_ENV} to a catalog CSV (e.g. ../shared/data/top50MusicFrom2010-2019.csv), "
        f"pass --catalog PATH, or run `musicrec data fetch` to download the reference catalog to {FETCHED_CATALOG}"
    )
