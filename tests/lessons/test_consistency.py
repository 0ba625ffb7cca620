from __future__ import annotations

from dataclasses import replace

from lessons.pack.consistency import check_across_packs
from lessons.pack.model import SourceRef
from tests.lessons.engine_pack import engine_pack


def test_same_translations_across_packs_are_quiet() -> None:
    assert check_across_packs([engine_pack("a"), engine_pack("b")]) == []


def test_a_different_translation_in_another_pack_is_a_warning() -> None:
    other = engine_pack("b")
    floor = replace(
        other.items["lattia"],
        translations={"en": "ground", "uk": "підлога"},
        source=SourceRef("b/lessons/01.yaml", 5, {"translations": 7}),
    )
    changed = replace(other, items={**other.items, "lattia": floor})
    [problem] = check_across_packs([engine_pack("a"), changed])
    assert problem.severity == "warning"
    assert (problem.path, problem.line, problem.key) == (
        "b/lessons/01.yaml",
        7,
        "item lattia.translations",
    )
    assert "pack 'a'" in problem.message and "en: 'ground' here, 'floor' there" in problem.message
