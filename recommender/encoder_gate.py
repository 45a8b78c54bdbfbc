"""The quality gate an inexact encoder (``openvino-int8``) must pass before it is served.

On the reference catalog, ``musicrec eval``'s precision@10 with the inexact encoder must stay within
``MAX_DROP`` of torch fp32's in every group, and the seed profile must still give the published top 10
(the seed profile always runs the exact encoder, so this checks that the setting never reaches it).
The benchmark runs the gate and records its result next to the converted model, under the converted
model's fingerprint; choosing the encoder reads that record, so a gate that failed, was never run, or
was run for other weights or another converter keeps the encoder from being served.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from .encoder import ENCODER_ENV, INT8, conversion_fingerprint, converted_folder

# How far precision@10 may drop in any eval group (issue 15).
MAX_DROP = 0.01
# What a recorded verdict judged: a verdict on another arrangement (int8 descriptions too, before) is not this one's.
SUBJECT = "int8 requests, descriptions by the default backend"
GATE_FILE = "gate.json"
# The published notebook's answer for its example request (seed profile), in order.
PUBLISHED_QUERY = "a music about Drugs and in genre of hip hop"
PUBLISHED_TITLES = (
    "Your Love Is My Drug",
    "Overdose",
    "Drip (feat. Migos)",
    "Me, Myself & I",
    "Lemon",
    "Fancy",
    "Rock That Body",
    "TiK ToK",
    "Love The Way You Lie",
    "Starships",
)


@dataclass(frozen=True, slots=True)
class GateResult:
    passed: bool
    deltas: dict[str, float]  # eval group -> precision@10 of the encoder minus torch fp32's
    seed_exact: bool  # the seed profile gave the published top 10 with the encoder chosen

    def summary(self) -> str:
        groups = ", ".join(f"{group} {delta:+.4f}" for group, delta in self.deltas.items())
        verdict = "pass" if self.passed else "FAIL"
        seed = "seed top 10 exact" if self.seed_exact else "seed top 10 CHANGED"
        return f"{INT8} gate {verdict} (precision@10 vs torch fp32, limit -{MAX_DROP}: {groups}; {seed})"


def judge(deltas: dict[str, float], seed_exact: bool) -> GateResult:
    return GateResult(
        passed=seed_exact and all(d >= -MAX_DROP for d in deltas.values()), deltas=deltas, seed_exact=seed_exact
    )


def gate_path(cache_dir: Path, model_hash: str) -> Path:
    return converted_folder(cache_dir, model_hash, int8=True) / GATE_FILE


def record(cache_dir: Path, model_hash: str, result: GateResult) -> None:
    path = gate_path(cache_dir, model_hash)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"fingerprint": conversion_fingerprint(model_hash, int8=True), "subject": SUBJECT, **asdict(result)}
    path.write_text(json.dumps(entry, indent=2) + "\n")


def gate_refusal(cache_dir: Path, model_hash: str) -> str | None:
    """Why the int8 encoder may not be served (one line), or None when its recorded gate passed."""
    try:
        fingerprint = conversion_fingerprint(model_hash, int8=True)
    except ImportError:  # importlib.metadata's PackageNotFoundError: nncf is not installed
        return f"{INT8} needs nncf (pip install -c constraints.txt -e '.[int8]')"
    try:
        entry = json.loads(gate_path(cache_dir, model_hash).read_text())
    except (OSError, ValueError):
        return f"{INT8} has not passed its quality gate yet (run `musicrec bench` on the reference catalog)"
    if not isinstance(entry, dict) or entry.get("fingerprint") != fingerprint or entry.get("subject") != SUBJECT:
        return f"{INT8}'s quality gate was run for another model, converter or version (run `musicrec bench` again)"
    if entry.get("passed") is not True:
        deltas = entry.get("deltas") or {}
        worst = min(deltas.values(), default=0.0) if isinstance(deltas, dict) else 0.0
        return f"{INT8} failed its quality gate (precision@10 fell by up to {-worst:.4f}, limit {MAX_DROP})"
    return None


def run_gate(catalog: Path, cache_dir: Path, queries: list[Path]) -> GateResult:
    """Evaluate the default profile with torch fp32 and with int8 weights on ``catalog``, and record the verdict."""
    from . import evaluation
    from .encoder import _openvino_encoder, load_encoder
    from .engine import Recommender
    from .model import ModelError, resolve_model

    source, model_hash = resolve_model(cache_dir)
    questions = [question for path in queries for question in evaluation.load_queries(path)]
    exact = load_encoder(source, model_hash, cache_dir, "torch")
    # The gate judges the int8 encoder itself, so it is loaded past the gate it is about to take.
    int8 = _openvino_encoder(Path(source), model_hash, cache_dir, int8=True)
    if int8.name != INT8:
        raise ModelError(f"the {INT8} model could not be made (see the warning above): no gate to run")
    groups = {}
    for name, encoder in (("exact", exact), ("int8", int8)):
        recommender = Recommender.load(catalog, profile="default", cache_dir=cache_dir, encoder=encoder)
        groups[name] = {g: s.precision for g, s in evaluation.evaluate(recommender, questions).groups.items()}
    deltas = {g: round(groups["int8"][g] - groups["exact"][g], 4) for g in groups["exact"]}
    previous = os.environ.get(ENCODER_ENV)
    os.environ[ENCODER_ENV] = INT8
    try:
        seed = Recommender.load(catalog, profile="seed", cache_dir=cache_dir)
    finally:
        if previous is None:
            os.environ.pop(ENCODER_ENV, None)
        else:
            os.environ[ENCODER_ENV] = previous
    titles = tuple(r.song.title for r in seed.recommend(PUBLISHED_QUERY, k=10))
    result = judge(deltas, seed_exact=titles == PUBLISHED_TITLES and seed.encoder.name == "torch-fp32")
    record(cache_dir, model_hash, result)
    return result
