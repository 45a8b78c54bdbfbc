"""``Request.allow_explicit``: a server that turns explicit songs off never gets one, however few songs remain."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from tiny_recommender import HashEncoder, tiny_songs, unit_vector

from recommender.ann import IndexChoice, build_index
from recommender.engine import Recommender, RequestError
from recommender.intent import Intent
from recommender.profiles import ProfileName
from recommender.profiles.seed import SEED
from recommender.ranking import EXACT_POOL, Ranker
from recommender.request import Request
from recommender.songs import Features, Song

# The tiny catalog's songs 0-4 are marked explicit; only song 5 is clean.
CLEAN = 5


def marked(songs: list[Song], explicit: list[bool]) -> list[Song]:
    return [
        replace(s, features=replace(s.features, explicit=float(flag)) if s.features else None)
        for s, flag in zip(songs, explicit, strict=True)
    ]


def recommender_over(songs: list[Song], profile: ProfileName = "default") -> Recommender:
    vectors = np.stack([unit_vector(f"{s.title} {s.artist}") for s in songs])
    index = SEED.build_index(vectors) if profile == "seed" else None
    return Recommender(
        songs=songs, vectors=vectors, index=index, encoder=HashEncoder(), profile=profile, catalog=Path("tiny.csv")
    )


def mostly_explicit(profile: ProfileName = "default") -> Recommender:
    return recommender_over(marked(tiny_songs(), [n != CLEAN for n in range(6)]), profile)


@pytest.mark.parametrize("profile", ["default", "seed"])
@pytest.mark.parametrize(
    "request_",
    [
        Request(text="upbeat dance songs"),
        Request(text="explicit lyrics please", k=10),  # words never override the setting
        Request(text="songs by Adele"),  # a named artist with only explicit songs gives way, the setting does not
        Request(seed=0),
        Request(text="like Hello but faster"),
    ],
)
def test_no_explicit_song_is_given_even_when_one_song_is_left(request_: Request, profile: ProfileName) -> None:
    recommender = mostly_explicit(profile)
    allowed = recommender.answer(request_)
    assert any(r.song.is_explicit for r in allowed.results), "explicit songs are answers by default"
    clean = recommender.answer(replace(request_, allow_explicit=False))
    assert [r.song.id for r in clean.results] == [CLEAN]
    assert not clean.has_more


def test_pages_of_a_clean_request_stay_clean() -> None:
    songs = marked(tiny_songs(), [n % 2 == 0 for n in range(6)])
    recommender = recommender_over(songs)
    request = Request(text="pop songs", k=1, allow_explicit=False)
    pages = [recommender.answer(request.page(n)).results for n in range(4)]
    shown = [r.song.id for page in pages for r in page]
    assert sorted(shown) == [1, 3, 5], "every clean song once, then nothing"


def test_a_catalog_that_marks_nothing_is_unaffected() -> None:
    recommender = recommender_over(tiny_songs())
    for request in (Request(text="upbeat dance songs"), Request(seed=2)):
        assert recommender.answer(replace(request, allow_explicit=False)) == replace(
            recommender.answer(request), request=replace(recommender.check_request(request), allow_explicit=False)
        )


def test_allow_explicit_must_be_a_bool() -> None:
    with pytest.raises(RequestError, match="allow_explicit must be True or False"):
        mostly_explicit().answer(Request(text="songs", allow_explicit="no"))  # type: ignore[arg-type]


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    explicit=st.lists(st.booleans(), min_size=6, max_size=6),
    text=st.sampled_from(["songs", "clean songs", "explicit songs", "Adele", "from 2012", "not Adele", "sad"]),
    k=st.integers(1, 6),
    offset=st.integers(0, 6),
)
def test_a_clean_request_never_answers_with_an_explicit_song(
    explicit: list[bool], text: str, k: int, offset: int
) -> None:
    songs = marked(tiny_songs(), explicit)
    recommender = recommender_over(songs)
    answer = recommender.answer(Request(text=text, k=k, offset=offset, allow_explicit=False))
    assert not any(r.song.is_explicit for r in answer.results)
    # Filters are relaxed when nothing meets them, exclusions never: "not Adele" may leave only explicit songs.
    left = [s for s in songs if not s.is_explicit and not (text == "not Adele" and s.artist == "Adele")]
    if offset == 0 and left:
        assert answer.results, "a clean song is left, so the answer is not empty"


def test_a_large_catalogs_index_search_never_returns_an_explicit_song() -> None:
    """More clean songs than are scored exactly: the IVF index proposes the pool, searched with the mask as a bitmap."""
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((12_000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    clean = set(rng.choice(12_000, size=EXACT_POOL + 500, replace=False).tolist())
    songs = [
        Song(n, f"T{n}", f"A{n}", ("pop",), (2015,), Features(bpm=100.0, explicit=float(n not in clean)))
        for n in range(12_000)
    ]
    index = build_index(vectors, IndexChoice("ivf", nlist=16, nprobe=4))
    ranker = Ranker(songs, vectors, index)
    only_clean = Intent(text="", exclude_explicit=True)
    for query in vectors[:5]:
        found = ranker.rank(only_clean, query, 10)
        assert len(found) == 10 and {r.song.id for r in found} <= clean
    near = ranker.similar(songs[0], 10, exclude=set(), intent=only_clean)
    assert len(near) == 10 and {r.song.id for r in near} <= clean
