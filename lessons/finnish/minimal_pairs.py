"""Minimal pairs: forms that differ in the length of one sound, or in vowel quality.

Length pairs (the most of this module) differ in the length of one sound only:

tuli -> tuuli (a vowel lengthened), tuli -> tulli (a consonant doubled), kukka -> kuka
(a geminate shortened). Only spellings Finnish can have are produced:

- a diphthong's vowels are never lengthened (koira has no "kooira");
- a consonant alternates only between vowels (tu-li, kuk-ka), or, for k, p, t and s,
  between l, m, n or r and a vowel (kort-ti, lamp-pu, pank-ki); never word-initially;
- only k, p, t, s, l, r, m and n, the consonants Finnish doubles, alternate; "ng" is
  already the long velar nasal (kengät), not a doubled letter, so it stays;
- no letter is ever tripled, and a candidate must split into the same sounds as the
  word, one length apart, so no diphthong is created or broken (maailma -> "mailma"
  is left out).

Phrases work too: each neighbour changes one sound in one word.

Vowel-quality pairs differ only in front/back vowels, the contrasts learners mix up:
ä/a, ö/o, y/u (sää/saa, tähti/tahti, and kylä/kula, where vowel harmony moves every
such vowel of the word). See :func:`is_vowel_quality_pair`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from lessons.finnish.syllables import (
    VOWELS,
    WORD_PATTERN,
    Length,
    Segment,
    SegmentKind,
    segments,
)

_ALTERNATING_CONSONANTS = frozenset("kptslrmn")
_AFTER_SONORANT = frozenset("kpts")
_SONORANTS = frozenset("lmnr")
# Segmenting alone allows "auuu" (au + uu) from "auu"; Finnish never writes a letter thrice.
_TRIPLED = re.compile(r"([^\W\d_])\1\1", re.IGNORECASE)


#: Each front vowel and its back counterpart; e and i have none.
FRONT_BACK_VOWELS: dict[str, str] = {"ä": "a", "ö": "o", "y": "u"}


class LengthChange(StrEnum):
    LENGTHENED = "lengthened"
    SHORTENED = "shortened"


@dataclass(frozen=True)
class Neighbour:
    """``text`` is the whole neighbour, ``word`` the changed word within it.

    ``segment_index`` points into ``segments(original)``; ``sound`` is that segment as
    written there ("uu") and ``replacement`` what stands in its place ("u").
    """

    text: str
    word: str
    segment_index: int
    sound: str
    replacement: str
    change: LengthChange
    kind: SegmentKind


def length_neighbours(word: str, is_word: Callable[[str], bool] | None = None) -> list[Neighbour]:
    """Every one-length-change neighbour of ``word``, in the order of its sounds.

    With ``is_word`` (e.g. ``SpellChecker.is_word``) only neighbours whose changed word
    it accepts are kept.
    """
    original = segments(word)
    neighbours: list[Neighbour] = []
    for index, segment in enumerate(original):
        replacement = _replacement(original, index)
        if replacement is None:
            continue
        text = word[: segment.start] + replacement + word[segment.end :]
        if _TRIPLED.search(text) or not _one_length_apart(original, segments(text), index):
            continue
        changed_word = _word_at(text, segment.word_index)
        if is_word is not None and not is_word(changed_word):
            continue
        neighbours.append(
            Neighbour(
                text=text,
                word=changed_word,
                segment_index=index,
                sound=segment.text,
                replacement=replacement,
                change=(
                    LengthChange.SHORTENED
                    if segment.length is Length.LONG
                    else LengthChange.LENGTHENED
                ),
                kind=segment.kind,
            )
        )
    return neighbours


def neighbours_with_overrides(
    word: str,
    extra: Iterable[str],
    forbidden: Iterable[str],
    is_word: Callable[[str], bool] | None = None,
) -> list[Neighbour]:
    """Neighbours as a pack lists them: ``extra`` ones kept even if ``is_word`` rejects
    them (a rare word Voikko lacks), ``forbidden`` ones dropped.

    Raises ValueError naming every listed form that is not a length neighbour of
    ``word`` at all, or that is both extra and forbidden.
    """
    extra_texts = list(dict.fromkeys(extra))
    forbidden_texts = list(dict.fromkeys(forbidden))
    candidates = length_neighbours(word)
    possible = {neighbour.text for neighbour in candidates}
    problems = [
        f"{text!r} ({role}) is not a length neighbour of {word!r}"
        for role, texts in (("extra", extra_texts), ("forbidden", forbidden_texts))
        for text in texts
        if text not in possible
    ]
    problems += [
        f"{text!r} is listed both as extra and as forbidden"
        for text in extra_texts
        if text in forbidden_texts
    ]
    if problems:
        raise ValueError("; ".join(problems))
    return [
        neighbour
        for neighbour in candidates
        if neighbour.text in extra_texts
        or (neighbour.text not in forbidden_texts and (is_word is None or is_word(neighbour.word)))
    ]


def _replacement(sounds: list[Segment], index: int) -> str | None:
    segment = sounds[index]
    if segment.kind is SegmentKind.DIPHTHONG:
        return None
    if segment.kind is SegmentKind.CONSONANT and not _consonant_alternates(sounds, index):
        return None
    if segment.length is Length.LONG:
        return segment.text[0]
    return segment.text + segment.text.lower()


def _consonant_alternates(sounds: list[Segment], index: int) -> bool:
    segment = sounds[index]
    letter = segment.text[0].lower()
    if letter not in _ALTERNATING_CONSONANTS or segment.text.lower() not in (letter, letter * 2):
        return False
    after = _adjacent(sounds, index, 1)
    before = _adjacent(sounds, index, -1)
    if after is None or before is None or not _is_vocalic(after):
        return False
    if _is_vocalic(before):
        return True
    before_sonorant = _adjacent(sounds, index - 1, -1)
    return (
        letter in _AFTER_SONORANT
        and before.text.lower() in _SONORANTS
        and before_sonorant is not None
        and _is_vocalic(before_sonorant)
    )


def _adjacent(sounds: list[Segment], index: int, step: int) -> Segment | None:
    """The neighbouring sound in the same word part, with no space, hyphen or apostrophe."""
    other = index + step
    if not 0 <= other < len(sounds):
        return None
    first, second = sorted((sounds[index], sounds[other]), key=lambda segment: segment.start)
    return sounds[other] if first.end == second.start else None


def _is_vocalic(segment: Segment) -> bool:
    return segment.kind is not SegmentKind.CONSONANT


def _one_length_apart(original: list[Segment], changed: list[Segment], index: int) -> bool:
    if len(original) != len(changed):
        return False
    return all(
        before.kind is after.kind
        and _base(before) == _base(after)
        and (before.length is after.length) == (position != index)
        for position, (before, after) in enumerate(zip(original, changed, strict=True))
    )


def _base(segment: Segment) -> str:
    """The sound without its length: "uu" -> "u", "kk" -> "k"; "ai" and "ng" stay."""
    text = segment.text.lower()
    return text[0] if len(text) == 2 and text[0] == text[1] else text


def _word_at(text: str, word_index: int) -> str:
    return [match.group() for match in WORD_PATTERN.finditer(text)][word_index]


@dataclass(frozen=True)
class VowelChange:
    """One vowel letter that differs between two texts, at ``position`` in both."""

    position: int
    first: str
    second: str
    word_index: int

    @property
    def front_to_back(self) -> bool:
        return FRONT_BACK_VOWELS.get(self.first) == self.second

    @property
    def back_to_front(self) -> bool:
        return FRONT_BACK_VOWELS.get(self.second) == self.first


def vowel_changes(first: str, second: str) -> list[VowelChange] | None:
    """The vowel letters in which two texts differ, when they differ in nothing else.

    Case is ignored. None when anything else differs: a consonant, a sound's length, the
    text's length, or the sounds themselves (a change that makes or breaks a diphthong).
    An empty list means the texts are the same.
    """
    one, other = (unicodedata.normalize("NFC", text).lower() for text in (first, second))
    if len(one) != len(other):
        return None
    differing = [index for index, (a, b) in enumerate(zip(one, other, strict=True)) if a != b]
    if any(one[index] not in VOWELS or other[index] not in VOWELS for index in differing):
        return None
    if not differing:
        return []
    if not _same_sounds(segments(one), segments(other)):
        return None
    words = [match.span() for match in WORD_PATTERN.finditer(one)]
    return [
        VowelChange(
            position=index,
            first=one[index],
            second=other[index],
            word_index=next(n for n, (start, end) in enumerate(words) if start <= index < end),
        )
        for index in differing
    ]


def is_vowel_quality_pair(first: str, second: str) -> bool:
    """Whether the texts differ only in front/back vowel quality (ä/a, ö/o, y/u).

    Every changed vowel is in one word and goes the same way, front in one text and back
    in the other: sää/saa, tähti/tahti, kylä/kula. Lengths stay the same.
    """
    changes = vowel_changes(first, second)
    if not changes or len({change.word_index for change in changes}) != 1:
        return False
    return all(change.front_to_back for change in changes) or all(
        change.back_to_front for change in changes
    )


def _same_sounds(original: list[Segment], changed: list[Segment]) -> bool:
    return len(original) == len(changed) and all(
        (before.kind, before.length, before.start, before.end)
        == (after.kind, after.length, after.start, after.end)
        for before, after in zip(original, changed, strict=True)
    )
