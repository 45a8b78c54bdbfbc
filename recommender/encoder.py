"""Text encoders: the model's forward pass, mean pooling and normalisation, behind one small interface.

``torch-fp32`` runs sentence-transformers' own modules and is the reference every other backend
is checked against. ``openvino-bf16+fp32head`` (``openvino-fp32`` on a CPU without bf16 instructions)
runs the same transformer converted once by OpenVINO from the verified weights, in two parts: requests
entirely in bf16, long texts such as song descriptions with the first ``FP32_HEAD_LAYERS`` layers in fp32
and the rest in bf16. It is the default because it was the fastest backend whose vectors stayed within
the cosine bound of torch fp32 in a side-by-side measurement (README, Performance). ``openvino-int8``
(int8 weights) is opt-in and served only after it passed its quality gate (``encoder_gate``).
All tokenise with the model's own ``tokenizer.json`` and group texts of similar
length into a batch, so a short text is not padded to a long one beside it.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from tqdm import tqdm

from .checksum import check_files, sha256_file
from .model import ModelError, load_model

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

ENCODER_ENV = "MUSICREC_ENCODER"
CHOICES = ("openvino", "torch", "openvino-int8")
DEFAULT_CHOICE = "openvino"
INT8 = "openvino-int8"
# Texts in one forward pass at most: the micro-batcher's batch. Larger batches of song descriptions were
# no faster per text (README, Performance), and activations for 32 texts of 384 tokens stay small.
MAX_BATCH = 32
# A batch of length-sorted texts grows while its padding stays under this many tokens. One more model
# call costs about as much as this many tokens (README, Performance): splitting a batch of short requests
# was slower than padding them, while descriptions of 60 and 118 tokens are worth separating.
PAD_BUDGET = 96
# Texts per progress step while embedding a catalog: the bar moves every few seconds, and only one
# chunk's tokens and activations are alive at a time.
EMBED_CHUNK = 256
# The converted model's cosine to torch fp32 on VERIFY_TEXTS must reach this, or it is refused.
MIN_COSINE = 0.9995
# int8 weights are judged by the eval gate (encoder_gate); this only catches a broken conversion.
INT8_MIN_COSINE = 0.99
# Bumped when the conversion itself changes, so older converted models are rebuilt.
CONVERT_FORMAT = 2
# Intra-op threads for one inference. Two beat one at every micro-batcher batch size (1, 8, 32) on the
# 2-core machine in a side-by-side study (README, Performance, Threads); requests take turns on one model.
OPENVINO_THREADS = 2
# The longest batch (in tokens) that runs entirely in bf16; see OpenVinoEncoder.
BF16_MAX_TOKENS = 32
# Layers of the transformer that run in fp32 for longer texts: bf16 rounding in the first four or five
# layers is what moved song descriptions under the cosine bound (bf16 in any one layer alone did not, and
# later layers in bf16 cost almost nothing), measured layer by layer against torch fp32.
FP32_HEAD_LAYERS = 4
# The converted model's two parts: the embeddings and the first layers, then the remaining layers.
PARTS = ("head", "tail")

log = logging.getLogger(__name__)

# Requests and song descriptions like those the recommender encodes, short and long, checked once per conversion.
VERIFY_TEXTS = (
    "chill acoustic evening",
    "something mellow for a long drive",
    "upbeat Katy Perry tracks from 2013",
    "sad",
    "hype workout hip hop around 120 bpm that are not too popular",
    "dreamy r&b for a summer night like Adele",
    "café songs über alles, naïve & ünïcödé",
    "Hey, Soul Sister by Train. A neo mellow song from 2010. It is happy and upbeat, very danceable, "
    "with high energy, acoustic guitar, 97 bpm, about 3 minutes 37 seconds long, and very popular.",
    "Someone Like You by Adele, a british soul ballad released in 2011: sad, calm, acoustic, slow (68 bpm), "
    "quiet and not danceable, 4 minutes 45 seconds, popularity 78.",
    "Title: Lean On. Artist: Major Lazer. Genre: electro house. Year: 2015. Energy 81, danceability 72, "
    "valence 28, acousticness 0, loudness -4 dB, tempo 98, speechiness 7, popularity 84.",
    " ".join(["a very long description that runs past the model's maximum sequence length"] * 40),
)


class Encoder(Protocol):
    """Unit vectors for texts; ``name`` says which backend and precision made them (it keys the index cache)."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class TextTokens:
    """The model's own tokenizer (the ``tokenizers`` object inside it), truncated as the model truncates."""

    def __init__(self, tokenizer: Tokenizer, max_length: int, pad_id: int) -> None:
        self._tokenizer = tokenizer
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length)
        self.pad_id = pad_id

    @classmethod
    def from_folder(cls, folder: Path) -> TextTokens:
        """Read from the model folder, without loading transformers or torch."""
        from tokenizers import Tokenizer

        try:
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            max_length = int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])
            pad_id = int(json.loads((folder / "config.json").read_text())["pad_token_id"])
        except Exception as error:  # noqa: BLE001 - tokenizers raises plain Exception for a damaged file
            raise ModelError(f"cannot read the tokenizer of {folder}: {' '.join(str(error).split())}") from None
        return cls(tokenizer, max_length, pad_id)

    @classmethod
    def from_model(cls, model: SentenceTransformer) -> TextTokens:
        """A copy of a loaded model's tokenizer: transformers changes the original's settings on every call."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_str(model.tokenizer.backend_tokenizer.to_str())
        max_length = model.max_seq_length or model.tokenizer.model_max_length
        return cls(tokenizer, int(max_length), int(model.tokenizer.pad_token_id or 0))

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]

    def pad(self, rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """(input ids, attention mask) as int64 arrays padded to the longest row."""
        width = max(len(row) for row in rows)
        ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for number, row in enumerate(rows):
            ids[number, : len(row)] = row
            mask[number, : len(row)] = 1
        return ids, mask


def length_batches(lengths: Sequence[int], max_batch: int = MAX_BATCH) -> list[list[int]]:
    """Indices of texts grouped into batches of similar length, shortest first."""
    batches: list[list[int]] = []
    tokens = 0
    for index in sorted(range(len(lengths)), key=lengths.__getitem__):
        length = lengths[index]
        current = batches[-1] if batches else None
        # Sorted ascending, so ``length`` is the longest so far: everything in the batch pads to it.
        if current and len(current) < max_batch and (len(current) + 1) * length - (tokens + length) <= PAD_BUDGET:
            current.append(index)
            tokens += length
        else:
            batches.append([index])
            tokens = length
    return batches


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' mean pooling and Normalize module, in float32."""
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    unit: np.ndarray = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return unit


