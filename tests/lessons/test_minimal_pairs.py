from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessons.finnish.minimal_pairs import (
    LengthChange,
    Neighbour,
    VowelChange,
    is_vowel_quality_pair,
    length_neighbours,
    neighbours_with_overrides,
    vowel_changes,
)
from lessons.finnish.spelling import SpellChecker
from lessons.finnish.syllables import Segment, SegmentKind, segments

V, C = SegmentKind.VOWEL, SegmentKind.CONSONANT
LONGER, SHORTER = LengthChange.LENGTHENED, LengthChange.SHORTENED


def texts(word: str) -> list[str]:
    return [neighbour.text for neighbour in length_neighbours(word)]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("tuli", ["tuuli", "tulli"]),
        ("tuuli", ["tuli"]),
        ("tulli", ["tuli"]),
        ("kuka", ["kukka"]),
        ("kukka", ["kuka", "kukkaa"]),
        ("tapan", ["tapaan"]),
        ("tapaan", ["tapan"]),
    ],
)
def test_real_word_neighbours(word: str, expected: list[str], voikko: SpellChecker) -> None:
    assert [n.text for n in length_neighbours(word, voikko.is_word)] == expected


def test_unfiltered_neighbours_of_tuli() -> None:
    assert length_neighbours("tuli") == [
        Neighbour("tuuli", "tuuli", 1, "u", "uu", LONGER, V),
        Neighbour("tulli", "tulli", 2, "l", "ll", LONGER, C),
        Neighbour("tulii", "tulii", 3, "i", "ii", LONGER, V),
    ]


def test_unfiltered_neighbours_of_kukka() -> None:
    assert length_neighbours("kukka") == [
        Neighbour("kuukka", "kuukka", 1, "u", "uu", LONGER, V),
        Neighbour("kuka", "kuka", 2, "kk", "k", SHORTER, C),
        Neighbour("kukkaa", "kukkaa", 3, "a", "aa", LONGER, V),
    ]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # no word-initial gemination
        ("kuka", ["kuuka", "kukka", "kukaa"]),
        ("tapaan", ["taapaan", "tappaan", "tapan"]),
        # a diphthong's vowels stay short
        ("koira", ["koirra", "koiraa"]),
        ("päivää", ["päivä"]),
        # "ng" is the long nasal already; "nk" does not double its n
        ("kengät", ["keengät", "kengäät"]),
        ("kenkä", ["keenkä", "kenkkä", "kenkää"]),
        # after l, m, n or r a stop or s alternates
        ("kortti", ["koortti", "korti", "korttii"]),
        ("lamppu", ["laamppu", "lampu", "lamppuu"]),
        # j and v never double
        ("aja", ["aaja", "ajaa"]),
        ("ovi", ["oovi", "ovii"]),
        # a word-initial vowel lengthens, keeping its case
        ("Ilo", ["Iilo", "Illo", "Iloo"]),
        # shortening aa would create the diphthong ai: not a length change
        ("maailma", ["maaiilma", "maailmaa"]),
        # nothing crosses a hyphen or an apostrophe
        ("vaa'an", ["va'an", "vaa'aan"]),
        # abbreviations and numbers spell no sounds out
        ("WC", []),
        ("112", []),
    ],
)
def test_unfiltered_neighbours(word: str, expected: list[str]) -> None:
    assert texts(word) == expected


def test_phrase_neighbours_name_the_changed_word(voikko: SpellChecker) -> None:
    found = length_neighbours("Hyvää päivää!", voikko.is_word)
    assert [(n.text, n.word, n.segment_index) for n in found] == [
        ("Hyvä päivää!", "Hyvä", 3),
        ("Hyvää päivä!", "päivä", 7),
    ]


def test_overrides_add_and_forbid(voikko: SpellChecker) -> None:
    found = neighbours_with_overrides("tuli", ["tulii"], ["tulli"], voikko.is_word)
    assert [n.text for n in found] == ["tuuli", "tulii"]


def test_overrides_without_a_dictionary() -> None:
    found = neighbours_with_overrides("tuli", ["tuuli"], ["tulii"])
    assert [n.text for n in found] == ["tuuli", "tulli"]


