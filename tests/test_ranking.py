"""Ranker filters on a tiny catalog (any chart year and any genre count, a song without labels never does),
and on a large synthetic one, where an IVF index proposes the candidates: same answers as scoring every song."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from recommender.ann import IndexChoice, build_index
from recommender.intent import Intent
from recommender.filters import Membership
from recommender.ranking import Ranker
from recommender.songs import song_key
from recommender.scale import HYBRID_INTENTS, Synthetic, SyntheticSongs, reference_songs
from recommender.songs import Features, Song

FEATURES = Features(bpm=120, energy=50, danceability=50, loudness=-6, liveness=10, valence=50, length=200,
                    acousticness=20, speechiness=5, popularity=50)


def song(i: int, genres: tuple[str, ...], years: tuple[int, ...]) -> Song:
    return Song(id=i, title=f"Song {i}", artist=f"Artist {i}", genres=genres, years=years, features=FEATURES)


SONGS = (
    song(0, ("dance pop", "latin"), (2012, 2013)),
    song(1, (), ()),
    song(2, ("electropop",), (2015,)),
    song(3, ("electro",), (2013,)),
)


def ranker() -> Ranker:
    vectors = np.random.default_rng(0).standard_normal((len(SONGS), 8)).astype(np.float32)
    return Ranker(SONGS, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


def test_membership_marks_songs_with_any_accepted_label() -> None:
    members = Membership([("a", "b"), (), ("c",), ("b",)])
    assert members.songs_with(lambda label: label == "b").tolist() == [True, False, False, True]
    assert members.songs_with(lambda label: False).tolist() == [False] * 4


def test_year_filter_accepts_any_chart_year() -> None:
    found = ranker().rank(Intent(text="x", years={2013}), np.zeros(8, np.float32), 2)
    assert sorted(r.song.id for r in found) == [0, 3]


def test_genre_filter_matches_whole_words_in_any_genre() -> None:
    found = ranker().rank(Intent(text="x", genre_keys=("electro", "latin")), np.zeros(8, np.float32), 2)
    assert sorted(r.song.id for r in found) == [0, 3]
    assert all("outside" not in reason for r in found for reason in r.reasons)


# --- large catalogs: an IVF index proposes candidates instead of every song being scored ----------


class RowsOnly:
    """Vectors that can be read by rows but not scanned whole, counting the rows read (a server maps them from disk)."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors
        self.shape = vectors.shape
        self.rows_read = 0

    def __getitem__(self, rows: object) -> np.ndarray:
        found = self.vectors[rows]
        self.rows_read += 1 if found.ndim == 1 else len(found)
        return found

    def __matmul__(self, other: object) -> np.ndarray:
        raise AssertionError("a large catalog must not be scanned whole")


@pytest.fixture(scope="module")
def large(reference_catalog: Path) -> tuple[SyntheticSongs, np.ndarray, faiss.Index]:
    """20,000 synthetic songs with real features, genres and years, and an IVF index over their vectors."""
    data = Synthetic(20_000)
    reference = reference_songs(reference_catalog)
    features, rows = data.features(reference.features)
    vectors = np.concatenate(list(data.vector_chunks()))
    index = build_index(vectors, IndexChoice("ivf", nlist=64, nprobe=8))
    return SyntheticSongs(features, rows, reference), vectors, index


def test_large_catalog_ranks_like_scoring_every_song(large: tuple[SyntheticSongs, np.ndarray, faiss.Index]) -> None:
    songs, vectors, index = large
    served, exact = Ranker(songs, RowsOnly(vectors), index), Ranker(songs, vectors)  # type: ignore[arg-type]
    queries = Synthetic(20_000).queries(8)
    overlaps = []
    for query in queries:
        for intent in HYBRID_INTENTS:
            found = served.rank(intent, query, 10)
            truth = exact.rank(intent, query, 10)
            overlaps.append(len({r.song.id for r in found} & {r.song.id for r in truth}) / 10)
            if intent.years:
                assert all(set(r.song.years) & intent.years for r in found), intent.text
            if intent.artists:
                assert {r.song.artist for r in found} == intent.artists
            if intent.wishes:
                assert all(r.reasons[-1].startswith(intent.wishes[0].label) for r in found), intent.text
    assert np.mean(overlaps) >= 0.95
    # Candidates are scored from the index's own codes: the float vectors are never read.
    assert served.vectors.rows_read == 0  # type: ignore[attr-defined]


def test_large_catalog_similar_like_scoring_every_song(large: tuple[SyntheticSongs, np.ndarray, faiss.Index]) -> None:
    songs, vectors, index = large
    served, exact = Ranker(songs, RowsOnly(vectors), index), Ranker(songs, vectors)  # type: ignore[arg-type]
    overlaps = []
    for seed in range(0, 20_000, 1_999):
        found = served.similar(songs[seed], 10, exclude={song_key(songs[seed])})
        truth = exact.similar(songs[seed], 10, exclude={song_key(songs[seed])})
        assert len(found) == 10 and seed not in {r.song.id for r in found}
        overlaps.append(len({r.song.id for r in found} & {r.song.id for r in truth}) / 10)
    # The served scores come from the index's 8-bit codes: near-ties may swap at the tenth place.
    assert np.mean(overlaps) >= 0.95


def test_a_narrow_filter_in_a_large_catalog_is_scored_exactly(large: tuple[SyntheticSongs, np.ndarray, faiss.Index]) -> None:
    songs, vectors, index = large
    served = Ranker(songs, RowsOnly(vectors), index)  # type: ignore[arg-type]
    found = served.rank(Intent(text="x", artists={"Artist 3"}), Synthetic(20_000).queries(1)[0], 10)
    # Artist 3 has twenty songs; the request asks for ten and gets that artist's ten nearest.
    assert len(found) == 10 and {r.song.artist for r in found} == {"Artist 3"}
