"""Misspelled vocabulary words are read as the words they miss; everything else stays as typed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from recommender.parser import TYPOS
from recommender.typos import TypoReader, spellings


def test_spellings_expand_groups_classes_and_optional_parts() -> None:
    assert sorted(spellings(r"chill(?:ed|y)?|laid[- ]back")) == ["chill", "chilled", "chilly", "laid back", "laid-back"]


def test_a_word_missing_a_letter_is_respelled_and_a_right_word_is_not() -> None:
    reader = TypoReader([r"depress(?:ing|ed)|acoustic"])
    assert reader.fix("depresing acustic songs", [(0, 23)]) == "depressing acoustic songs"
    assert reader.fix("depressing acoustic songs", [(0, 25)]) is None


def test_only_the_free_stretches_are_respelled() -> None:
    reader = TypoReader([r"acoustic"])
    assert reader.fix("acustic acustic", [(8, 15)]) == "acustic acoustic"


@given(st.sampled_from(TYPOS.words))
def test_every_vocabulary_word_is_left_as_it_is(word: str) -> None:
    assert TYPOS.fix(f"some {word} songs", [(0, len(word) + 11)]) is None