def _encode_in_batches(
    tokens: TextTokens, texts: Sequence[str], forward: Callable[[list[int], list[list[int]]], np.ndarray]
) -> np.ndarray:
    """Rows in the order of ``texts``; ``forward`` maps (indices, their token ids) to unit vectors."""
    ids = tokens.ids(texts)
    parts = [(batch, forward(batch, [ids[i] for i in batch])) for batch in length_batches([len(row) for row in ids])]
    vectors = np.empty((len(texts), parts[0][1].shape[1] if parts else 0), dtype=np.float32)
    for batch, rows in parts:
        vectors[batch] = rows
    if not np.isfinite(vectors).all():
        raise ModelError(
            "the embedding model gave non-finite vectors: its weights are damaged; delete the model folder"
        )
    return vectors


class TorchEncoder:
    """The reference: sentence-transformers' own modules (transformer, pooling, normalisation) in fp32."""

    name = "torch-fp32"

    def __init__(self, model: SentenceTransformer, tokens: TextTokens) -> None:
        self.model = model
        self.tokens = tokens

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        texts = list(texts)

        def forward(batch: list[int], _ids: list[list[int]]) -> np.ndarray:
            with torch.inference_mode():
                features = self.model.preprocess([texts[i] for i in batch])
                return np.asarray(self.model(features)["sentence_embedding"].numpy(), dtype=np.float32)

        return _encode_in_batches(self.tokens, texts, forward)


