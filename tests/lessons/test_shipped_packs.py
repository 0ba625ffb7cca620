"""Every pack in content/ loads and passes the validator and the spell checker cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from lessons.loader import load_pack
from lessons.model import LessonKind, Priority
from lessons.pack_discovery import find_pack_folders
from lessons.spelling import open_spell_checker
from lessons.validation import spellcheck_pack
from tests.conftest import CONTENT

PACKS, _ = find_pack_folders([CONTENT])


def test_content_has_packs() -> None:
    assert [folder.name for folder in PACKS] == sorted(folder.name for folder in PACKS)
    assert "tyoelaman-perusteet" in {folder.name for folder in PACKS}


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
    pack = load_pack(folder).pack
    assert pack is not None
    kinds = {lesson.kind for lesson in pack.lessons}
    assert len(pack.lessons) >= 3
    assert LessonKind.DIALOGUE in kinds and LessonKind.PRONUNCIATION in kinds
    assert any(item.priority is Priority.SAFETY for item in pack.items.values())
    assert any(item.spoken for item in pack.items.values())
    for item in pack.items.values():
        assert "en" in item.translations and len(item.translations) >= 2, item.id
