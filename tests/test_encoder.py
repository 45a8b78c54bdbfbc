"""Encoder backends: the fast default gives torch fp32's vectors within the bound, and falls back or rebuilds safely."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from recommender import encoder as encoders
from recommender import encoder_gate
from recommender.benchmarks.bench import request_texts
from recommender.encoder import (
    ENCODER_ENV,
    MIN_COSINE,
    PAD_BUDGET,
    SplitEncoder,
    TextTokens,
    TorchEncoder,
    catalog_side,
    choice_from_env,
    conversion_fingerprint,
    converted_folder,
    embed_catalog,
    length_batches,
    load_encoder,
    mean_pool,
    openvino_precision,
)
from recommender.engine import Recommender
from recommender.index import Fingerprint, cache_folder
from recommender.model import MODEL_ENV, ModelError, resolve_model
from recommender.paths import cache_dir
from recommender.templates import describe


def test_length_batches_keep_every_text_once_and_group_similar_lengths() -> None:
    lengths = [120, 6, 8, 118, 7, 60, 9, 119]
    batches = length_batches(lengths, max_batch=32)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    # The short requests share a batch; none of them is padded to a 120-token description.
    short = next(batch for batch in batches if 1 in batch)
    assert {lengths[i] for i in short} == {6, 7, 8, 9}
    for batch in batches:
        longest = max(lengths[i] for i in batch)
        assert sum(longest - lengths[i] for i in batch) <= PAD_BUDGET


def test_length_batches_respect_the_batch_size() -> None:
    batches = length_batches([10] * 70, max_batch=32)
    assert [len(batch) for batch in batches] == [32, 32, 6]


def test_mean_pool_ignores_padding_and_gives_unit_rows() -> None:
    hidden = np.array([[[1.0, 0.0], [3.0, 0.0], [99.0, 99.0]], [[0.0, 2.0], [0.0, 2.0], [0.0, 2.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0], [1, 1, 1]])
    np.testing.assert_allclose(mean_pool(hidden, mask), [[1.0, 0.0], [0.0, 1.0]])


class FakeTokens(TextTokens):
    """Whitespace tokens: enough to drive the batching without a model."""

    def __init__(self) -> None:
        self.pad_id = 0

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [[len(word) for word in text.split()] or [1] for text in texts]


def test_non_finite_vectors_are_a_model_error_not_an_answer() -> None:
    def forward(batch: list[int], _ids: list[list[int]]) -> np.ndarray:
        return np.full((len(batch), 4), np.nan, dtype=np.float32)

    with pytest.raises(ModelError, match="non-finite"):
        encoders._encode_in_batches(FakeTokens(), ["chill evening"], forward)


def test_rows_come_back_in_the_callers_order() -> None:
    texts = ["a much longer request than the others here", "x", "two words"]

    def forward(batch: list[int], ids: list[list[int]]) -> np.ndarray:
        return np.array([[float(len(row)), 0.0] for row in ids], dtype=np.float32)

    got = encoders._encode_in_batches(FakeTokens(), texts, forward)
    assert list(got[:, 0]) == [8.0, 1.0, 2.0]


def test_the_encoder_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENCODER_ENV, raising=False)
    assert choice_from_env() == "openvino"
    monkeypatch.setenv(ENCODER_ENV, " Torch ")
    assert choice_from_env() == "torch"
    assert choice_from_env("openvino") == "openvino"  # --encoder wins over the environment
    monkeypatch.setenv(ENCODER_ENV, "int4-magic")
    with pytest.raises(ModelError, match="unknown encoder 'int4-magic'.*openvino, torch"):
        choice_from_env()


class FakeTorch:
    name = "torch-fp32"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.ones((len(texts), 2), dtype=np.float32) / np.sqrt(2)


def tiny_model_folder(folder: Path) -> Path:
    """What the OpenVINO path reads before converting: a word-level tokenizer and the two settings."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    folder.mkdir()
    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0, "<pad>": 1}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    (folder / "sentence_bert_config.json").write_text('{"max_seq_length": 16}')
    (folder / "config.json").write_text('{"pad_token_id": 1}')
    return folder


