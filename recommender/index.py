"""The on-disk index cache: song table, vectors and FAISS index under one fingerprint.

A build writes the whole folder, manifest last, into a staging folder beside the final one
and swaps it in only when complete, so an interrupted build leaves the previous index as it
was; a reader trusts nothing the manifest does not vouch for. A stale fingerprint, or a file
that is missing, truncated or corrupt, means a rebuild, never a crash. A process killed in the
middle of the swap leaves a complete copy beside the folder (the new one staged, or the old one
set aside); whoever next holds the build lock puts it back instead of rebuilding.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

import faiss
import numpy as np
from tqdm import tqdm

from .checksum import check_files, sha256_file
from .songs import Song, SongTable

log = logging.getLogger(__name__)

# 3: the songs are a SongTable's columns (songs.npz), with album, credited artists and unknown features, and
# the default profile's small catalogs have no index file (scoring every song is their search).
# 4: artists and genres as codes into their distinct names, and the title keys lookups derive (SongTable.derived).
FORMAT_VERSION = 4
MANIFEST = "manifest.json"
FILES = ("songs.npz", "vectors.npy")
INDEX_FILE = "index.faiss"
# Songs per embedding chunk kept on disk while a build runs: a killed build loses at most this much work
# (minutes on two CPU cores), and each chunk is one small file (12 MB of 768-wide float32 vectors).
RESUME_CHUNK = 4096


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
    """A catalog's songs, their description vectors, and the profile's FAISS index (None: exact scoring)."""

    songs: Sequence[Song]
    vectors: np.ndarray
    index: faiss.Index | None


def cache_folder(cache_dir: Path, fingerprint: Fingerprint) -> Path:
    # The format and the encoder in the name: checkouts of different versions, and processes serving different
    # encoder backends, sharing one cache never rebuild each other's index.
    name = f"{fingerprint.profile}-{fingerprint.encoder}-{fingerprint.catalog_sha256[:16]}-v{fingerprint.format}"
    return cache_dir / "indexes" / name


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


@contextmanager
def build_lock(folder: Path, *, wait: bool = True) -> Iterator[bool]:
    """An exclusive lock beside ``folder``, held while one process builds it; yields whether it was taken.

    Taking it first finishes or undoes a swap that a crash interrupted (see ``recover``). With
    ``wait=False`` a lock held elsewhere (a build under way, in this process too) is not waited for.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(folder.name + ".lock"), "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            recover(folder)
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _complete(folder: Path) -> bool:
    """Whether ``folder`` holds a whole cache: a manifest whose checksums every file matches."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        _check_files(folder, manifest)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def _check_files(folder: Path, manifest: dict[str, Any]) -> None:
    """Every file the cache needs is listed and matches its checksum, else a ValueError naming the first that fails."""
    required = {*FILES, INDEX_FILE} if manifest["has_index"] else set(FILES)
    if not required <= set(manifest["files"]):
        raise ValueError("the manifest does not list every file")
    # Hashed once per file identity, as the model's files are: a 1.2M-song cache is 4.6 GB, seconds to hash on
    # every start; a file written since (its ctime moves) is hashed again, so damage is still always found.
    problem = check_files(folder, manifest["files"])
    if problem is not None:
        raise ValueError(problem)


def recover(folder: Path) -> None:
    """Put back the complete copy a crash left beside ``folder``, then delete every leftover; hold the build lock.

    A complete staging folder is the newest build, killed before or during its swap: it goes in.
    Otherwise, with no complete ``folder``, a complete set-aside copy is the previous index: it goes back.
    """
    found = sorted(folder.parent.glob(f".{folder.name}.*"), key=lambda p: p.stat().st_mtime if p.exists() else 0)
    if not found:
        return
    staged = [p for p in found if ".staging-" in p.name and _complete(p)]
    if staged:
        log.warning("index cache in %s: finishing the swap a crash interrupted", folder)
        _swap_in(staged[-1], folder)
    elif not _complete(folder):
        aside = [p for p in found if ".old-" in p.name and _complete(p)]
        if aside:
            log.warning("index cache in %s: restoring the copy a crash left set aside", folder)
            shutil.rmtree(folder, ignore_errors=True)
            aside[-1].rename(folder)
            _fsync_folder(folder.parent)
    _remove_leftovers(folder)


def partial_folder(folder: Path) -> Path:
    """Where a build keeps its finished embedding chunks until the cache is saved (not a ``recover`` leftover)."""
    return folder.with_name(folder.name + ".partial")


def _texts_key(fingerprint: Fingerprint, texts: Sequence[str], chunk: int) -> str:
    digest = hashlib.sha256(json.dumps([asdict(fingerprint), chunk, len(texts)]).encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def _saved_chunk(path: Path, rows: int) -> np.ndarray | None:
    try:
        block = np.load(path)
    except (OSError, ValueError, EOFError):
        return None
    return block if block.ndim == 2 and block.shape[0] == rows and np.isfinite(block).all() else None


def _save_chunk(path: Path, block: np.ndarray) -> None:
    """Written whole under another name, then renamed: a chunk file on disk is always complete."""
    written = path.with_suffix(".tmp")
    _write_synced(written, lambda handle: np.save(handle, block))
    written.replace(path)


def embed_resumable(
    folder: Path,
    fingerprint: Fingerprint,
    texts: Sequence[str],
    embed: Callable[[Sequence[str]], np.ndarray],
    *,
    chunk: int = RESUME_CHUNK,
    progress: bool = False,
) -> np.ndarray:
    """``embed`` over ``texts`` chunk by chunk, each finished chunk kept beside ``folder`` until ``save``.

    A build interrupted (killed, Ctrl-C, out of power) and started again for the same fingerprint and
    texts embeds only the chunks it had not finished; anything else found there is discarded. Call it
    holding ``build_lock(folder)``.
    """
    partial = partial_folder(folder)
    key = _texts_key(fingerprint, texts, chunk)
    marker = partial / "key"
    try:
        fresh = marker.read_text() != key
    except OSError:
        fresh = True
    if fresh:
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        _write_synced(marker, lambda handle: handle.write(key.encode()))
    vectors = np.empty((len(texts), 0), dtype=np.float32)
    with tqdm(total=len(texts), desc="embedding", unit="song", disable=not progress) as bar:
        for number, start in enumerate(range(0, len(texts), chunk)):
            part = texts[start : start + chunk]
            path = partial / f"{number:07d}.npy"
            block = _saved_chunk(path, len(part))
            if block is None:
                block = np.asarray(embed(part), dtype=np.float32)
                _save_chunk(path, block)
            if start == 0:
                vectors = np.empty((len(texts), block.shape[1]), dtype=np.float32)
            vectors[start : start + len(part)] = block
            bar.update(len(part))
    return vectors


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
    # The build's chunks are in the cache now.
    shutil.rmtree(partial_folder(folder), ignore_errors=True)


def _remove_leftovers(folder: Path) -> None:
    """Staging and set-aside folders of a build that was killed before it could clean up."""
    for leftover in folder.parent.glob(f".{folder.name}.*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _write_cache(staging: Path, fingerprint: Fingerprint, data: IndexData) -> None:
    songs = data.songs if isinstance(data.songs, SongTable) else SongTable(data.songs)
    _write_synced(staging / "songs.npz", lambda handle: np.savez(handle, allow_pickle=False, **songs.arrays()))
    _write_synced(staging / "vectors.npy", lambda handle: np.save(handle, data.vectors))
    names = list(FILES)
    if data.index is not None:
        index = data.index
        _write_synced(
            staging / INDEX_FILE,
            lambda handle: faiss.write_index(index, faiss.PyCallbackIOWriter(handle.write)),  # type: ignore[attr-defined]  # not in faiss's stubs
        )
        names.append(INDEX_FILE)
    manifest = {
        "fingerprint": asdict(fingerprint),
        "has_index": data.index is not None,
        "files": {name: sha256_file(staging / name) for name in names},
    }
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


def _tidy(folder: Path) -> None:
    """Recover or clear a crashed build's leftovers at start-up, unless a build is under way."""
    try:
        if any(folder.parent.glob(f".{folder.name}.*")):
            with build_lock(folder, wait=False):
                pass
    except OSError as error:
        log.warning("index cache in %s: could not clear a crashed build's leftovers (%s)", folder, error)


