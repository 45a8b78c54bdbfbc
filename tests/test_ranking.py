"""Ranker filters on a tiny catalog (any chart year and any genre count, a song without labels never does),
and on a large synthetic one, where an IVF index proposes the candidates: same answers as scoring every song."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import pytest

from recommender import boost
from recommender.ann import IndexChoice, build_index
from recommender.benchmarks.scale import HYBRID_INTENTS, Synthetic, SyntheticSongs, reference_songs
from recommender.filters import Membership
from recommender.intent import Intent, Wish
from recommender.parser import IntentParser
from recommender.ranking import Ranker
from recommender.songs import Features, Song, song_key

FEATURES = Features(
    bpm=120,
    energy=50,
    danceability=50,
    loudness=-6,
    liveness=10,
    valence=50,
    length=200,
    acousticness=20,
    speechiness=5,
    popularity=50,
)


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
    # Songs carrying ("a", "b"), (), ("c",), ("b",): codes into the labels, cut by each song's end.
    members = Membership(["a", "b", "c"], np.array([0, 1, 2, 1]), np.array([2, 2, 3, 4]))
    assert members.songs_with(lambda label: label == "b").tolist() == [True, False, False, True]
    assert members.songs_with(lambda label: False).tolist() == [False] * 4
    assert members.songs_with_any({"c", "b", "not a label"}).tolist() == [True, False, True, True]


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

    def __getitem__(self, rows: Any) -> np.ndarray:
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
    assert index is not None
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


def test_a_narrow_filter_in_a_large_catalog_is_scored_exactly(
    large: tuple[SyntheticSongs, np.ndarray, faiss.Index],
) -> None:
    songs, vectors, index = large
    served = Ranker(songs, RowsOnly(vectors), index)  # type: ignore[arg-type]
    found = served.rank(Intent(text="x", artists={"Artist 3"}), Synthetic(20_000).queries(1)[0], 10)
    # Artist 3 has twenty songs; the request asks for ten and gets that artist's ten nearest.
    assert len(found) == 10 and {r.song.artist for r in found} == {"Artist 3"}


@pytest.fixture(scope="module")
def exhaustive_ivf(large: tuple[SyntheticSongs, np.ndarray, faiss.Index]) -> faiss.Index:
    """An IVF index over the same songs that probes every list with float vectors: its search is exact."""
    _, vectors, _ = large
    quantizer = faiss.IndexFlatIP(vectors.shape[1])
    index = faiss.IndexIVFFlat(quantizer, vectors.shape[1], 64, faiss.METRIC_INNER_PRODUCT)
    index.own_fields = True  # the index frees its quantizer, not Python (as ann.empty_ivf does)
    quantizer.this.disown()  # type: ignore[attr-defined]
    index.train(vectors)
    index.add(vectors)
    index.nprobe = 64
    index.make_direct_map()
    return index


FEATURE_INTENTS = [
    Intent(text="calm", wishes=[Wish("energy", "low", "calm")]),
    Intent(text="not sad", wishes=[Wish("valence", "not_low", "not sad")]),
    Intent(text="around 128 bpm", wishes=[Wish("bpm", "near", "around 128 bpm", 128.0)]),
    Intent(text="fast, over 140", wishes=[Wish("bpm", "high", "fast"), Wish("bpm", "min", "over 140", 140.0)]),
    Intent(text="calm and happy", wishes=[Wish("energy", "low", "calm"), Wish("valence", "high", "happy")]),
    Intent(text="loud and quiet", wishes=[Wish("loudness", "high", "loud"), Wish("loudness", "low", "quiet")]),
    Intent(text="calm artist 3", artists={"Artist 3"}, wishes=[Wish("energy", "low", "calm")]),
    Intent(text="calm from 2012", years={2012}, wishes=[Wish("energy", "low", "calm")]),
    # A concept's secondary trait weighs half ("relaxing acoustic"): the pool's floor must weigh it the same.
    Intent(
        text="relaxing acoustic",
        wishes=[
            Wish("energy", "low", "relaxing"),
            Wish("valence", "not_low", "relaxing", weight=0.5),
            Wish("acousticness", "high", "acoustic"),
        ],
    ),
    Intent(text="loud, a bit fast", wishes=[Wish("loudness", "high", "loud"), Wish("bpm", "high", "x", weight=0.5)]),
]


def test_a_wish_counts_by_its_weight() -> None:
    """A secondary trait at half weight cannot outvote a wish said outright."""
    acoustic_but_sad = track(0, "A", acousticness=90, valence=10)
    happy_but_electronic = track(1, "B", acousticness=25, valence=90)
    songs = [acoustic_but_sad, happy_but_electronic, track(2, "C", acousticness=20, valence=50)]
    songs.append(track(3, "D", acousticness=30, valence=30))
    ranker = ranker_with_scores(songs, [0.5] * len(songs))
    said = Wish("acousticness", "high", "acoustic")
    for weight, first in ((1.0, 1), (0.5, 0)):
        intent = Intent(text="acoustic, not sad", wishes=[said, Wish("valence", "high", "relaxing", weight=weight)])
        assert ranker.rank(intent, query(songs), 1)[0].song.id == first, weight


@pytest.mark.parametrize("intent", FEATURE_INTENTS, ids=lambda intent: intent.text)
def test_feature_wishes_in_a_large_catalog_rank_as_scoring_every_song_without_scoring_each_one(
    large: tuple[SyntheticSongs, np.ndarray, faiss.Index],
    exhaustive_ivf: faiss.Index,
    intent: Intent,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    songs, vectors, _ = large
    served, exact = Ranker(songs, RowsOnly(vectors), exhaustive_ivf), Ranker(songs, vectors)  # type: ignore[arg-type]
    scored: list[int] = []
    real = boost.wish_scores

    def counted(percentiles: np.ndarray, features: np.ndarray, ranked: Sequence[Wish], rows: Any) -> np.ndarray:
        found = real(percentiles, features, ranked, rows)
        scored.append(len(found))
        return found

    monkeypatch.setattr(boost, "wish_scores", counted)
    for query in Synthetic(20_000).queries(4):
        scored.clear()
        found = served.rank(intent, query, 10)
        truth = exact.rank(intent, query, 10)
        # The search is exact here, so the candidate pool must hold the exact answer, in its order.
        assert [r.song.id for r in found] == [r.song.id for r in truth], intent.text
        if len({w.feature for w in intent.wishes}) == 1 and intent.text != "loud and quiet":
            # One feature's wishes are answered from its sorted order: never a score for every song.
            assert scored and max(scored) < len(songs) / 4, intent.text


# --- relaxation, the per-artist cap, exclusions, reasons and seed-relative bounds --------------------


def measured(
    *, bpm: float = 120, energy: float = 50, valence: float = 50, loudness: float = -6, **rest: float
) -> Features:
    values = {"danceability": 50, "liveness": 10, "length": 200, "acousticness": 20, "speechiness": 5, "popularity": 50}
    return Features(bpm=bpm, energy=energy, valence=valence, loudness=loudness, **{**values, **rest})


def track(i: int, artist: str, *, genre: str = "pop", year: int = 2015, **features: float) -> Song:
    return Song(id=i, title=f"Track {i}", artist=artist, genres=(genre,), years=(year,), features=measured(**features))


def ranker_with_scores(songs: list[Song], scores: list[float]) -> Ranker:
    """A Ranker whose songs score ``scores`` against ``QUERY``: each vector is that much QUERY plus its own axis."""
    vectors = np.zeros((len(songs), len(songs) + 1), dtype=np.float32)
    for i, score in enumerate(scores):
        vectors[i, 0], vectors[i, i + 1] = score, np.sqrt(1 - score**2)
    return Ranker(songs, vectors)


def query(songs: list[Song]) -> np.ndarray:
    found = np.zeros(len(songs) + 1, dtype=np.float32)
    found[0] = 1
    return found


def outside(reasons: tuple[str, ...]) -> list[str]:
    return [reason for reason in reasons if reason.startswith("outside")]


# One song meets every filter of RELAXED_REQUEST; each other one misses exactly one, and the closer a song is to
# the words, the later the filter it misses gives way: only the relaxation order can put them in this order.
MISSES = ("nothing", "genre", "bounds", "year", "artist")
RELAXING = [
    track(0, "Adele", bpm=130),
    track(1, "Adele", genre="rock", bpm=130),
    track(2, "Adele", bpm=100),
    track(3, "Adele", year=2012, bpm=130),
    track(4, "Drake", bpm=130),
]
RELAXED_REQUEST = Intent(
    text="adele pop from 2015 over 120 bpm",
    artists={"Adele"},
    years={2015},
    year_label="year 2015",
    genre_keys=("pop",),
    genre_label="pop",
    wishes=[Wish("bpm", "min", "over 120 BPM", 120)],
)
# What each relaxed reason must name: the numbers, the genre, the year asked for, the artist.
RELAXED_WORDS = {"bounds": "numbers", "genre": "genre", "year": "2015", "artist": "artist"}


def test_filters_give_way_genre_first_then_bounds_then_year_then_artist() -> None:
    ranker = ranker_with_scores(RELAXING, [0.1, 0.6, 0.7, 0.8, 0.9])
    found = ranker.rank(RELAXED_REQUEST, query(RELAXING), len(RELAXING))
    assert [MISSES[r.song.id] for r in found] == list(MISSES)
    # A song found by relaxing never ranks above one that met more of the request.
    assert [r.score for r in found] == sorted((r.score for r in found), reverse=True)
    assert outside(found[0].reasons) == []
    for result in found[1:]:
        [reason] = outside(result.reasons)
        assert RELAXED_WORDS[MISSES[result.song.id]] in reason, result.reasons
        assert all(word not in reason for miss, word in RELAXED_WORDS.items() if miss != MISSES[result.song.id])


@pytest.mark.parametrize("k", range(1, len(RELAXING) + 1))
def test_only_as_much_is_relaxed_as_k_needs(k: int) -> None:
    ranker = ranker_with_scores(RELAXING, [0.1, 0.6, 0.7, 0.8, 0.9])
    found = ranker.rank(RELAXED_REQUEST, query(RELAXING), k)
    assert [MISSES[r.song.id] for r in found] == list(MISSES[:k])


@pytest.mark.parametrize(("strict", "tempos"), [(True, [151, 160]), (False, [150, 151, 160])])
def test_a_strict_bound_leaves_out_its_own_value(strict: bool, tempos: list[int]) -> None:
    """ "Over 150 bpm" is not a 150 BPM song; "150+ bpm" is."""
    songs = [track(i, f"Artist {i}", bpm=bpm) for i, bpm in enumerate([149, 150, 151, 160])]
    ranker = ranker_with_scores(songs, [0.4, 0.9, 0.5, 0.3])
    over = Intent(text="over 150 bpm", wishes=[Wish("bpm", "min", "over 150 BPM", 150, strict=strict)])
    found = ranker.rank(over, query(songs), len(tempos))
    assert sorted(r.song.features.bpm for r in found if r.song.features and r.song.features.bpm) == tempos


def test_a_word_about_a_piled_up_feature_is_read_by_its_value_too() -> None:
    """Most pop is produced: ranks put a song at acousticness 40 near the top. "Acoustic, happy" still wants
    the song that sounds acoustic over a happier one that is a little less produced than the rest."""
    songs = [track(0, "Polished", acousticness=40, valence=97), track(1, "Unplugged", acousticness=85, valence=75)]
    songs += [track(i, f"Produced {i}", acousticness=i, valence=58 + 2 * i) for i in range(2, 10)]
    ranker = ranker_with_scores(songs, [0.5] * len(songs))
    wishes = [Wish("acousticness", "high", "acoustic", outright=True), Wish("valence", "high", "happy", outright=True)]
    found = ranker.rank(Intent(text="acoustic, happy", wishes=wishes), query(songs), 1)
    assert found[0].song.artist == "Unplugged"


def test_a_word_said_prefers_a_song_on_its_side_of_the_scale() -> None:
    """Tied on ranks, "sad and energetic" takes the song in the scale's sad bands over one just outside them."""
    songs = [track(0, "Bittersweet", valence=47, energy=90), track(1, "Sad", valence=44, energy=89)]
    songs += [track(i, f"Other {i}", valence=60 + 3 * i, energy=30 + 3 * i) for i in range(2, 10)]
    ranker = ranker_with_scores(songs, [0.5] * len(songs))
    wishes = [Wish("valence", "low", "sad", outright=True), Wish("energy", "high", "energetic", outright=True)]
    found = ranker.rank(Intent(text="sad and energetic", wishes=wishes), query(songs), 1)
    assert found[0].song.artist == "Sad"


