"""The on-disk index cache: song table, vectors and FAISS index under one fingerprint.

A build writes the whole folder, manifest last, into a staging folder beside the final one
and swaps it in only when complete, so an interrupted build leaves the previous index as it
was; a reader trusts nothing the manifest does not vouch for. A stale fingerprint, or a file
that is missing, truncated or corrupt, means a rebuild, never a crash.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
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
    encoder: str  # the backend and precision that embedded the vectors (encoder.Encoder.name)
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


def _write_synced(path: Path, write: Callable[[BinaryIO], object]) -> None:
    with path.open("wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make renames and new names in ``folder`` durable, not just the files' contents."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    """Replace ``folder`` with a complete new cache; call it holding ``build_lock(folder)``.

    An interruption at any point leaves the previous cache (or none, if there was none) as it was.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(folder)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.staging-"))
    try:
        # mkdtemp makes it private; the cache stays as readable as the folder it lives in.
        staging.chmod(folder.parent.stat().st_mode & 0o777)
        _write_cache(staging, fingerprint, data)
        _swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _remove_leftovers(folder: Path) -> None:
    """Staging and set-aside folders of a build that was killed before it could clean up."""
    for leftover in folder.parent.glob(f".{folder.name}.*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _write_cache(staging: Path, fingerprint: Fingerprint, data: IndexData) -> None:
    songs = json.dumps([_song_to_json(s) for s in data.songs], ensure_ascii=False).encode()
    _write_synced(staging / "songs.json", lambda handle: handle.write(songs))
    _write_synced(staging / "vectors.npy", lambda handle: np.save(handle, data.vectors))
    _write_synced(staging / "index.faiss", lambda handle: faiss.write_index(data.index, faiss.PyCallbackIOWriter(handle.write)))
    manifest = {"fingerprint": asdict(fingerprint), "files": {name: sha256_file(staging / name) for name in FILES}}
    _write_synced(staging / MANIFEST, lambda handle: handle.write(json.dumps(manifest, indent=2).encode()))
    _fsync_folder(staging)


def _swap_in(staging: Path, folder: Path) -> None:
    """Move the old folder aside, the new one in, then delete the old one.

    Between the two renames no folder exists; readers that miss then wait on the build lock and look again.
    """
    aside = folder.with_name(staging.name.replace(".staging-", ".old-", 1))
    had_old = folder.exists()
    if had_old:
        folder.rename(aside)
    try:
        staging.rename(folder)
    except BaseException:
        if had_old:
            aside.rename(folder)
        raise
    _fsync_folder(folder.parent)
    if had_old:
        shutil.rmtree(aside, ignore_errors=True)


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
        # Mapped, not read: a large catalog's index is paged in as searches touch it.
        index = faiss.read_index(str(folder / "index.faiss"), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        if not len(songs) == vectors.shape[0] == index.ntotal:
            raise ValueError("songs, vectors and index disagree in length")
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        log.warning("index cache in %s is damaged (%s); rebuilding it", folder, error)
        return None
    return IndexData(songs=songs, vectors=vectors, index=index)
