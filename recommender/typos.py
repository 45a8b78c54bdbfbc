"""Typos in the vocabulary's words: "depresing", "acustic", "romantik" read as the words they miss.

People type fast in chat. The vocabulary's regular expressions match exact spellings, so a word they
miss by a letter is read as nothing and the request falls back to its bare embedding. Here each
single word the vocabulary can match (its patterns' spellings, expanded) is a target; a word of a
request that no finder claimed, that is not one of those words and that is close to one of them
(``fuzz.ratio`` at least ``TYPO_CUTOFF``) is read as that word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process

__all__ = ["MIN_SWAP_LENGTH", "TYPO_CUTOFF", "TypoReader", "spellings"]

# fuzz.ratio between a typed word and a vocabulary word: 88 lets one letter in about eight be missing, doubled
# or swapped ("depresing" 95, "acustic" 93, "energic" 88), while everyday words stay apart ("lovely" and
# "lonely" 83, "studio" and "study" 73).
TYPO_CUTOFF = 88
# Shorter words have too many near neighbours to correct safely ("chil" could be "chill" or "chile").
MIN_LENGTH = 5
# Everyday request words that sit close to a vocabulary word and must stay as typed (the swapped-letter
# ones found against the model tokenizer's English words, tests/test_typos.py).
KEEP = frozenset(
    {
        "songs",
        "sound",
        "sounds",
        "dancer",
        "dancers",
        "partly",
        "parts",
        "party's",
        "nights",
        "christina",
        "energies",
        "signing",
        "trials",
    }
)
# Two neighbouring letters swapped ("alseep") cost a short word more than the ratio allows ("asleep" 83), so a
# swap that gives a vocabulary word exactly is read as it, from this length on: shorter everyday words swap
# into vocabulary words too often ("quite", "there", "trial").
MIN_SWAP_LENGTH = 6


def spellings(pattern: str, limit: int = 64) -> list[str]:
    """The strings a simple regular expression matches: literals, ``(?:a|b)`` groups, ``[ab]`` classes and
    ``?``. Anything fancier is read literally; ``limit`` caps the spellings of each alternative."""

    def sequence(i: int) -> tuple[list[str], int]:
        out = [""]
        while i < len(pattern) and pattern[i] not in "|)":
            if pattern.startswith("(?:", i):
                options, i = alternatives(i + 3)
            elif pattern[i] == "[" and "]" in pattern[i:]:
                end = pattern.index("]", i)
                options, i = list(pattern[i + 1 : end].replace("\\", "")), end + 1
            elif pattern[i] == "\\" and i + 1 < len(pattern):
                options, i = [pattern[i + 1]], i + 2
            else:
                options, i = [pattern[i]], i + 1
            if i < len(pattern) and pattern[i] == "?":
                options, i = [*options, ""], i + 1
            out = [a + b for a in out for b in options][:limit]
        return out, i

    def alternatives(i: int) -> tuple[list[str], int]:
        found: list[str] = []
        while True:
            options, i = sequence(i)
            found += options
            if i < len(pattern) and pattern[i] == "|":
                i += 1
                continue
            return found, i + 1 if i < len(pattern) and pattern[i] == ")" else i

    return alternatives(0)[0]


class TypoReader:
    """The vocabulary's single words, and the nearest of them to a word a request misspelled."""

    def __init__(self, patterns: Iterable[str]) -> None:
        words = {
            word
            for pattern in patterns
            for spelling in spellings(pattern)
            for word in spelling.split()
            if re.fullmatch(rf"[a-z]{{{MIN_LENGTH},}}", word)
        }
        self.words = sorted(words)
        self.known = frozenset(words)

    def fix(self, text: str, free: Iterable[tuple[int, int]], english: frozenset[str] = frozenset()) -> str | None:
        """``text`` with each misspelled vocabulary word in the ``free`` stretches respelled, or None when none is;
        a word of ``english`` is a word of its own, never a misspelling (the plural of a vocabulary word aside)."""
        fixed, changed = text, False
        for start, end in sorted(free, reverse=True):  # from the end, so earlier positions stay valid
            for match in reversed(list(re.finditer(rf"[a-z]{{{MIN_LENGTH},}}", text[start:end]))):
                word = match[0]
                if word in self.known or word in KEEP:
                    continue
                if word in english:
                    # An English word is meant as typed, but the plural of a vocabulary word is that word.
                    best = word[:-1] if word.endswith("s") and word[:-1] in self.known else None
                else:
                    best = self.swapped(word) or self.nearest(word)
                if best is not None:
                    at = start + match.start()
                    fixed = fixed[:at] + best + fixed[at + len(word) :]
                    changed = True
        return fixed if changed else None

    def nearest(self, word: str) -> str | None:
        """The vocabulary word nearest ``word`` by ``fuzz.ratio``, if one reaches ``TYPO_CUTOFF``."""
        near = process.extractOne(word, self.words, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
        return near[0] if near is not None else None

    def swapped(self, word: str) -> str | None:
        """The vocabulary word ``word`` is with two neighbouring letters swapped back, if there is one."""
        if len(word) < MIN_SWAP_LENGTH:
            return None
        for i in range(len(word) - 1):
            candidate = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            if candidate in self.known:
                return candidate
        return None
