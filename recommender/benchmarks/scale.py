"""Synthetic catalogs of any size, and what the chosen FAISS index costs on them.

Songs get audio features resampled from the reference catalog with a little jitter, and random
unit vectors for their text embeddings. Uniform random vectors have no neighbours worth finding
(every cosine is 0 +/- 0.04 at 768 dimensions), unlike real embeddings, which cluster by topic;
so each song's vector is a random topic direction plus as much noise again (cosine ~0.7 to its
topic, ~0.5 within a topic), with one topic per ~500 songs.

Besides the bare index, the default profile's hybrid Ranker runs on the synthetic songs (filters
and feature wishes as real requests carry them, candidates scored from the index's codes) and is
compared with the same ranking done exactly over every song's float vector, memory-mapped from disk.

Run one size per process so its peak memory is its own:
``python -m recommender.benchmarks.scale --songs 1000000`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from ..ann import TRAIN_PER_LIST, IndexChoice, choose_index, empty_ivf
from ..catalog import load_catalog
from ..intent import Intent, Wish
from ..paths import resolve_catalog
from ..ranking import Ranker
from ..songs import FEATURE_NAMES, Features, Song

DIM = 768
CHUNK = 65_536
SONGS_PER_TOPIC = 500
QUERIES = 200
K = 10
NPROBES = (8, 16, 24, 32, 64)
# The filtered search keeps songs from two years with energy >= 60: about a fifth of the catalog.
FILTER_YEARS = (2015, 2016)
FILTER_MIN_ENERGY = 60.0
SONGS_PER_ARTIST = 20
# Request shapes for the hybrid ranking: text alone, a feature wish, a wide filter with a wish, a genre, one artist.
HYBRID_INTENTS = (
    Intent(text="words only"),
    Intent(text="calm", wishes=[Wish("energy", "low", "calm")]),
    Intent(
        text="danceable 2015-2016",
        years={2015, 2016},
        year_label="2015-2016",
        wishes=[Wish("danceability", "high", "danceable")],
    ),
    Intent(text="hip hop", genre_keys=("hip hop",), genre_label="hip hop"),
    Intent(text="one artist", artists={"Artist 7"}),
)


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

    def features(self, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(features, reference row) per song: reference rows resampled, each feature jittered by 5% of its spread."""
        rng = np.random.default_rng((self.seed, 3))
        rows = rng.integers(0, len(reference), self.songs)
        jitter = rng.standard_normal((self.songs, reference.shape[1]), dtype=np.float32) * (
            0.05 * reference.std(axis=0)
        )
        return (reference[rows] + jitter).astype(np.float32), rows


def _unit(rows: np.ndarray) -> np.ndarray:
    unit: np.ndarray = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return unit


@dataclass(frozen=True, slots=True)
class Reference:
    """The measured songs of the reference catalog: features in FEATURE_NAMES order, first year, genres."""

    features: np.ndarray
    years: np.ndarray
    genres: tuple[tuple[str, ...], ...]


def reference_songs(catalog: Path | None = None) -> Reference:
    songs = [s for s in load_catalog(resolve_catalog(catalog)).songs if s.features is not None and s.years]
    features = np.array([[getattr(s.features, name) for name in FEATURE_NAMES] for s in songs], dtype=np.float32)
    return Reference(features, np.array([s.years[0] for s in songs]), tuple(s.genres for s in songs))


class SyntheticSongs(Sequence[Song]):
    """Song objects made on demand from the synthetic arrays: a million of them need not sit in memory."""

    def __init__(self, features: np.ndarray, rows: np.ndarray, reference: Reference) -> None:
        self.features, self.rows, self.reference = features, rows, reference

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, i: int) -> Song:  # type: ignore[override]
        if not 0 <= i < len(self):
            raise IndexError(i)
        row = int(self.rows[i])
        return Song(
            id=i,
            title=f"Synthetic song {i}",
            artist=f"Artist {i // SONGS_PER_ARTIST}",
            genres=self.reference.genres[row],
            years=(int(self.reference.years[row]),),
            features=Features(*map(float, self.features[i])),
        )


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
    return float(np.mean([len(set(f[f >= 0]) & set(t[t >= 0])) / K for f, t in zip(found, truth, strict=True)]))


def _index_mb(index: faiss.Index) -> float:
    with tempfile.NamedTemporaryFile(suffix=".faiss") as handle:
        faiss.write_index(index, handle.name)
        return os.path.getsize(handle.name) / 2**20


