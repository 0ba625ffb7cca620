"""Checks across a pack (lessons.pack.validation), one fixture pack per problem, each located."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from unittest.mock import ANY

import pytest

from lessons.pack.loader import load_pack
from lessons.pack.problems import Severity
from tests.lessons.conftest import FIXTURES, load_fixture, reported

ERROR = Severity.ERROR
WARNING = Severity.WARNING

# name, file, line, key, a distinctive part of the message, severity; no other problem.
ONLY_PROBLEM = [
    (
        "duplicate-lesson-id",
        "lessons/02-sanat.yaml",
        2,
        "id",
        "duplicate lesson id (also at ",
        ERROR,
    ),
    (
        "unresolved-confusable",
        "lessons/01-sanat.yaml",
        8,
        "item tuli.confusables",
        "no item with id 'tuuli' in this pack",
        ERROR,
    ),
    (
        "missing-media",
        "lessons/01-sanat.yaml",
        8,
        "item lattia.recordings",
        "media file 'media/lattia-2.wav' does not exist",
        ERROR,
    ),
    (
        "media-outside-pack",
        "lessons/01-sanat.yaml",
        8,
        "item lattia.recordings",
        "'../x.wav' must be a file inside the pack's media/ folder",
        ERROR,
    ),
    (
        "wrong-media-type",
        "lessons/01-sanat.yaml",
        8,
        "item lattia.recordings",
        "'media/lattia.mp3' has an unsupported type (use .wav)",
        ERROR,
    ),
    (
        "unknown-openmoji",
        "lessons/01-sanat.yaml",
        8,
        "item lattia.picture",
        "OpenMoji has no emoji 'FFFF0'",
        ERROR,
    ),
    (
        "dialogue-unknown-speaker",
        "lessons/01-aamulla.yaml",
        13,
        "dialogue[2].speaker",
        "unknown speaker 'ohjaja'",
        ERROR,
    ),
    (
        "dialogue-without-learner",
        "lessons/01-aamulla.yaml",
        6,
        "dialogue",
        "a dialogue needs at least one 'learner' turn",
        ERROR,
    ),
    (
        "pronunciation-without-pairs",
        "lessons/01-aanteet.yaml",
        1,
        "minimal_pairs",
        "a pronunciation lesson needs minimal pairs",
        ERROR,
    ),
    (
        "same-finnish-conflict",
        "lessons/02-lisaa.yaml",
        5,
        "item lattia-2",
        "same Finnish as item 'lattia' (",
        ERROR,
    ),
    (
        "same-finnish-agree",
        "lessons/02-lisaa.yaml",
        5,
        "item lattia-2",
        "same Finnish as item 'lattia' (",
        WARNING,
    ),
    (
        "step-missing-item",
        "lessons/01-sanat.yaml",
        15,
        "steps[1].item",
        "no item with id 'ampari'",
        ERROR,
    ),
    (
        "dialogue-turn-step-not-learner",
        "lessons/01-aamulla.yaml",
        17,
        "steps[1].turn",
        "must point at a 'learner' turn",
        ERROR,
    ),
]


@pytest.mark.parametrize(
    ("name", "file", "line", "key", "fragment", "severity"),
    ONLY_PROBLEM,
    ids=[row[0] for row in ONLY_PROBLEM],
)
def test_fixture_reports_its_one_problem(
    name: str, file: str, line: int, key: str, fragment: str, severity: Severity
) -> None:
    result = load_fixture(name)
    problem = reported(result, FIXTURES / name, file, line, key, fragment, severity)
    assert result.problems == (problem,)
    assert result.pack is not None
    assert result.ok is (severity is WARNING)


def test_duplicate_lesson_id_names_the_first_file() -> None:
    folder = FIXTURES / "duplicate-lesson-id"
    [problem] = load_fixture("duplicate-lesson-id").problems
    assert problem.message.endswith(f"{folder / 'lessons' / '01-sanat.yaml'}:1)")


def test_conflicting_translations_name_the_language_and_the_first_item() -> None:
    folder = FIXTURES / "same-finnish-conflict"
    [problem] = load_fixture("same-finnish-conflict").problems
    assert f"({folder / 'lessons' / '01-sanat.yaml'}:5)" in problem.message
    assert "different translations (en)" in problem.message
    agree = load_fixture("same-finnish-agree").problems[0]
    assert "reuse that item by id" in agree.message
    assert "different translations" not in agree.message


def test_existing_media_file_is_not_reported() -> None:
    result = load_fixture("missing-media")
    assert not [p for p in result.problems if "'media/lattia.wav'" in p.message]


def test_missing_translation_for_a_declared_language_is_a_warning() -> None:
    result = load_fixture("missing-translation")
    folder = FIXTURES / "missing-translation"
    reported(
        result,
        folder,
        "lessons/01-sanat.yaml",
        10,
        "item moppi.translations",
        "missing 'uk', a declared support language",
        WARNING,
    )
    assert result.ok


def test_undeclared_language_is_a_warning() -> None:
    result = load_fixture("undeclared-language")
    problem = reported(
        result,
        FIXTURES / "undeclared-language",
        "lessons/01-sanat.yaml",
        ANY,
        "item lattia.translations.ru",
        "language not declared in pack.yaml languages",
        WARNING,
    )
    assert result.problems == (problem,)
    assert result.ok


def test_undeclared_language_is_reported_at_its_line() -> None:
    result = load_fixture("undeclared-language")
    [problem] = result.problems
    assert problem.line in (7, 10)  # the "translations:" line or the "ru:" line


def test_missing_title_language_is_reported_at_the_title() -> None:
    result = load_fixture("missing-title-language")
    reported(
        result,
        FIXTURES / "missing-title-language",
        "lessons/01-sanat.yaml",
        2,
        "title.uk",
        "missing title for a declared language",
        WARNING,
    )


def test_missing_title_language_is_a_warning() -> None:
    result = load_fixture("missing-title-language")
    problem = reported(
        result,
        FIXTURES / "missing-title-language",
        "lessons/01-sanat.yaml",
        ANY,
        "title.uk",
        "missing title for a declared language",
        WARNING,
    )
    assert result.problems == (problem,)


def test_item_reference_that_does_not_resolve() -> None:
    result = load_fixture("unresolved-item")
    problem = reported(
        result,
        FIXTURES / "unresolved-item",
        "lessons/02-kertaus.yaml",
        ANY,
        "items[2]",
        "no item with id 'ampari' in this pack",
    )
    assert result.problems == (problem,)


def test_item_reference_is_reported_at_its_entry() -> None:
    [problem] = load_fixture("unresolved-item").problems
    assert problem.line == 7


def test_minimal_pair_that_is_neither_a_length_nor_a_quality_pair_is_an_error() -> None:
    result = load_fixture("not-a-length-pair")
    problem = reported(
        result,
        FIXTURES / "not-a-length-pair",
        "lessons/01-aanteet.yaml",
        ANY,
        "minimal_pairs[0]",
        "'tuli' and 'kala' are not a minimal pair: they must differ only in one sound's "
        "length (tuli/tuuli) or only in front/back vowels of one word (ä/a, ö/o, y/u",
    )
    assert result.problems == (problem,)
    assert not result.ok


def test_minimal_pair_of_other_vowels_than_front_and_back_is_an_error() -> None:
    result = load_fixture("not-a-front-back-pair")
    problem = reported(
        result,
        FIXTURES / "not-a-front-back-pair",
        "lessons/01-aanteet.yaml",
        13,
        "minimal_pairs[0]",
        "'tuli' and 'tili' differ in the vowels u/i; a vowel-quality pair differs only in "
        "front and back vowels: ä/a, ö/o, y/u",
    )
    assert result.problems == (problem,)


def test_minimal_pair_of_one_word_with_itself_is_an_error() -> None:
    result = load_fixture("same-word-pair")
    problem = reported(
        result,
        FIXTURES / "same-word-pair",
        "lessons/01-aanteet.yaml",
        10,
        "minimal_pairs[0]",
        "both words are 'tuli'; a minimal pair needs two different words",
    )
    assert result.problems == (problem,)


def test_vowel_quality_pairs_load_beside_length_pairs() -> None:
    result = load_fixture("vowel-quality-pair")
    assert result.problems == ()
    assert result.pack is not None
    assert result.pack.lesson("aanteet").minimal_pairs == (
        ("saa-weather", "saa"),
        ("kuu", "kyy"),
        ("poyta", "pouta"),
        ("tuli", "tuuli"),
    )


def test_minimal_pair_is_reported_at_its_entry() -> None:
    [problem] = load_fixture("not-a-length-pair").problems
    assert problem.line == 13


def test_not_confusable_that_is_not_a_length_neighbour_is_reported() -> None:
    result = load_fixture("not-confusable-not-neighbour")
    assert any(
        p.key == "item tuli.not_confusables" and "talo" in p.message for p in result.problems
    )


@contextmanager
def give_up_after(seconds: int) -> Iterator[None]:
    """Turn a stalled call into a TimeoutError instead of hanging the suite."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM")
def test_long_minimal_pair_text_does_not_stall_loading(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-length-pair"
    shutil.copytree(FIXTURES / "not-a-length-pair", folder)
    lesson = folder / "lessons" / "01-aanteet.yaml"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("fi: tuli", "fi: " + "tuli " * 600), encoding="utf-8")
    # A guard against a hang (it once took minutes), not a speed target.
    with give_up_after(20):
        result = load_pack(folder)
    reported(
        result,
        folder,
        "lessons/01-aanteet.yaml",
        ANY,
        "minimal_pairs[0]",
        "are not a minimal pair",
    )
