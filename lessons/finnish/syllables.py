"""Finnish syllables, vowel and consonant quantity, and sound segments for duration checks.

Syllabification follows the standard Finnish rules:

- consonant rule: a syllable boundary falls before the last consonant that precedes a
  vowel (ta-lo, kort-ti, tans-si, ken-gät); word-initial clusters of loan words stay
  together (truk-ki);
- vowel rule: a boundary falls between two vowels unless they form a long vowel or a
  diphthong. Diphthongs ending in i, u or y are diphthongs in every syllable
  (koi-ra, pa-lau-te); ie, uo and yö only in the first syllable (tie-to, but lat-ti-a).
  Vowel runs are read left to right, so a long vowel or diphthong takes its two vowels
  first (lau-an-tai, maa-il-ma, tau-on);
- hyphens and apostrophes always separate syllables (kir-ja-ar-vi-o, vaa-an).

The rules cannot see where the parts of a compound meet: "työtuoli" needs the boundary
työ|tuoli to keep "uo" a diphthong. Pass a hyphenator such as
``lessons.finnish.spelling.SpellChecker.hyphenate`` (Voikko knows compounds): its hyphens are
kept and the rules only split its pieces further. VISK § 22 allows a second reading
for some vowel pairs in later syllables (rak-ka-us beside rak-kaus); these rules, like
Voikko, read them as diphthongs.

Segments are the sounds whose durations matter. A long vowel ("uu") or a geminate
("kk") is one LONG segment; a geminate spans the syllable boundary and belongs to the
syllable it closes. A diphthong is one DIPHTHONG segment, always LONG: it is a
two-mora nucleus, timed like a long vowel, and its vowels cannot be lengthened.
"ng" before a vowel is one LONG consonant segment, the long velar nasal (ken-gät,
san-gen); "nk" is two short consonants.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

#: Turns a word into the same word with "-" between syllables (Voikko's hyphenate does).
Hyphenator = Callable[[str], str]

VOWELS = frozenset("aeiouyäöå")
_ANY_SYLLABLE_DIPHTHONGS = frozenset(
    {"ai", "ei", "oi", "ui", "yi", "äi", "öi", "au", "eu", "iu", "ou", "ey", "äy", "öy", "iy"}
)
_FIRST_SYLLABLE_DIPHTHONGS = frozenset({"ie", "uo", "yö"})
_PART_SEPARATORS = frozenset("-'\u2019")
_LONG_NASAL = "ng"

#: A word in running text: letters or digits, joined by inner hyphens, colons and
#: apostrophes ("WC-paperi", "WC:hen", "112:een", "vaa'an").
WORD_PATTERN = re.compile(r"\w+(?:[-:'\u2019]\w+)*")
_LETTERS = re.compile(r"[^\W\d_]+")

Span = tuple[int, int]


class Nucleus(StrEnum):
    SHORT = "short"
    LONG = "long"
    DIPHTHONG = "diphthong"


class Weight(StrEnum):
    LIGHT = "light"
    HEAVY = "heavy"


class SegmentKind(StrEnum):
    VOWEL = "vowel"
    DIPHTHONG = "diphthong"
    CONSONANT = "consonant"


class Length(StrEnum):
    SHORT = "short"
    LONG = "long"


@dataclass(frozen=True)
class SyllableQuantity:
    """One syllable split into onset, nucleus and coda, with its quantities.

    ``geminate_coda`` means the coda ends in the first half of a long consonant whose
    second half opens the next syllable (kuk-ka, ken-gät); ``geminate_onset`` is that
    second half.
    """

    text: str
    onset: str
    nucleus: str
    coda: str
    vowel: Nucleus
    geminate_onset: bool
    geminate_coda: bool

    @property
    def weight(self) -> Weight:
        heavy = bool(self.coda) or self.vowel is not Nucleus.SHORT
        return Weight.HEAVY if heavy else Weight.LIGHT


@dataclass(frozen=True)
class Segment:
    """One sound: ``text[start:end]`` of the analysed text, in word ``word_index``."""

    text: str
    kind: SegmentKind
    length: Length
    start: int
    end: int
    syllable_index: int
    word_index: int


def syllabify(word: str, hyphenate: Hyphenator | None = None) -> list[str]:
    """The syllables of one word, e.g. "kengät" -> ["ken", "gät"].

    Hyphens and apostrophes separate syllables and belong to none. Raises ValueError
    for anything but one word of letters, or for a part without a vowel ("WC").
    """
    return [word[start:end] for start, end in _word_syllables(word, hyphenate)]


def quantity_pattern(word: str, hyphenate: Hyphenator | None = None) -> list[SyllableQuantity]:
    """Nucleus length, geminates and weight of each syllable of one word."""
    spans = _word_syllables(word, hyphenate)
    pattern: list[SyllableQuantity] = []
    for index, (start, end) in enumerate(spans):
        first_vowel = next(i for i in range(start, end) if _is_vowel(word[i]))
        after_nucleus = next((i for i in range(first_vowel, end) if not _is_vowel(word[i])), end)
        geminate_onset = index > 0 and _long_consonant_between(word, spans[index - 1][1], start)
        geminate_coda = index + 1 < len(spans) and _long_consonant_between(
            word, end, spans[index + 1][0]
        )
        pattern.append(
            SyllableQuantity(
                text=word[start:end],
                onset=word[start:first_vowel],
                nucleus=word[first_vowel:after_nucleus],
                coda=word[after_nucleus:end],
                vowel=_nucleus_kind(word[first_vowel:after_nucleus]),
                geminate_onset=geminate_onset,
                geminate_coda=geminate_coda,
            )
        )
    return pattern


def segments(text: str, hyphenate: Hyphenator | None = None) -> list[Segment]:
    """The sound segments of a word or phrase, with offsets into ``text``.

    Words are numbered by ``word_index`` in the order WORD_PATTERN finds them;
    ``syllable_index`` counts within the word. Punctuation and spaces are not sounds.
    Words that do not spell their sounds out have no segments: numbers and forms like
    "112:een" or "WC:hen", and vowelless parts such as the "WC" of "WC-paperi".
    """
    result: list[Segment] = []
    for word_index, match in enumerate(WORD_PATTERN.finditer(text)):
        if not _spelled_out(match.group()):
            continue
        syllable_index = 0
        for part in _parts(text, *match.span()):
            if not _has_vowel(text, part):
                continue
            spans = _part_syllables(text, part, hyphenate)
            result.extend(_part_segments(text, spans, syllable_index, word_index))
            syllable_index += len(spans)
    return result


def _word_syllables(word: str, hyphenate: Hyphenator | None) -> list[Span]:
    if WORD_PATTERN.fullmatch(word) is None or not _spelled_out(word):
        raise ValueError(
            f"{word!r} is not one word of letters (only hyphens and apostrophes may join parts)"
        )
    spans: list[Span] = []
    for part in _parts(word, 0, len(word)):
        if not _has_vowel(word, part):
            raise ValueError(
                f"{word[slice(*part)]!r} in {word!r} has no vowel to make a syllable; "
                "write abbreviations out as they are pronounced"
            )
        spans.extend(_part_syllables(word, part, hyphenate))
    return spans


def _spelled_out(word: str) -> bool:
    return all(char.isalpha() or char in _PART_SEPARATORS for char in word)


def _parts(text: str, start: int, end: int) -> list[Span]:
    """The letter runs of a word, which hyphens and apostrophes separate."""
    return [match.span() for match in _LETTERS.finditer(text, start, end)]


def _is_vowel(char: str) -> bool:
    return char.lower() in VOWELS


def _has_vowel(text: str, span: Span) -> bool:
    return any(_is_vowel(char) for char in text[slice(*span)])


def _part_syllables(text: str, part: Span, hyphenate: Hyphenator | None) -> list[Span]:
    if hyphenate is None:
        return _rule_syllables(text, part)
    letters = text[slice(*part)]
    hyphenated = hyphenate(letters)
    pieces = hyphenated.split("-")
    if "".join(pieces) != letters or not all(any(map(_is_vowel, piece)) for piece in pieces):
        raise ValueError(
            f"hyphenator turned {letters!r} into {hyphenated!r}; "
            "it may only put hyphens between syllables"
        )
    spans: list[Span] = []
    start = part[0]
    for piece in pieces:
        # A hyphenator marks real boundaries but may skip some (Voikko leaves "tauon" whole).
        spans.extend(_rule_syllables(text, (start, start + len(piece))))
        start += len(piece)
    return spans


def _rule_syllables(text: str, part: Span) -> list[Span]:
    start, end = part
    nuclei = _nuclei(text, part)
    bounds = [start]
    for (_, previous_end), (next_start, _) in pairwise(nuclei):
        # One consonant or none: the boundary is right before the next nucleus's onset.
        bounds.append(max(previous_end, next_start - 1))
    bounds.append(end)
    return list(pairwise(bounds))


def _nuclei(text: str, part: Span) -> list[Span]:
    start, end = part
    nuclei: list[Span] = []
    index = start
    while index < end:
        if not _is_vowel(text[index]):
            index += 1
            continue
        pair = text[index : min(index + 2, end)].lower()
        size = 2 if _is_two_vowel_nucleus(pair, first_syllable=not nuclei) else 1
        nuclei.append((index, index + size))
        index += size
    return nuclei


def _is_two_vowel_nucleus(pair: str, *, first_syllable: bool) -> bool:
    if len(pair) != 2 or not all(char in VOWELS for char in pair):
        return False
    return (
        pair[0] == pair[1]
        or pair in _ANY_SYLLABLE_DIPHTHONGS
        or (first_syllable and pair in _FIRST_SYLLABLE_DIPHTHONGS)
    )


def _nucleus_kind(nucleus: str) -> Nucleus:
    if len(nucleus) == 1:
        return Nucleus.SHORT
    return Nucleus.LONG if nucleus[0].lower() == nucleus[1].lower() else Nucleus.DIPHTHONG


def _long_consonant(first: str, second: str, *, across_boundary: bool) -> bool:
    """Whether two adjacent letters are one long consonant: a geminate, or "ng" + vowel."""
    first, second = first.lower(), second.lower()
    if first in VOWELS or not first.isalpha():
        return False
    return first == second or (across_boundary and first + second == _LONG_NASAL)


def _long_consonant_between(word: str, end: int, next_start: int) -> bool:
    """Whether a long consonant runs from the syllable ending at ``end`` into the next."""
    return end == next_start and _long_consonant(  # no hyphen or apostrophe between them
        word[end - 1], word[next_start], across_boundary=True
    )


def _part_segments(
    text: str, syllables: list[Span], first_syllable_index: int, word_index: int
) -> list[Segment]:
    owner = {
        position: first_syllable_index + number
        for number, (start, end) in enumerate(syllables)
        for position in range(start, end)
    }
    end = syllables[-1][1]
    result: list[Segment] = []
    position = syllables[0][0]
    while position < end:
        following = position + 1
        in_syllable = following < end and owner[following] == owner[position]
        if _is_vowel(text[position]):
            size = 2 if in_syllable and _is_vowel(text[following]) else 1
            kind = SegmentKind.VOWEL
            if size == 2 and _nucleus_kind(text[position : following + 1]) is Nucleus.DIPHTHONG:
                kind = SegmentKind.DIPHTHONG
        else:
            long = following < end and _long_consonant(
                text[position], text[following], across_boundary=not in_syllable
            )
            size = 2 if long else 1
            kind = SegmentKind.CONSONANT
        result.append(
            Segment(
                text=text[position : position + size],
                kind=kind,
                length=Length.LONG if size == 2 else Length.SHORT,
                start=position,
                end=position + size,
                syllable_index=owner[position],
                word_index=word_index,
            )
        )
        position += size
    return result
