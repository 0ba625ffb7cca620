from __future__ import annotations

import pytest

from lessons.finnish.normalize import answers_match, best_match, normalize_answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tuuli", "tuuli"),
        ("  Hyvää   päivää!  ", "hyvää päivää"),
        ("Kiitos, hyvää.", "kiitos hyvää"),
        ("Mitä kuuluu?", "mitä kuuluu"),
        ("Hei… kuka?!", "hei kuka"),
        ("WC-paperi", "wc paperi"),
        ("wc \u2013 paperi \u2014 rulla", "wc paperi rulla"),
        ("WC:hen", "wc hen"),
        ("«Tuli»", "tuli"),
        ("\u201cTuli\u201d", "tuli"),
        ("\u201eTuli\u201d", "tuli"),
        ("'tuli'", "tuli"),
        ("vaa'an", "vaa'an"),
        ("vaa\u2019an", "vaa'an"),
        ("vaa\u00b4an", "vaa'an"),
        ("vaa`an", "vaa'an"),
        ("SÄÄ", "sää"),
        ("sa\u0308a\u0308", "sää"),  # decomposed ä
        ("Åland", "åland"),
        ("työ\u00adturvallisuus", "työturvallisuus"),  # soft hyphen from pasted text
        ("hyvää\u00a0päivää", "hyvää päivää"),  # no-break space
        ("klo 7.30", "klo 7 30"),
        ("", ""),
        ("?!", ""),
    ],
)
def test_normalize_answer(text: str, expected: str) -> None:
    assert normalize_answer(text) == expected


@pytest.mark.parametrize(
    ("first", "second"),
    [("sää", "saa"), ("tuli", "tuuli"), ("tuli", "tulli"), ("kuka", "kukka"), ("yö", "yo")],
)
def test_letters_and_length_are_never_normalised_away(first: str, second: str) -> None:
    assert normalize_answer(first) != normalize_answer(second)
    assert not answers_match(first, [second])


def test_hyphen_and_space_are_the_same() -> None:
    assert answers_match("wc paperi", ["WC-paperi"])
    assert answers_match("WC-paperi", ["wc paperi"])


def test_best_match_returns_the_accepted_form_as_written() -> None:
    accepted = ["Hyvää huomenta!", "Huomenta."]
    assert best_match("huomenta", accepted) == "Huomenta."
    assert best_match("HYVÄÄ HUOMENTA", accepted) == "Hyvää huomenta!"
    assert best_match("hyvää iltaa", accepted) is None


def test_best_match_prefers_the_first_matching_form() -> None:
    assert best_match("kiitos", ["Kiitos!", "kiitos"]) == "Kiitos!"


def test_best_match_accepts_any_iterable() -> None:
    assert best_match("tuuli", (form for form in ["tuli", "Tuuli"])) == "Tuuli"


@pytest.mark.parametrize("given", ["", "   ", "...", "!?"])
def test_an_empty_answer_matches_nothing(given: str) -> None:
    assert best_match(given, ["", "!", "tuli"]) is None
    assert not answers_match(given, [""])
