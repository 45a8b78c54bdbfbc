"""Ranker filters on a tiny catalog: any chart year and any genre count, a song without labels never does."""

from __future__ import annotations

import numpy as np

from recommender.intent import Intent
from recommender.ranking import Membership, Ranker
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
