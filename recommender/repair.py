"""Text repairs for catalog fields: mojibake of two kinds, and the documented corrections file.

The reference catalog was once saved as cp1252 and then read back as GBK, so a
byte pair such as ``F1 6F`` ("ño") became one CJK character ("駉"). Encoding the
text as GBK again gives the original bytes back. ftfy handles the ordinary
UTF-8-read-as-latin-1 kind ("BeyoncÃ©") but not this one.
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import ftfy

CORRECTIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "corrections.csv"


def _is_cjk(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK", "FULLWIDTH", "IDEOGRAPHIC"))


def undo_gbk_mojibake(text: str) -> str | None:
    """The cp1252 text behind ``text`` if it is cp1252 read as GBK, else None.

    Genuine Chinese (GB2312) characters have both GBK bytes at 0xA1 or above, while a
    cp1252 accent followed by an ASCII letter gives a trail byte below 0x80. Requiring
    the latter for every CJK character keeps real Chinese titles untouched.
    """
    if not any(_is_cjk(c) for c in text):
        return None
    for char in text:
        if _is_cjk(char):
            try:
                encoded = char.encode("gbk")
            except UnicodeEncodeError:
                return None
            if len(encoded) != 2 or encoded[1] >= 0x80:
                return None
    try:
        return text.encode("gbk").decode("cp1252")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None


def load_corrections(path: Path = CORRECTIONS_FILE) -> dict[tuple[str, str], str]:
    """Title corrections keyed by (artist, title as it stands in the file)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {(row["artist"], row["title_in_file"]): row["title"] for row in rows}


def repair_text(text: str) -> tuple[str, str | None]:
    """The repaired text and the kind of repair made (None when it was fine)."""
    if text.isascii():  # both kinds of mojibake need non-ASCII characters
        return text, None
    fixed = undo_gbk_mojibake(text)
    if fixed is not None:
        return fixed, "mojibake (cp1252 read as GBK)"
    fixed = ftfy.fix_encoding(text)
    if fixed != text:
        return fixed, "mojibake (UTF-8/latin-1)"
    return text, None
