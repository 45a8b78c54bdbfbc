"""Text encoders: the model's forward pass, mean pooling and normalisation, behind one small interface.

``torch-fp32`` runs sentence-transformers' own modules and is the reference every other backend
is checked against. ``openvino-bf16+fp32head`` (``openvino-fp32`` on a CPU without bf16 instructions)
runs the same transformer converted once by OpenVINO from the verified weights, saved in two parts:
requests run as one inference of both parts joined, entirely in bf16; long texts such as song descriptions
run the first ``FP32_HEAD_LAYERS`` layers in fp32 and the rest in bf16. It is the default because it
was the fastest backend whose vectors stayed within the cosine bound of torch fp32 in a side-by-side
measurement (README, Performance). ``openvino-int8`` (int8 weights for requests; a catalog's
descriptions still take the default path) is opt-in and served only after it passed its quality gate
(``encoder_gate``).
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
# Texts in one forward pass at most: the micro-batcher's batch.
MAX_BATCH = 32
# Texts longer than BF16_MAX_TOKENS (song descriptions) in one forward pass at most. OpenVINO keeps buffers for
# the largest shape it has run, so the peak grows with the batch (1.07, 1.21, 1.37, 1.61 GB embedding the
# reference catalog in batches of 4, 8, 16, 32), while 8 was as fast as 32 and 4 about a fifth slower
# (README, Performance, Memory). torch fp32 took the same time in batches of 4 and 32.
LONG_BATCH = 8
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
# Bumped when the conversion or its check changes, so older converted models are made and checked again.
# 3: requests run on the head and tail joined into one model, checked one request at a time.
CONVERT_FORMAT = 3
# Intra-op threads for one inference. Two beat one at every micro-batcher batch size (1, 8, 32) on the
# 2-core machine in a side-by-side study (README, Performance, Threads); requests take turns on one model.
OPENVINO_THREADS = 2
# The longest batch (in tokens) that runs entirely in bf16, as one inference of the whole model; see OpenVinoEncoder.
BF16_MAX_TOKENS = 32
# A batch of at most SHAPE_ROWS texts shorter than SHAPE_WIDTH tokens (a lone request, mostly) is padded to
# SHAPE_WIDTH. OpenVINO reuses a compiled model's buffers and kernels while the input shape repeats: one request
# padded to 16 ran 1.16x faster than unpadded, each request a different width, while padding a batch of 8 to
# 16 cost 5% and to 32 a third (README, Performance). Padding is masked: the vectors stay the same.
SHAPE_WIDTH = 16
SHAPE_ROWS = 4
# Layers of the transformer that run in fp32 for longer texts: bf16 rounding in the first four or five
# layers is what moved song descriptions under the cosine bound (bf16 in any one layer alone did not, and
# later layers in bf16 cost almost nothing), measured layer by layer against torch fp32.
FP32_HEAD_LAYERS = 4
# The converted model's two parts on disk: the embeddings and the first layers, then the remaining layers.
# ``WHOLE`` is both joined in memory when compiled (one inference for a request, no third copy on disk).
PARTS = ("head", "tail")
WHOLE = "whole"

log = logging.getLogger(__name__)

# Requests like those the recommender encodes, checked once per conversion one at a time (as a lone request
# arrives) and together (a micro-batch), through the whole-model path requests take.
VERIFY_REQUESTS = (
    "chill acoustic evening",
    "something mellow for a long drive",
    "upbeat Katy Perry tracks from 2013",
    "sad",
    "hype workout hip hop around 120 bpm that are not too popular",
    "dreamy r&b for a summer night like Adele",
    "café songs über alles, naïve & ünïcödé",
    "songs like Someone Like You by Adele but happier, from the early 2010s, under four minutes, not explicit",
)
# Song descriptions, short and long, checked together as an index build embeds them.
VERIFY_DESCRIPTIONS = (
    "Hey, Soul Sister by Train. A neo mellow song from 2010. It is happy and upbeat, very danceable, "
    "with high energy, acoustic guitar, 97 bpm, about 3 minutes 37 seconds long, and very popular.",
    "Someone Like You by Adele, a british soul ballad released in 2011: sad, calm, acoustic, slow (68 bpm), "
    "quiet and not danceable, 4 minutes 45 seconds, popularity 78.",
    "Title: Lean On. Artist: Major Lazer. Genre: electro house. Year: 2015. Energy 81, danceability 72, "
    "valence 28, acousticness 0, loudness -4 dB, tempo 98, speechiness 7, popularity 84.",
    " ".join(["a very long description that runs past the model's maximum sequence length"] * 40),
)
VERIFY_TEXTS = VERIFY_REQUESTS + VERIFY_DESCRIPTIONS


class Encoder(Protocol):
    """Unit vectors for texts; ``name`` says which backend and precision made them (it keys the index cache)."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def release(self) -> None:
        """Let go of what embedding a catalog needed beyond serving requests; it is made again if needed."""

    def words(self) -> frozenset[str]:
        """The whole words of the model's vocabulary (the parser's English word list)."""


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

    def words(self) -> frozenset[str]:
        """The vocabulary's whole lowercase words: tens of thousands of the commonest English words (a word
        piece that continues a word, "##ing", is not one)."""
        return frozenset(word for word in self._tokenizer.get_vocab() if word.isalpha() and word.islower())

    def pad(self, rows: Sequence[Sequence[int]], width: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(input ids, attention mask) as int64 arrays padded to the longest row, or to ``width`` if wider."""
        width = max(width, *(len(row) for row in rows))
        ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for number, row in enumerate(rows):
            ids[number, : len(row)] = row
            mask[number, : len(row)] = 1
        return ids, mask


def length_batches(lengths: Sequence[int], max_batch: int = MAX_BATCH) -> list[list[int]]:
    """Indices of texts grouped into batches of similar length, shortest first; at most ``LONG_BATCH`` texts
    in a batch of texts longer than ``BF16_MAX_TOKENS``."""
    batches: list[list[int]] = []
    tokens = 0
    for index in sorted(range(len(lengths)), key=lengths.__getitem__):
        length = lengths[index]
        current = batches[-1] if batches else None
        limit = max_batch if length <= BF16_MAX_TOKENS else min(max_batch, LONG_BATCH)
        # Sorted ascending, so ``length`` is the longest so far: everything in the batch pads to it.
        if current and len(current) < limit and (len(current) + 1) * length - (tokens + length) <= PAD_BUDGET:
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

    def words(self) -> frozenset[str]:
        return self.tokens.words()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        texts = list(texts)

        def forward(batch: list[int], _ids: list[list[int]]) -> np.ndarray:
            with torch.inference_mode():
                features = self.model.preprocess([texts[i] for i in batch])
                return np.asarray(self.model(features)["sentence_embedding"].numpy(), dtype=np.float32)

        return _encode_in_batches(self.tokens, texts, forward)

    def release(self) -> None:
        """Nothing to let go: one model serves every text."""


class OpenVinoEncoder:
    """The converted transformer compiled for this CPU; pooling and normalisation as the model does them.

    Batches of texts up to ``BF16_MAX_TOKENS`` (requests) run as one inference of the whole model (head
    and tail joined), in bf16 throughout; a lone short request padded to ``SHAPE_WIDTH``. With bf16, longer batches
    (song descriptions, 60-120 tokens) run the head (embeddings and the first ``FP32_HEAD_LAYERS`` layers)
    in fp32 and the tail in bf16: all-bf16 left three of 1,553 descriptions of the second catalog and one
    of 587 of the reference catalog under the cosine bound, while requests stayed above 0.9999. Those two
    parts are compiled on first need, so a serving process that only sees requests holds the whole model
    alone, and let go after a catalog is embedded, so a process that builds an index and then serves never
    holds all three. ``fp32`` and ``int8`` (weights compressed at conversion, fp32 activations) run everything on
    the whole model: a split gains nothing when both parts have the same precision.
    """

    def __init__(self, folder: Path, tokens: TextTokens, precision: str) -> None:
        from openvino import Tensor

        self.name = {"bf16": "openvino-bf16+fp32head", "fp32": "openvino-fp32", "int8": "openvino-int8"}[precision]
        self.tokens = tokens
        self._tensor = Tensor
        self._folder = folder
        self._short = "fp32" if precision == "int8" else precision
        self._compiled: dict[tuple[str, str], Any] = {}
        # One compiled model uses both cores for one batch; callers in several threads take turns.
        self._lock = threading.Lock()

    @property
    def compiled(self) -> frozenset[tuple[str, str]]:
        """The (part, precision) pairs compiled so far."""
        return frozenset(self._compiled)

    def release(self) -> None:
        """Drop the long-text path (the fp32 head and bf16 tail) once a catalog is embedded."""
        with self._lock:
            for key in [key for key in self._compiled if key[0] != WHOLE]:
                del self._compiled[key]

    def _request(self, part: str, precision: str) -> Any:
        if (part, precision) not in self._compiled:
            self._compiled[part, precision] = compile_converted(self._folder, part, precision).create_infer_request()
        return self._compiled[part, precision]

    def _route(self, rows: int, width: int) -> tuple[int, list[tuple[str, str]]]:
        """The width to pad a batch of ``rows`` texts up to ``width`` tokens to, and the (part, precision)
        inferences it runs through."""
        if width <= BF16_MAX_TOKENS or self._short != "bf16":
            return SHAPE_WIDTH if rows <= SHAPE_ROWS and width <= SHAPE_WIDTH else width, [(WHOLE, self._short)]
        return width, [("head", "fp32"), ("tail", "bf16")]

    def _infer(self, request: Any, inputs: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The first output for inputs by position (token ids or the head's hidden states, attention mask).

        The arrays are handed over as they are and the output copied once: ``InferRequest.infer(inputs)``
        copies every input through its data dispatcher, about 0.3 ms a call, measured on a model that adds
        two inputs.
        """
        for position, array in enumerate((inputs, mask)):
            request.set_input_tensor(position, self._tensor(np.ascontiguousarray(array), shared_memory=True))
        request.infer()
        return np.array(request.get_output_tensor(0).data, dtype=np.float32)

    def words(self) -> frozenset[str]:
        return self.tokens.words()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        def forward(_batch: list[int], ids: list[list[int]]) -> np.ndarray:
            width, route = self._route(len(ids), max(len(row) for row in ids))
            hidden, mask = self.tokens.pad(ids, width)
            with self._lock:
                for part, precision in route:
                    hidden = self._infer(self._request(part, precision), hidden, mask)
            return mean_pool(hidden, mask)

        return _encode_in_batches(self.tokens, texts, forward)


class SplitEncoder:
    """Requests on one encoder, a catalog's descriptions on another: ``openvino-int8``'s int8 weights encode
    each request, while descriptions, embedded once per build, take the default backend's path. int8
    descriptions were what cost the eval its precision (songs re-embedded in int8: "mixed" -0.014 against
    torch fp32; requests alone in int8: no group below -0.005), and the index is then the default backend's
    own, shared with it in the cache."""

    def __init__(self, requests: Encoder, catalog: Encoder) -> None:
        self.requests, self.catalog = requests, catalog
        self.name = requests.name

    def words(self) -> frozenset[str]:
        return self.requests.words()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.requests.encode(texts)

    def release(self) -> None:
        self.catalog.release()


def catalog_side(encoder: Encoder) -> Encoder:
    """The encoder that embeds a catalog's descriptions (and whose name keys the index cache)."""
    return encoder.catalog if isinstance(encoder, SplitEncoder) else encoder


def embed_catalog(encoder: Encoder, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
    """Vectors for a catalog's texts, by the encoder's catalog side; ``progress`` shows songs embedded and an
    ETA on stderr.

    Texts go to the encoder in order of length, so each chunk holds texts of similar length.
    """
    encoder = catalog_side(encoder)
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
    """The converted encoder, converted first when needed. ``int8`` gives int8 weights for requests beside
    the default path for a catalog (``SplitEncoder``), or the default encoder alone when int8 cannot be made."""
    catalog = _converted_encoder(model_folder, model_hash, cache_dir)
    if not int8:
        return catalog
    requests = _converted_encoder(model_folder, model_hash, cache_dir, int8=True)
    return SplitEncoder(requests, catalog) if requests.name == INT8 else catalog


def _converted_encoder(model_folder: Path, model_hash: str, cache_dir: Path, *, int8: bool = False) -> Encoder:
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
    """``part`` of the converted model in ``target`` (``WHOLE``: head and tail joined) compiled for this CPU."""
    import openvino as ov

    core = ov.Core()
    config: dict[str, object] = {
        "INFERENCE_PRECISION_HINT": "bf16" if precision == "bf16" else "f32",
        "INFERENCE_NUM_THREADS": OPENVINO_THREADS,
        "PERFORMANCE_HINT": "LATENCY",
        # The CPU plugin quantizes activations to int8 on the fly for compressed weights; int8 activations
        # break this model (some feed-forward inputs are 60x their 99th percentile), so weights only.
        "DYNAMIC_QUANTIZATION_GROUP_SIZE": 0,
    }
    if part != WHOLE:
        return core.compile_model(str(target / f"{part}.xml"), "CPU", config)
    return core.compile_model(_joined(core, target), "CPU", config)


def _joined(core: Any, target: Path) -> Any:
    """The head and tail read from ``target`` and joined into one model: the tail's hidden-state input becomes
    the head's output and its mask input the head's, so one inference runs every layer. Joined in memory, the
    weights stay those of the two checked files."""
    import openvino as ov

    head = core.read_model(str(target / "head.xml"))
    tail = core.read_model(str(target / "tail.xml"))
    ids, mask = head.get_parameters()
    hidden, tail_mask = tail.get_parameters()
    for consumer in hidden.output(0).get_target_inputs():
        consumer.replace_source_output(head.get_results()[0].input_value(0))
    for consumer in tail_mask.output(0).get_target_inputs():
        consumer.replace_source_output(mask.output(0))
    return ov.Model(tail.get_results(), [ids, mask], WHOLE)


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
        cosines = verify(OpenVinoEncoder(staging, reference.tokens, precision), reference)
        cosine = min(cosines.values())
        manifest: dict[str, object] = {
            "fingerprint": fingerprint,
            "precision": precision,
            "min_cosine": {path: round(value, 6) for path, value in cosines.items()},
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


def verify(candidate: Encoder, reference: Encoder) -> dict[str, float]:
    """The lowest cosine to ``reference`` on each path a text takes: each request alone and all together
    (requests, the whole-model path), and the descriptions together (an index build)."""

    def lowest(texts: Sequence[str], got: np.ndarray) -> float:
        return float(np.min(np.sum(got * reference.encode(texts), axis=1)))

    alone = np.concatenate([candidate.encode([text]) for text in VERIFY_REQUESTS])
    return {
        "requests": min(lowest(VERIFY_REQUESTS, alone), lowest(VERIFY_REQUESTS, candidate.encode(VERIFY_REQUESTS))),
        "descriptions": lowest(VERIFY_DESCRIPTIONS, candidate.encode(VERIFY_DESCRIPTIONS)),
    }
