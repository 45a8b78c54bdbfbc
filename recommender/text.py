"""Request text as the library accepts it: one normal form, nothing invisible, then the empty and length checks.

Requests arrive from terminals (invalid UTF-8 in argv becomes lone surrogates), from Discord
(zero-width and bidi characters, pasted colour codes) and from library callers. The tokenizer
raises on a lone surrogate, and characters nobody can see make a request look empty to a person
but not to the model, so every request passes through ``clean_request`` before anything else.
"""

from __future__ import annotations

import re
import unicodedata

# ECMA-48 sequences a terminal acts on: CSI (colours, cursor moves), OSC (titles, links) and the
# two-byte escapes. Removed whole: dropping only the ESC would leave "[31m" in the request.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI, also in its one-character C1 form
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, up to BEL or ST (or the end)
    r"|\x1b[ -/]*[0-~]"  # the rest: charset selection, keypad modes, ...
)
# Control (Cc), format (Cf: zero-width, bidi overrides, tags), surrogate (Cs), private-use (Co)
# and unassigned (Cn) code points carry nothing the model or a reader can use.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# What counts as content: a request of only combining marks is as empty as one of spaces.
_CONTENT_CATEGORIES = ("L", "N", "P", "S")
_REPLACEMENT = "\ufffd"


class RequestError(ValueError):
    """A request the recommender cannot answer as asked (empty, too long, unknown song, ...)."""


def normalize_text(text: str) -> str:
    """``text`` in NFKC with invisible and unusable characters removed and whitespace collapsed to single spaces.

    NFKC rather than NFC: fullwidth letters, ligatures and circled or superscript digits become
    the plain characters the catalog and the request parser know. Surrogate pairs are joined
    into the character they encode; lone surrogates (and the U+FFFD that marks text already
    lost) are dropped, as are ANSI escape sequences and control, format, private-use and
    unassigned code points. Whitespace controls (tab, newline) become spaces first.
    """
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    kept = "".join(
        " " if char.isspace() else char
        for char in _ANSI.sub("", joined)
        if char.isspace() or (char != _REPLACEMENT and unicodedata.category(char) not in _DROPPED_CATEGORIES)
    )
    # Normalised after the removals: a character dropped between a letter and its accent would otherwise
    # leave the pair uncomposed, and the same request would have two spellings.
    return " ".join(unicodedata.normalize("NFKC", kept).split())


def clean_request(text: object, max_chars: int) -> str:
    """The normalised request, or RequestError when it is not text, has no content or exceeds ``max_chars``."""
    if not isinstance(text, str):
        raise RequestError(f"the request must be text, not {type(text).__name__}")
    cleaned = normalize_text(text)
    if not any(unicodedata.category(char).startswith(_CONTENT_CATEGORIES) for char in cleaned):
        raise RequestError("the request is empty: describe a mood, an artist or a kind of song")
    if len(cleaned) > max_chars:
        raise RequestError(f"the request is {len(cleaned)} characters long; keep it under {max_chars}")
    return cleaned