def measure(
    songs: int, *, choice: IndexChoice | None = None, catalog: Path | None = None, queries: int = QUERIES
) -> dict[str, Any]:
    """Build time, search latency, recall@10 against exact search and memory for one synthetic size."""
    data = Synthetic(songs)
    choice = choice or choose_index(songs, DIM)
    reference = reference_songs(catalog)
    features, rows = data.features(reference.features)
    years = reference.years[rows]
    allowed = np.isin(years, FILTER_YEARS) & (features[:, FEATURE_NAMES.index("energy")] >= FILTER_MIN_ENERGY)
    probe = data.queries(queries)
    rss_before = peak_rss_mb()

    with tempfile.TemporaryDirectory(prefix="musicrec-scale-") as folder:
        vectors = _write_vectors(data, Path(folder) / "vectors.npy")
        started = time.perf_counter()
        index = _build_index(data, choice)
        build_s = time.perf_counter() - started
        # Filters go into the search as a bitmap: the index never hands back songs the filter drops.
        # faiss's stubs miss its Python wrappers: parameters take keywords, a bitmap selector takes the array alone.
        selector = faiss.IDSelectorBitmap(np.packbits(allowed, bitorder="little"))  # type: ignore[call-arg, arg-type]
        filtered = (
            faiss.SearchParametersIVF(sel=selector, nprobe=choice.nprobe)  # type: ignore[call-arg]
            if choice.kind == "ivf"
            else faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        )
        latency = _search_ms(index, probe)
        filtered_latency = _search_ms(index, probe, filtered)
        _, found = index.search(probe, K)
        _, found_filtered = index.search(probe, K, params=filtered)
        sweep = {}
        if choice.kind == "ivf":
            for nprobe in NPROBES:
                _, ids = index.search(probe, K, params=faiss.SearchParametersIVF(nprobe=nprobe))  # type: ignore[call-arg]  # as above
                sweep[nprobe] = ids
        hybrid, ranker, served = _hybrid(SyntheticSongs(features, rows, reference), vectors, index, probe)
        # Serving stops here: the exact searches below read every vector, which a server never does.
        rss_serving = peak_rss_mb()
        index_mb = _index_mb(index)
        del index

        exact = faiss.IndexFlatIP(DIM)
        for start in range(0, songs, CHUNK):
            exact.add(np.ascontiguousarray(vectors[start : start + CHUNK]))
        exact_latency = _search_ms(exact, probe[: min(queries, 50)])
        _, truth = exact.search(probe, K)
        _, truth_filtered = exact.search(probe, K, params=faiss.SearchParameters(sel=selector))  # type: ignore[call-arg]  # as above
        del exact
        hybrid["recall_at_10"] = _hybrid_recall(ranker, probe, served)
        del vectors, ranker
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
        "hybrid": hybrid,
        "index_mb": round(index_mb, 1),
        "peak_rss_mb_with_index": round(rss_serving, 1),
        "rss_mb_before_index": round(rss_before, 1),
        "queries": queries,
    }


def _write_vectors(data: Synthetic, path: Path) -> np.ndarray:
    """The text vectors as an .npy file, memory-mapped back as the index cache serves them.

    Written with plain writes, not through the mapping: mapped pages count as resident memory,
    and only the exact comparison, after serving is measured, reads them.
    """
    with open(path, "wb") as handle:
        np.lib.format.write_array_header_1_0(
            handle, {"descr": "<f4", "fortran_order": False, "shape": (data.songs, DIM)}
        )
        handle.writelines(np.ascontiguousarray(chunk, dtype="<f4").tobytes() for chunk in data.vector_chunks())
    mapped: np.ndarray = np.load(path, mmap_mode="r")
    return mapped


def _build_index(data: Synthetic, choice: IndexChoice) -> faiss.Index:
    """As ``ann.build_index`` does, but fed chunk by chunk so the float32 catalog is never held whole."""
    index: faiss.Index
    if choice.kind == "flat":
        index = faiss.IndexFlatIP(DIM)
    else:
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


def _hybrid(
    songs: SyntheticSongs, vectors: np.ndarray, index: faiss.Index, probe: np.ndarray
) -> tuple[dict[str, object], Ranker, list[list[int]]]:
    """The default profile's ranking on the synthetic songs, one request at a time, each shape in turn:
    (timings, the Ranker, the song ids it answered)."""
    started = time.perf_counter()
    ranker = Ranker(songs, vectors, index)
    setup_s = time.perf_counter() - started
    timings: dict[str, list[float]] = {intent.text: [] for intent in HYBRID_INTENTS}
    found: list[list[int]] = []
    for number, query in enumerate(probe):
        intent = HYBRID_INTENTS[number % len(HYBRID_INTENTS)]
        started = time.perf_counter()
        results = ranker.rank(intent, query, K)
        timings[intent.text].append((time.perf_counter() - started) * 1000)
        found.append([r.song.id for r in results])
    every = [ms for values in timings.values() for ms in values]
    report = {
        "ranker_setup_s": round(setup_s, 2),
        "rank_ms_median": round(statistics.median(every), 3),
        "rank_ms_p99": round(float(np.percentile(every, 99)), 3),
        "rank_ms_median_by_request": {text: round(statistics.median(v), 3) for text, v in timings.items() if v},
    }
    return report, ranker, found


def _hybrid_recall(ranker: Ranker, probe: np.ndarray, found: list[list[int]]) -> float:
    """Recall@10 of the served ranking against the same ranking over every song (no index)."""
    ranker.index = None  # the Ranker's exact path: every song scored, as on a small catalog
    hits = []
    for number, query in enumerate(probe[: len(found)]):
        truth = [r.song.id for r in ranker.rank(HYBRID_INTENTS[number % len(HYBRID_INTENTS)], query, K)]
        hits.append(len(set(truth) & set(found[number])) / max(len(truth), 1))
    return round(float(np.mean(hits)), 4)


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
