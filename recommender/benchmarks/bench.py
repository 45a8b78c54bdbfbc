"""The benchmark: the published approach and ours, side by side, in one run on one machine.

Baseline: one ``model.encode`` per request and a FAISS ``IndexFlatL2`` search (the ``seed``
profile, exactly as published). Ours: the ``default`` profile end to end (request check,
encoding, parsing, hybrid ranking, answer dicts standing in for cards), through the micro-batcher
whenever several requests are in flight.

Timings on a shared machine drift, so the two systems are measured in alternating pairs and
every ratio is ours/baseline of one pair; the report gives medians of those ratios. Nothing
here asserts a wall-clock bound: the targets are reported as met or not.

Full run: ``python -m recommender.benchmarks.bench --out DIR`` (about half an hour on two cores);
``--quick`` checks in seconds that every part runs and writes its report.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ..batching import MicroBatcher
from ..encoder import TorchEncoder
from ..engine import Recommender
from ..profiles.default import HybridSearch
from ..request import Request
from . import understanding
from .scale import peak_rss_mb

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

K = 10
MAX_BATCH = 32
MAX_WAIT_MS = 0.0
COLD_REQUEST = "chill songs for a rainy evening"


@dataclass(frozen=True, slots=True)
class Plan:
    single: int  # requests timed one by one, per system
    levels: tuple[int, ...]  # requests in flight
    # Requests per throughput run (at least the level): with only 32, one batch per run and the start-up costs dominate.
    min_requests: int
    repeats: int  # throughput runs per level and system
    cold_repeats: int  # cold starts per case (0: skipped)
    empty_cache: bool  # the empty-cache cold start builds everything: minutes
    build_repeats: int  # index builds per profile (0: skipped)
    scale: tuple[tuple[int, int | None], ...]  # (songs, forced IVF lists or None for choose_index)
    scale_timeout_s: int
    understanding_artists: int  # artists of the synthetic catalog requests are parsed against
    understanding_requests: int


QUICK = Plan(
    single=3,
    levels=(1, 4),
    min_requests=4,
    repeats=1,
    cold_repeats=0,
    empty_cache=False,
    build_repeats=0,
    scale=((5_000, 16),),
    scale_timeout_s=120,
    understanding_artists=2_000,
    understanding_requests=30,
)
FULL = Plan(
    single=200,
    levels=(1, 8, 32, 64),
    min_requests=96,
    repeats=5,
    cold_repeats=5,
    empty_cache=True,
    build_repeats=3,
    scale=((100_000, None), (1_000_000, None)),
    scale_timeout_s=1800,
    understanding_artists=100_000,
    understanding_requests=600,
)
# The end-to-end run on a synthetic "Spotify 1.2M+ songs" file (``--serving``): about 9 GB on disk while it runs.
SERVING_SONGS = 1_204_025

MOODS = (
    "chill",
    "sad",
    "happy",
    "energetic",
    "dark",
    "romantic",
    "upbeat",
    "mellow",
    "angry",
    "dreamy",
    "nostalgic",
    "calm acoustic",
    "loud",
    "fast",
    "slow",
    "danceable",
    "feel-good",
    "melancholic",
    "hype workout",
    "quiet late-night",
)
KINDS = (
    "songs",
    "pop tracks",
    "hip hop",
    "dance music",
    "indie rock",
    "r&b",
    "latin hits",
    "ballads",
    "party anthems",
    "road trip music",
)
CONTEXTS = (
    "",
    " from 2012",
    " from the early 2010s",
    " by Katy Perry",
    " like Adele",
    " for a rainy day",
    " for studying",
    " under 3 minutes",
    " around 120 bpm",
    " that are not too popular",
    " for a summer night",
    " from 2016 or 2017",
)


def request_texts() -> list[str]:
    """2,400 distinct requests of varied length and kind, in a fixed shuffled order."""
    texts = [f"{mood} {kind}{context}" for mood, kind, context in itertools.product(MOODS, KINDS, CONTEXTS)]
    random.Random(13).shuffle(texts)
    return texts


class Requests:
    """Hands out requests never seen before in this run, so no cache answers them."""

    def __init__(self) -> None:
        self._texts = iter(request_texts())

    def take(self, count: int) -> list[str]:
        texts = list(itertools.islice(self._texts, count))
        if len(texts) < count:
            raise RuntimeError("the benchmark ran out of distinct requests; add words to bench.MOODS")
        return texts


def baseline_request(seed: Recommender, text: str) -> None:
    """The published path: encode the one request, search the flat L2 index."""
    query = published_model(seed).encode([text], convert_to_numpy=True)
    assert seed.index is not None, "the seed profile always builds its flat L2 index"
    seed.index.search(np.asarray(query, dtype=np.float32), K)


def published_model(seed: Recommender) -> SentenceTransformer:
    """The seed profile's sentence-transformers model: it always runs on the exact torch encoder."""
    if not isinstance(seed.encoder, TorchEncoder):
        raise ValueError("the seed profile must run on the torch encoder")
    return seed.encoder.model


