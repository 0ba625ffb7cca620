"""Every pack in content/ loads cleanly, passes Voikko, and covers what a learner needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from lessons.finnish.spelling import open_spell_checker
from lessons.pack.consistency import check_across_packs
from lessons.pack.discovery import find_pack_folders
from lessons.pack.loader import load_pack
from lessons.pack.model import SUPPORT_LANGUAGES, LessonKind, Pack, Priority, ReviewStatus
from lessons.pack.validation import spellcheck_pack
from tests.conftest import CONTENT

PACKS, _ = find_pack_folders([CONTENT])
CROSS_CUTTING = {"tyoelaman-perusteet", "tyoturvallisuus", "hygieniapassi"}
PROFESSIONS = {
    "keittio-ja-ravintola",
    "siivous-ja-kiinteistopalvelut",
    "vanhustenhoito",
    "varhaiskasvatus",
    "rakentaminen",
    "varasto-ja-logistiikka",
    "maatalous-ja-puutarha",
    "metalli-ja-prosessiteollisuus",
    "hotelli-ja-majoitus",
    "kauppa-ja-myynti",
    "kuljetus-ja-jakelu",
}
MIN_LESSONS = 6
MIN_ITEMS = 60
# The same Finnish word may mean different things at different workplaces: these
# differences between packs were looked at and are meant.
MEANT_DIFFERENCES = {
    # "varasto" is the warehouse itself in the logistics pack, a storeroom elsewhere.
    ("varasto", "varasto-ja-logistiikka"),
    # "vaippa" is a child's nappy at daycare, an incontinence pad in elderly care.
    ("vaippa", "varhaiskasvatus"),
}


def load(folder: Path) -> Pack:
    pack = load_pack(folder).pack
    assert pack is not None
    return pack


def test_every_pack_the_content_brief_names_ships() -> None:
    assert {folder.name for folder in PACKS} == CROSS_CUTTING | PROFESSIONS


@pytest.mark.parametrize("folder", PACKS, ids=lambda folder: folder.name)
def test_shipped_pack_is_clean(folder: Path) -> None:
    result = load_pack(folder)
    assert result.pack is not None
    checker = open_spell_checker()
    assert checker is not None, "Voikko must be installed (make test installs it)"
    problems = [*result.problems, *spellcheck_pack(result.pack, checker)]
    assert not problems, "\n".join(str(problem) for problem in problems)


@pytest.mark.parametrize("folder", PACKS, ids=lambda folder: folder.name)
def test_shipped_pack_covers_what_a_learner_needs(folder: Path) -> None:
    pack = load(folder)
    kinds = [lesson.kind for lesson in pack.lessons]
    assert len(pack.lessons) >= MIN_LESSONS
    assert len(pack.items) >= MIN_ITEMS
    assert LessonKind.DIALOGUE in kinds and LessonKind.PRONUNCIATION in kinds
    assert any(item.priority is Priority.SAFETY for item in pack.items.values())
    assert any(item.spoken for item in pack.items.values())
    assert any(item.picture for item in pack.items.values())
    for lesson in pack.lessons:
        if lesson.kind is LessonKind.PRONUNCIATION:
            assert len(lesson.minimal_pairs) >= 2, lesson.id
        if lesson.kind is LessonKind.DIALOGUE:
            assert sum(turn.by_learner for turn in lesson.dialogue) >= 2, lesson.id


@pytest.mark.parametrize("folder", PACKS, ids=lambda folder: folder.name)
def test_every_support_language_is_there_with_an_honest_status(folder: Path) -> None:
    pack = load(folder)
    assert set(pack.languages) == set(SUPPORT_LANGUAGES)
    # No fluent speaker has reviewed the shipped translations yet.
    assert set(pack.languages.values()) == {ReviewStatus.DRAFT}
    for item in pack.items.values():
        assert set(item.translations) == set(SUPPORT_LANGUAGES), item.id
    for lesson in pack.lessons:
        assert set(lesson.title) == {"fi", *SUPPORT_LANGUAGES}, lesson.id
        for turn in lesson.dialogue:
            assert set(turn.translations) == set(SUPPORT_LANGUAGES), (lesson.id, turn.fi)


@pytest.mark.parametrize("folder", PACKS, ids=lambda folder: folder.name)
def test_every_goal_and_the_description_are_in_every_support_language(folder: Path) -> None:
    pack = load(folder)
    missing = {
        f"lesson {lesson.id} goal": sorted(set(SUPPORT_LANGUAGES) - set(lesson.goal))
        for lesson in pack.lessons
    }
    missing["description"] = sorted(set(SUPPORT_LANGUAGES) - set(pack.description))
    assert not {where: languages for where, languages in missing.items() if languages}


def across_packs(key_suffix: str) -> list[str]:
    """The cross-pack problems about one kind of key (.translations, .priority) that
    were not looked at and meant."""
    return [
        str(problem)
        for problem in check_across_packs(load(folder) for folder in PACKS)
        if problem.key.endswith(key_suffix)
        and not any(
            f"item {item}{key_suffix}" == problem.key and f"/{pack}/" in problem.path
            for item, pack in MEANT_DIFFERENCES
        )
    ]


def test_the_same_word_is_translated_the_same_across_packs() -> None:
    unexpected = across_packs(".translations")
    assert not unexpected, "\n".join(unexpected)


def test_the_same_word_carries_the_same_priority_in_every_pack() -> None:
    differing = across_packs(".priority")
    assert not differing, "\n".join(differing)
