from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessons.finnish.spelling import SpellChecker
from lessons.finnish.syllables import (
    Length,
    Nucleus,
    Segment,
    SegmentKind,
    Weight,
    quantity_pattern,
    segments,
    syllabify,
)

# Syllabified by the standard rules; Voikko's hyphenator agrees on every one.
SYLLABLES = {
    # minimal pairs of length
    "tuli": "tu-li",
    "tuuli": "tuu-li",
    "tulli": "tul-li",
    "kuka": "ku-ka",
    "kukka": "kuk-ka",
    "tapaan": "ta-paan",
    "tapan": "ta-pan",
    # long vowels and geminates
    "kiitos": "kii-tos",
    "hyvää": "hy-vää",
    "aamu": "aa-mu",
    "uuni": "uu-ni",
    "tee": "tee",
    "banaani": "ba-naa-ni",
    "maanantai": "maa-nan-tai",
    "jääkaappi": "jää-kaap-pi",
    "kauppa": "kaup-pa",
    "hyllyssä": "hyl-lys-sä",
    "hotelli": "ho-tel-li",
    # consonant clusters split before their last consonant
    "kahvi": "kah-vi",
    "kahvila": "kah-vi-la",
    "kortti": "kort-ti",
    "tanssi": "tans-si",
    "tulkki": "tulk-ki",
    "ystävä": "ys-tä-vä",
    "ihminen": "ih-mi-nen",
    "sähköposti": "säh-kö-pos-ti",
    "perjantai": "per-jan-tai",
    "tiistai": "tiis-tai",
    "taksi": "tak-si",
    "kysymys": "ky-sy-mys",
    "käsi": "kä-si",
    "kypärä": "ky-pä-rä",
    "sukat": "su-kat",
    "ovi": "o-vi",
    "ilo": "i-lo",
    "ajatus": "a-ja-tus",
    # ng and nk
    "kengät": "ken-gät",
    "sangen": "san-gen",
    "kenkä": "ken-kä",
    "Helsinki": "Hel-sin-ki",
    "englanti": "eng-lan-ti",
    # diphthongs
    "koira": "koi-ra",
    "päivää": "päi-vää",
    "leipää": "lei-pää",
    "aika": "ai-ka",
    "poika": "poi-ka",
    "äiti": "äi-ti",
    "auto": "au-to",
    "koulu": "kou-lu",
    "leuka": "leu-ka",
    "löyly": "löy-ly",
    "viulu": "viu-lu",
    "palaute": "pa-lau-te",
    "seikkailu": "seik-kai-lu",
    "kirjeenvaihto": "kir-jeen-vaih-to",
    "sairaanhoitaja": "sai-raan-hoi-ta-ja",
    "hampurilainen": "ham-pu-ri-lai-nen",
    # ie, uo, yö: diphthongs in the first syllable only
    "työ": "työ",
    "yö": "yö",
    "suomi": "suo-mi",
    "kieli": "kie-li",
    "tuoli": "tuo-li",
    "muovi": "muo-vi",
    "tiedot": "tie-dot",
    "tietää": "tie-tää",
    "lattia": "lat-ti-a",
    "kahvia": "kah-vi-a",
    "keittiö": "keit-ti-ö",
    "asiakas": "a-si-a-kas",
    # vowels meeting across a syllable boundary
    "raitiovaunu": "rai-ti-o-vau-nu",
    "tauon": "tau-on",
    "lauantai": "lau-an-tai",
    "kauan": "kau-an",
    "ruoan": "ruo-an",
    "maailma": "maa-il-ma",
    "kaiuttaa": "kai-ut-taa",
    # compounds the rules get right on their own
    "työturvallisuus": "työ-tur-val-li-suus",
    "lattiakaivo": "lat-ti-a-kai-vo",
    "suojakäsineet": "suo-ja-kä-si-neet",
    # VISK § 22 also allows sai-ra-us; au is a diphthong by the standard list and Voikko
    "sairausloma": "sai-raus-lo-ma",
    "työpaikka": "työ-paik-ka",
    "työaika": "työ-ai-ka",
    "ensiapu": "en-si-a-pu",
    "pesuaine": "pe-su-ai-ne",
    "turvakengät": "tur-va-ken-gät",
    "hätäuloskäytävä": "hä-tä-u-los-käy-tä-vä",
    # loan words
    "pizza": "piz-za",
    "pizzeria": "piz-ze-ri-a",
    "kebab": "ke-bab",
    "trukki": "truk-ki",
    "lasagne": "la-sag-ne",
    "bussi": "bus-si",
    "stressi": "stres-si",
    "strategia": "stra-te-gi-a",
    # hyphens and apostrophes
    "kirja-arvio": "kir-ja-ar-vi-o",
    "vaa'an": "vaa-an",
}


def test_the_table_is_large_enough() -> None:
    assert len(SYLLABLES) >= 60


@pytest.mark.parametrize(("word", "expected"), SYLLABLES.items())
def test_syllabify_by_rules(word: str, expected: str) -> None:
    assert syllabify(word) == expected.split("-")