def ours_request(default: Recommender, text: str) -> tuple[float, float]:
    """The default profile as ``recommend`` runs it, timed as (up to the vector, everything after) in seconds."""
    started = time.perf_counter()
    request = default.check_request(Request(text=text, k=K))
    vector = default.encode([request.words])[0]
    encoded = time.perf_counter()
    cards = [r.as_dict() for r in default.complete(request, vector).results]
    assert cards, "the default profile answered nothing"
    return encoded - started, time.perf_counter() - encoded


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _ms(values: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(values) * 1000
    return {"median": round(float(np.median(ms)), 3), "p99": round(float(np.percentile(ms, 99)), 3), "n": len(ms)}


def _median(values: Sequence[float]) -> float:
    return round(float(statistics.median(values)), 3)


def single_latency(default: Recommender, seed: Recommender, texts: Sequence[str]) -> dict[str, object]:
    """Each request once per system, the order alternating, so drift hits both alike."""
    default.clear_query_cache()
    base, ours, encode, after, ratios = [], [], [], [], []
    for number, text in enumerate(texts):
        if number % 2:
            b = _timed(partial(baseline_request, seed, text))
            e, a = ours_request(default, text)
        else:
            e, a = ours_request(default, text)
            b = _timed(partial(baseline_request, seed, text))
        base.append(b)
        ours.append(e + a)
        encode.append(e)
        after.append(a)
        ratios.append((e + a) / b)
    # The same requests again: now every vector comes from the LRU cache.
    cached = [_timed(partial(default.recommend, text, K)) for text in texts[:50]]
    return {
        "baseline_ms": _ms(base),
        "ours_ms": _ms(ours),
        "ours_encode_ms": _ms(encode),
        "ours_after_encode_ms": _ms(after),
        "ours_cached_ms": _ms(cached),
        "ratio_median": _median(ratios),
    }


def _baseline_run(seed: Recommender, texts: Sequence[str], in_flight: int) -> tuple[float, list[float]]:
    """The published code has no batching: N requests in flight are N threads each encoding its own."""

    def one(text: str) -> float:
        return _timed(lambda: baseline_request(seed, text))

    with ThreadPoolExecutor(max_workers=in_flight) as pool:
        started = time.perf_counter()
        latencies = list(pool.map(one, texts))
        return time.perf_counter() - started, latencies


async def _ours_run(default: Recommender, texts: Sequence[str], in_flight: int) -> tuple[float, list[float], int]:
    batcher = MicroBatcher(default, max_batch=MAX_BATCH, max_wait_ms=MAX_WAIT_MS)
    pending = iter(texts)
    latencies: list[float] = []

    async def client() -> None:
        for text in pending:  # one shared iterator: exactly ``in_flight`` requests outstanding
            started = time.perf_counter()
            await batcher.recommend(text, K)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(in_flight)))
    wall = time.perf_counter() - started
    await batcher.aclose()
    return wall, latencies, batcher.batches


