"""The one normaliser for person-facing free text, and the one way to compare names.

A facilitator must be able to tell two people apart on the attendance and consent
screens: "Ha\\u200bna" (a zero-width space), "\\u202eanaH" (shown right to left as "Hana")
and a Cyrillic "\u041d\u0430n\u0430" all look like "Hana". Every free-text field people read (chosen
names, group names, notes, reasons) goes through `plain_text`; names are compared by
`name_skeleton`.
"""

import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables

_SPACES = re.compile(r"\s+")
# A right-to-left override shows what follows it reversed, up to a pop or a line end.
_RIGHT_TO_LEFT_OVERRIDE = re.compile("\u202e([^\u202c\n]*)\u202c?")
_LINE_END_SPACES = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")


def _visible(char: str) -> bool:
    """Not a format character (zero-width, bidirectional controls, ...) nor a control
    character other than a line break or tab."""
    category = unicodedata.category(char)
    return category != "Cf" and (category != "Cc" or char in "\n\t")


def plain_text(value: str, *, multiline: bool = False) -> str:
    """Unicode NFKC; zero-width, bidirectional and other control characters removed; on
    one line, every run of white space one space and none around it (text under a
    right-to-left override is stored in the order it was shown); on several lines
    (notes), line breaks kept, trailing spaces and runs of blank lines trimmed."""
    text = unicodedata.normalize("NFKC", value or "")
    # Keep what the person saw: "\u202eanaH" is shown, and so stored, as "Hana".
    text = _RIGHT_TO_LEFT_OVERRIDE.sub(lambda match: match.group(1)[::-1], text)
    text = "".join(char for char in text if _visible(char))
    if not multiline:
        return _SPACES.sub(" ", text).strip()
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _LINE_END_SPACES.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


@lru_cache(maxsize=4096)
def _latin_lookalike(char: str) -> str:
    """The Latin letter `char` is drawn like (Cyrillic "\u0430" -> "a"), or `char` itself."""
    if char.isascii():
        return char
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin"])
    for entry in found or []:
        for glyph in entry["homoglyphs"]:
            if glyph["c"].isascii() and glyph["c"].isalnum():
                return glyph["c"]
    return char


def name_skeleton(value: str) -> str:
    """What a name looks like, for comparison only: normalised, case-folded, spaces
    removed, every letter replaced by the Latin letter it looks like. Two names with the
    same skeleton cannot be told apart on a screen."""
    text = plain_text(value).replace(" ", "")
    return "".join(_latin_lookalike(char) for char in text).casefold()
