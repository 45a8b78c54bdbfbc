"""Misspelled vocabulary words are read as the words they miss; everything else stays as typed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender.parser import TYPOS
from recommender.typos import KEEP, MIN_SWAP_LENGTH, TypoReader, spellings


def test_spellings_expand_groups_classes_and_optional_parts() -> None:
    assert sorted(spellings(r"chill(?:ed|y)?|laid[- ]back")) == ["chill", "chilled", "chilly", "laid back", "laid-back"]


def test_a_word_missing_a_letter_is_respelled_and_a_right_word_is_not() -> None:
    reader = TypoReader([r"depress(?:ing|ed)|acoustic"])
    assert reader.fix("depresing acustic songs", [(0, 23)]) == "depressing acoustic songs"
    assert reader.fix("depressing acoustic songs", [(0, 25)]) is None


def test_an_english_word_is_never_a_misspelling() -> None:
    reader = TypoReader([r"metal|flights?"])
    assert reader.fix("mental health fight song", [(0, 24)]) == "metal health flight song"
    assert reader.fix("mental health fight song", [(0, 24)], frozenset({"mental", "fight"})) is None
    assert reader.fix("flights", [(0, 7)], frozenset({"flights"})) is None, "a plural the vocabulary spells"
    assert TypoReader([r"guitar"]).fix("band w guitars", [(0, 14)], frozenset({"guitars"})) == "band w guitar"


@pytest.mark.slow
def test_the_models_words_keep_requests_as_typed(recommender: Any) -> None:
    """The real recommender reads its model's vocabulary as English: "mental health" is not metal."""
    for request, misread in (("mental health playlist", "metal"), ("fight song energy", "travel")):
        intent = recommender.understand(request)
        read = [intent.genre_label, *intent.concepts, *intent.notes, *(wish.label for wish in intent.wishes)]
        assert not any(misread in said.lower() for said in read), (request, read)


def test_only_the_free_stretches_are_respelled() -> None:
    reader = TypoReader([r"acoustic"])
    assert reader.fix("acustic acustic", [(8, 15)]) == "acustic acoustic"


@given(st.sampled_from(TYPOS.words))
def test_every_vocabulary_word_is_left_as_it_is(word: str) -> None:
    assert TYPOS.fix(f"some {word} songs", [(0, len(word) + 11)]) is None


def test_two_letters_swapped_are_swapped_back_in_a_long_enough_word() -> None:
    reader = TypoReader([r"fall(?:ing)? asleep|quiet"])
    assert reader.fix("music for falling alseep", [(0, 24)]) == "music for falling asleep"
    assert reader.fix("quite chill", [(0, 11)]) is None  # "quite" is a word of its own


@pytest.mark.slow
def test_no_english_word_is_respelled_as_a_swapped_vocabulary_word() -> None:
    """The model tokenizer's whole words stand in for an English word list (this machine has no other): none
    of six letters or more may read as a vocabulary word with two letters swapped, unless it is kept."""
    from recommender.model import resolve_model
    from recommender.paths import cache_dir

    vocabulary = json.loads((Path(resolve_model(cache_dir())[0]) / "tokenizer.json").read_text())["model"]["vocab"]
    entries = vocabulary if isinstance(vocabulary, dict) else [entry[0] for entry in vocabulary]
    english = {word for word in entries if re.fullmatch(rf"[a-z]{{{MIN_SWAP_LENGTH},}}", word)}
    respelled = {word: TYPOS.swapped(word) for word in english - TYPOS.known - KEEP if TYPOS.swapped(word) is not None}
    assert respelled == {}
