"""The /help examples (recommender/examples.py): every kind present, each understood by the request parser."""

from __future__ import annotations

from pathlib import Path

from recommender.catalog import load_catalog
from recommender.examples import example_requests
from recommender.parser import IntentParser


def test_every_example_is_understood_by_the_parser(reference_catalog: Path) -> None:
    songs = load_catalog(reference_catalog).songs
    examples = example_requests(songs)
    assert {"mood", "energy", "tempo", "sound", "era", "genre", "artist", "together"} <= set(examples)
    parser = IntentParser(songs)
    for kind, texts in examples.items():
        for text in texts:
            assert parser.parse(text).describe(), f"{kind} example {text!r} is not understood"


def test_an_empty_catalog_still_gets_the_vocabulary_examples() -> None:
    assert set(example_requests([])) == {"mood", "activity", "energy", "tempo", "sound"}
