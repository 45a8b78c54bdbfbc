"""The Recommender on the real model and reference catalog: the published seed result, similar songs, search."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.encoder import TorchEncoder, embed_catalog
from recommender.engine import MAX_K, MAX_QUERY_CHARS, Recommender, RequestError
from recommender.profiles import get_profile
from recommender.profiles.seed import distance
from recommender.request import Request
from recommender.songs import song_key
from recommender.vocabulary import genre_families

pytestmark = pytest.mark.slow

PUBLISHED_QUERY = "a music about Drugs and in genre of hip hop"
PUBLISHED_TOP_10 = [
    ("Your Love Is My Drug", "Kesha", 0.8068),
    ("Overdose", "Ciara", 0.8073),
    ("Drip (feat. Migos)", "Cardi B", 0.9020),
    ("Me, Myself & I", "G-Eazy", 0.9146),
    ("Lemon", "N.E.R.D", 0.9183),
    ("Fancy", "Iggy Azalea", 0.9417),
    ("Rock That Body", "The Black Eyed Peas", 0.9536),
    ("TiK ToK", "Kesha", 0.9542),
    ("Love The Way You Lie", "Eminem", 0.9603),
    ("Starships", "Nicki Minaj", 0.9634),
]


def test_seed_profile_reproduces_the_published_result(seed_recommender: Recommender) -> None:
    results = seed_recommender.recommend(PUBLISHED_QUERY, k=10)
    assert [(r.song.title, r.song.artist) for r in results] == [
        (title, artist) for title, artist, _ in PUBLISHED_TOP_10
    ]
    for result, (title, _, published) in zip(results, PUBLISHED_TOP_10, strict=True):
        # Scores are similarities (higher is better) in every profile; the published distance is behind them.
        assert distance(result.score) == pytest.approx(published, abs=0.001), title
    assert [r.rank for r in results] == list(range(1, 11))


def test_seed_profile_keeps_every_row_of_the_file(seed_recommender: Recommender) -> None:
    assert len(seed_recommender.songs) == 603
    assert seed_recommender.profile.name == "seed"


def test_default_profile_uses_the_repaired_catalog(default_recommender: Recommender) -> None:
    assert len(default_recommender.songs) == 587
    assert default_recommender.profile.name == "default"


@pytest.mark.parametrize("profile", ["seed", "default"])
@pytest.mark.parametrize("k", [1, 5, 10, MAX_K])
def test_results_are_ranked_one_to_k(request: pytest.FixtureRequest, profile: str, k: int) -> None:
    recommender = request.getfixturevalue(f"{profile}_recommender")
    results = recommender.recommend("happy upbeat dance pop for a summer party", k=k)
    assert [r.rank for r in results] == list(range(1, k + 1))
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)  # higher is better, in every profile


def test_default_profile_scores_are_non_increasing_for_many_queries(default_recommender: Recommender) -> None:
    # Several of these name an artist, a year or a genre with fewer than 10 songs, so filters are relaxed.
    queries = [
        "sad acoustic songs",
        "hip hop about money",
        "calm piano",
        "songs like Adele",
        "latin reggaeton",
        "happy upbeat dance pop for a summer party",
        "Ed Sheeran songs from 2017",
        "rock songs from 2010 under 3 minutes",
    ]
    for query, results in zip(queries, default_recommender.recommend_many(queries, 10), strict=True):
        scores = [r.score for r in results]
        assert scores == sorted(scores, reverse=True), query
        assert [r.rank for r in results] == list(range(1, 11))
        assert len({song_key(r.song) for r in results}) == 10, query


def test_recommend_many_answers_like_recommend(default_recommender: Recommender) -> None:
    queries = ["sad acoustic songs", "loud party music"]
    together = default_recommender.recommend_many(queries, 5)
    for query, answer in zip(queries, together, strict=True):
        alone = default_recommender.recommend(query, 5)
        assert [r.song.id for r in answer] == [r.song.id for r in alone]


def test_request_vectors_are_the_models_own(seed_recommender: Recommender) -> None:
    """The reference encoder's length-grouped batches give what model.encode gives, one text or a padded batch."""
    texts = [
        "chill acoustic evening",
        "x",
        "upbeat Katy Perry tracks from 2013 for a long summer drive with friends",
    ] * 12
    seed_recommender.clear_query_cache()
    ours = seed_recommender.encode([f"{t} {i}" for i, t in enumerate(texts)])
    reference = torch_encoder(seed_recommender).model.encode(
        [f"{t} {i}" for i, t in enumerate(texts)], convert_to_numpy=True
    )
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)


def torch_encoder(recommender: Recommender) -> TorchEncoder:
    assert isinstance(recommender.encoder, TorchEncoder), "the seed profile runs on the exact encoder"
    return recommender.encoder


