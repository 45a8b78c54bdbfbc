"""Request text at the library's edge: what reaches the model is visible, normal text, or a RequestError."""

from __future__ import annotations

import pytest

from recommender.engine import MAX_QUERY_CHARS, check_query
from recommender.text import RequestError, clean_request, normalize_text

CLEANED = {
    # A lone surrogate crashed the tokenizer (TypeError) and, through the micro-batcher, its whole batch.
    "lone-surrogate": ("chill \ud800", "chill"),
    # Invalid UTF-8 in argv: Python hands it over as surrogateescape code points (U+DC80-U+DCFF).
    "invalid-utf8-from-argv": (b"caf\xe9 \xff vibes".decode("utf-8", "surrogateescape"), "caf vibes"),
    "surrogate-pair-joined": ("\ud83c\udfb5 music", "\U0001f3b5 music"),
    "ansi-colours": ("\x1b[1;31msad\x1b[0m songs", "sad songs"),
    "ansi-title-sequence": ("\x1b]0;pwned\x07happy songs", "happy songs"),
    "right-to-left-override": ("\u202eacoustic\u202c evening", "acoustic evening"),
    "zero-width-inside-a-word": ("ch\u200bi\u200dll", "chill"),
    "byte-order-mark-and-replacement": ("\ufeffjazz\ufffd", "jazz"),
    "fullwidth-letters": ("ｓａｄ　ｓｏｎｇｓ", "sad songs"),
    "superscript-and-circled-digits": ("songs from 201⑤ ²", "songs from 2015 2"),
    "accent-split-by-a-zero-width-space": ("cafe\u200b\u0301", "café"),
    "whitespace-controls": ("rainy\tday\r\nsongs\x0b", "rainy day songs"),
    "other-controls": ("lo\x00fi\x7f beats\x9b", "lofi beats"),
    "private-use-and-unassigned": ("\ue000chill\U000f0000 \u0378pop", "chill pop"),
}


@pytest.mark.parametrize(("raw", "expected"), list(CLEANED.values()), ids=list(CLEANED))
def test_requests_are_normalised(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected
    assert check_query(raw) == expected


EMPTY = {
    "whitespace": " \t\n ",
    "zero-width-only": "\u200b\u200c\u200d\u2060\ufeff",
    "ansi-only": "\x1b[31m\x1b[0m",
    "bidi-only": "\u202e\u202d\u2066",
    "lone-surrogates-only": "\ud800\udfff",
    "combining-marks-only": "\u0301\u0308",
    "invalid-utf8-only": b"\xff\xfe".decode("utf-8", "surrogateescape"),
}


@pytest.mark.parametrize("raw", list(EMPTY.values()), ids=list(EMPTY))
def test_requests_with_nothing_visible_are_empty(raw: str) -> None:
    # Before: zero-width-only and ANSI-only requests were answered while whitespace-only was refused.
    with pytest.raises(RequestError, match="the request is empty"):
        check_query(raw)


def test_the_length_limit_counts_what_is_left() -> None:
    invisible_padding = "\u200b" * 5_000
    assert check_query(f"sad {invisible_padding}songs") == "sad songs"
    with pytest.raises(RequestError, match=f"{MAX_QUERY_CHARS + 1} characters long"):
        check_query("x" * (MAX_QUERY_CHARS + 1))
    assert len(check_query("x" * MAX_QUERY_CHARS)) == MAX_QUERY_CHARS


def test_a_request_that_is_not_text_is_a_request_error() -> None:
    for value in (None, 5, b"sad songs", ["sad"]):
        with pytest.raises(RequestError, match="must be text"):
            clean_request(value, MAX_QUERY_CHARS)
