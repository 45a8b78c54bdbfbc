"""File fingerprints: a file's sha256, and a folder check that hashes each file once per file identity."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

# Beside the files it vouches for: path -> [size, mtime_ns, ctime_ns, inode, sha256] from the last full hash.
IDENTITIES = ".identities.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_files(folder: Path, expected: Mapping[str, str]) -> str | None:
    """What is wrong with ``folder``'s files against their ``expected`` sha256 (by relative path), or None.

    Hashing 440 MB of weights on every start would cost a second, so a file whose size, times and inode
    match those recorded when it last hashed correctly is trusted; any write to a file changes its ctime,
    which no user-level tool can set back, so an edited, truncated or replaced file is always hashed again.
    """
    marker = folder / IDENTITIES
    try:
        recorded = json.loads(marker.read_text())
        if not isinstance(recorded, dict):
            recorded = {}
    except (OSError, ValueError):
        recorded = {}
    seen: dict[str, list[object]] = {}
    for name, digest in expected.items():
        path = folder / name
        try:
            stat = path.stat()
        except OSError:
            return f"{name} is missing"
        identity: list[object] = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, digest]
        if recorded.get(name) != identity:
            try:
                actual = sha256_file(path)
            except OSError as error:
                return f"{name} cannot be read ({error.strerror})"
            if actual != digest:
                return f"{name} has sha256 {actual[:12]}…, expected {digest[:12]}…"
        seen[name] = identity
    if seen != recorded:
        # Recording is an optimisation: a read-only cache is checked in full on every start instead.
        try:
            staging = marker.with_name(f"{IDENTITIES}.{os.getpid()}")
            staging.write_text(json.dumps(seen))
            os.replace(staging, marker)
        except OSError:
            pass
    return None