def test_offset_continues_the_ranking(default_recommender: Recommender) -> None:
    first = default_recommender.recommend("chill evening songs", 10)
    more = default_recommender.recommend("chill evening songs", 5, offset=5)
    assert [r.song.id for r in more] == [r.song.id for r in first[5:]]


def rows_of(recommender: Recommender, title: str, artist: str):  # type: ignore[no-untyped-def]
    return [s for s in recommender.songs if s.title == title and s.artist == artist]


@pytest.mark.parametrize("which", [0, 1])
def test_seed_similar_excludes_the_song_and_its_other_rows(seed_recommender: Recommender, which: int) -> None:
    rows = rows_of(seed_recommender, "Just the Way You Are", "Bruno Mars")
    assert [s.years for s in rows] == [(2010,), (2011,)]  # the song charted twice: two rows in seed
    results = seed_recommender.similar(rows[which], k=10)
    assert len(results) == 10
    assert [r.rank for r in results] == list(range(1, 11))
    assert not [r for r in results if song_key(r.song) == song_key(rows[0])]
    # by id as well
    by_id = seed_recommender.similar(rows[which].id, k=10)
    assert [r.song.id for r in by_id] == [r.song.id for r in results]


def test_default_similar_excludes_the_song(default_recommender: Recommender) -> None:
    [song] = rows_of(default_recommender, "Just the Way You Are", "Bruno Mars")
    assert song.years == (2010, 2011)
    results = default_recommender.similar(song, k=MAX_K)
    assert len(results) == MAX_K
    assert song.id not in [r.song.id for r in results]
    assert song_key(song) not in {song_key(r.song) for r in results}
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("profile", ["seed", "default"])
def test_find_songs_finds_love_the_way_you_lie(request: pytest.FixtureRequest, profile: str) -> None:
    recommender = request.getfixturevalue(f"{profile}_recommender")
    found = recommender.find_songs("love the way")
    assert ("Love The Way You Lie", "Eminem") in [(s.title, s.artist) for s in found[:3]]
    assert len({song_key(s) for s in found}) == len(found)  # each song once, however many rows it has


def test_find_songs_finds_the_song_without_features(default_recommender: Recommender) -> None:
    found = default_recommender.find_songs("Million Years Ago")
    assert found[0].title == "Million Years Ago" and found[0].artist == "Adele"
    assert found[0].features is None


def test_find_songs_limit_and_empty_query(default_recommender: Recommender) -> None:
    loves = default_recommender.find_songs("love", limit=4)
    # The catalog has far more than four songs with "love" in the title: the limit is met, not undershot.
    assert len(loves) == 4 and len({song_key(s) for s in loves}) == 4
    assert all("love" in s.title.casefold() for s in loves), [s.label for s in loves]
    popular = default_recommender.find_songs("", limit=5)
    assert len(popular) == 5
    assert all(s.features is not None for s in popular)


def test_resolve_song_by_id_and_by_title(default_recommender: Recommender) -> None:
    songs = default_recommender.songs
    assert default_recommender.resolve_song("song:3") == songs[3], "an autocomplete pick names its row"
    three = default_recommender.resolve_song(" 3 ")
    assert three is not None and three.label == "3 — Britney Spears", "a bare number is a title"
    [romance] = rows_of(default_recommender, "Bad Romance", "Lady Gaga")
    assert default_recommender.resolve_song("Bad Romance") == romance
    assert default_recommender.resolve_song("bad romance") == romance
    assert default_recommender.resolve_song("Bad Romance — Lady Gaga") == romance
    assert default_recommender.resolve_song("zzqqxx no such song") is None
    assert default_recommender.resolve_song(f"song:{len(songs) + 10}") is None


def test_resolve_song_by_id_in_seed(seed_recommender: Recommender) -> None:
    assert seed_recommender.resolve_song("song:54") == seed_recommender.songs[54]
    assert seed_recommender.resolve_song("Love The Way You Lie").artist == "Eminem"  # type: ignore[union-attr]


def test_results_carry_what_the_cli_prints(default_recommender: Recommender) -> None:
    [result] = default_recommender.recommend("sad piano ballad", k=1)
    data = result.as_dict()
    assert {"rank", "title", "artist", "year", "genre", "score", "features"} <= set(data)
    assert data["rank"] == 1 and data["title"] == result.song.title


@pytest.mark.parametrize(
    ("query", "k"),
    [("", 5), ("   \n\t ", 5), ("x" * (MAX_QUERY_CHARS + 1), 5), ("sad songs", 0), ("sad songs", MAX_K + 1)],
    ids=["empty", "blank", "too-long", "k-0", "k-too-big"],
)
def test_bad_requests_raise_request_error(default_recommender: Recommender, query: str, k: int) -> None:
    with pytest.raises(RequestError):
        default_recommender.recommend(query, k)


