"""Every encoder backend side by side in one run: speed, index build, cold start, memory, and closeness to torch fp32.

Each backend serves the default profile through the same code (a Recommender sharing the loaded
songs and index), so only the encoder differs. Backends take turns in a rotating order within every
repeat, and each ratio is one of a pair measured back to back; the report gives medians. The
quick plan (CI) runs the default backend only, with the exactness check against torch fp32.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import encoder_gate
from ..cli import QUERY_FILES, USER_ERRORS
from ..encoder import CHOICES, ENCODER_ENV, INT8, MIN_COSINE, Encoder, _openvino_encoder, embed_catalog, load_encoder
from ..engine import Recommender
from ..model import resolve_model
from ..profiles import get_profile
from ..request import Request
from ..songs import Recommendation
from ..templates import describe
from . import bench

REFERENCE = "torch-fp32"
REFERENCE_CATALOG = "top50MusicFrom2010-2019.csv"


@dataclass(frozen=True, slots=True)
class EncoderPlan:
    single: int  # requests timed one by one, per backend
    single_run: int  # also timed in runs of this many requests per backend, as one process serves them (0: not)
    levels: tuple[int, ...]  # requests in flight
    min_requests: int  # requests per throughput run
    repeats: int  # throughput runs per level and backend
    build_repeats: int  # reference-catalog index builds per backend (0: none; songs then compared on a sample)
    cold_repeats: int  # fresh-process starts per backend, warm cache (0: skipped)
    quality_requests: int  # requests compared with torch fp32
    quality_songs: int  # song descriptions compared with torch fp32 when no build ran
    every_backend: bool  # False: the default backend only (with torch as the reference)


QUICK = EncoderPlan(
    single=5,
    single_run=0,
    levels=(1, 8),
    min_requests=8,
    repeats=1,
    build_repeats=0,
    cold_repeats=0,
    quality_requests=40,
    quality_songs=48,
    every_backend=False,
)
FULL = EncoderPlan(
    single=100,
    single_run=10,
    levels=(1, 8, 32, 64),
    min_requests=96,
    repeats=3,
    build_repeats=2,
    cold_repeats=3,
    quality_requests=275,
    quality_songs=0,
    every_backend=True,
)


def _choice(name: str) -> str:
    """The ``MUSICREC_ENCODER`` value that serves the backend ``name``."""
    return name if name in CHOICES else "torch" if name.startswith("torch") else "openvino"


def find_backends(default: Recommender, seed: Recommender, cache_dir: Path, every: bool) -> dict[str, Encoder]:
    """The default backend first, then (``every``) each other one installed; the seed's encoder is the reference.

    The int8 backend is measured whatever its gate says (the gate line says whether it is offered).
    """
    found: dict[str, Encoder] = {default.encoder.name: default.encoder}
    if every:
        found.setdefault(seed.encoder.name, seed.encoder)
        source, model_hash = resolve_model(cache_dir)
        for choice in CHOICES:
            if not any(_choice(name) == choice for name in found):
                if choice == INT8:
                    encoder = _openvino_encoder(Path(source), model_hash, cache_dir, int8=True)
                else:
                    encoder = load_encoder(source, model_hash, cache_dir, choice)
                found.setdefault(encoder.name, encoder)
    return found


def gate(default: Recommender, cache_dir: Path, run: bool) -> str:
    """The int8 gate's verdict, run (and recorded) on the reference catalog in the full plan."""
    if not run:
        return "the int8 gate runs in the full benchmark only"
    if default.catalog.name != REFERENCE_CATALOG:
        return f"the int8 gate runs on the reference catalog ({REFERENCE_CATALOG}) only"
    try:
        return encoder_gate.run_gate(default.catalog, cache_dir, list(QUERY_FILES)).summary()
    except ImportError:
        return f"{INT8} not measured: nncf is not installed"


