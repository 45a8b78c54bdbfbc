"""How long understanding a request takes (everything but the model call), on the reference catalog and
on a synthetic one with as many artists as the biggest public datasets have.

Both catalogs get the same mix of requests (``names.requests``: a third plain mood text, the rest
naming their artists exactly, misspelt, two at once or excluded), timed one by one with
``IntentParser.parse`` and reported side by side as median and p99
(``python -m recommender.benchmarks.understanding --artists 100000``; ``musicrec bench`` includes it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..catalog import load_catalog
from ..cli import USER_ERRORS
from ..parser import IntentParser
from ..paths import resolve_catalog
from ..songs import Features, Song, SongTable
from .names import artist_names, requests

REQUESTS = 300


def _timings(parser: IntentParser, texts: Sequence[str]) -> dict[str, float]:
    parser.parse("warm up")
    ms = []
    for text in texts:
        started = time.perf_counter()
        parser.parse(text)
        ms.append((time.perf_counter() - started) * 1000)
    return {"median": round(statistics.median(ms), 3), "p99": round(float(np.percentile(ms, 99)), 3), "n": len(ms)}


def synthetic_table(artists: int) -> SongTable:
    """Two songs per artist, a few years and genres: enough for every part of the parser to have its catalog."""
    names = artist_names(artists)
    years = (2011, 2014, 2017, 2020)
    genres = (("pop",), ("hip hop",), ("indie rock",), ("edm",), ())
    return SongTable(
        Song(i, f"Track {i}", names[i // 2], genres[i % 5], (years[i % 4],), Features(energy=float(i % 100)))
        for i in range(2 * artists)
    )


def measure(reference: IntentParser, artists: int, count: int = REQUESTS) -> dict[str, Any]:
    """Parse time on ``reference`` and on a synthetic catalog of ``artists`` distinct artists, same request mix."""
    table = synthetic_table(artists)
    started = time.perf_counter()
    large = IntentParser(table)
    setup_s = time.perf_counter() - started
    return {
        "reference": {"artists": len(reference.artists), **_timings(reference, requests(reference.artists, count))},
        "synthetic": {
            "artists": len(large.artists),
            "parser_setup_s": round(setup_s, 2),
            **_timings(large, requests(table.artist_names(), count)),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artists", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args(argv)
    try:
        reference = IntentParser(load_catalog(resolve_catalog()).songs)
    except USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    json.dump(measure(reference, args.artists, args.requests), sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