def test_a_failed_conversion_falls_back_to_torch_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tiny_model_folder(tmp_path / "model")
    monkeypatch.setattr(encoders, "_torch_encoder", lambda source: FakeTorch())

    def broken(*args: object) -> None:
        raise RuntimeError("converter crashed\non two lines")

    monkeypatch.setattr(encoders, "convert", broken)
    with caplog.at_level(logging.WARNING, logger="recommender.encoder"):
        chosen = load_encoder(str(folder), "f" * 64, tmp_path, "openvino")
    assert chosen.name == "torch-fp32"
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "cannot convert" in warning and "converter crashed on two lines" in warning


def test_the_seed_profile_always_gets_the_exact_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoders, "_torch_encoder", lambda source: FakeTorch())
    monkeypatch.setenv(ENCODER_ENV, "openvino")
    assert load_encoder("/nowhere", "f" * 64, Path("/nowhere"), exact=True).name == "torch-fp32"


class FakeFast:
    def __init__(self, name: str) -> None:
        self.name = name
        self.texts = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return np.ones((len(texts), 2), dtype=np.float32) / np.sqrt(2)

    def release(self) -> None:
        """Nothing is held for builds."""

    def words(self) -> frozenset[str]:
        return frozenset()


def choose_int8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[bool]]:
    """Ask for openvino-int8 with conversion stubbed out; returns the name served and the int8 flags asked for."""
    folder = tmp_path / "model"
    folder.mkdir(exist_ok=True)
    asked: list[bool] = []

    def fake_openvino(_folder: Path, _hash: str, _cache: Path, *, int8: bool = False) -> FakeFast:
        asked.append(int8)
        return FakeFast("openvino-int8" if int8 else "openvino-bf16+fp32head")

    monkeypatch.setattr(encoders, "_openvino_encoder", fake_openvino)
    return load_encoder(str(folder), "f" * 64, tmp_path, "openvino-int8").name, asked


