"""Song descriptions: the published seed template reproduced exactly, and ours for songs with and without features."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pandas as pd
import pytest

from recommender.catalog import load_catalog
from recommender.profiles import get_profile
from recommender.profiles.seed import SEED_BINS, seed_category, seed_text
from recommender.songs import Features, Song
from recommender.templates import TEMPLATE_VERSION
from recommender.templates import describe as default_text
from recommender.vocabulary import GENRES, SCALES

BAD_ROMANCE_SEED_TEXT = (
    "a Very Popular and Loud Instrumental music titled: Bad Romance, by : Lady Gaga released in : 2010, "
    "dance pop Genre Moderate Tempo, very High Energy and Moderate Dancability . it has Studio like Liveness "
    "and Happy/Uplifting Mood. Long Length and Electronic/Produced acousticness"
)


@pytest.mark.parametrize(
    ("feature", "value", "label"),
    [
        ("bpm", 120, "Moderate"),
        ("bpm", 120.5, "Upbeat"),
        ("bpm", 70, "Very Slow"),
        ("bpm", 0, "Very Slow"),
        ("bpm", 181, "Very Fast"),
        ("loudness", -3, "Loud"),
        ("loudness", -2, "Very Loud"),
        ("loudness", -6, "Moderate"),
        ("loudness", -60, "Very Quiet"),
        ("speechiness", 4, "Instrumental"),
        ("speechiness", 5, "Instrumental"),
        ("speechiness", 6, "Music-Dominant"),
        ("speechiness", 40, "Speech-Heavy:"),
        ("energy", 90, "High"),
        ("energy", 91, "very High"),
        ("liveness", 30, "Studio like"),
        ("valence", 61, "Happy/Uplifting"),
        ("length", 240, "Average"),
        ("acousticness", 70, "Mixed"),
        ("popularity", 71, "Very Popular"),
    ],
)
def test_seed_categories(feature: str, value: float, label: str) -> None:
    assert seed_category(feature, value) == label


@pytest.mark.parametrize("feature", sorted(SEED_BINS))
def test_seed_categories_are_pandas_cut_right_inclusive_bins(feature: str) -> None:
    bins, labels = SEED_BINS[feature]
    low = -60 if feature == "loudness" else 0
    values = [low + step / 2 for step in range(0, 2 * (400 - low))]  # every half unit, all bin edges included
    expected = pd.cut(pd.Series(values), bins=list(bins), labels=list(labels), right=True)
    assert [seed_category(feature, v) for v in values] == [str(label) for label in expected]


@pytest.fixture(scope="module")
def raw_reference(reference_catalog: Path):
    return load_catalog(reference_catalog, raw=True)


def test_seed_text_of_bad_romance_is_the_published_text(raw_reference) -> None:
    [bad_romance] = [s for s in raw_reference.songs if s.title == "Bad Romance"]
    assert seed_text(bad_romance) == BAD_ROMANCE_SEED_TEXT
    assert get_profile("seed").describe(bad_romance) == BAD_ROMANCE_SEED_TEXT


def test_seed_text_describes_every_raw_row(raw_reference) -> None:
    texts = [seed_text(s) for s in raw_reference.songs]
    assert len(texts) == 603
    [adele] = [t for s, t in zip(raw_reference.songs, texts, strict=True) if s.title == "Million Years Ago"]
    # The published system described its row of zeros as very slow and very quiet; seed keeps that.
    assert "Very Quiet" in adele and "Very Slow Tempo" in adele


def features(**values: float) -> Features:
    base = dict(
        bpm=128,
        energy=85,
        danceability=80,
        loudness=-4,
        liveness=10,
        valence=70,
        length=200,
        acousticness=5,
        speechiness=4,
        popularity=80,
    )
    return Features(**{**base, **values})


FEATURE_WORDS = (
    "slow",
    "fast",
    "quiet",
    "loud",
    "BPM",
    "energy",
    "danceable",
    "acoustic",
    "recording",
    "chill",
    "party",
)


def test_default_text_of_a_song_without_features_has_no_feature_words() -> None:
    song = Song(id=0, title="Million Years Ago", artist="Adele", genres=("british soul",), years=(2016,), features=None)
    text = default_text(song)
    assert "Million Years Ago" in text and "Adele" in text and "british soul" in text and "2016" in text
    for word in FEATURE_WORDS:
        assert word.lower() not in text.lower(), word
    assert get_profile("default").describe(song) == text


def test_default_text_of_the_reference_song_without_features(reference_catalog: Path) -> None:
    [adele] = [s for s in load_catalog(reference_catalog).songs if s.title == "Million Years Ago"]
    text = default_text(adele)
    assert "Million Years Ago" in text and "Adele" in text and "british soul" in text
    for word in FEATURE_WORDS:
        assert word.lower() not in text.lower(), word


def test_default_text_describes_the_sound_of_a_measured_song() -> None:
    song = Song(
        id=1, title="Hype", artist="Someone", genres=("canadian hip hop",), years=(2014, 2015), features=features()
    )
    text = default_text(song)
    assert text.startswith('"Hype" by Someone, a canadian hip hop, hip hop and rap song from the mid 2010s (2014) and')
    assert "128 BPM" in text
    for name, scale in SCALES.items():
        if getattr(song.features, name) is not None:
            assert scale.describe(getattr(song.features, name)) in text, name
    assert "a party song" in text and "chill" not in text
    full = default_text(
        Song(1, "A", "B", (), (), features(instrumentalness=80, mode=0, explicit=0, key=1, time_signature=3))
    )
    assert "instrumental with no vocals" in full and "in C# minor" in full and "waltz" in full and "clean" in full


def test_default_text_calls_quiet_low_energy_songs_chill() -> None:
    song = Song(
        id=2,
        title="Soft",
        artist="Someone",
        genres=("folk",),
        years=(2012,),
        features=features(energy=30, loudness=-12),
    )
    text = default_text(song)
    assert "chill" in text and "party" not in text
    assert "quiet and soft" in text


def test_default_text_without_genre_or_year() -> None:
    song = Song(id=3, title="X", artist="Y", genres=(), years=(), features=None)
    text = default_text(song)
    assert text.startswith('"X" by Y')
    assert "None" not in text and "()" not in text


def test_seed_bins_never_leave_a_value_without_label() -> None:
    for feature, (bins, labels) in SEED_BINS.items():
        assert len(bins) == len(labels) + 1
        assert bins[-1] == math.inf, feature


def probe_songs() -> list[Song]:
    """Songs at every band of every scale, in every genre of the vocabulary: what any template change shows in."""
    base = {name: 0.0 for name in Features.__dataclass_fields__}
    songs: list[Song] = []
    for name, scale in SCALES.items():
        for value in (*(bound - 0.5 for bound in scale.bounds), scale.bounds[-1] + 0.5):
            features = Features(**{**base, name: value})
            songs.append(Song(len(songs), f"Probe {name} {value}", "Probe", (), (2015,), features))
    for genre in GENRES:
        for label in genre.labels:
            songs.append(Song(len(songs), f"Probe {label}", "Probe", (label,), (2010, 2019), None))
    return songs


# The descriptions of ``probe_songs`` for each TEMPLATE_VERSION: a cached index is keyed by the version, so a
# change to the template or the vocabulary behind it must come with a new version, or old vectors are served.
PROBE_DIGESTS = {3: "da0ab03df4b6e18d", 4: "d027b001513947fe", 5: "bd716e1cdaffcec2", 6: "852ab06df189e2e5"}


def test_a_change_to_song_descriptions_comes_with_a_new_template_version() -> None:
    text = "\n".join(default_text(song) for song in probe_songs())
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    version = TEMPLATE_VERSION + 1 if TEMPLATE_VERSION in PROBE_DIGESTS else TEMPLATE_VERSION
    assert PROBE_DIGESTS.get(TEMPLATE_VERSION) == digest, (
        f"song descriptions changed: TEMPLATE_VERSION = {version}, and add {{{version}: {digest!r}}} to PROBE_DIGESTS"
    )