def _top(recommender: Recommender, text: str, vector: np.ndarray) -> Sequence[Recommendation]:
    """The default profile's top 10 for an already encoded request."""
    request = recommender.check_request(Request(text=text, k=10))
    return recommender.complete(request, vector).results


def _serving(default: Recommender, encoder: Encoder) -> Recommender:
    return Recommender(
        songs=default.songs,
        vectors=default.vectors,
        index=default.index,
        encoder=encoder,
        profile="default",
        catalog=default.catalog,
    )


def _rotations(names: Sequence[str], turn: int) -> list[str]:
    shift = turn % len(names)
    return list(names[shift:]) + list(names[:shift])


def _paired(values: dict[str, list[float]], name: str, over: str) -> float:
    """Median of ``over``/``name`` pair by pair (above 1: ``name`` is faster)."""
    return round(statistics.median(o / v for o, v in zip(values[over], values[name], strict=True)), 3)


def single(
    recs: dict[str, Recommender], seed: Recommender, texts: Sequence[str], run: int = 1
) -> dict[str, dict[str, float]]:
    """One request at a time, each backend answering ``run`` requests in a row before the next takes over.

    With ``run`` 1 every request follows another backend's, which has pushed its weights out of the CPU's
    caches; a process serves one backend, so longer runs measure what its consecutive requests see. Either
    way every backend answers the same requests in the same order, paired request by request.
    """
    times: dict[str, list[float]] = {name: [] for name in [*recs, "published"]}
    # Up to the request's vector: parsing it and the encoder, without the ranking both backends share.
    encoding: dict[str, list[float]] = {name: [] for name in recs}
    for turn, start in enumerate(range(0, len(texts), run)):
        for name in _rotations([*recs, "published"], turn):
            for text in texts[start : start + run]:
                if name == "published":
                    times[name].append(bench._timed(functools.partial(bench.baseline_request, seed, text)))
                else:
                    encoded, ranked = bench.ours_request(recs[name], text)
                    times[name].append(encoded + ranked)
                    encoding[name].append(encoded)
    report = {}
    for name in recs:
        ms = np.asarray(times[name]) * 1000
        report[name] = {
            "median_ms": round(float(np.median(ms)), 2),
            "p99_ms": round(float(np.percentile(ms, 99)), 2),
            "x_published": _paired(times, name, "published"),
        }
        if REFERENCE in recs:
            report[name]["x_torch"] = _paired(times, name, REFERENCE)
            report[name]["to_vector_ms"] = round(float(np.median(encoding[name])) * 1000, 2)
            report[name]["x_torch_to_vector"] = _paired(encoding, name, REFERENCE)
    return report


def throughput(
    recs: dict[str, Recommender], seed: Recommender, requests: bench.Requests, plan: EncoderPlan
) -> dict[str, dict[str, dict[str, float]]]:
    """Requests per second through the micro-batcher; the published approach one at a time is the yardstick."""
    rps: dict[int, dict[str, list[float]]] = {
        level: {name: [] for name in [*recs, "published"]} for level in plan.levels
    }
    latency: dict[int, dict[str, list[float]]] = {level: {name: [] for name in recs} for level in plan.levels}
    for repeat in range(plan.repeats):
        for level in plan.levels:
            texts = requests.take(max(level, plan.min_requests))
            for name in _rotations([*recs, "published"], repeat + level):
                if name == "published":
                    wall, _ = bench._baseline_run(seed, texts, 1)
                else:
                    recs[name].clear_query_cache()
                    wall, latencies, _ = asyncio.run(bench._ours_run(recs[name], texts, level))
                    latency[level][name].append(float(np.median(latencies)) * 1000)
                rps[level][name].append(len(texts) / wall)
    report: dict[str, dict[str, dict[str, float]]] = {}
    for name in recs:
        report[name] = {}
        for level in plan.levels:
            runs = rps[level]
            entry = {
                "rps": round(statistics.median(runs[name]), 2),
                "latency_ms_median": round(statistics.median(latency[level][name]), 1),
                "x_published_one_at_a_time": round(
                    statistics.median(r / p for r, p in zip(runs[name], runs["published"], strict=True)), 2
                ),
            }
            if REFERENCE in recs:
                entry["x_torch"] = round(
                    statistics.median(r / t for r, t in zip(runs[name], runs[REFERENCE], strict=True)), 3
                )
            report[name][str(level)] = entry
    return report


