from __future__ import annotations

from dataclasses import replace

from lessons.pack.consistency import check_across_packs
from lessons.pack.model import Pack, Priority, SourceRef
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


def with_priority(pack: Pack, item_id: str, priority: Priority, line: int) -> Pack:
    item = replace(
        pack.items[item_id],
        priority=priority,
        source=SourceRef(f"{pack.id}/lessons/01.yaml", line, {"priority": line + 3}),
    )
    return replace(pack, items={**pack.items, item_id: item})


def test_the_same_priority_across_packs_is_quiet() -> None:
    packs = [engine_pack("a"), engine_pack("b"), engine_pack("c")]
    assert [p for p in check_across_packs(packs) if p.key.endswith(".priority")] == []


def test_a_different_priority_in_another_pack_is_a_warning_in_each_pack() -> None:
    # "moppi" is normal in a and c; b marks it safety.
    packs = [
        with_priority(engine_pack("a"), "moppi", Priority.NORMAL, 10),
        with_priority(engine_pack("b"), "moppi", Priority.SAFETY, 20),
        with_priority(engine_pack("c"), "moppi", Priority.NORMAL, 30),
    ]
    problems = check_across_packs(packs)
    assert [(p.severity, p.path, p.line, p.key) for p in problems] == [
        ("warning", "a/lessons/01.yaml", 13, "item moppi.priority"),
        ("warning", "b/lessons/01.yaml", 23, "item moppi.priority"),
        ("warning", "c/lessons/01.yaml", 33, "item moppi.priority"),
    ]
    assert problems[0].message == (
        "'normal' here, 'safety' in pack 'b' (item 'moppi'); "
        "the same Finnish carries the same priority in every pack"
    )
    assert problems[1].message.startswith(
        "'safety' here, 'normal' in pack 'a' (item 'moppi'), pack 'c' (item 'moppi');"
    )


def test_priority_is_compared_by_the_finnish_not_the_item_id() -> None:
    other = engine_pack("b")
    warning = replace(other.items["lattia-on-liukas"], id="varo-liukas", priority=Priority.NORMAL)
    items = {key: value for key, value in other.items.items() if key != "lattia-on-liukas"}
    changed = replace(other, items={**items, "varo-liukas": warning})
    problems = check_across_packs([engine_pack("a"), changed])
    assert sorted(p.key for p in problems) == [
        "item lattia-on-liukas.priority",
        "item varo-liukas.priority",
    ]
