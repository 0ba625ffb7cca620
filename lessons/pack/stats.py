"""Summary figures of a pack, for `sanapaja pack stats` and the coverage tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from lessons.pack.model import LessonKind, Pack, Priority


@dataclass(frozen=True)
class PackStats:
    id: str
    version: str
    lessons: int
    items: int
    dialogue_lessons: int
    pronunciation_lessons: int
    safety_items: int
    items_with_picture: int
    items_with_spoken_form: int
    levels: tuple[str, ...]
    languages: dict[str, str]

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["levels"] = list(self.levels)
        return data


def pack_stats(pack: Pack) -> PackStats:
    items = list(pack.items.values())
    return PackStats(
        id=pack.id,
        version=pack.version,
        lessons=len(pack.lessons),
        items=len(items),
        dialogue_lessons=sum(1 for lesson in pack.lessons if lesson.kind is LessonKind.DIALOGUE),
        pronunciation_lessons=sum(
            1 for lesson in pack.lessons if lesson.kind is LessonKind.PRONUNCIATION
        ),
        safety_items=sum(1 for item in items if item.priority is Priority.SAFETY),
        items_with_picture=sum(1 for item in items if item.picture is not None),
        items_with_spoken_form=sum(1 for item in items if item.spoken),
        levels=tuple(str(level) for level in sorted({lesson.level for lesson in pack.lessons})),
        languages={language: str(status) for language, status in pack.languages.items()},
    )