def index_builds(
    default: Recommender, encoders: dict[str, Encoder], repeats: int
) -> tuple[dict[str, dict[str, float]], dict[str, Recommender]]:
    """Reference-catalog builds of the default index; also hands back each backend's own built Recommender."""
    times: dict[str, list[float]] = {name: [] for name in encoders}
    built: dict[str, Recommender] = {}
    for repeat in range(repeats):
        for name in _rotations(list(encoders), repeat):
            started = time.perf_counter()
            data = Recommender._build(default.catalog, get_profile("default"), encoders[name], lenient=False)
            times[name].append(time.perf_counter() - started)
            built[name] = Recommender(
                songs=data.songs,
                vectors=data.vectors,
                index=data.index,
                encoder=encoders[name],
                profile="default",
                catalog=default.catalog,
            )
    report = {}
    for name in encoders:
        report[name] = {"seconds": round(statistics.median(times[name]), 2)}
        if REFERENCE in encoders:
            report[name]["x_torch"] = _paired(times, name, REFERENCE)
    return report, built


def quality(
    default: Recommender,
    encoders: dict[str, Encoder],
    reference: Encoder,
    texts: Sequence[str],
    built: dict[str, Recommender],
    sample_songs: int,
) -> dict[str, dict[str, float]]:
    """Cosine to torch fp32 on requests and song descriptions, and how much of the top 10 stays the same.

    ``request only``: the backend's request vector ranked against torch's song vectors; ``re-embedded``:
    the backend's own index too (only when builds ran).
    """
    truth = reference.encode(texts)
    ranked_by = built.get(REFERENCE, default)
    truth_top = [_ids(_top(ranked_by, text, vector)) for text, vector in zip(texts, truth, strict=True)]
    if REFERENCE not in built:
        songs = [describe(song) for song in default.songs[:sample_songs]]
        song_truth = embed_catalog(reference, songs)
    report = {}
    for name, encoder in encoders.items():
        vectors = encoder.encode(texts)
        if REFERENCE in built:
            song_cosine = np.sum(np.asarray(built[name].vectors) * np.asarray(built[REFERENCE].vectors), axis=1)
        else:
            song_cosine = np.sum(embed_catalog(encoder, songs) * song_truth, axis=1)
        request_cosine = np.sum(vectors * truth, axis=1)
        entry = {
            "cosine_requests_min": round(float(request_cosine.min()), 6),
            "cosine_requests_mean": round(float(request_cosine.mean()), 6),
            "cosine_songs_min": round(float(song_cosine.min()), 6),
            "cosine_songs_mean": round(float(song_cosine.mean()), 6),
            "top10_overlap_request_only": _overlap(
                truth_top, [_ids(_top(ranked_by, text, vector)) for text, vector in zip(texts, vectors, strict=True)]
            ),
        }
        if name in built:
            entry["top10_overlap_reembedded"] = _overlap(
                truth_top,
                [_ids(_top(built[name], text, vector)) for text, vector in zip(texts, vectors, strict=True)],
            )
        report[name] = entry
    return report


def _ids(results: Sequence[object]) -> set[int]:
    return {r.song.id for r in results}  # type: ignore[attr-defined]


def _overlap(truth: Sequence[set[int]], got: Sequence[set[int]]) -> float:
    return round(float(np.mean([len(t & g) / max(len(t), 1) for t, g in zip(truth, got, strict=True)])), 4)