CAPPED = [track(i, "Adele") for i in range(6)] + [track(i, f"Other {i}") for i in range(6, 10)]


def test_at_most_three_songs_per_artist_unless_the_artist_was_named() -> None:
    ranker = ranker_with_scores(CAPPED, [0.9, 0.89, 0.88, 0.87, 0.86, 0.85, 0.2, 0.19, 0.18, 0.17])
    found = ranker.rank(Intent(text="songs"), query(CAPPED), 6)
    assert len(found) == 6 and [r.song.artist for r in found].count("Adele") == 3
    named = ranker.rank(Intent(text="adele", artists={"Adele"}), query(CAPPED), 6)
    assert [r.song.artist for r in named] == ["Adele"] * 6


def near_seed_ranker() -> Ranker:
    """CAPPED with Adele's songs next to each other in words and sound, the others far from them."""
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((len(CAPPED), 16)).astype(np.float32)
    vectors[:6] = vectors[0] + 0.05 * vectors[:6]
    songs = [replace(s, features=measured(bpm=90 + i, energy=30)) if i < 6 else s for i, s in enumerate(CAPPED)]
    return Ranker(songs, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


@pytest.mark.parametrize(
    "intent", [None, Intent(text="but calmer", wishes=[Wish("energy", "low", "calm")])], ids=["plain", "refined"]
)
def test_similar_keeps_the_artist_cap(intent: Intent | None) -> None:
    ranker = near_seed_ranker()
    seed = ranker.songs[0]
    found = ranker.similar(seed, 6, exclude={song_key(seed)}, intent=intent)
    assert len(found) == 6 and seed not in [r.song for r in found]
    assert [r.song.artist for r in found].count("Adele") == 3


EXCLUDING = [
    track(0, "Adele", genre="british soul", year=2011),
    track(1, "Adele", genre="british soul", year=2016),
    track(2, "Justin Bieber", genre="canadian pop", year=2015),
    track(3, "Justin Bieber", genre="canadian pop", year=2016),
    track(4, "Drake", genre="canadian hip hop", year=2016),
    track(5, "Drake", genre="canadian hip hop", year=2010),
]


@pytest.mark.parametrize(
    ("intent", "excluded"),
    [
        (Intent(text="canadian but not bieber", genre_keys=("canadian",), exclude_artists={"Justin Bieber"}), {2, 3}),
        (Intent(text="adele, no hip hop", artists={"Adele"}, exclude_genre_keys=("hip hop",)), {4, 5}),
        (Intent(text="2016, nothing from 2010 or 2011", years={2016}, exclude_years={2010, 2011}), {0, 5}),
    ],
    ids=["artist", "genre", "years"],
)
def test_exclusions_never_give_way_however_few_songs_remain(intent: Intent, excluded: set[int]) -> None:
    ranker = ranker_with_scores(EXCLUDING, [0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    # Asking for every song: the filters are relaxed to the end, the exclusions stay.
    found = ranker.rank(intent, query(EXCLUDING), len(EXCLUDING))
    assert {r.song.id for r in found} == set(range(len(EXCLUDING))) - excluded
    seed = EXCLUDING[1]
    near = ranker.similar(seed, len(EXCLUDING), exclude={song_key(seed)}, intent=intent)
    assert {r.song.id for r in near} == set(range(len(EXCLUDING))) - excluded - {seed.id}


# Column names a member never reads: a reason says "happy mood", "very acoustic", "rap-heavy" instead.
COLUMN_NAMES = re.compile(r"\b(valence|acousticness|speechiness|liveness|danceability)\b", re.IGNORECASE)
VARIED = [
    Song(
        id=i,
        title=f"Varied {i}",
        artist=f"Artist {i % 7}",
        genres=(("dance pop", "canadian hip hop", "british soul", "edm")[i % 4],),
        years=(2010 + i % 10,),
        features=Features(*(float(v) for v in row)),
    )
    for i, row in enumerate(
        np.column_stack(
            [
                np.linspace(70, 190, 24),  # bpm
                np.linspace(5, 98, 24)[::-1],  # energy
                np.linspace(20, 95, 24)[np.r_[12:24, 0:12]],  # danceability
                np.linspace(-15, -2, 24),  # loudness
                np.linspace(2, 80, 24)[np.r_[5:24, 0:5]],  # liveness
                np.linspace(3, 97, 24)[np.r_[18:24, 0:18]],  # valence
                np.linspace(130, 330, 24),  # length
                np.linspace(0, 95, 24)[np.r_[9:24, 0:9]],  # acousticness
                np.linspace(3, 45, 24)[np.r_[3:24, 0:3]],  # speechiness
                np.linspace(10, 99, 24),  # popularity
            ]
        ).round()
    )
]
PLAIN_WORDS_REQUESTS = [
    "calm",
    "energetic",
    "upbeat",
    "sad",
    "dark",
    "happy",
    "danceable",
    "acoustic",
    "electronic",
    "live",
    "rap-heavy",
    "loud",
    "quiet",
    "fast",
    "slow",
    "popular",
    "underground",
    "long songs",
    "short songs",
    "not sad",
    "not acoustic",
    "study",
    "sleep",
    "party",
    "summer",
    "heartbreak",
    "bops",
    "love songs",
    "over 120 bpm",
    "under 3 min",
    "about 100 bpm",
    "dance pop from 2013",
    "artist 3 but calmer",
    "jazz",
    "metal for the gym",
]


def test_reasons_use_plain_words_never_column_names() -> None:
    vectors = np.random.default_rng(2).standard_normal((len(VARIED), 16)).astype(np.float32)
    ranker = Ranker(VARIED, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    parser = IntentParser(VARIED)
    reasons: list[str] = []
    for text in PLAIN_WORDS_REQUESTS:
        intent = parser.parse(text)
        assert intent.wishes or intent.has_filters or intent.notes, text  # the request says something to explain
        reasons += [reason for r in ranker.rank(intent, vectors[0], 8) for reason in r.reasons]
        reasons += [reason for r in ranker.similar(VARIED[3], 5, {song_key(VARIED[3])}, intent) for reason in r.reasons]
    reasons += [reason for r in ranker.similar(VARIED[5], 8, {song_key(VARIED[5])}) for reason in r.reasons]
    assert len(set(reasons)) > 40  # the requests above did reach many kinds of reasons
    assert [reason for reason in reasons if COLUMN_NAMES.search(reason)] == []


@pytest.mark.parametrize(
    ("loud", "asked", "never"),
    [
        (True, "calm", "calm"),
        (True, "quiet", "quiet"),
        (True, "slow", "slow"),
        (False, "energetic", "energetic"),
        (False, "loud", "loud"),
        (False, "fast", "fast"),
    ],
)
def test_a_one_song_catalog_does_not_call_its_song_what_it_is_not(loud: bool, asked: str, never: str) -> None:
    """The only song is its catalog's middle on every feature; its reason must follow the scale, not the rank."""
    sound = measured(bpm=175, energy=95, loudness=-2) if loud else measured(bpm=70, energy=15, loudness=-14)
    only = [Song(0, "Only", "Solo", ("pop",), (2015,), sound)]
    intent = IntentParser(only).parse(asked)
    assert intent.wishes, asked
    [result] = Ranker(only, np.ones((1, 4), dtype=np.float32) / 2).rank(intent, np.ones(4, np.float32) / 2, 1)
    assert all(never not in reason for reason in result.reasons), result.reasons


def seed_relative_ranker() -> Ranker:
    """Twelve songs from 70 to 180 BPM and sad to happy; the seed (id 6) sits in the middle of both."""
    songs = [track(i, f"Artist {i}", bpm=70 + 10 * i, valence=5 + 8 * i) for i in range(12)]
    vectors = np.random.default_rng(3).standard_normal((len(songs), 16)).astype(np.float32)
    return Ranker(songs, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


@pytest.mark.parametrize(
    ("refinement", "feature", "side"),
    [
        ("but slower", "bpm", "below"),
        ("but faster", "bpm", "above"),
        ("but happier", "valence", "above"),
        ("but sadder", "valence", "below"),
    ],
)
def test_similar_with_a_wish_is_bounded_at_the_seeds_own_value(refinement: str, feature: str, side: str) -> None:
    ranker = seed_relative_ranker()
    seed = ranker.songs[6]
    intent = IntentParser(ranker.songs).parse(refinement)
    found = ranker.similar(seed, 5, {song_key(seed)}, intent)
    assert len(found) == 5 and seed not in [r.song for r in found]
    value = getattr(seed.features, feature)
    for result in found:
        theirs = getattr(result.song.features, feature)
        assert (theirs <= value) if side == "below" else (theirs >= value), (refinement, result.song.title, theirs)
        assert outside(result.reasons) == []


def test_slower_than_the_seed_leaves_out_songs_exactly_as_slow() -> None:
    # The seed (id 0) and a twin at its tempo, then four slower songs and six faster ones.
    bpms = [100, 100, 60, 70, 80, 90, 110, 120, 130, 140, 150, 160]
    songs = [track(i, f"Artist {i}", bpm=bpm, valence=50) for i, bpm in enumerate(bpms)]
    vectors = np.random.default_rng(5).standard_normal((len(songs), 16)).astype(np.float32)
    ranker = Ranker(songs, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    found = ranker.similar(songs[0], 4, {song_key(songs[0])}, IntentParser(songs).parse("but slower"))
    assert sorted(r.song.id for r in found) == [2, 3, 4, 5]


def _bpm(song: Song) -> float:
    assert song.features is not None and song.features.bpm is not None, song.title
    return song.features.bpm


def test_similar_says_so_when_the_seed_relative_bound_is_relaxed() -> None:
    ranker = seed_relative_ranker()
    seed = ranker.songs[2]  # only two songs are slower than it
    found = ranker.similar(seed, 5, {song_key(seed)}, IntentParser(ranker.songs).parse("but slower"))
    slower = [r for r in found if _bpm(r.song) <= _bpm(seed)]
    assert [r.song.id for r in slower] == [0, 1] and found[:2] == slower
    assert all(outside(r.reasons) for r in found[2:]) and all(not outside(r.reasons) for r in slower)


def test_a_wish_about_a_feature_the_catalog_lacks_is_said_not_silently_dropped() -> None:
    from recommender.profiles.default import HybridSearch

    no_popularity = Features(bpm=120, energy=50, danceability=50, loudness=-6, valence=50)
    songs = [
        Song(id=i, title=f"Song {i}", artist=f"Artist {i}", genres=(), years=(), features=no_popularity)
        for i in range(4)
    ]
    vectors = np.eye(4, 8, dtype=np.float32)

    def encode(texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.eye(1, 8, dtype=np.float32), (len(texts), 1))

    search = HybridSearch(songs, vectors, None, encode)
    intent = search.understand(["popular calm songs"], None)
    assert intent.notes == ["This catalog has no popularity, so that part of the request is left out:"]
    assert search.understand(["calm songs"], None).notes == []
    # "singalongs" asks for hits by way of a concept: the member said no popularity, so no note.
    assert search.understand(["singalongs"], None).notes == []


def mood_catalog() -> list[Song]:
    """Songs at every energy and valence from 5 to 95: a grid, so any answer's ends show."""
    grid = [(e, v) for e in range(5, 100, 10) for v in range(5, 100, 10)]
    return [
        Song(i, f"Song {i}", f"Artist {i}", (), (), features=replace(FEATURES, energy=e, valence=v))
        for i, (e, v) in enumerate(grid)
    ]


def test_a_negated_mood_keeps_away_from_it_without_asking_for_its_opposite() -> None:
    """ "Not too sad but mellow": no sad song, and among the rest the calmest first, not the happiest;
    "not too hype, not too sleepy": the middle of the energy scale, not one of its ends."""
    songs = mood_catalog()
    ranker = Ranker(songs, np.zeros((len(songs), 8), np.float32))
    mellow = Intent(text="x", wishes=[Wish("energy", "low", "calm"), Wish("valence", "not_low", "not sad")])
    found = [mood(r.song) for r in ranker.rank(mellow, np.zeros(8, np.float32), 10)]
    assert all(valence > 35 and energy <= 25 for energy, valence in found), found
    assert min(valence for _, valence in found) < 80  # not only the happiest songs
    middle = Intent(text="x", wishes=[Wish("energy", "not_high", "not hype"), Wish("energy", "not_low", "not sleepy")])
    found = [mood(r.song) for r in ranker.rank(middle, np.zeros(8, np.float32), 10)]
    assert all(35 <= energy <= 65 for energy, _ in found), found


def test_a_night_drive_is_dark_with_energy_from_the_middle_of_the_scale() -> None:
    """Neither the calmest songs (a night drive is not a lullaby) nor the most intense: dark songs with a pulse."""
    songs = mood_catalog()
    ranker = Ranker(songs, np.zeros((len(songs), 8), np.float32))
    intent = IntentParser(songs).parse("late night drive")
    found = [mood(r.song) for r in ranker.rank(intent, np.zeros(8, np.float32), 10)]
    assert all(valence <= 35 and 35 <= energy <= 75 for energy, valence in found), found


def test_songs_like_a_soul_ballad_share_its_genre_not_only_its_family() -> None:
    """Soul and R&B are one family when a filter widens, but a British soul ballad's neighbours are soul songs
    before a contemporary R&B song that is a little closer in numbers."""
    ballad = replace(FEATURES, energy=30, valence=20, acousticness=60)
    songs = [
        Song(0, "Seed", "A", ("british soul",), (2011,), ballad),
        Song(1, "Soul", "B", ("british soul",), (2014,), replace(ballad, energy=40)),
        Song(2, "R&B", "C", ("canadian contemporary r&b",), (2015,), replace(ballad, energy=34)),
        *(Song(i, f"Pop {i}", f"P{i}", ("dance pop",), (2012,), replace(FEATURES, energy=80)) for i in range(3, 12)),
    ]
    ranker = Ranker(songs, np.zeros((len(songs), 8), np.float32))
    found = [r.song.title for r in ranker.similar(songs[0], 2, exclude={song_key(songs[0])})]
    assert found == ["Soul", "R&B"]


def mood(song: Song) -> tuple[float, float]:
    assert song.features is not None and song.features.energy is not None and song.features.valence is not None
    return song.features.energy, song.features.valence


def test_like_a_song_but_not_from_a_year_leaves_that_year_out() -> None:
    """ "Like X but nothing from 2013": an exclusion alone, with no other filter, still applies to neighbours."""
    found = ranker().similar(SONGS[2], 3, {song_key(SONGS[2])}, Intent(text="x", exclude_years={2013}))
    # Song 3 charted in 2013 only; song 0 also in 2012, so it stays.
    assert sorted(r.song.id for r in found) == [0, 1]


def test_a_genre_with_few_songs_widens_to_its_family_before_giving_way() -> None:
    """Two r&b songs and k = 4: the soul songs (same family) come next, marked as kin; pop only after them."""
    rows = [("canadian contemporary r&b",), ("alternative r&b",), ("british soul",), ("pop",), ("british soul",)]
    songs = [Song(i, f"Song {i}", f"Artist {i}", genres, (2015,), FEATURES) for i, genres in enumerate(rows)]
    ranker = Ranker(songs, np.eye(len(songs), 8, dtype=np.float32))
    intent = IntentParser(songs).parse("r&b songs")
    found = ranker.rank(intent, np.zeros(8, np.float32), 4)
    assert [r.song.id for r in found][:2] in ([0, 1], [1, 0])
    assert sorted(r.song.id for r in found[2:4]) == [2, 4]
    assert any(reason.startswith("kin to r&b: british soul") for reason in found[2].reasons)
    assert IntentParser(songs).parse("hip hop").genre_family_keys == ()  # nothing wider to fall back on