@pytest.mark.parametrize(
    ("gate", "says"),
    [
        (None, "has not passed its quality gate yet"),
        (encoder_gate.judge({"all": 0.0, "feature": -0.02}, seed_exact=True), "failed its quality gate"),
        (encoder_gate.judge({"all": 0.0}, seed_exact=False), "failed its quality gate"),
    ],
)
def test_int8_is_refused_with_one_line_unless_its_gate_passed(
    gate: encoder_gate.GateResult | None,
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if gate is not None:
        encoder_gate.record(tmp_path, "f" * 64, gate)
    with caplog.at_level(logging.WARNING, logger="recommender.encoder"):
        name, asked = choose_int8(tmp_path, monkeypatch)
    assert (name, asked) == ("openvino-bf16+fp32head", [False])  # the default fast backend serves instead
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert says in warning and "using openvino" in warning and "\n" not in warning


def test_int8_is_served_once_its_gate_passed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    passed = encoder_gate.judge({"all": -0.004, "feature": 0.01, "entity": -0.01}, seed_exact=True)
    assert passed.passed and "pass" in passed.summary()
    encoder_gate.record(tmp_path, "f" * 64, passed)
    assert choose_int8(tmp_path, monkeypatch) == ("openvino-int8", [True])


def test_a_gate_recorded_for_other_weights_does_not_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    encoder_gate.record(tmp_path, "f" * 64, encoder_gate.judge({"all": 0.0}, seed_exact=True))
    path = encoder_gate.gate_path(tmp_path, "f" * 64)
    entry = json.loads(path.read_text())
    entry["fingerprint"]["model_sha256"] = "0" * 64
    path.write_text(json.dumps(entry))
    assert choose_int8(tmp_path, monkeypatch)[0] == "openvino-bf16+fp32head"


def test_a_gate_recorded_before_int8_left_descriptions_alone_does_not_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old verdict judged int8 song vectors too: it says nothing about the encoder served now."""
    encoder_gate.record(tmp_path, "f" * 64, encoder_gate.judge({"all": 0.0}, seed_exact=True))
    path = encoder_gate.gate_path(tmp_path, "f" * 64)
    entry = json.loads(path.read_text())
    del entry["subject"]
    path.write_text(json.dumps(entry))
    assert choose_int8(tmp_path, monkeypatch)[0] == "openvino-bf16+fp32head"


def test_each_converted_model_and_each_way_of_embedding_songs_has_its_own_cache(tmp_path: Path) -> None:
    model_hash = "f" * 64
    assert converted_folder(tmp_path, model_hash) != converted_folder(tmp_path, model_hash, int8=True)
    assert conversion_fingerprint(model_hash) != conversion_fingerprint(model_hash, int8=True)
    folders = {
        cache_folder(tmp_path, Fingerprint("c" * 64, "default", 1, model_hash, name))
        for name in ("torch-fp32", "openvino-bf16+fp32head")
    }
    assert len(folders) == 2


def test_int8_encodes_requests_and_leaves_songs_to_the_default_backend() -> None:
    requests, songs = FakeFast("openvino-int8"), FakeFast("openvino-bf16+fp32head")
    split = SplitEncoder(requests, songs)
    assert split.name == "openvino-int8" and catalog_side(split) is songs
    split.encode(["chill"])
    embed_catalog(split, ["a song description", "another"])
    assert (requests.texts, songs.texts) == (1, 2)


# --- the real model -----------------------------------------------------------------------------


def torch_reference(seed_recommender: Recommender) -> TorchEncoder:
    assert isinstance(seed_recommender.encoder, TorchEncoder)
    return seed_recommender.encoder


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


@pytest.mark.slow
def test_the_default_backend_matches_torch_on_requests(
    default_recommender: Recommender, seed_recommender: Recommender
) -> None:
    fast = default_recommender.encoder
    assert fast.name.startswith("openvino-")
    texts = request_texts()[:300] + list(encoders.VERIFY_TEXTS)
    assert cosines(fast.encode(texts), torch_reference(seed_recommender).encode(texts)).min() >= MIN_COSINE


@pytest.mark.slow
def test_the_default_backend_matches_torch_on_catalog_descriptions(
    default_recommender: Recommender, seed_recommender: Recommender
) -> None:
    texts = [describe(song) for song in default_recommender.songs]
    reference = embed_catalog(torch_reference(seed_recommender), texts)
    assert cosines(np.asarray(default_recommender.vectors), reference).min() >= MIN_COSINE


@pytest.mark.slow
def test_the_tokenizer_gives_the_models_own_ids(seed_recommender: Recommender) -> None:
    model = torch_reference(seed_recommender).model
    tokens = TextTokens.from_folder(Path(resolve_model(cache_dir())[0]))
    texts = request_texts()[:500] + list(encoders.VERIFY_TEXTS) + ["", "   ", "ÉMOJI 🎵 ok", "tab\there"]
    expected = model.tokenizer(texts, truncation=True, max_length=model.max_seq_length)["input_ids"]
    assert tokens.ids(texts) == expected


@pytest.fixture
def converted(tmp_path: Path, seed_recommender: Recommender, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """A fresh OpenVINO conversion in ``tmp_path``'s cache, from the session's torch model."""
    source, model_hash = resolve_model(cache_dir())
    monkeypatch.setattr(encoders, "_torch_encoder", lambda _source: torch_reference(seed_recommender))
    assert load_encoder(source, model_hash, tmp_path, "openvino").name.startswith("openvino-")
    return source, converted_folder(tmp_path, model_hash)


@pytest.mark.slow
@pytest.mark.parametrize("damaged", ["head.bin", "tail.bin"])  # both are joined into the model requests run on
def test_a_damaged_converted_model_is_converted_again(
    damaged: str,
    converted: tuple[str, Path],
    tmp_path: Path,
    seed_recommender: Recommender,
    caplog: pytest.LogCaptureFixture,
) -> None:
    source, folder = converted
    with (folder / damaged).open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\xff\xff\xff\xff")
    with caplog.at_level(logging.WARNING, logger="recommender.encoder"):
        rebuilt = load_encoder(source, resolve_model(cache_dir())[1], tmp_path, "openvino")
    assert any("damaged" in r.getMessage() for r in caplog.records)
    assert rebuilt.name.startswith("openvino-")
    texts = list(encoders.VERIFY_TEXTS)
    vectors = rebuilt.encode(texts)
    assert cosines(vectors, torch_reference(seed_recommender).encode(texts)).min() >= MIN_COSINE
    assert not encoders.converted_damage(folder, encoders.conversion_fingerprint(resolve_model(cache_dir())[1]))


@pytest.mark.slow
def test_a_request_is_one_whole_bf16_inference_and_descriptions_keep_the_fp32_head(
    seed_recommender: Recommender, monkeypatch: pytest.MonkeyPatch
) -> None:
    if openvino_precision() != "bf16":
        pytest.skip("this CPU has no bf16 instructions: every text runs in fp32")
    source, model_hash = resolve_model(cache_dir())
    monkeypatch.setattr(encoders, "_torch_encoder", lambda _source: torch_reference(seed_recommender))
    load_encoder(source, model_hash, cache_dir(), "openvino")  # converted into the cache first, if need be
    compiled: list[tuple[str, str]] = []
    real = encoders.compile_converted

    def counted(target: Path, part: str, precision: str) -> object:
        compiled.append((part, precision))
        return real(target, part, precision)

    monkeypatch.setattr(encoders, "compile_converted", counted)
    fast = load_encoder(source, model_hash, cache_dir(), "openvino")
    reference = torch_reference(seed_recommender)
    requests = request_texts()[:40]
    alone = np.concatenate([fast.encode([text]) for text in requests])
    # A serving process that has only seen requests holds one compiled model, the whole one in bf16.
    assert compiled == [("whole", "bf16")]
    assert cosines(alone, reference.encode(requests)).min() >= MIN_COSINE
    descriptions = [describe(song) for song in seed_recommender.songs[:40]]
    embedded = embed_catalog(fast, descriptions)
    assert compiled == [("whole", "bf16"), ("head", "fp32"), ("tail", "bf16")]
    assert cosines(embedded, embed_catalog(reference, descriptions)).min() >= MIN_COSINE
    # After a build, a process that goes on serving holds the request model alone again.
    fast.release()
    assert isinstance(fast, encoders.OpenVinoEncoder) and fast.compiled == {("whole", "bf16")}


@pytest.mark.slow
def test_a_conversion_whose_request_path_misses_the_bound_is_refused(
    tmp_path: Path, seed_recommender: Recommender, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    source, model_hash = resolve_model(cache_dir())
    monkeypatch.setattr(encoders, "_torch_encoder", lambda _source: torch_reference(seed_recommender))
    real = encoders.compile_converted

    def head_for_whole(target: Path, part: str, precision: str) -> object:
        # The first layers alone give vectors of the right shape but the wrong meaning, on requests only.
        return real(target, "head" if part == "whole" else part, precision)

    monkeypatch.setattr(encoders, "compile_converted", head_for_whole)
    with caplog.at_level(logging.WARNING, logger="recommender.encoder"):
        assert load_encoder(source, model_hash, tmp_path, "openvino").name == "torch-fp32"
    assert any("refused" in r.getMessage() for r in caplog.records)
    manifest = json.loads((converted_folder(tmp_path, model_hash) / "manifest.json").read_text())
    assert manifest["refused"] is True
    assert manifest["min_cosine"]["requests"] < MIN_COSINE


@pytest.mark.slow
def test_a_conversion_that_misses_the_bound_is_refused_and_torch_serves(
    tmp_path: Path, seed_recommender: Recommender, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    source, model_hash = resolve_model(cache_dir())
    monkeypatch.setattr(encoders, "_torch_encoder", lambda _source: torch_reference(seed_recommender))
    monkeypatch.setattr(encoders, "MIN_COSINE", 1.5)  # no backend reaches it
    with caplog.at_level(logging.WARNING, logger="recommender.encoder"):
        assert load_encoder(source, model_hash, tmp_path, "openvino").name == "torch-fp32"
    assert any("refused" in r.getMessage() for r in caplog.records)
    manifest = json.loads((converted_folder(tmp_path, model_hash) / "manifest.json").read_text())
    assert manifest["refused"] is True
    assert not any(converted_folder(tmp_path, model_hash).glob("*.bin"))
    # The refusal is remembered: the next start goes straight to torch instead of converting again.
    monkeypatch.setattr(encoders, "convert", lambda *args: pytest.fail("converted again"))
    assert load_encoder(source, model_hash, tmp_path, "openvino").name == "torch-fp32"


@pytest.mark.slow
def test_the_environment_picks_the_backend_a_recommender_loads(
    tmp_path: Path,
    reference_catalog: Path,
    load_encoder_once,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    catalog = tmp_path / "five.csv"
    catalog.write_text("".join(reference_catalog.read_text(encoding="utf-8").splitlines(keepends=True)[:6]))
    monkeypatch.setenv(MODEL_ENV, resolve_model(cache_dir())[0])
    monkeypatch.setattr("recommender.engine.load_encoder", load_encoder_once)
    loaded = {}
    for choice in ("torch", "openvino"):
        monkeypatch.setenv(ENCODER_ENV, choice)
        loaded[choice] = Recommender.load(catalog, cache_dir=tmp_path / "cache").encoder.name
    assert loaded["torch"] == "torch-fp32" and loaded["openvino"].startswith("openvino-")