@pytest.mark.parametrize(("word", "expected"), SYLLABLES.items())
def test_syllabify_with_voikko(word: str, expected: str, voikko: SpellChecker) -> None:
    assert syllabify(word, voikko.hyphenate) == expected.split("-")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # ie/uo/yö open the second part of the compound: only the hyphenator knows that
        ("työtuoli", "työ-tuo-li"),
        ("hääyö", "hää-yö"),
        # the consonant rule would wrongly give kan-sa-ne-dus-ta-ja
        ("kansanedustaja", "kan-san-e-dus-ta-ja"),
    ],
)
def test_compound_boundaries_come_from_the_hyphenator(
    word: str, expected: str, voikko: SpellChecker
) -> None:
    assert syllabify(word, voikko.hyphenate) == expected.split("-")


def test_the_rules_split_what_the_hyphenator_leaves_whole() -> None:
    assert syllabify("tauon", lambda word: word) == ["tau", "on"]
    assert syllabify("työtuoli", lambda word: "työ-tuoli") == ["työ", "tuo", "li"]


@pytest.mark.parametrize("hyphenated", ["tyo-tuo-li", "työ-tu-o-li-", "työ--tuoli", "t-yötuoli"])
def test_a_hyphenator_that_changes_the_word_is_refused(hyphenated: str) -> None:
    with pytest.raises(ValueError, match="hyphenator turned 'työtuoli'"):
        syllabify("työtuoli", lambda word: hyphenated)


@pytest.mark.parametrize("word", ["", "hyvää päivää", "112", "WC:hen", "-ssa", "tuli!"])
def test_syllabify_refuses_anything_but_one_word(word: str) -> None:
    with pytest.raises(ValueError, match="is not one word of letters"):
        syllabify(word)


def test_syllabify_refuses_a_part_without_a_vowel() -> None:
    with pytest.raises(ValueError, match="'WC' in 'WC-paperi' has no vowel"):
        syllabify("WC-paperi")


def _pattern(word: str) -> list[tuple[str, str, str, Nucleus, bool, bool, Weight]]:
    return [
        (q.onset, q.nucleus, q.coda, q.vowel, q.geminate_onset, q.geminate_coda, q.weight)
        for q in quantity_pattern(word)
    ]


S, L, D = Nucleus.SHORT, Nucleus.LONG, Nucleus.DIPHTHONG
LIGHT, HEAVY = Weight.LIGHT, Weight.HEAVY


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("tuli", [("t", "u", "", S, False, False, LIGHT), ("l", "i", "", S, False, False, LIGHT)]),
        (
            "tuuli",
            [("t", "uu", "", L, False, False, HEAVY), ("l", "i", "", S, False, False, LIGHT)],
        ),
        ("tulli", [("t", "u", "l", S, False, True, HEAVY), ("l", "i", "", S, True, False, LIGHT)]),
        ("kuka", [("k", "u", "", S, False, False, LIGHT), ("k", "a", "", S, False, False, LIGHT)]),
        ("kukka", [("k", "u", "k", S, False, True, HEAVY), ("k", "a", "", S, True, False, LIGHT)]),
        (
            "tapaan",
            [("t", "a", "", S, False, False, LIGHT), ("p", "aa", "n", L, False, False, HEAVY)],
        ),
        (
            "koira",
            [("k", "oi", "", D, False, False, HEAVY), ("r", "a", "", S, False, False, LIGHT)],
        ),
        (
            "kengät",
            [("k", "e", "n", S, False, True, HEAVY), ("g", "ä", "t", S, True, False, HEAVY)],
        ),
        (
            "kenkä",
            [("k", "e", "n", S, False, False, HEAVY), ("k", "ä", "", S, False, False, LIGHT)],
        ),
        (
            "kortti",
            [("k", "o", "rt", S, False, True, HEAVY), ("t", "i", "", S, True, False, LIGHT)],
        ),
        (
            "lattia",
            [
                ("l", "a", "t", S, False, True, HEAVY),
                ("t", "i", "", S, True, False, LIGHT),
                ("", "a", "", S, False, False, LIGHT),
            ],
        ),
        ("työ", [("t", "yö", "", D, False, False, HEAVY)]),
        (
            "trukki",
            [("tr", "u", "k", S, False, True, HEAVY), ("k", "i", "", S, True, False, LIGHT)],
        ),
    ],
)
def test_quantity_pattern(
    word: str, expected: list[tuple[str, str, str, Nucleus, bool, bool, Weight]]
) -> None:
    assert _pattern(word) == expected


def test_no_geminate_across_a_hyphen() -> None:
    # "kirja-arvio": the two a's are separate syllables, not a long vowel, and the
    # hyphen keeps "ja" and "ar" apart
    pattern = quantity_pattern("kirja-arvio")
    assert [q.text for q in pattern] == ["kir", "ja", "ar", "vi", "o"]
    assert not any(q.geminate_coda or q.geminate_onset for q in pattern)


def _sounds(text: str) -> list[tuple[str, SegmentKind, Length, int]]:
    return [(s.text, s.kind, s.length, s.syllable_index) for s in segments(text)]