class OpenVinoEncoder:
    """The converted transformer compiled for this CPU; pooling and normalisation as the model does them.

    With bf16, batches of texts up to ``BF16_MAX_TOKENS`` (requests) run in bf16 throughout; longer
    ones (song descriptions, 60-120 tokens) run the head (embeddings and the first ``FP32_HEAD_LAYERS``
    layers) in fp32 and the tail in bf16. All-bf16 left three of 1,553 descriptions of the second catalog
    and one of 587 of the reference catalog under the cosine bound, while requests stayed above 0.9999.
    The fp32 head is compiled on first need, so a serving process that only sees requests never holds it.
    ``int8`` (weights compressed at conversion) compiles every part in fp32 activations.
    """

    def __init__(self, folder: Path, tokens: TextTokens, precision: str) -> None:
        self.name = {"bf16": "openvino-bf16+fp32head", "fp32": "openvino-fp32", "int8": "openvino-int8"}[precision]
        self.tokens = tokens
        self._folder = folder
        self._short = "fp32" if precision == "int8" else precision
        self._compiled: dict[tuple[str, str], Any] = {}
        # One compiled model uses both cores for one batch; callers in several threads take turns.
        self._lock = threading.Lock()
        self._request("head", self._short)
        self._request("tail", self._short)

    def _request(self, part: str, precision: str) -> Any:
        if (part, precision) not in self._compiled:
            self._compiled[part, precision] = compile_converted(self._folder, part, precision).create_infer_request()
        return self._compiled[part, precision]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        def forward(_batch: list[int], ids: list[list[int]]) -> np.ndarray:
            input_ids, mask = self.tokens.pad(ids)
            head = self._short if input_ids.shape[1] <= BF16_MAX_TOKENS else "fp32"
            with self._lock:
                # Inputs by position: (token ids or the head's hidden states, attention mask).
                hidden = self._request("head", head).infer([input_ids, mask])[0]
                hidden = self._request("tail", self._short).infer([np.asarray(hidden, dtype=np.float32), mask])[0]
            return mean_pool(np.asarray(hidden, dtype=np.float32), mask)

        return _encode_in_batches(self.tokens, texts, forward)