def throughput(default: Recommender, seed: Recommender, requests: Requests, plan: Plan) -> dict[str, object]:
    """Requests per second at each level, baseline and ours alternating first; fresh requests for every run."""
    runs: dict[int, list[dict[str, float]]] = {level: [] for level in plan.levels}
    for repeat in range(plan.repeats):
        for level in plan.levels:
            texts = requests.take(max(level, plan.min_requests))
            default.clear_query_cache()
            order = ("baseline", "ours") if repeat % 2 == 0 else ("ours", "baseline")
            run: dict[str, float] = {}
            for system in order:
                if system == "baseline":
                    wall, latencies = _baseline_run(seed, texts, level)
                else:
                    wall, latencies, batches = asyncio.run(_ours_run(default, texts, level))
                    run["ours_mean_batch"] = len(texts) / batches
                run[f"{system}_rps"] = len(texts) / wall
                run[f"{system}_latency_ms_median"] = float(np.median(latencies)) * 1000
            runs[level].append(run)
    one_at_a_time = [run["baseline_rps"] for run in runs[plan.levels[0]]]
    report: dict[str, object] = {}
    for level, level_runs in runs.items():
        report[str(level)] = {
            "baseline_rps": _median([r["baseline_rps"] for r in level_runs]),
            "ours_rps": _median([r["ours_rps"] for r in level_runs]),
            "ratio_median": _median([r["ours_rps"] / r["baseline_rps"] for r in level_runs]),
            # Paired with the same repeat's one-at-a-time baseline: the 3x target.
            "ours_vs_baseline_one_at_a_time": _median(
                [r["ours_rps"] / b for r, b in zip(level_runs, one_at_a_time, strict=True)]
            ),
            "baseline_latency_ms_median": _median([r["baseline_latency_ms_median"] for r in level_runs]),
            "ours_latency_ms_median": _median([r["ours_latency_ms_median"] for r in level_runs]),
            "ours_mean_batch": _median([r["ours_mean_batch"] for r in level_runs]),
            "requests_per_run": max(level, plan.min_requests),
            "repeats": len(level_runs),
        }
    return report


def index_build(default: Recommender, seed: Recommender, repeats: int) -> dict[str, object]:
    """Embedding the catalog and building each profile's index, with each profile's already loaded encoder."""
    times: dict[str, list[float]] = {"baseline": [], "ours": []}
    for _ in range(repeats):
        for system, rec in (("baseline", seed), ("ours", default)):
            times[system].append(
                _timed(partial(Recommender._build, default.catalog, rec.profile, rec.encoder, lenient=False))
            )
    return {
        "baseline_s": _median(times["baseline"]),
        "ours_s": _median(times["ours"]),
        "ratio_median": _median([o / b for o, b in zip(times["ours"], times["baseline"], strict=True)]),
        "repeats": repeats,
    }


# Run in a fresh interpreter: import, load, answer one request, report peak memory (VmHWM: see scale.peak_rss_mb).
COLD_SCRIPT = """
import json, sys
mode, profile, request = sys.argv[1:4]
from recommender.paths import cache_dir
if mode == "model":
    from recommender.model import load_model, resolve_model
    load_model(resolve_model(cache_dir())[0])
else:
    from recommender.engine import Recommender
    rec = Recommender.load(profile=profile)
    if profile == "seed":
        rec.index.search(rec.encoder.model.encode([request]), 5)
    else:
        rec.recommend(request, 5)
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"peak_rss_mb": int(peak.split()[1]) / 1024}))
"""


def _cold(mode: str, profile: str, cache: Path, catalog: Path) -> tuple[float, float]:
    """(seconds from process start to the first answer, peak RSS in MB) of a fresh process."""
    env = {**os.environ, "MUSICREC_CACHE_DIR": str(cache), "MUSICREC_CATALOG": str(catalog)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", COLD_SCRIPT, mode, profile, COLD_REQUEST],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    return elapsed, json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mb"]


def cold_start(cache: Path, catalog: Path, plan: Plan) -> dict[str, object]:
    """Warm cache: just loading the model, then each system to its first answer; the empty cache builds it all."""
    runs: dict[str, list[tuple[float, float]]] = {"model": [], "baseline": [], "ours": []}
    for _ in range(plan.cold_repeats):
        runs["model"].append(_cold("model", "default", cache, catalog))
        runs["baseline"].append(_cold("serve", "seed", cache, catalog))
        runs["ours"].append(_cold("serve", "default", cache, catalog))
    report: dict[str, object] = {
        "model_load_s": _median([s for s, _ in runs["model"]]),
        "warm_baseline_s": _median([s for s, _ in runs["baseline"]]),
        "warm_ours_s": _median([s for s, _ in runs["ours"]]),
        "warm_ratio_median": _median([o[0] / b[0] for o, b in zip(runs["ours"], runs["baseline"], strict=True)]),
        "warm_ours_vs_model_load": _median([o[0] / m[0] for o, m in zip(runs["ours"], runs["model"], strict=True)]),
        "peak_rss_mb_baseline": _median([r for _, r in runs["baseline"]]),
        "peak_rss_mb_ours": _median([r for _, r in runs["ours"]]),
        "peak_rss_mb_model_only": _median([r for _, r in runs["model"]]),
        "repeats": plan.cold_repeats,
    }
    if plan.empty_cache:
        # Once each: an empty cache means assembling the model from its packages and embedding the catalog.
        with tempfile.TemporaryDirectory() as empty_b:
            report["empty_baseline_s"] = round(_cold("serve", "seed", Path(empty_b), catalog)[0], 3)
        with tempfile.TemporaryDirectory() as empty_o:
            report["empty_ours_s"] = round(_cold("serve", "default", Path(empty_o), catalog)[0], 3)
    return report


