"""Synthetic catalogs of any size, and what the chosen FAISS index costs on them.

Songs get audio features resampled from the reference catalog with a little jitter, and random
unit vectors for their text embeddings. Uniform random vectors have no neighbours worth finding
(every cosine is 0 +/- 0.04 at 768 dimensions), unlike real embeddings, which cluster by topic;
so each song's vector is a random topic direction plus as much noise again (cosine ~0.7 to its
topic, ~0.5 within a topic), with one topic per ~500 songs.

Run one size per process so its peak memory is its own:
``python -m recommender.scale --songs 1000000`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from .ann import TRAIN_PER_LIST, IndexChoice, choose_index, empty_ivf
from .catalog import load_catalog
from .paths import resolve_catalog
from .songs import FEATURE_NAMES

DIM = 768
CHUNK = 65_536
SONGS_PER_TOPIC = 500
QUERIES = 200
K = 10
NPROBES = (8, 16, 24, 32, 64)
# The filtered search keeps songs from two years with energy >= 60: about a fifth of the catalog.
FILTER_YEARS = (2015, 2016)
FILTER_MIN_ENERGY = 60.0


@dataclass(frozen=True, slots=True)
class Synthetic:
    """A catalog generated chunk by chunk from fixed seeds, so it can be re-read without being kept."""

    songs: int
    seed: int = 7

    @property
    def topics(self) -> int:
        return max(16, self.songs // SONGS_PER_TOPIC)

    def topic_vectors(self) -> np.ndarray:
        return _unit(np.random.default_rng(self.seed).standard_normal((self.topics, DIM), dtype=np.float32))

    def _near_topics(self, rng: np.random.Generator, count: int, centers: np.ndarray) -> np.ndarray:
        noise = rng.standard_normal((count, DIM), dtype=np.float32) / np.float32(np.sqrt(DIM))
        return _unit(centers[rng.integers(0, len(centers), count)] + noise)

    def vector_chunks(self) -> Iterator[np.ndarray]:
        centers = self.topic_vectors()
        for number, start in enumerate(range(0, self.songs, CHUNK)):
            rng = np.random.default_rng((self.seed, 1, number))
            yield self._near_topics(rng, min(CHUNK, self.songs - start), centers)

    def queries(self, count: int) -> np.ndarray:
        """Requests drawn like songs: near a topic, on no song."""
        return self._near_topics(np.random.default_rng((self.seed, 2)), count, self.topic_vectors())

    def features(self, reference: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(features, year) per song: reference rows resampled, each feature jittered by 5% of its spread."""
        rng = np.random.default_rng((self.seed, 3))
        rows = rng.integers(0, len(reference), self.songs)
        jitter = rng.standard_normal((self.songs, reference.shape[1]), dtype=np.float32) * (0.05 * reference.std(axis=0))
        return (reference[rows] + jitter).astype(np.float32), years[rows]


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def reference_features(catalog: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The measured songs of the reference catalog: (features in FEATURE_NAMES order, first year)."""
    songs = [s for s in load_catalog(resolve_catalog(catalog)).songs if s.features is not None and s.years]
    features = np.array([[getattr(s.features, name) for name in FEATURE_NAMES] for s in songs], dtype=np.float32)
    return features, np.array([s.years[0] for s in songs])


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux).

    Not ``getrusage``: its ``ru_maxrss`` survives exec, so a child started by a big process reports
    the parent's size; ``VmHWM`` belongs to the new address space.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _search_ms(index: faiss.Index, queries: np.ndarray, params: faiss.SearchParameters | None = None) -> list[float]:
    """One query at a time, as the bot asks."""
    timings = []
    for query in queries:
        started = time.perf_counter()
        index.search(query.reshape(1, -1), K, params=params)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f[f >= 0]) & set(t[t >= 0])) / K for f, t in zip(found, truth)]))


def _index_mb(index: faiss.Index) -> float:
    with tempfile.NamedTemporaryFile(suffix=".faiss") as handle:
        faiss.write_index(index, handle.name)
        return os.path.getsize(handle.name) / 2**20


def measure(songs: int, *, choice: IndexChoice | None = None, catalog: Path | None = None, queries: int = QUERIES) -> dict[str, object]:
    """Build time, search latency, recall@10 against exact search and memory for one synthetic size."""
    data = Synthetic(songs)
    choice = choice or choose_index(songs, DIM)
    reference, reference_years = reference_features(catalog)
    features, years = data.features(reference, reference_years)
    allowed = np.isin(years, FILTER_YEARS) & (features[:, FEATURE_NAMES.index("energy")] >= FILTER_MIN_ENERGY)
    probe = data.queries(queries)
    rss_before = peak_rss_mb()

    started = time.perf_counter()
    if choice.kind == "flat":
        index = faiss.IndexFlatIP(DIM)
        for chunk in data.vector_chunks():
            index.add(chunk)
    else:
        index = _build_ivf(data, choice)
    build_s = time.perf_counter() - started
    rss_index = peak_rss_mb()
    # Filters go into the search as a bitmap: the index never hands back songs the filter drops.
    selector = faiss.IDSelectorBitmap(np.packbits(allowed, bitorder="little"))
    filtered = faiss.SearchParametersIVF(sel=selector, nprobe=choice.nprobe) if choice.kind == "ivf" else faiss.SearchParameters(sel=selector)
    latency = _search_ms(index, probe)
    filtered_latency = _search_ms(index, probe, filtered)
    _, found = index.search(probe, K)
    _, found_filtered = index.search(probe, K, params=filtered)
    sweep = {}
    if choice.kind == "ivf":
        for nprobe in NPROBES:
            _, ids = index.search(probe, K, params=faiss.SearchParametersIVF(nprobe=nprobe))
            sweep[nprobe] = ids
    index_mb = _index_mb(index)
    del index

    exact = faiss.IndexFlatIP(DIM)
    for chunk in data.vector_chunks():
        exact.add(chunk)
    exact_latency = _search_ms(exact, probe[: min(queries, 50)])
    _, truth = exact.search(probe, K)
    _, truth_filtered = exact.search(probe, K, params=faiss.SearchParameters(sel=selector))
    return {
        "songs": songs,
        "dim": DIM,
        "index": choice.describe(),
        "build_s": round(build_s, 2),
        "search_ms_median": round(statistics.median(latency), 3),
        "search_ms_p99": round(float(np.percentile(latency, 99)), 3),
        "recall_at_10": round(_recall(found, truth), 4),
        "filtered_share": round(float(allowed.mean()), 4),
        "filtered_search_ms_median": round(statistics.median(filtered_latency), 3),
        "filtered_recall_at_10": round(_recall(found_filtered, truth_filtered), 4),
        "exact_search_ms_median": round(statistics.median(exact_latency), 3),
        "nprobe_recall": {str(n): round(_recall(ids, truth), 4) for n, ids in sweep.items()},
        "index_mb": round(index_mb, 1),
        "peak_rss_mb_with_index": round(rss_index, 1),
        "rss_mb_before_index": round(rss_before, 1),
        "queries": queries,
    }


def _build_ivf(data: Synthetic, choice: IndexChoice) -> faiss.Index:
    """As ``ann.build_index`` does, but fed chunk by chunk so the float32 catalog is never held whole."""
    index = empty_ivf(DIM, choice)
    sample: list[np.ndarray] = []
    for chunk in data.vector_chunks():  # songs are drawn independently: the first rows are a fair sample
        sample.append(chunk)
        if sum(map(len, sample)) >= TRAIN_PER_LIST * choice.nlist:
            break
    index.train(np.concatenate(sample)[: TRAIN_PER_LIST * choice.nlist])
    del sample
    for chunk in data.vector_chunks():
        index.add(chunk)
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--songs", type=int, required=True)
    parser.add_argument("--nlist", type=int, help="force an IVF index with this many lists (default: choose_index)")
    parser.add_argument("--queries", type=int, default=QUERIES)
    args = parser.parse_args(argv)
    choice = IndexChoice("ivf", nlist=args.nlist, nprobe=min(args.nlist, 24)) if args.nlist else None
    json.dump(measure(args.songs, choice=choice, queries=args.queries), sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