def test_overrides_report_every_problem_at_once() -> None:
    with pytest.raises(ValueError) as raised:
        neighbours_with_overrides("tuli", ["tuoli", "tulli", "tuli"], ["tulli", "kuka"])
    assert str(raised.value) == (
        "'tuoli' (extra) is not a length neighbour of 'tuli'; "
        "'tuli' (extra) is not a length neighbour of 'tuli'; "
        "'kuka' (forbidden) is not a length neighbour of 'tuli'; "
        "'tulli' is listed both as extra and as forbidden"
    )


TRIPLED = re.compile(r"(.)\1\1")
# Words made of Finnish letters, also ones Finnish would never spell, to hunt edge cases;
# only a tripled letter, which Finnish never writes, is left out.
words = st.text(alphabet="aeiouyäökptslmnrhvjgd", min_size=1, max_size=10).filter(
    lambda word: TRIPLED.search(word) is None
)
phrases = st.lists(words, min_size=1, max_size=3).map(" ".join)


def _shape(found: list[Segment]) -> list[tuple[SegmentKind, str]]:
    """Each sound without its length."""
    return [
        (s.kind, s.text.lower()[0] if len(set(s.text.lower())) == 1 else s.text.lower())
        for s in found
    ]


@given(phrases)
def test_every_neighbour_differs_in_exactly_one_length(text: str) -> None:
    before = segments(text)
    for neighbour in length_neighbours(text):
        after = segments(neighbour.text)
        assert _shape(after) == _shape(before)
        changed = [
            i for i, (b, a) in enumerate(zip(before, after, strict=True)) if b.length != a.length
        ]
        assert changed == [neighbour.segment_index]
        assert before[neighbour.segment_index].text == neighbour.sound
        assert after[neighbour.segment_index].text == neighbour.replacement
        assert after[neighbour.segment_index].kind is neighbour.kind


@given(phrases)
def test_a_neighbour_leads_back(text: str) -> None:
    for neighbour in length_neighbours(text):
        assert text in texts(neighbour.text)


@given(phrases)
def test_no_letter_is_ever_tripled(text: str) -> None:
    assert not any(TRIPLED.search(neighbour) for neighbour in texts(text))


@given(words)
def test_no_word_initial_gemination(word: str) -> None:
    if len(word) > 1 and word[0] != word[1]:
        for text in texts(word):
            assert not (text[0] not in "aeiouyäö" and text[0] == text[1])


@given(phrases)
def test_filtering_keeps_the_order_and_only_accepted_words(text: str) -> None:
    def even(word: str) -> bool:
        return len(word) % 2 == 0

    everything = length_neighbours(text)
    assert length_neighbours(text, even) == [n for n in everything if even(n.word)]
    assert [n.segment_index for n in everything] == sorted({n.segment_index for n in everything})


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("sää", "saa"),  # a long vowel is one sound: both letters change
        ("saa", "sää"),
        ("kyy", "kuu"),
        ("söi", "soi"),  # in a diphthong
        ("tähti", "tahti"),
        ("pöytä", "pouta"),  # vowel harmony: every front vowel of the word turns back
        ("Sää", "saa"),
        ("Sää on hyvä.", "Saa on hyvä."),
    ],
)
def test_front_and_back_vowels_make_a_quality_pair(first: str, second: str) -> None:
    assert is_vowel_quality_pair(first, second)
    assert second.lower() not in texts(first.lower())


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("tuli", "tuuli"),  # length, not quality
        ("sää", "sa"),
        ("säa", "saa"),  # two short vowels against one long one
        ("tuli", "tili"),  # i has no back counterpart
        ("kuka", "koka"),  # both back vowels
        ("sää", "sää"),
        ("kyla", "kulä"),  # one front-to-back change, one back-to-front
        ("Sää on hyvä.", "Saa on huva."),  # two words change
        ("tuli", "kala"),
        ("sää", "saat"),
    ],
)
def test_everything_else_is_not_a_quality_pair(first: str, second: str) -> None:
    assert not is_vowel_quality_pair(first, second)


def test_vowel_changes_name_each_changed_letter_and_its_word() -> None:
    assert vowel_changes("Hyvä sää", "hyvä saa") == [
        VowelChange(6, "ä", "a", 1),
        VowelChange(7, "ä", "a", 1),
    ]
    assert vowel_changes("tuli", "tili") == [VowelChange(1, "u", "i", 0)]
    assert vowel_changes("tuli", "tuuli") is None
    assert vowel_changes("tuli", "tuki") is None
    assert vowel_changes("sää", "sää") == []
