"""Finnish sounds as phones of CMU's en-us acoustic model (ARPAbet), for forced alignment.

Finnish spelling is phonemic, so the sounds come from the spelling
(``lessons.finnish.syllables.segments``). Each sound becomes ONE phone, a long vowel or a
geminate included (tuuli → T UW L IY, kukka → K UW K AA): the length is what the quantity
check measures, so it must not be baked into the phone string. Two copies of a phone would
force a boundary in the middle, a minimum of twice the frames and an English triphone
context (UW-UW) that the model never saw. A diphthong is two phones (ai → AA IY). The
choices are documented with the reasons in docs/speech.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from lessons.finnish.syllables import Length, SegmentKind, segments

#: Finnish vowel → the nearest en-us vowel. Front/back pairs that Finnish keeps apart map
#: to different phones (a AA / ä AE, o AO / ö ER, u UW / y IH), so the acoustic model can
#: tell them apart at all; English has no front rounded vowels (docs/speech.md).
VOWELS: dict[str, str] = {
    "a": "AA",
    "e": "EH",
    "i": "IY",
    "o": "AO",
    "u": "UW",
    "y": "IH",
    "ä": "AE",
    "ö": "ER",
    "å": "AO",
}

CONSONANTS: dict[str, str] = {
    "p": "P",
    "t": "T",
    "k": "K",
    "b": "B",
    "d": "D",
    "g": "G",
    "s": "S",
    "f": "F",
    "h": "HH",
    "j": "Y",
    "l": "L",
    "m": "M",
    "n": "N",
    "r": "R",
    "v": "V",
    "w": "W",
    "z": "Z",
    "š": "SH",
    "ž": "ZH",
    "c": "K",
    "q": "K",
    "x": "K",
}
LONG_NASAL = "NG"


@dataclass(frozen=True)
class PhoneSpan:
    """The phones of one Finnish sound: ``segment_index`` into segments(text)."""

    segment_index: int
    phones: tuple[str, ...]


@dataclass(frozen=True)
class WordPhones:
    """One word of the target: its spelling, a decoder-safe name, and its sounds' phones."""

    text: str
    name: str
    sounds: tuple[PhoneSpan, ...]

    @property
    def phone_string(self) -> str:
        return " ".join(phone for sound in self.sounds for phone in sound.phones)


def sound_phones(
    sound: str, kind: SegmentKind, length: Length, next_letter: str
) -> tuple[str, ...]:
    """The phones of one Finnish sound (its spelling), given the letter after it."""
    if kind is SegmentKind.DIPHTHONG:
        return tuple(VOWELS[letter] for letter in sound)
    if kind is SegmentKind.VOWEL:
        return (VOWELS[sound[0]],)
    if sound == "ng" and length is Length.LONG:
        return (LONG_NASAL,)
    letter = sound[0]
    if letter == "n" and next_letter == "k":  # n before k is the velar nasal (kenkä)
        return (LONG_NASAL,)
    phone = CONSONANTS.get(letter)
    return (phone,) if phone else ()


def word_phones(text: str) -> list[WordPhones]:
    """The words of ``text`` with letters, each as its phones (words without letters, such
    as "112", are left out: their spoken form is not in the spelling)."""
    found = segments(text.lower())
    by_word: dict[int, list[tuple[int, PhoneSpan]]] = {}
    lowered = text.lower()
    for index, segment in enumerate(found):
        next_letter = lowered[segment.end] if segment.end < len(lowered) else ""
        phones = sound_phones(segment.text, segment.kind, segment.length, next_letter)
        if phones:
            by_word.setdefault(segment.word_index, []).append((index, PhoneSpan(index, phones)))
    words = []
    for word_index in sorted(by_word):
        spans = by_word[word_index]
        first, last = found[spans[0][0]], found[spans[-1][0]]
        spelling = lowered[first.start : last.end]
        words.append(
            WordPhones(
                text=spelling,
                name=f"w{word_index}_{'_'.join(span.phones[0] for _, span in spans)}".lower(),
                sounds=tuple(span for _, span in spans),
            )
        )
    return words