def scale(plan: Plan, catalog: Path) -> list[dict[str, Any]]:
    """Each synthetic size in its own process, so its peak memory is its own."""
    results = []
    for songs, nlist in plan.scale:
        command = [sys.executable, "-m", "recommender.benchmarks.scale", "--songs", str(songs)]
        if nlist:
            command += ["--nlist", str(nlist), "--queries", "20"]
        env = {**os.environ, "MUSICREC_CATALOG": str(catalog)}
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, check=True, timeout=plan.scale_timeout_s
            )
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        except subprocess.TimeoutExpired:
            results.append({"songs": songs, "error": f"not finished within {plan.scale_timeout_s} s"})
    return results


def serving(songs: int, catalog: Path) -> dict[str, Any]:
    """The end-to-end run (``serving.py``) in its own processes, its file and cache in a temporary folder."""
    from . import serving as end_to_end

    with tempfile.TemporaryDirectory(prefix="musicrec-serving-") as folder:
        return end_to_end.measure(songs, Path(folder), catalog)


def run_benchmark(
    default: Recommender,
    seed: Recommender,
    *,
    quick: bool,
    out_dir: Path,
    cache_dir: Path | None = None,
    serving_songs: int = 0,
) -> dict[str, Any]:
    """Measure everything the plan names, write ``out_dir/bench.json`` and return the same dict.

    ``default`` and ``seed`` are loaded Recommenders of those profiles on the same catalog;
    ``cache_dir`` is their (warm) cache, for the cold-start runs (default: $MUSICREC_CACHE_DIR or the user cache).
    ``serving_songs`` adds the end-to-end run on a synthetic catalog of that many rows (0: not run).
    """
    if (default.profile.name, seed.profile.name) != ("default", "seed"):
        raise ValueError("run_benchmark wants the default profile first and the seed profile second")
    from ..paths import cache_dir as default_cache_dir

    plan = QUICK if quick else FULL
    started = time.perf_counter()
    requests = Requests()
    baseline_request(seed, "warm up")  # the first call of a model pays one-off allocation costs
    default.recommend("warm up", K)
    result: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "plan": asdict(plan),
        "machine": {
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "catalog": {"path": str(default.catalog), "songs_default": len(default.songs), "songs_seed": len(seed.songs)},
        "single": single_latency(default, seed, requests.take(plan.single)),
        "throughput": throughput(default, seed, requests, plan),
    }
    if plan.build_repeats:
        result["index_build"] = index_build(default, seed, plan.build_repeats)
    if plan.cold_repeats:
        result["cold_start"] = cold_start(cache_dir or default_cache_dir(), default.catalog, plan)
    from . import encoders  # it builds on this module's request helpers

    result["encoders"] = encoders.compare(default, seed, quick=quick, cache_dir=cache_dir or default_cache_dir())
    result["scale"] = scale(plan, default.catalog)
    searcher = default.searcher
    assert isinstance(searcher, HybridSearch), "the default profile reads requests with its IntentParser"
    result["understanding"] = understanding.measure(
        searcher.parser, plan.understanding_artists, plan.understanding_requests
    )
    if serving_songs:
        result["serving"] = serving(serving_songs, default.catalog)
    result["bench_process_peak_rss_mb"] = round(peak_rss_mb(), 1)
    result["targets"] = targets(result)
    result["seconds"] = round(time.perf_counter() - started, 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def targets(result: dict[str, Any]) -> dict[str, bool | None]:
    """The issue's targets, met or not (None: not measured in this mode)."""
    single = result["single"]
    levels = result["throughput"]
    cold = result.get("cold_start")
    largest = max((s for s in result["scale"] if "error" not in s), key=lambda s: s["songs"], default=None)
    at_32 = levels.get("32")
    parse = result.get("understanding")
    served = result.get("serving")
    return {
        "throughput_32_at_least_3x_baseline_one_at_a_time": at_32["ours_vs_baseline_one_at_a_time"] >= 3
        if at_32
        else None,
        "latency_1_in_flight_no_worse_than_baseline": levels["1"]["ours_latency_ms_median"]
        <= levels["1"]["baseline_latency_ms_median"],
        "after_encode_under_2ms_median": single["ours_after_encode_ms"]["median"] < 2,
        "warm_cold_start_within_2x_model_load": cold["warm_ours_vs_model_load"] <= 2 if cold else None,
        "scale_1m_search_under_5ms_recall_095_under_4gb": (
            largest["search_ms_median"] < 5
            and largest["recall_at_10"] >= 0.95
            and largest["peak_rss_mb_with_index"] < 4096
        )
        if largest and largest["songs"] >= 1_000_000
        else None,
        "scale_1m_hybrid_ranking_recall_095": (
            largest["hybrid"]["recall_at_10"] >= 0.95 if largest and largest["songs"] >= 1_000_000 else None
        ),
        "understanding_under_2ms_reference_20ms_at_100k_artists": (
            parse["reference"]["median"] < 2 and parse["synthetic"]["median"] < 20
            if parse and parse["synthetic"]["artists"] >= 100_000
            else None
        ),
        **(serving_targets(served) if served else {}),
    }


def serving_targets(served: dict[str, Any]) -> dict[str, bool | None]:
    """Issue 14's targets for the synthetic 1.2M-row catalog (None: a smaller catalog was run)."""
    full = served["songs_written"] >= 1_200_000
    return {
        "serving_1_2m_load_under_60s_2gb": (
            served["catalog_load_s"] < 60 and served["catalog_load_peak_rss_mb"] < 2048 if full else None
        ),
        "serving_1_2m_cold_start_under_2x_model_load": (
            served["cold_start_vs_model_load"] < 2 if full and "cold_start_vs_model_load" in served else None
        ),
        "serving_1_2m_post_encode_under_20ms_each_shape": (
            all(shape["median"] < 20 for shape in served["post_encode_ms"].values()) if full else None
        ),
        "serving_1_2m_peak_under_4gb": served["peak_rss_mb_serving"] < 4096 if full else None,
        "serving_1_2m_recall_095": served["recall_at_10_all"] >= 0.95 if full else None,
    }


def format_table(result: dict[str, Any]) -> str:
    """The report as a plain-text table: baseline, ours, and the median of pair-by-pair ratios."""
    rows: list[tuple[str, str, str, str]] = [("measure", "baseline (seed)", "ours (default)", "ours/baseline")]
    single = result["single"]
    for name, key in (("single request, median ms", "median"), ("single request, p99 ms", "p99")):
        rows.append(
            (
                name,
                f"{single['baseline_ms'][key]:.1f}",
                f"{single['ours_ms'][key]:.1f}",
                f"{single['ratio_median']:.2f}" if key == "median" else "",
            )
        )
    rows.append(("  ours after encoding, median ms", "", f"{single['ours_after_encode_ms']['median']:.2f}", ""))
    rows.append(("  ours, repeated request (cached), median ms", "", f"{single['ours_cached_ms']['median']:.2f}", ""))
    for level, run in result["throughput"].items():
        rows.append(
            (
                f"throughput, {level} in flight, req/s",
                f"{run['baseline_rps']:.2f}",
                f"{run['ours_rps']:.2f}",
                f"{run['ratio_median']:.2f} (x{run['ours_vs_baseline_one_at_a_time']:.1f} vs 1-at-a-time)",
            )
        )
        rows.append(
            (
                f"  latency, {level} in flight, median ms",
                f"{run['baseline_latency_ms_median']:.0f}",
                f"{run['ours_latency_ms_median']:.0f}",
                f"mean batch {run['ours_mean_batch']:.1f}",
            )
        )
    if build := result.get("index_build"):
        rows.append(
            (
                "index build, reference catalog, s",
                f"{build['baseline_s']:.1f}",
                f"{build['ours_s']:.1f}",
                f"{build['ratio_median']:.2f}",
            )
        )
    if cold := result.get("cold_start"):
        rows.append(
            (
                "cold start, warm cache, s",
                f"{cold['warm_baseline_s']:.1f}",
                f"{cold['warm_ours_s']:.1f}",
                f"{cold['warm_ratio_median']:.2f}",
            )
        )
        rows.append(
            (
                "  just loading the model, s",
                f"{cold['model_load_s']:.1f}",
                f"{cold['model_load_s']:.1f}",
                f"ours x{cold['warm_ours_vs_model_load']:.2f} of it",
            )
        )
        if "empty_ours_s" in cold:
            rows.append(
                (
                    "cold start, empty cache, s",
                    f"{cold['empty_baseline_s']:.1f}",
                    f"{cold['empty_ours_s']:.1f}",
                    f"{cold['empty_ours_s'] / cold['empty_baseline_s']:.2f} (1 run)",
                )
            )
        rows.append(
            (
                "peak resident memory, MB",
                f"{cold['peak_rss_mb_baseline']:.0f}",
                f"{cold['peak_rss_mb_ours']:.0f}",
                f"{cold['peak_rss_mb_ours'] / cold['peak_rss_mb_baseline']:.2f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append("")
    lines.append("synthetic catalogs (random unit vectors around topics, 768 dims):")
    for s in result["scale"]:
        if "error" in s:
            lines.append(f"  {s['songs']:>9,} songs: {s['error']}")
            continue
        lines.append(
            f"  {s['songs']:>9,} songs  {s['index']:<22} build {s['build_s']:.1f} s"
            f"  search {s['search_ms_median']:.2f} ms"
            f" (exact {s['exact_search_ms_median']:.1f} ms)  recall@10 {s['recall_at_10']:.3f}"
            f"  filtered {s['filtered_search_ms_median']:.2f} ms / {s['filtered_recall_at_10']:.3f}"
            f"  index {s['index_mb']:.0f} MB  peak RSS {s['peak_rss_mb_with_index']:.0f} MB"
        )
        hybrid = s["hybrid"]
        lines.append(
            f"  {'':>9}        hybrid ranking (filters, feature wishes): {hybrid['rank_ms_median']:.2f} ms median,"
            f" p99 {hybrid['rank_ms_p99']:.1f} ms, recall@10 vs scoring every song {hybrid['recall_at_10']:.3f}"
        )
    if parse := result.get("understanding"):
        reference, synthetic = parse["reference"], parse["synthetic"]
        lines.append(
            f"understanding a request (parse, no model call), median / p99 ms: reference catalog"
            f" ({reference['artists']:,} artists) {reference['median']:.2f} / {reference['p99']:.2f};"
            f" synthetic {synthetic['artists']:,} artists {synthetic['median']:.2f} / {synthetic['p99']:.2f}"
            f" (parser set up in {synthetic['parser_setup_s']:.1f} s)"
        )
    if served := result.get("serving"):
        lines += ["", *serving_lines(served)]
    lines.append("")
    lines.append(
        "targets: "
        + ", ".join(
            f"{name} {'-' if met is None else 'yes' if met else 'NO'}" for name, met in result["targets"].items()
        )
    )
    if "encoders" in result:
        from . import encoders

        lines += ["", encoders.format_table(result["encoders"])]
    return "\n".join(lines)


def serving_lines(served: dict[str, Any]) -> list[str]:
    shapes = ", ".join(
        f"{shape} {ms['median']:.1f} / {ms['p99']:.1f}" for shape, ms in served["post_encode_ms"].items()
    )
    return [
        f"end to end, synthetic tracks_features.csv ({served['songs']:,} songs, {served['artists']:,} artists,"
        f" {served['file_mb']:.0f} MB; random vectors for the embeddings):",
        f"  catalog load {served['catalog_load_s']:.1f} s, peak {served['catalog_load_peak_rss_mb']:.0f} MB;"
        + (
            f" cold start on the warm cache {served['cold_start_s']:.1f} s against {served['model_load_s']:.1f} s"
            f" for the model alone (x{served['cold_start_vs_model_load']:.2f})"
            if "cold_start_s" in served
            else " no cold start succeeded"
        )
        + (f"; failed starts: {'; '.join(served['cold_start_failures'])}" if served.get("cold_start_failures") else ""),
        f"  after encoding, median / p99 ms: {shapes}",
        "  CPU time after encoding, median ms: "
        + ", ".join(f"{shape} {ms:.1f}" for shape, ms in served.get("post_encode_cpu_ms_median", {}).items()),
        f"  peak memory serving {served['peak_rss_mb_serving']:.0f} MB; recall@10 against scoring every song"
        f" {served['recall_at_10_all']:.3f}",
    ]
