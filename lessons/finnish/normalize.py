"""Normalising typed Finnish answers so that only differences that matter count.

What is ignored: letter case, Unicode composition, quote style, punctuation and spacing.
Hyphens, dashes and colons count as spaces, so "WC-paperi" == "wc paperi" and
"WC:hen" == "wc hen"; both sides of a comparison are normalised the same way.
What is kept: every letter, with its diacritics. "sää" and "saa" are different words,
and so are "tuli" and "tuuli"; vowel and consonant length is never normalised away.
An apostrophe between two letters is kept as "'" because it marks a syllable
boundary in words like "vaa'an".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

APOSTROPHE = "'"
# Right/left single quotes, acute and grave accents, modifier letter apostrophe, prime:
# keyboards and phones type all of them for an apostrophe.
_APOSTROPHE_LIKE = str.maketrans(dict.fromkeys("\u2019\u2018\u00b4`\u02bc\u2032", APOSTROPHE))


def normalize_answer(text: str) -> str:
    """The comparable form of an answer: NFC, casefolded, punctuation as spaces, one space."""
    # casefold() can leave decomposed characters behind, so compose after it as well.
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
    folded = folded.translate(_APOSTROPHE_LIKE)
    kept: list[str] = []
    for index, char in enumerate(folded):
        category = unicodedata.category(char)
        if char == APOSTROPHE and _between_letters(folded, index):
            kept.append(char)
        elif category.startswith("P"):
            kept.append(" ")
        elif category != "Cf":  # soft hyphens and zero-width spaces come with pasted text
            kept.append(char)
    return " ".join("".join(kept).split())


def _between_letters(text: str, index: int) -> bool:
    return 0 < index < len(text) - 1 and text[index - 1].isalpha() and text[index + 1].isalpha()


def best_match(given: str, accepted: Iterable[str]) -> str | None:
    """The first accepted form, as written, that matches ``given``; None if none does.

    An answer that normalises to nothing (empty, only punctuation) matches nothing.
    """
    key = normalize_answer(given)
    if not key:
        return None
    for form in accepted:
        if normalize_answer(form) == key:
            return form
    return None


def answers_match(given: str, accepted: Iterable[str]) -> bool:
    """Whether ``given`` matches any accepted form after normalisation."""
    return best_match(given, accepted) is not None
