"""The lesson-pack model: typed, immutable objects built by the loader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

#: Support languages for glosses and instructions, in the order the UI offers them.
SUPPORT_LANGUAGES: tuple[str, ...] = ("en", "ru", "uk", "et", "ar", "so", "fa")
RIGHT_TO_LEFT_LANGUAGES: frozenset[str] = frozenset({"ar", "fa"})
LEARNER_SPEAKER = "learner"

#: The layout of a pack folder.
PACK_FILE = "pack.yaml"
LESSONS_DIR = "lessons"
MEDIA_DIR = "media"


class CefrLevel(StrEnum):
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"


class ReviewStatus(StrEnum):
    """Whether a fluent speaker has checked a pack's translations into one language."""

    REVIEWED = "reviewed"
    DRAFT = "draft"


class Priority(StrEnum):
    NORMAL = "normal"
    SAFETY = "safety"


class LessonKind(StrEnum):
    VOCABULARY = "vocabulary"
    DIALOGUE = "dialogue"
    PRONUNCIATION = "pronunciation"


class StepKind(StrEnum):
    PRESENT = "present"
    LISTEN_CHOOSE = "listen_choose"
    REPEAT = "repeat"
    CHOOSE_TRANSLATION = "choose_translation"
    MATCH_PAIRS = "match_pairs"
    FILL_GAP = "fill_gap"
    ORDER_WORDS = "order_words"
    DIALOGUE_TURN = "dialogue_turn"
    MINIMAL_PAIR = "minimal_pair"
    REVIEW = "review"


@dataclass(frozen=True)
class SourceRef:
    """Where a thing was written: its file, its line, and the line of each of its keys."""

    path: str
    line: int | None = None
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False)

    def line_of(self, key: str) -> int | None:
        """The line of ``key`` or, failing that, of the nearest key path it contains.

        Keys in messages carry context (``item lattia.translations.ru``, ``dialogue[2].fi``)
        that the recorded paths may not: try every run of its parts, longest first.
        """
        parts = key.replace("[", ".[").split(".")
        for length in range(len(parts), 0, -1):
            for start in range(len(parts) - length + 1):
                candidate = ".".join(parts[start : start + length]).replace(".[", "[")
                if candidate in self.key_lines:
                    return self.key_lines[candidate]
        return self.line


_NOWHERE = SourceRef("")


@dataclass(frozen=True)
class Picture:
    """An OpenMoji code (``openmoji:1F9E4``) or a file in the pack's ``media/``."""

    openmoji: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        return f"openmoji:{self.openmoji}" if self.openmoji else str(self.file)


@dataclass(frozen=True)
class Item:
    """A word or phrase a learner hears and says. ``id`` is stable across pack versions."""

    id: str
    fi: str
    translations: Mapping[str, str]
    spoken: str | None = None
    accept: tuple[str, ...] = ()
    picture: Picture | None = None
    recordings: tuple[str, ...] = ()
    notes: str = ""
    tags: tuple[str, ...] = ()
    priority: Priority = Priority.NORMAL
    confusables: tuple[str, ...] = ()
    not_confusables: tuple[str, ...] = ()
    source: SourceRef = field(default=_NOWHERE, compare=False)

    @property
    def is_phrase(self) -> bool:
        return len(self.fi.split()) > 1

    def gloss(self, language: str) -> str | None:
        return self.translations.get(language)


@dataclass(frozen=True)
class Speaker:
    id: str
    names: Mapping[str, str]
    source: SourceRef = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True)
class DialogueTurn:
    """One line of a dialogue. Turns by ``learner`` are the learner's to say."""

    speaker: str
    fi: str
    translations: Mapping[str, str]
    spoken: str | None = None
    accept: tuple[str, ...] = ()
    source: SourceRef = field(default=_NOWHERE, compare=False)

    @property
    def by_learner(self) -> bool:
        return self.speaker == LEARNER_SPEAKER


@dataclass(frozen=True)
class StepSpec:
    """A step written out by the author instead of generated from the items."""

    kind: StepKind
    item: str | None = None
    turn: int | None = None
    options: tuple[str, ...] = ()
    source: SourceRef = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True)
class Lesson:
    id: str
    title: Mapping[str, str]
    level: CefrLevel
    kind: LessonKind
    item_ids: tuple[str, ...]
    goal: Mapping[str, str] = field(default_factory=dict)
    speakers: tuple[Speaker, ...] = ()
    dialogue: tuple[DialogueTurn, ...] = ()
    minimal_pairs: tuple[tuple[str, str], ...] = ()
    steps: tuple[StepSpec, ...] | None = None
    source: SourceRef = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True)
class Author:
    name: str
    role: str = ""


@dataclass(frozen=True)
class Pack:
    id: str
    version: str
    title: Mapping[str, str]
    profession: str
    levels: tuple[CefrLevel, ...]
    authors: tuple[Author, ...]
    licence: str
    languages: Mapping[str, ReviewStatus]
    items: Mapping[str, Item]
    lessons: tuple[Lesson, ...]
    description: Mapping[str, str] = field(default_factory=dict)
    spelling_allowlist: Mapping[str, str] = field(default_factory=dict)
    root: Path | None = field(default=None, compare=False)
    source: SourceRef = field(default=_NOWHERE, compare=False)

    def item(self, item_id: str) -> Item:
        return self.items[item_id]

    def lesson(self, lesson_id: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(lesson_id)

    def lesson_items(self, lesson: Lesson) -> list[Item]:
        return [self.items[i] for i in lesson.item_ids if i in self.items]

    def review_status(self, language: str) -> ReviewStatus | None:
        return self.languages.get(language)