def test_similar_checks_k(default_recommender: Recommender) -> None:
    with pytest.raises(RequestError):
        default_recommender.similar(0, k=0)


def test_unknown_profile_is_a_request_error() -> None:
    with pytest.raises(RequestError, match="unknown profile"):
        Recommender.load(profile="fancy")


def test_the_catalog_is_embedded_in_chunks_as_in_one_call(
    default_recommender: Recommender, seed_recommender: Recommender, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [get_profile("default").describe(song) for song in default_recommender.songs[:24]]
    reference = torch_encoder(seed_recommender)
    whole = reference.model.encode(texts, batch_size=32, convert_to_numpy=True)
    monkeypatch.setattr("recommender.encoder.EMBED_CHUNK", 10)  # two whole chunks and a short one
    np.testing.assert_allclose(embed_catalog(reference, texts), whole, atol=1e-5)
    # The session's cached index was built by the default encoder: practically the same vectors.
    assert np.min(np.sum(np.asarray(default_recommender.vectors[:24]) * whole, axis=1)) >= 0.9995


@pytest.mark.slow
def test_a_song_named_in_free_text_gives_its_neighbours_never_itself(default_recommender: Recommender) -> None:
    answer = default_recommender.answer(Request(text="songs like Uptown Funk but slower", k=10))
    uptown = next(s for s in default_recommender.songs if s.title == "Uptown Funk")
    assert answer.seed_label == uptown.label
    assert all(r.song.title != "Uptown Funk" for r in answer.results)
    assert uptown.features is not None and uptown.features.bpm is not None
    limit = uptown.features.bpm
    bpms = [r.song.features.bpm if r.song.features else None for r in answer.results]
    assert all(bpm is not None and bpm <= limit for bpm in bpms), bpms


@pytest.mark.slow
@pytest.mark.parametrize(
    ("title", "family"), [("Con Calma - Remix", "latin"), ("Love The Way You Lie", "hip hop and rap")]
)
def test_songs_like_a_song_of_a_rare_family_come_from_that_family(
    default_recommender: Recommender, title: str, family: str
) -> None:
    """A fan who asks for songs like a reggaeton hit expects latin songs back, not the chart's pop."""
    seed = next(s for s in default_recommender.songs if s.title == title)
    results = default_recommender.similar(seed, k=10)
    kin = [r.song.label for r in results if any(family in genre_families(g) for g in r.song.genres)]
    assert len(kin) >= 6, [r.song.label for r in results]


@pytest.mark.slow
def test_songs_like_an_artist_come_from_other_artists(default_recommender: Recommender) -> None:
    answer = default_recommender.answer(Request(text="something like bruno mars", k=10))
    assert answer.seed_label == "Bruno Mars"
    assert len(answer.results) == 10
    assert all("Bruno Mars" not in r.song.artists for r in answer.results), [r.song.label for r in answer.results]


@pytest.mark.slow
def test_an_excluded_artist_never_appears(default_recommender: Recommender) -> None:
    answer = default_recommender.answer(Request(text="canadian artists but not bieber", k=10))
    assert len(answer.results) == 10
    assert all("Justin Bieber" not in r.song.artists for r in answer.results)
    assert all(any("canadian" in g for g in r.song.genres) for r in answer.results)


@pytest.mark.slow
def test_a_symbol_bound_holds(default_recommender: Recommender) -> None:
    answer = default_recommender.answer(Request(text=">140bpm bangers", k=10))
    assert all(r.song.features and r.song.features.bpm and r.song.features.bpm > 140 for r in answer.results)


@pytest.mark.slow
def test_numbers_beside_feature_names_bound_every_answer(default_recommender: Recommender) -> None:
    answer = default_recommender.answer(Request(text="danceability 80+ with popularity under 60", k=10))
    got = [(r.song.features.danceability, r.song.features.popularity) for r in answer.results if r.song.features]
    assert len(got) == 10 and all(d is not None and p is not None and d >= 80 and p <= 60 for d, p in got), got


@pytest.mark.slow
def test_what_the_catalog_lacks_is_said_and_the_rest_followed(default_recommender: Recommender) -> None:
    answer = default_recommender.answer(Request(text="jazz for a rainy day", k=10))
    assert answer.notes and "No jazz in this catalog" in answer.notes[0]
    calm = [r for r in answer.results if r.song.features and (r.song.features.energy or 100) <= 60]
    assert len(calm) >= 8
    nothing = default_recommender.answer(Request(text="asdfgh qwerty", k=5))
    assert nothing.notes and "didn't recognise" in nothing.notes[0]
