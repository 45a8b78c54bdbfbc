"""A catalog the size of "Spotify 1.2M+ songs" served end to end through the real load path.

``write`` makes a synthetic ``tracks_features.csv`` in that dataset's exact header and conventions
(artists as a Python list literal, explicit as True/False, release dates as a year or a full date),
its audio features resampled from the reference catalog, its names made up (``names.py``).
Embedding 1.2 million descriptions takes days on two cores, so ``prepare`` reads the file with
``load_catalog`` (timed, its peak memory its own) and writes the index cache exactly as a build
would, with random unit vectors around topics (``scale.Synthetic``) for the embeddings and the IVF
index ``ann.choose_index`` picks. ``serve`` is then a fresh process: ``Recommender.load`` finds the
warm cache (timed against loading the model alone), and every request shape is answered after its
encoding (``Recommender.complete`` with a stand-in query vector: parsing, filters, ranking, reasons),
then compared with the same ranking scoring every song.

``python -m recommender.benchmarks.serving --songs 1204025 --folder DIR`` runs all three and prints
one JSON object; each step is its own process, so each peak memory is that step's.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from .names import ADJECTIVES, NOUNS, artist_names
from .scale import Synthetic, peak_rss_mb, reference_songs

HEADER = [
    "id",
    "name",
    "album",
    "album_id",
    "artists",
    "artist_ids",
    "track_number",
    "disc_number",
    "explicit",
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "duration_ms",
    "time_signature",
    "year",
    "release_date",
]
SONGS_PER_ARTIST = 8  # the real file: about 1.2 million tracks by about 165,000 artists
QUERIES_PER_SHAPE = 40
RECALL_QUERIES = 10  # per shape: scoring every song reads all 3.7 GB of vectors each time
K = 10
CHUNK = 50_000
BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


def _ids(rng: np.random.Generator, count: int) -> list[str]:
    """Spotify-like 22-character base-62 ids."""
    return BASE62[rng.integers(0, 62, (count, 22))].view("S22").ravel().astype(str).tolist()


def _title(rng: random.Random, artists: list[str]) -> str:
    words = [rng.choice(ADJECTIVES), rng.choice(NOUNS)]
    if rng.random() < 0.4:
        words.insert(rng.randrange(3), rng.choice(("Midnight", "Summer", "Heart", "Fire", "Love", "Home", "Rain")))
    title = " ".join(words)
    shape = rng.random()
    if shape < 0.08:
        title += f" (feat. {rng.choice(artists)})"
    elif shape < 0.12:
        title += f" - Remastered {rng.randrange(1995, 2020)}"
    elif shape < 0.2:
        title += f" {rng.randrange(2, 99)}"
    return title


def write(path: Path, songs: int, catalog: Path | None = None, seed: int = 3) -> None:
    """A ``tracks_features.csv`` of ``songs`` rows (see the module's docstring)."""
    reference = reference_songs(catalog)
    names = artist_names(max(1, songs // SONGS_PER_ARTIST))
    # The reference's first nine columns: bpm, energy, danceability, loudness, liveness, valence, length,
    # acousticness, speechiness (FEATURE_NAMES order); the 1.2M file has no popularity.
    measured = reference.features[:, :9]
    rng, text = np.random.default_rng(seed), random.Random(seed)
    spread = np.nanstd(measured, axis=0)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for start in range(0, songs, CHUNK):
            count = min(CHUNK, songs - start)
            rows = rng.integers(0, len(measured), count)
            values = measured[rows] + rng.standard_normal((count, measured.shape[1])) * 0.05 * spread
            bpm, energy, dance, loud, live, valence, length, acoustic, speechiness = values.T
            instrumental = np.where(rng.random(count) < 0.2, rng.uniform(0.5, 1, count), rng.uniform(0, 0.05, count))
            years = np.where(rng.random(count) < 0.6, rng.integers(2000, 2021, count), rng.integers(1960, 2000, count))
            ids, albums = _ids(rng, count), _ids(rng, count)
            for i in range(count):
                n = start + i
                artists = [names[n % len(names)]]
                if text.random() < 0.15:
                    artists.append(text.choice(names))
                year = int(years[i])
                writer.writerow(
                    (
                        ids[i],
                        _title(text, names),
                        f"{text.choice(ADJECTIVES)} {text.choice(NOUNS)}",
                        albums[i],
                        str(artists),
                        str([ids[i][::-1] for _ in artists]),
                        n % 12 + 1,
                        1,
                        "True" if text.random() < 0.25 else "False",
                        f"{np.clip(dance[i] / 100, 0, 1):.3f}",
                        f"{np.clip(energy[i] / 100, 0, 1):.3f}",
                        text.randrange(-1, 12),
                        f"{np.clip(loud[i], -60, 0):.3f}",
                        int(text.random() < 0.65),
                        f"{np.clip(speechiness[i] / 100, 0, 1):.4f}",
                        f"{np.clip(acoustic[i] / 100, 0, 1):.4f}",
                        f"{instrumental[i]:.6f}",
                        f"{np.clip(live[i] / 100, 0, 1):.4f}",
                        f"{np.clip(valence[i] / 100, 0, 1):.4f}",
                        f"{np.clip(bpm[i], 40, 220):.3f}",
                        int(np.clip(length[i], 30, 900) * 1000),
                        text.choice((4, 4, 4, 4, 3, 5)),
                        year,
                        f"{year}-{text.randrange(1, 13):02d}-{text.randrange(1, 29):02d}"
                        if text.random() < 0.7
                        else year,
                    )
                )


def prepare(csv_path: Path, cache: Path) -> dict[str, Any]:
    """Read the file as a user's catalog is read (timed, peak memory), then write its cache as a build would."""
    from .. import index as index_cache
    from ..ann import choose_index
    from ..catalog import load_catalog
    from ..encoder import catalog_side, load_encoder
    from ..lookup import SongLookup
    from ..model import resolve_model
    from ..parser import IntentParser
    from ..profiles.default import DEFAULT
    from .scale import DIM, _build_index, _write_vectors

    started = time.perf_counter()
    catalog = load_catalog(csv_path)
    load_s, load_peak = time.perf_counter() - started, peak_rss_mb()
    table = catalog.songs
    source, model_hash = resolve_model(cache)
    encoder = load_encoder(source, model_hash, cache)
    fingerprint = index_cache.Fingerprint(
        catalog_sha256=catalog.sha256,
        profile=DEFAULT.name,
        template_version=DEFAULT.template_version,
        model=model_hash,
        encoder=catalog_side(encoder).name,
    )
    folder = index_cache.cache_folder(cache, fingerprint)
    data = Synthetic(len(table))
    started = time.perf_counter()
    vectors = _write_vectors(data, cache / "synthetic-vectors.npy")
    index = _build_index(data, choose_index(len(table), DIM))
    index_s = time.perf_counter() - started
    # As a build does before saving: the lookups' title keys go into the cache (SongTable.derived).
    SongLookup(table).derive_keys()
    IntentParser(table)
    index_cache.save(folder, fingerprint, index_cache.IndexData(songs=table, vectors=vectors, index=index))
    del vectors
    (cache / "synthetic-vectors.npy").unlink()
    return {
        "songs": len(table),
        "artists": len(np.unique(table.credits()[0])),  # credited: not the joined "A, B" a card shows
        "file_mb": round(csv_path.stat().st_size / 2**20, 1),
        "catalog_load_s": round(load_s, 1),
        "catalog_load_peak_rss_mb": round(load_peak, 1),
        "random_vectors_and_index_s": round(index_s, 1),
        "cache_mb": round(sum(f.stat().st_size for f in folder.iterdir()) / 2**20, 1),
    }


def load(csv_path: Path, cache: Path) -> dict[str, Any]:
    """Only the read, as a user's catalog is read: wall and CPU time (the machine is shared), peak memory."""
    from ..catalog import load_catalog

    del cache  # every step takes the same arguments; reading needs no cache
    started, cpu = time.perf_counter(), time.process_time()
    catalog = load_catalog(csv_path)
    return {
        "songs": len(catalog.songs),
        "catalog_load_s": round(time.perf_counter() - started, 1),
        "catalog_load_cpu_s": round(time.process_time() - cpu, 1),
        "catalog_load_peak_rss_mb": round(peak_rss_mb(), 1),
    }


def _shapes(artists: list[str], rng: random.Random) -> dict[str, list[str]]:
    """Requests of each shape the issue names, varied within the shape."""
    feature = (
        "calm acoustic songs",
        "fast songs over 140 bpm",
        "instrumental music for studying",
        "clean party songs",
        "sad songs in a minor key",
        "happy danceable songs under 3 minutes",
    )
    plain = (
        "songs about a long drive home at night",
        "something for a quiet sunday",
        "music for a first date",
        "songs that feel like the end of summer",
        "anything for a rainy afternoon",
        "a soundtrack for cooking",
    )
    return {
        "artist": [f"songs by {rng.choice(artists)}" for _ in range(QUERIES_PER_SHAPE)],
        "year": [f"songs from {rng.randrange(1965, 2021)}" for _ in range(QUERIES_PER_SHAPE)],
        "genre": [
            f"some {rng.choice(('hip hop', 'rock', 'jazz', 'edm', 'country', 'latin'))}"
            for _ in range(QUERIES_PER_SHAPE)
        ],
        "feature wishes": [feature[i % len(feature)] for i in range(QUERIES_PER_SHAPE)],
        "plain text": [plain[i % len(plain)] for i in range(QUERIES_PER_SHAPE)],
    }


def serve(csv_path: Path, cache: Path) -> dict[str, Any]:
    """Answer each request shape after encoding on the warm cache, then compare with scoring every song."""
    from ..engine import Recommender
    from ..request import Request

    recommender = Recommender.load(csv_path, cache_dir=cache)
    loaded_peak = peak_rss_mb()
    table = recommender.songs
    shapes = _shapes(table.artist_names(), random.Random(9))  # type: ignore[attr-defined]
    vectors = Synthetic(len(table)).queries(sum(map(len, shapes.values())))
    asked = [
        (shape, recommender.check_request(Request(text=text, k=K))) for shape, texts in shapes.items() for text in texts
    ]
    timings: dict[str, list[float]] = {shape: [] for shape in shapes}
    # CPU time beside wall time: on a shared machine the wall clock also counts other processes' turns.
    cpu: dict[str, list[float]] = {shape: [] for shape in shapes}
    served = []
    for (shape, request), vector in zip(asked, vectors, strict=True):
        started, started_cpu = time.perf_counter(), time.process_time()
        answer = recommender.complete(request, vector)
        timings[shape].append((time.perf_counter() - started) * 1000)
        cpu[shape].append((time.process_time() - started_cpu) * 1000)
        served.append([r.song.id for r in answer.results])
    serving_peak = peak_rss_mb()
    # Scoring every song: the ranker's exact path, reading every float vector (not what a server does).
    recommender.searcher.ranker.index = None  # type: ignore[attr-defined]
    recall: dict[str, list[float]] = {shape: [] for shape in shapes}
    for number, ((shape, request), vector) in enumerate(zip(asked, vectors, strict=True)):
        if number % QUERIES_PER_SHAPE < RECALL_QUERIES:
            truth = [r.song.id for r in recommender.complete(request, vector).results]
            recall[shape].append(len(set(truth) & set(served[number])) / max(len(truth), 1))
    return {
        "post_encode_ms": {
            shape: {
                "median": round(statistics.median(ms), 2),
                "p99": round(float(np.percentile(ms, 99)), 2),
                "n": len(ms),
            }
            for shape, ms in timings.items()
        },
        "post_encode_cpu_ms_median": {shape: round(statistics.median(ms), 2) for shape, ms in cpu.items()},
        "recall_at_10": {shape: round(float(np.mean(hits)), 4) for shape, hits in recall.items()},
        "recall_at_10_all": round(float(np.mean([h for hits in recall.values() for h in hits])), 4),
        "peak_rss_mb_loaded": round(loaded_peak, 1),
        "peak_rss_mb_serving": round(serving_peak, 1),
    }


def _step(step: str, csv_path: Path, cache: Path) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "recommender.benchmarks.serving",
            "--step",
            step,
            "--csv",
            str(csv_path),
            "--cache",
            str(cache),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"the {step} step failed: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(songs: int, folder: Path, catalog: Path | None = None, cold_repeats: int = 3) -> dict[str, Any]:
    """Write, prepare and serve a ``songs``-row catalog under ``folder`` (kept: the file and its cache)."""
    from .bench import _cold

    folder.mkdir(parents=True, exist_ok=True)
    csv_path, cache = folder / "tracks_features.csv", folder / "cache"
    cache.mkdir(exist_ok=True)
    # The model (and its converted copy) from the user's cache: assembling them again is not what is measured.
    from ..paths import cache_dir

    if not (cache / "models").exists():
        (cache / "models").symlink_to(cache_dir() / "models", target_is_directory=True)
    started = time.perf_counter()
    if not csv_path.exists():
        write(csv_path, songs, catalog)
    write_s = time.perf_counter() - started
    result: dict[str, Any] = {"songs_written": songs, "write_s": round(write_s, 1)}
    result |= _step("prepare", csv_path, cache)
    _progress(result)
    colds, failed = [], []
    for _ in range(cold_repeats):
        try:
            colds.append((_cold("model", "default", cache, csv_path), _cold("serve", "default", cache, csv_path)))
        except subprocess.CalledProcessError as error:  # reported, not hidden: a start that fails is a finding
            failed.append(f"exit {error.returncode}: {(error.stderr or '').strip().splitlines()[-1:]}")
    if colds:
        result["model_load_s"] = round(statistics.median(m[0] for m, _ in colds), 2)
        result["cold_start_s"] = round(statistics.median(c[0] for _, c in colds), 2)
        result["cold_start_vs_model_load"] = round(statistics.median(c[0] / m[0] for m, c in colds), 2)
        result["cold_start_peak_rss_mb"] = round(statistics.median(c[1] for _, c in colds), 1)
    result["cold_start_failures"] = failed
    _progress(result)
    result |= _step("serve", csv_path, cache)
    return result


def _progress(result: dict[str, Any]) -> None:
    """What is measured so far, on stderr: a run that fails later still leaves these."""
    print(json.dumps(result), file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--songs", type=int, default=1_204_025)
    parser.add_argument("--folder", type=Path, help="where the file and its cache go (kept for another run)")
    parser.add_argument("--step", choices=("load", "prepare", "serve"), help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cold-repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if args.step:
        step = {"load": load, "prepare": prepare, "serve": serve}[args.step]
        json.dump(step(args.csv, args.cache), sys.stdout)
    else:
        if args.folder is None:
            parser.error("--folder is required")
        json.dump(measure(args.songs, args.folder, cold_repeats=args.cold_repeats), sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
