"""The artist index finds exactly the names a full fuzzy scan finds, only faster."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from recommender.benchmarks.names import artist_names
from recommender.fuzzy import RatioIndex
from recommender.parser import ARTIST_CUTOFF, _artist_key

NAMES = [_artist_key(name) for name in artist_names(3000)]
INDEX = RatioIndex(NAMES, ARTIST_CUTOFF)
words = st.text(alphabet="abcdeilmnorstuy &5", min_size=1, max_size=24)


def scan(query: str, names: list[str]) -> set[str]:
    return {
        key for key, _, _ in process.extract(query, names, scorer=fuzz.ratio, score_cutoff=ARTIST_CUTOFF, limit=None)
    }


@settings(max_examples=300, deadline=None)
@given(st.one_of(words, st.sampled_from(NAMES)), st.integers(min_value=0, max_value=30))
def test_the_index_finds_what_a_full_scan_finds(query: str, cut: int) -> None:
    typed = query[:cut] + query[cut + 1 :] if len(query) > 3 else query  # a letter dropped, as people type
    assert {key for key, _ in INDEX.extract(typed)} == scan(typed, NAMES)


@given(st.lists(words, max_size=8), words)
def test_any_catalog_small_or_empty(names: list[str], query: str) -> None:
    assert {key for key, _ in RatioIndex(names, ARTIST_CUTOFF).extract(query)} == scan(query, names)