def cold_starts(names: Sequence[str], cache_dir: Path, catalog: Path, repeats: int) -> dict[str, dict[str, float]]:
    """Fresh processes to the first answer, warm cache: each backend its own index cache, the model shared."""
    with tempfile.TemporaryDirectory(prefix="musicrec-cold-") as root:
        caches = {}
        for name in names:
            caches[name] = Path(root) / name
            caches[name].mkdir()
            (caches[name] / "models").symlink_to((cache_dir / "models").resolve(), target_is_directory=True)
            _cold(name, caches[name], catalog)  # builds this backend's index: not counted
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
        for repeat in range(repeats):
            for name in _rotations(list(names), repeat):
                runs[name].append(_cold(name, caches[name], catalog))
    report = {}
    for name in names:
        seconds = {n: [s for s, _ in runs[n]] for n in names}
        report[name] = {
            "seconds": round(statistics.median(seconds[name]), 2),
            "peak_rss_mb": round(statistics.median(m for _, m in runs[name])),
        }
        if REFERENCE in names:
            report[name]["x_torch"] = _paired(seconds, name, REFERENCE)
    return report


def _cold(name: str, cache: Path, catalog: Path) -> tuple[float, float]:
    env = {**os.environ, "MUSICREC_CACHE_DIR": str(cache), "MUSICREC_CATALOG": str(catalog), ENCODER_ENV: _choice(name)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", bench.COLD_SCRIPT, "serve", "default", bench.COLD_REQUEST],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    return elapsed, float(json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mb"])


def compare(default: Recommender, seed: Recommender, *, quick: bool, cache_dir: Path) -> dict[str, Any]:
    """The backends section of the benchmark report."""
    plan = QUICK if quick else FULL
    gated = gate(default, cache_dir, plan.every_backend)
    encoders = find_backends(default, seed, cache_dir, plan.every_backend)
    recs = {name: _serving(default, encoder) for name, encoder in encoders.items()}
    requests = bench.Requests()
    for rec in recs.values():
        rec.recommend("warm up", 1)
    result: dict[str, Any] = {"plan": asdict(plan), "default": default.encoder.name, "backends": list(encoders)}
    result["single"] = single(recs, seed, requests.take(plan.single))
    if plan.single_run:
        result["single_runs"] = single(recs, seed, requests.take(plan.single), plan.single_run)
    result["throughput"] = throughput(recs, seed, requests, plan)
    built: dict[str, Recommender] = {}
    if plan.build_repeats:
        result["index_build"], built = index_builds(default, encoders, plan.build_repeats)
    if plan.cold_repeats:
        # A cold start asks for the backend by setting: int8 only starts as itself when its gate passed.
        starts = [name for name in encoders if name != INT8 or " gate pass " in gated]
        result["cold_start"] = cold_starts(starts, cache_dir, default.catalog, plan.cold_repeats)
    result["quality"] = quality(
        default, encoders, seed.encoder, requests.take(plan.quality_requests), built, plan.quality_songs
    )
    result["gated"] = gated
    result["targets"] = targets(result)
    return result


def targets(result: dict[str, Any]) -> dict[str, bool | None]:
    """Issue 15's targets for the default backend (None: not measured in this mode)."""
    name = str(result["default"])
    got = result["quality"][name]
    one = result["single"][name]
    runs = result.get("single_runs", {}).get(name, {})
    at_32 = result["throughput"][name].get("32")
    build = result.get("index_build", {}).get(name)
    cold = result.get("cold_start", {})
    return {
        "default_cosine_at_least_0.9995": got["cosine_requests_min"] >= MIN_COSINE
        and got["cosine_songs_min"] >= MIN_COSINE,
        "default_one_request_3x_torch": one["x_torch"] >= 3 if "x_torch" in one else None,
        "default_one_request_3x_torch_in_runs": runs["x_torch"] >= 3 if "x_torch" in runs else None,
        "default_32_in_flight_8x_published_one_at_a_time": at_32["x_published_one_at_a_time"] >= 8 if at_32 else None,
        "default_index_build_2x_torch": build["x_torch"] >= 2 if build and "x_torch" in build else None,
        "default_cold_start_and_memory_no_worse_than_torch": (
            cold[name]["seconds"] <= cold[REFERENCE]["seconds"]
            and cold[name]["peak_rss_mb"] <= cold[REFERENCE]["peak_rss_mb"]
        )
        if name in cold and REFERENCE in cold
        else None,
    }