def embed_catalog(encoder: Encoder, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
    """Vectors for a catalog's texts; ``progress`` shows songs embedded and an ETA on stderr.

    Texts go to the encoder in order of length, so each chunk holds texts of similar length.
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = np.empty((0, 0), dtype=np.float32)
    with tqdm(total=len(texts), desc="embedding", unit="song", disable=not progress) as bar:
        for start in range(0, len(texts), EMBED_CHUNK):
            chosen = order[start : start + EMBED_CHUNK]
            chunk = encoder.encode([texts[i] for i in chosen])
            if start == 0:
                vectors = np.empty((len(texts), chunk.shape[1]), dtype=np.float32)
            vectors[chosen] = chunk
            bar.update(len(chunk))
    return vectors


def choice_from_env(choice: str | None = None) -> str:
    chosen = (choice or os.environ.get(ENCODER_ENV, "") or DEFAULT_CHOICE).strip().lower()
    if chosen not in CHOICES:
        raise ModelError(
            f"unknown encoder {chosen!r} (from --encoder or {ENCODER_ENV}): choose one of {', '.join(CHOICES)}"
        )
    return chosen


def load_encoder(
    source: str, model_hash: str, cache_dir: Path, choice: str | None = None, *, exact: bool = False
) -> Encoder:
    """The encoder ``choice`` (default: ``MUSICREC_ENCODER``, else OpenVINO) for the model at ``source``.

    ``exact`` always gives torch fp32: the seed profile reproduces the published distances, and bf16
    moves its tenth song. OpenVINO falls back to torch with a warning when it is not installed, the
    model is not a local folder, or its converted model cannot be made or misses the cosine bound.
    ``openvino-int8`` is served only when its recorded quality gate passed; otherwise one warning line
    says why and the default OpenVINO backend serves.
    """
    chosen = "torch" if exact else choice_from_env(choice)
    if chosen == INT8:
        from .encoder_gate import gate_refusal

        refusal = gate_refusal(cache_dir, model_hash)
        if refusal:
            log.warning("%s: using openvino", refusal)
            chosen = "openvino"
    folder = Path(source)
    if chosen == "torch" or not folder.is_dir():
        if chosen != "torch":
            log.warning("the OpenVINO encoder needs a local model folder; %s is not one: using torch", source)
        return _torch_encoder(source)
    try:
        import openvino  # noqa: F401 - only checking that it is installed
    except ImportError:
        log.warning("openvino is not installed (pip install -c constraints.txt openvino): using the torch encoder")
        return _torch_encoder(source)
    return _openvino_encoder(folder, model_hash, cache_dir, int8=chosen == INT8)


def _torch_encoder(source: str) -> TorchEncoder:
    model = load_model(source)
    return TorchEncoder(model, TextTokens.from_model(model))


def openvino_precision() -> str:
    """bf16 where the CPU has bf16 instructions (OpenVINO reports it), else fp32."""
    import openvino as ov

    return "bf16" if "BF16" in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES") else "fp32"


def converted_folder(cache_dir: Path, model_hash: str, *, int8: bool = False) -> Path:
    # The format is in the name: builds of another format sharing the cache keep their own copy.
    return cache_dir / "models" / f"openvino{'-int8' if int8 else ''}-f{CONVERT_FORMAT}-{model_hash[:16]}"


def conversion_fingerprint(model_hash: str, *, int8: bool = False) -> dict[str, object]:
    """What a converted model depends on: the weights, the converter, the tracer (and the weight compressor)."""
    fingerprint: dict[str, object] = {
        "model_sha256": model_hash,
        "openvino": importlib.metadata.version("openvino"),
        "torch": importlib.metadata.version("torch"),
        "transformers": importlib.metadata.version("transformers"),
        "format": CONVERT_FORMAT,
        "fp32_head_layers": FP32_HEAD_LAYERS,
    }
    if int8:
        fingerprint["nncf"] = importlib.metadata.version("nncf")
        fingerprint["weights"] = "int8_asym"
    return fingerprint


def _openvino_encoder(model_folder: Path, model_hash: str, cache_dir: Path, *, int8: bool = False) -> Encoder:
    target = converted_folder(cache_dir, model_hash, int8=int8)
    fingerprint = conversion_fingerprint(model_hash, int8=int8)
    tokens = TextTokens.from_folder(model_folder)
    precision = "int8" if int8 else openvino_precision()
    problem = converted_damage(target, fingerprint)
    if problem == "refused":
        log.warning("the OpenVINO model was refused when converted (see %s): using the torch encoder", target)
        return _torch_encoder(str(model_folder))
    if problem is None:
        return OpenVinoEncoder(target, tokens, precision)
    if target.exists():
        log.warning("the converted model in %s is stale or damaged (%s): converting again", target, problem)
    reference = _torch_encoder(str(model_folder))
    try:
        accepted = convert(reference, target, fingerprint, precision)
    except Exception as error:  # noqa: BLE001 - a failed conversion must never stop the recommender
        log.warning("cannot convert the model for OpenVINO (%s): using the torch encoder", " ".join(str(error).split()))
        return reference
    return OpenVinoEncoder(target, tokens, precision) if accepted else reference


def converted_damage(target: Path, fingerprint: dict[str, object]) -> str | None:
    """What is wrong with a converted model folder ("refused" when it failed its check), or None."""
    try:
        manifest = json.loads((target / "manifest.json").read_text())
    except (OSError, ValueError):
        return "no manifest"
    if not isinstance(manifest, dict) or manifest.get("fingerprint") != fingerprint:
        return "made by another model or converter version"
    if manifest.get("refused"):
        return "refused"
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        return "no file list"
    return check_files(target, files)


def compile_converted(target: Path, part: str, precision: str) -> Any:
    import openvino as ov

    config: dict[str, object] = {
        "INFERENCE_PRECISION_HINT": "bf16" if precision == "bf16" else "f32",
        "INFERENCE_NUM_THREADS": OPENVINO_THREADS,
        "PERFORMANCE_HINT": "LATENCY",
        # The CPU plugin quantizes activations to int8 on the fly for compressed weights; int8 activations
        # break this model (some feed-forward inputs are 60x their 99th percentile), so weights only.
        "DYNAMIC_QUANTIZATION_GROUP_SIZE": 0,
    }
    return ov.Core().compile_model(str(target / f"{part}.xml"), "CPU", config)


def _parts(transformer: Any) -> dict[str, Any]:
    """The transformer as two traceable modules: embeddings and the first layers, then the rest."""
    import torch
    from transformers.masking_utils import create_bidirectional_mask

    class Part(torch.nn.Module):
        def __init__(self, start: int, end: int) -> None:
            super().__init__()
            self.transformer = transformer
            self.start, self.end = start, end

        def forward(self, inputs: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.transformer.embeddings(input_ids=inputs) if self.start == 0 else inputs
            mask = create_bidirectional_mask(
                config=self.transformer.config, inputs_embeds=hidden, attention_mask=attention_mask
            )
            bias = self.transformer.encoder.compute_position_bias(hidden)
            for layer in self.transformer.encoder.layer[self.start : self.end]:
                hidden = layer(hidden, mask, bias)[0]
            return hidden

    layers = len(transformer.encoder.layer)
    return {"head": Part(0, FP32_HEAD_LAYERS), "tail": Part(FP32_HEAD_LAYERS, layers)}


def convert(reference: TorchEncoder, target: Path, fingerprint: dict[str, object], precision: str) -> bool:
    """Convert, check against ``reference`` and move into ``target``; False when the check refuses it.

    A refusal is recorded in ``target`` so later starts go straight to torch instead of converting again.
    ``int8`` compresses the weights with NNCF after conversion (asymmetric, per output channel).
    """
    import openvino as ov
    import torch

    transformer: Any = reference.model[0].auto_model
    transformer.eval()
    ids, mask = (torch.from_numpy(a) for a in reference.tokens.pad(reference.tokens.ids(VERIFY_TEXTS[:2])))
    log.info("converting the model for OpenVINO into %s (once)", target)
    converted = {}
    with torch.inference_mode():
        parts = _parts(transformer)
        hidden = parts["head"](ids, mask)
        for name, example in (("head", ids), ("tail", hidden)):
            shape = [-1, -1] if name == "head" else [-1, -1, hidden.shape[-1]]
            kind = ov.Type.i64 if name == "head" else ov.Type.f32
            converted[name] = ov.convert_model(
                parts[name], example_input=(example, mask), input=[(shape, kind), ([-1, -1], ov.Type.i64)]
            )
    if precision == "int8":
        import nncf

        converted = {
            name: nncf.compress_weights(model, mode=nncf.CompressWeightsMode.INT8_ASYM)
            for name, model in converted.items()
        }
    files = [f"{part}.{suffix}" for part in PARTS for suffix in ("xml", "bin")]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}.staging-") as work:
        staging = Path(work) / "model"
        staging.mkdir()
        for name, model in converted.items():
            # fp32 weights on disk: bf16 is chosen when compiling, and the fp32 head stays exact.
            ov.save_model(model, str(staging / f"{name}.xml"), compress_to_fp16=False)
        candidate = OpenVinoEncoder(staging, reference.tokens, precision)
        cosine = float(np.min(np.sum(candidate.encode(VERIFY_TEXTS) * reference.encode(VERIFY_TEXTS), axis=1)))
        manifest: dict[str, object] = {
            "fingerprint": fingerprint,
            "precision": precision,
            "min_cosine": round(cosine, 6),
        }
        bound = INT8_MIN_COSINE if precision == "int8" else MIN_COSINE
        if cosine >= bound:
            manifest["files"] = {name: sha256_file(staging / name) for name in files}
        else:
            log.warning(
                "the OpenVINO %s model reaches cosine %.5f to torch fp32, under the %.4f bound: refused, using torch",
                precision,
                cosine,
                bound,
            )
            manifest["refused"] = True
            for name in files:
                (staging / name).unlink()
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        # An OSError: another process converted it first, and its copy passed the same check.
        with contextlib.suppress(OSError):
            os.replace(staging, target)
    return not manifest.get("refused")