def load(folder: Path, fingerprint: Fingerprint) -> IndexData | None:
    """The cached index, or None when it is absent, stale or damaged (with a warning for damage)."""
    _tidy(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        return None
    try:
        manifest = json.loads(manifest_path.read_text())
        # A fingerprint that is not a record is damage, not another catalog's cache: warn, do not call it stale.
        if not isinstance(manifest["fingerprint"], dict):
            raise ValueError("the manifest's fingerprint is not a record")
        if manifest["fingerprint"] != asdict(fingerprint):
            log.info("index cache in %s is stale; rebuilding", folder)
            return None
        _check_files(folder, manifest)
        with np.load(folder / "songs.npz", allow_pickle=False) as arrays:
            songs = SongTable.from_arrays({name: arrays[name] for name in arrays.files})
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        # Mapped, not read: a large catalog's index is paged in as searches touch it.
        index = None
        if manifest["has_index"]:
            index = faiss.read_index(str(folder / INDEX_FILE), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        if not len(songs) == vectors.shape[0] == (index.ntotal if index is not None else len(songs)):
            raise ValueError("songs, vectors and index disagree in length")
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, EOFError, zipfile.BadZipFile) as error:
        log.warning("index cache in %s is damaged (%s); rebuilding it", folder, error)
        return None
    return IndexData(songs=songs, vectors=vectors, index=index)