def format_table(result: dict[str, Any]) -> str:
    names = list(result["backends"])
    rows: list[list[str]] = [["encoder backend", *names]]

    def row(label: str, cell: Callable[[str], object]) -> None:
        rows.append([label, *(str(cell(name)) for name in names)])

    single_ = result["single"]
    row("one request, median ms", lambda n: single_[n]["median_ms"])
    row("one request, p99 ms", lambda n: single_[n]["p99_ms"])
    row("  x torch fp32 (paired)", lambda n: single_[n].get("x_torch", "-"))
    row("  up to the vector, x torch fp32", lambda n: single_[n].get("x_torch_to_vector", "-"))
    if runs := result.get("single_runs"):
        run = result["plan"]["single_run"]
        row(f"one request in runs of {run}, median ms", lambda n: runs[n]["median_ms"])
        row("  x torch fp32 (paired)", lambda n: runs[n].get("x_torch", "-"))
        row("  up to the vector, x torch fp32", lambda n: runs[n].get("x_torch_to_vector", "-"))
    for level in result["plan"]["levels"]:
        rps = {name: result["throughput"][name][str(level)]["rps"] for name in names}
        ratio = {name: result["throughput"][name][str(level)]["x_published_one_at_a_time"] for name in names}
        row(f"throughput, {level} in flight, req/s", rps.__getitem__)
        row("  x published one at a time", ratio.__getitem__)
    if build := result.get("index_build"):
        row("index build, reference catalog, s", lambda n: build[n]["seconds"])
        row("  x torch fp32 (paired)", lambda n: build[n].get("x_torch", "-"))
    if cold := result.get("cold_start"):
        row("cold start, warm cache, s", lambda n: cold[n]["seconds"] if n in cold else "-")
        row("peak resident memory, MB", lambda n: cold[n]["peak_rss_mb"] if n in cold else "-")
    got = result["quality"]
    row("cosine to torch fp32, requests min", lambda n: got[n]["cosine_requests_min"])
    row("cosine to torch fp32, songs min", lambda n: got[n]["cosine_songs_min"])
    row("top-10 overlap, request only", lambda n: got[n]["top10_overlap_request_only"])
    row("top-10 overlap, songs re-embedded too", lambda n: got[n].get("top10_overlap_reembedded", "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append(f"gated backends: {result['gated']}")
    targets_ = result["targets"]
    lines.append(
        "encoder targets: "
        + ", ".join(f"{name} {'-' if met is None else 'yes' if met else 'NO'}" for name, met in targets_.items())
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """One request end to end (``Recommender.encode`` and the ranking, as ``recommend`` runs them), the default
    backend beside torch fp32 and the published approach, interleaved; each round takes fresh requests and
    prints its medians and paired ratios as one JSON line."""
    parser = argparse.ArgumentParser(description=main.__doc__.split(";")[0] if main.__doc__ else None)
    parser.add_argument("--single", type=int, default=200, help="requests per round (default 200)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--run", type=int, default=1, help="requests each backend answers in a row before the next (default 1)"
    )
    args = parser.parse_args(argv)
    try:
        default = Recommender.load(profile="default")
        seed = Recommender.load(profile="seed")
    except USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    recs = {default.encoder.name: default, seed.encoder.name: _serving(default, seed.encoder)}
    requests = bench.Requests()
    bench.baseline_request(seed, "warm up")
    for rec in recs.values():
        rec.recommend("warm up", 1)
    for _ in range(args.rounds):
        print(json.dumps(single(recs, seed, requests.take(args.single), args.run)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