V, C, DI = SegmentKind.VOWEL, SegmentKind.CONSONANT, SegmentKind.DIPHTHONG
SHORT, LONG = Length.SHORT, Length.LONG


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("tuli", [("t", C, SHORT, 0), ("u", V, SHORT, 0), ("l", C, SHORT, 1), ("i", V, SHORT, 1)]),
        ("tuuli", [("t", C, SHORT, 0), ("uu", V, LONG, 0), ("l", C, SHORT, 1), ("i", V, SHORT, 1)]),
        ("tulli", [("t", C, SHORT, 0), ("u", V, SHORT, 0), ("ll", C, LONG, 0), ("i", V, SHORT, 1)]),
        ("kukka", [("k", C, SHORT, 0), ("u", V, SHORT, 0), ("kk", C, LONG, 0), ("a", V, SHORT, 1)]),
        (
            "koira",
            [("k", C, SHORT, 0), ("oi", DI, LONG, 0), ("r", C, SHORT, 1), ("a", V, SHORT, 1)],
        ),
        (
            "kengät",
            [
                ("k", C, SHORT, 0),
                ("e", V, SHORT, 0),
                ("ng", C, LONG, 0),
                ("ä", V, SHORT, 1),
                ("t", C, SHORT, 1),
            ],
        ),
        (
            "kenkä",
            [
                ("k", C, SHORT, 0),
                ("e", V, SHORT, 0),
                ("n", C, SHORT, 0),
                ("k", C, SHORT, 1),
                ("ä", V, SHORT, 1),
            ],
        ),
        (
            # ng before a consonant is not the long nasal
            "englanti",
            [
                ("e", V, SHORT, 0),
                ("n", C, SHORT, 0),
                ("g", C, SHORT, 0),
                ("l", C, SHORT, 1),
                ("a", V, SHORT, 1),
                ("n", C, SHORT, 1),
                ("t", C, SHORT, 2),
                ("i", V, SHORT, 2),
            ],
        ),
        (
            "lattia",
            [
                ("l", C, SHORT, 0),
                ("a", V, SHORT, 0),
                ("tt", C, LONG, 0),
                ("i", V, SHORT, 1),
                ("a", V, SHORT, 2),
            ],
        ),
        ("työ", [("t", C, SHORT, 0), ("yö", DI, LONG, 0)]),
        ("jazz", [("j", C, SHORT, 0), ("a", V, SHORT, 0), ("zz", C, LONG, 0)]),
    ],
)
def test_segments(word: str, expected: list[tuple[str, SegmentKind, Length, int]]) -> None:
    assert _sounds(word) == expected


def test_segment_offsets_point_into_the_text() -> None:
    text = "vaa'an"
    found = segments(text)
    assert [(s.start, s.end) for s in found] == [(0, 1), (1, 3), (4, 5), (5, 6)]
    assert all(text[s.start : s.end] == s.text for s in found)
    assert [s.syllable_index for s in found] == [0, 0, 1, 1]


def test_segments_of_a_phrase_are_numbered_by_word() -> None:
    text = "Hyvää päivää! Missä on WC-paperi?"
    found = segments(text)
    assert all(text[s.start : s.end] == s.text for s in found)
    words: dict[int, list[Segment]] = {}
    for segment in found:
        words.setdefault(segment.word_index, []).append(segment)
    assert {index: "".join(s.text for s in group) for index, group in words.items()} == {
        0: "Hyvää",
        1: "päivää",
        2: "Missä",
        3: "on",
        4: "paperi",  # "WC" spells no sounds out
    }
    assert [s.syllable_index for s in words[1]] == [0, 0, 1, 1]
    assert [s.syllable_index for s in words[4]] == [0, 0, 1, 1, 2, 2]


def test_numbers_and_abbreviations_have_no_segments() -> None:
    assert segments("112 WC:hen 112:een klo") == [
        Segment("k", C, SHORT, 19, 20, 0, 3),
        Segment("l", C, SHORT, 20, 21, 0, 3),
        Segment("o", V, SHORT, 21, 22, 0, 3),
    ]


def test_segments_use_the_hyphenator(voikko: SpellChecker) -> None:
    kinds = [s.kind for s in segments("työtuoli", voikko.hyphenate)]
    assert kinds == [C, DI, C, DI, C, V]


VOWEL_RUN = re.compile("[aeiouyäö]+")


@given(
    st.text(alphabet="aeiouyäökptslmnrhvjgd", min_size=1, max_size=12).filter(
        lambda word: VOWEL_RUN.search(word) is not None
    )
)
def test_syllables_and_segments_cover_the_word(word: str) -> None:
    syllables = syllabify(word)
    assert "".join(syllables) == word
    for index, syllable in enumerate(syllables):
        nuclei = VOWEL_RUN.findall(syllable)
        assert len(nuclei) == 1
        assert len(nuclei[0]) <= 2
        if index > 0:
            assert len(syllable.split(nuclei[0])[0]) <= 1  # one consonant opens a syllable
    found = segments(word)
    assert "".join(s.text for s in found) == word
    assert [s.start for s in found[1:]] == [s.end for s in found[:-1]]
    assert {s.syllable_index for s in found} == set(range(len(syllables)))
