"""The on-disk index cache: song table, vectors and FAISS index under one fingerprint.

A build writes every file beside its final name and renames it into place, then writes
the manifest last; a reader trusts nothing the manifest does not vouch for. A stale
fingerprint, or a file that is missing, truncated or corrupt, means a rebuild, never a crash.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

import faiss
import numpy as np

from .checksum import sha256_file
from .songs import Features, Song

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES = ("songs.json", "vectors.npy", "index.faiss")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    catalog_sha256: str
    profile: str
    template_version: int
    model: str
    format: int = FORMAT_VERSION


@dataclass(frozen=True, slots=True)
class IndexData:
    songs: tuple[Song, ...]
    vectors: np.ndarray
    index: faiss.Index


def build_faiss(vectors: np.ndarray, profile: str) -> faiss.Index:
    """Exact search: inner product on unit vectors for ``default``, squared L2 as published for ``seed``."""
    index = faiss.IndexFlatL2(vectors.shape[1]) if profile == "seed" else faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def cache_folder(cache_dir: Path, fingerprint: Fingerprint) -> Path:
    return cache_dir / "indexes" / f"{fingerprint.profile}-{fingerprint.catalog_sha256[:16]}"


def _write_atomic(path: Path, write: Callable[[BinaryIO], object]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _song_to_json(song: Song) -> dict[str, object]:
    data = asdict(song)
    data["features"] = song.features.as_dict() if song.features else None
    return data


def _song_from_json(data: dict) -> Song:  # type: ignore[type-arg]
    features = data["features"]
    return Song(
        id=data["id"],
        title=data["title"],
        artist=data["artist"],
        genres=tuple(data["genres"]),
        years=tuple(data["years"]),
        features=Features(**features) if features else None,
        spotify_id=data["spotify_id"],
    )


@contextmanager
def build_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock beside ``folder``, held while one process builds it."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(folder.name + ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def save(folder: Path, fingerprint: Fingerprint, data: IndexData) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)
    songs = json.dumps([_song_to_json(s) for s in data.songs], ensure_ascii=False).encode()
    _write_atomic(folder / "songs.json", lambda handle: handle.write(songs))
    _write_atomic(folder / "vectors.npy", lambda handle: np.save(handle, data.vectors))
    _write_atomic(folder / "index.faiss", lambda handle: faiss.write_index(data.index, faiss.PyCallbackIOWriter(handle.write)))
    manifest = {"fingerprint": asdict(fingerprint), "files": {name: sha256_file(folder / name) for name in FILES}}
    _write_atomic(folder / MANIFEST, lambda handle: handle.write(json.dumps(manifest, indent=2).encode()))


def load(folder: Path, fingerprint: Fingerprint) -> IndexData | None:
    """The cached index, or None when it is absent, stale or damaged (with a warning for damage)."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        return None
    try:
        manifest = json.loads(manifest_path.read_text())
        if manifest["fingerprint"] != asdict(fingerprint):
            log.info("index cache in %s is stale; rebuilding", folder)
            return None
        for name in FILES:
            if sha256_file(folder / name) != manifest["files"][name]:
                raise ValueError(f"{name} does not match its checksum")
        songs = tuple(_song_from_json(item) for item in json.loads((folder / "songs.json").read_text()))
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        index = faiss.read_index(str(folder / "index.faiss"))
        if not len(songs) == vectors.shape[0] == index.ntotal:
            raise ValueError("songs, vectors and index disagree in length")
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        log.warning("index cache in %s is damaged (%s); rebuilding it", folder, error)
        return None
    return IndexData(songs=songs, vectors=vectors, index=index)
