"""Load a lesson pack folder into the typed model, collecting every problem on the way.

A pack is a folder::

    pack.yaml          id, version, title, profession, levels, authors, licence, languages
    lessons/*.yaml     one micro-lesson per file; items are defined inside lessons
    media/             pictures and native recordings

The loader never raises on bad content: it returns what it could build and every problem
as ``path:line: key.path: message``. Checks across files live in :mod:`lessons.pack.validation`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from lessons.pack.model import (
    LESSONS_DIR,
    PACK_FILE,
    SUPPORT_LANGUAGES,
    Author,
    CefrLevel,
    DialogueTurn,
    Item,
    Lesson,
    LessonKind,
    Pack,
    Picture,
    Priority,
    ReviewStatus,
    SourceRef,
    Speaker,
    StepKind,
    StepSpec,
)
from lessons.pack.problems import Problem, ProblemLog, Severity
from lessons.pack.validation import validate_pack
from lessons.pack.yaml_source import YamlList, YamlMap, key_lines, read_yaml_file

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
VERSION_PATTERN = re.compile(r"^\d+(?:\.\d+){0,2}$")
OPENMOJI_PATTERN = re.compile(r"^[0-9A-F]{4,6}(?:-[0-9A-F]{4,6})*$")
LANGUAGE_LIST = ", ".join(SUPPORT_LANGUAGES)

PACK_KEYS = frozenset(
    {
        "id",
        "version",
        "title",
        "description",
        "profession",
        "levels",
        "authors",
        "licence",
        "languages",
        "spelling_allowlist",
    }
)
LESSON_KEYS = frozenset(
    {
        "id",
        "title",
        "goal",
        "level",
        "kind",
        "items",
        "speakers",
        "dialogue",
        "minimal_pairs",
        "steps",
    }
)
ITEM_KEYS = frozenset(
    {
        "id",
        "fi",
        "spoken",
        "translations",
        "accept",
        "picture",
        "recordings",
        "notes",
        "tags",
        "priority",
        "confusables",
        "not_confusables",
    }
)
TURN_KEYS = frozenset({"speaker", "fi", "spoken", "translations", "accept"})
STEP_KEYS = frozenset({"kind", "item", "turn", "options"})

EnumT = TypeVar("EnumT", bound=StrEnum)


@dataclass(frozen=True)
class LoadResult:
    """What the loader built (None when the pack is unusable) and every problem found."""

    pack: Pack | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return self.pack is not None and not self.errors


class _Reader:
    """Typed access to one YAML file's data that logs a located problem for each misfit."""

    def __init__(self, log: ProblemLog, path: str) -> None:
        self.log = log
        self.path = path

    def error(self, line: int | None, key: str, message: str) -> None:
        self.log.error(self.path, line, key, message)

    def warning(self, line: int | None, key: str, message: str) -> None:
        self.log.warning(self.path, line, key, message)

    def check_keys(self, data: YamlMap, allowed: frozenset[str], keypath: str) -> None:
        for key in data:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.error(
                    data.line_of(key),
                    _join(keypath, key),
                    f"unknown key (expected one of: {expected})",
                )

    def mapping(self, value: Any, line: int, keypath: str) -> YamlMap | None:
        if isinstance(value, YamlMap):
            return value
        self.error(line, keypath, f"must be a mapping of keys to values, not {_kind(value)}")
        return None

    def mappings(
        self, data: YamlMap, key: str, allowed: frozenset[str]
    ) -> Iterator[tuple[str, YamlMap]]:
        """Each entry of the list ``data[key]`` that is a mapping, with its key path; entries
        of the wrong kind and unknown keys are reported."""
        entries = self.sequence(data, key, "")
        for index, entry in enumerate(entries):
            keypath = f"{key}[{index}]"
            fields = self.mapping(entry, entries.line_of(index), keypath)
            if fields is not None:
                self.check_keys(fields, allowed, keypath)
                yield keypath, fields

    def sequence(self, data: YamlMap, key: str, keypath: str) -> YamlList:
        value = data.get(key)
        if value is None:
            return YamlList(data.line_of(key))
        if isinstance(value, YamlList):
            return value
        self.error(data.line_of(key), _join(keypath, key), f"must be a list, not {_kind(value)}")
        return YamlList(data.line_of(key))

    def text(self, data: YamlMap, key: str, keypath: str, *, required: bool = True) -> str | None:
        if key not in data or data[key] is None:
            if required:
                self.error(data.line_of(key), _join(keypath, key), "is required")
            return None
        return self.text_value(data[key], data.line_of(key), _join(keypath, key))

    def text_value(self, value: Any, line: int, keypath: str) -> str | None:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(line, keypath, f"must be text, not {_kind(value)}")
            return None
        text = str(value).strip()
        if not text:
            self.error(line, keypath, "must not be empty")
            return None
        return " ".join(text.split()) if "\n" in text else text

    def texts(self, data: YamlMap, key: str, keypath: str) -> tuple[str, ...]:
        entries = data.get(key)
        if entries is None:
            return ()
        if isinstance(entries, str | int | float) and not isinstance(entries, bool):
            entries = [entries]
            line_of: Callable[[int], int] = lambda _index: data.line_of(key)  # noqa: E731
        elif isinstance(entries, YamlList):
            line_of = entries.line_of
        else:
            self.error(
                data.line_of(key),
                _join(keypath, key),
                f"must be a list of texts, not {_kind(entries)}",
            )
            return ()
        result = []
        for index, entry in enumerate(entries):
            text = self.text_value(entry, line_of(index), f"{_join(keypath, key)}[{index}]")
            if text is not None:
                result.append(text)
        return tuple(result)

    def language_map(
        self, data: YamlMap, key: str, keypath: str, *, allow_fi: bool, required: bool
    ) -> dict[str, str]:
        value = data.get(key)
        full = _join(keypath, key)
        if value is None:
            if required:
                self.error(data.line_of(key), full, "is required")
            return {}
        if isinstance(value, str) and not allow_fi:
            self.error(data.line_of(key), full, "must map language codes to texts, e.g. 'en: ...'")
            return {}
        table = self.mapping(value, data.line_of(key), full)
        if table is None:
            return {}
        result: dict[str, str] = {}
        for language, text_value in table.items():
            line = table.line_of(language)
            if language not in SUPPORT_LANGUAGES and not (language == "fi" and allow_fi):
                supported = f"fi, {LANGUAGE_LIST}" if allow_fi else LANGUAGE_LIST
                self.error(
                    line, _join(full, language), f"unknown language code (supported: {supported})"
                )
                continue
            text = self.text_value(text_value, line, _join(full, language))
            if text is not None:
                result[language] = text
        return result

    def choice(
        self, data: YamlMap, key: str, keypath: str, enum: type[EnumT], default: EnumT | None
    ) -> EnumT | None:
        raw = data.get(key)
        if raw is None:
            if default is None:
                self.error(data.line_of(key), _join(keypath, key), "is required")
            return default
        try:
            return enum(str(raw))
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            self.error(data.line_of(key), _join(keypath, key), f"{raw!r} is not one of: {allowed}")
            return None

    def identifier(self, value: Any, line: int, keypath: str) -> str | None:
        text = self.text_value(value, line, keypath)
        if text is None:
            return None
        if not ID_PATTERN.match(text):
            self.error(
                line,
                keypath,
                f"{text!r} is not a valid id: use lower-case ASCII letters, digits, '-' and '_'",
            )
            return None
        return text


def _join(keypath: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{keypath}[{key}]"
    return f"{keypath}.{key}" if keypath else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def load_pack(folder: Path) -> LoadResult:
    """Load the pack in ``folder``; never raises for bad content.

    Also runs the pack-wide checks of :func:`lessons.pack.validation.validate_pack`.
    """
    log = ProblemLog()
    folder = Path(folder)
    display = str(folder)
    if not folder.is_dir():
        log.error(display, None, "", "not a folder (a pack is a folder with pack.yaml)")
        return LoadResult(None, tuple(log))
    pack_path = folder / PACK_FILE
    if not pack_path.is_file():
        log.error(_display(folder, PACK_FILE), None, "", "missing pack.yaml")
        return LoadResult(None, tuple(log))
    header = _read_header(folder, log)
    lessons, items = _read_lessons(folder, log)
    if header is None:
        return LoadResult(None, tuple(log))
    pack = Pack(items=items, lessons=tuple(lessons), root=folder, **header)
    log.extend(validate_pack(pack))
    return LoadResult(pack, tuple(log))


def _display(folder: Path, relative: str) -> str:
    return str(folder / relative)


def _read_header(folder: Path, log: ProblemLog) -> dict[str, Any] | None:
    path = _display(folder, PACK_FILE)
    reader = _Reader(log, path)
    raw = read_yaml_file(folder / PACK_FILE, path, log)
    if raw is None and not log.errors:
        reader.error(None, "", "pack.yaml is empty")
    data = reader.mapping(raw, 1, "") if raw is not None else None
    if data is None:
        return None
    reader.check_keys(data, PACK_KEYS, "")
    pack_id = reader.identifier(data.get("id"), data.line_of("id"), "id") if "id" in data else None
    if "id" not in data:
        reader.error(data.line, "id", "is required")
    version = reader.text(data, "version", "")
    if version is not None and not VERSION_PATTERN.match(version):
        reader.error(data.line_of("version"), "version", f"{version!r} is not a version like 1.2.0")
    title = reader.language_map(data, "title", "", allow_fi=True, required=True)
    if title and "fi" not in title:
        reader.error(data.line_of("title"), "title.fi", "is required (the Finnish title)")
    description = reader.language_map(data, "description", "", allow_fi=True, required=False)
    profession = reader.text(data, "profession", "")
    licence = reader.text(data, "licence", "")
    levels = _read_levels(reader, data)
    authors = _read_authors(reader, data)
    languages = _read_languages(reader, data)
    allowlist = _read_allowlist(reader, data)
    return {
        "id": pack_id or folder.name,
        "version": version or "0",
        "title": title,
        "description": description,
        "profession": profession or "",
        "licence": licence or "",
        "levels": levels,
        "authors": authors,
        "languages": languages,
        "spelling_allowlist": allowlist,
        "source": SourceRef(path, data.line, key_lines(data)),
    }


def _read_levels(reader: _Reader, data: YamlMap) -> tuple[CefrLevel, ...]:
    levels: list[CefrLevel] = []
    entries = reader.texts(data, "levels", "")
    if not entries and not any(p.key.startswith("levels") for p in reader.log.errors):
        reader.error(data.line_of("levels"), "levels", "give the CEFR levels, e.g. [A1, A2]")
    raw = data.get("levels")
    for index, text in enumerate(entries):
        try:
            levels.append(CefrLevel(text.upper()))
        except ValueError:
            line = raw.line_of(index) if isinstance(raw, YamlList) else data.line_of("levels")
            reader.error(
                line,
                f"levels[{index}]",
                f"{text!r} is not a CEFR level (A1, A2, B1, B2, C1, C2)",
            )
    return tuple(levels)


def _read_authors(reader: _Reader, data: YamlMap) -> tuple[Author, ...]:
    authors: list[Author] = []
    entries = reader.sequence(data, "authors", "")
    if not entries and not isinstance(data.get("authors"), str | int | YamlMap):
        reader.error(data.line_of("authors"), "authors", "name at least one author")
    for index, entry in enumerate(entries):
        key = f"authors[{index}]"
        if isinstance(entry, str):
            authors.append(Author(entry.strip()))
            continue
        author = reader.mapping(entry, entries.line_of(index), key)
        if author is None:
            continue
        reader.check_keys(author, frozenset({"name", "role"}), key)
        name = reader.text(author, "name", key)
        role = reader.text(author, "role", key, required=False)
        if name:
            authors.append(Author(name, role or ""))
    return tuple(authors)


def _read_languages(reader: _Reader, data: YamlMap) -> dict[str, ReviewStatus]:
    raw = data.get("languages")
    if raw is None:
        reader.error(data.line_of("languages"), "languages", "is required (e.g. en: draft)")
        return {}
    table = reader.mapping(raw, data.line_of("languages"), "languages")
    if table is None:
        return {}
    languages: dict[str, ReviewStatus] = {}
    for language, status in table.items():
        key = f"languages.{language}"
        line = table.line_of(language)
        if language not in SUPPORT_LANGUAGES:
            reader.error(line, key, f"unknown language code (supported: {LANGUAGE_LIST})")
            continue
        try:
            languages[language] = ReviewStatus(str(status))
        except ValueError:
            reader.error(
                line,
                key,
                f"{status!r} is not a review status: 'reviewed' (checked by a fluent speaker) "
                "or 'draft'",
            )
    if "en" not in languages and "en" not in table:
        reader.error(table.line, "languages.en", "English is required as a support language")
    return languages


def _read_allowlist(reader: _Reader, data: YamlMap) -> dict[str, str]:
    raw = data.get("spelling_allowlist")
    if raw is None:
        return {}
    table = reader.mapping(raw, data.line_of("spelling_allowlist"), "spelling_allowlist")
    if table is None:
        return {}
    allowlist: dict[str, str] = {}
    for word, reason in table.items():
        key = f"spelling_allowlist.{word}"
        text = reader.text_value(reason, table.line_of(word), key) if reason is not None else None
        if text is None:
            reader.error(table.line_of(word), key, "give a short reason (spoken form, name, brand)")
            continue
        allowlist[word] = text
    return allowlist


def _read_lessons(folder: Path, log: ProblemLog) -> tuple[list[Lesson], dict[str, Item]]:
    lessons_dir = folder / LESSONS_DIR
    items: dict[str, Item] = {}
    lessons: list[Lesson] = []
    if not lessons_dir.is_dir():
        log.error(_display(folder, LESSONS_DIR), None, "", "missing lessons/ folder")
        return lessons, items
    files = sorted(p for p in lessons_dir.iterdir() if p.suffix in (".yaml", ".yml"))
    for other in sorted(lessons_dir.iterdir()):
        if other not in files and not other.name.startswith("."):
            log.warning(
                _display(folder, f"{LESSONS_DIR}/{other.name}"),
                None,
                "",
                "ignored: lesson files end in .yaml",
            )
    if not files:
        log.error(_display(folder, LESSONS_DIR), None, "", "no lesson files (lessons/*.yaml)")
    for file in files:
        path = _display(folder, f"{LESSONS_DIR}/{file.name}")
        lesson = _read_lesson(file, path, log, items)
        if lesson is not None:
            lessons.append(lesson)
    return lessons, items


def _read_lesson(file: Path, path: str, log: ProblemLog, items: dict[str, Item]) -> Lesson | None:
    reader = _Reader(log, path)
    errors_before = len(log.errors)
    raw = read_yaml_file(file, path, log)
    if raw is None:
        if len(log.errors) == errors_before:
            reader.error(None, "", "lesson file is empty")
        return None
    data = reader.mapping(raw, 1, "")
    if data is None:
        return None
    reader.check_keys(data, LESSON_KEYS, "")
    lesson_id = (
        reader.identifier(data.get("id"), data.line_of("id"), "id") if "id" in data else None
    )
    if "id" not in data:
        reader.error(data.line, "id", "is required")
    title = reader.language_map(data, "title", "", allow_fi=True, required=True)
    if title and "fi" not in title:
        reader.error(data.line_of("title"), "title.fi", "is required (the Finnish title)")
    goal = reader.language_map(data, "goal", "", allow_fi=True, required=False)
    level = reader.choice(data, "level", "", CefrLevel, None)
    speakers = _read_speakers(reader, data)
    dialogue = _read_dialogue(reader, data)
    kind_default = LessonKind.DIALOGUE if dialogue else LessonKind.VOCABULARY
    kind = reader.choice(data, "kind", "", LessonKind, kind_default)
    item_ids = _read_lesson_items(reader, data, items)
    pairs = _read_minimal_pairs(reader, data)
    steps = _read_steps(reader, data)
    if lesson_id is None or level is None or kind is None:
        return None
    return Lesson(
        id=lesson_id,
        title=title,
        goal=goal,
        level=level,
        kind=kind,
        item_ids=tuple(item_ids),
        speakers=tuple(speakers),
        dialogue=tuple(dialogue),
        minimal_pairs=tuple(pairs),
        steps=steps,
        source=SourceRef(path, data.line, key_lines(data)),
    )


def _read_lesson_items(reader: _Reader, data: YamlMap, items: dict[str, Item]) -> list[str]:
    """Items are defined inline (a mapping) or referenced by id from another lesson."""
    ids: list[str] = []
    entries = reader.sequence(data, "items", "")
    for index, entry in enumerate(entries):
        key = f"items[{index}]"
        line = entries.line_of(index)
        if isinstance(entry, str):
            item_id = reader.identifier(entry, line, key)
            if item_id is not None:
                ids.append(item_id)
            continue
        fields = reader.mapping(entry, line, key)
        if fields is None:
            continue
        item = _read_item(reader, fields, key)
        if item is None:
            continue
        if item.id in items:
            first = items[item.id].source
            reader.error(
                fields.line_of("id"),
                f"{key}.id",
                f"duplicate item id {item.id!r} (first defined at {first.path}:{first.line})",
            )
            continue
        items[item.id] = item
        ids.append(item.id)
    return ids


def _read_item(reader: _Reader, fields: YamlMap, key: str) -> Item | None:
    reader.check_keys(fields, ITEM_KEYS, key)
    item_id = (
        reader.identifier(fields.get("id"), fields.line_of("id"), f"{key}.id")
        if "id" in fields
        else None
    )
    if "id" not in fields:
        reader.error(fields.line, f"{key}.id", "is required (a stable id, e.g. 'tuuli')")
    fi = reader.text(fields, "fi", key)
    spoken = reader.text(fields, "spoken", key, required=False)
    translations = reader.language_map(fields, "translations", key, allow_fi=False, required=True)
    priority = reader.choice(fields, "priority", key, Priority, Priority.NORMAL)
    picture = _read_picture(reader, fields, key)
    if item_id is None or fi is None:
        return None
    return Item(
        id=item_id,
        fi=fi,
        spoken=spoken,
        translations=translations,
        accept=reader.texts(fields, "accept", key),
        picture=picture,
        recordings=reader.texts(fields, "recordings", key),
        notes=reader.text(fields, "notes", key, required=False) or "",
        tags=reader.texts(fields, "tags", key),
        priority=priority or Priority.NORMAL,
        confusables=reader.texts(fields, "confusables", key),
        not_confusables=reader.texts(fields, "not_confusables", key),
        source=SourceRef(reader.path, fields.line, key_lines(fields)),
    )


def _read_picture(reader: _Reader, fields: YamlMap, key: str) -> Picture | None:
    text = reader.text(fields, "picture", key, required=False)
    if text is None:
        return None
    if text.startswith("openmoji:"):
        code = text.removeprefix("openmoji:").strip().upper()
        if not OPENMOJI_PATTERN.match(code):
            reader.error(
                fields.line_of("picture"),
                f"{key}.picture",
                f"{text!r} is not an OpenMoji code like 'openmoji:1F9E4'",
            )
            return None
        return Picture(openmoji=code)
    return Picture(file=text)


def _read_speakers(reader: _Reader, data: YamlMap) -> list[Speaker]:
    raw = data.get("speakers")
    if raw is None:
        return []
    table = reader.mapping(raw, data.line_of("speakers"), "speakers")
    if table is None:
        return []
    speakers = []
    for speaker_id, names_raw in table.items():
        key = f"speakers.{speaker_id}"
        line = table.line_of(speaker_id)
        if reader.identifier(speaker_id, line, key) is None:
            continue
        holder = YamlMap(line)
        holder["names"] = names_raw
        holder.key_lines["names"] = line
        names = reader.language_map(holder, "names", "", allow_fi=True, required=True)
        if names and "fi" not in names:
            reader.error(line, f"{key}.fi", "is required (the speaker's Finnish name)")
        speakers.append(Speaker(speaker_id, names, SourceRef(reader.path, line)))
    return speakers


def _read_dialogue(reader: _Reader, data: YamlMap) -> list[DialogueTurn]:
    turns = []
    for key, fields in reader.mappings(data, "dialogue", TURN_KEYS):
        speaker = reader.text(fields, "speaker", key)
        fi = reader.text(fields, "fi", key)
        translations = reader.language_map(
            fields, "translations", key, allow_fi=False, required=True
        )
        spoken = reader.text(fields, "spoken", key, required=False)
        accept = reader.texts(fields, "accept", key)
        if speaker is None or fi is None:
            continue
        turns.append(
            DialogueTurn(
                speaker=speaker,
                fi=fi,
                translations=translations,
                spoken=spoken,
                accept=accept,
                source=SourceRef(reader.path, fields.line, key_lines(fields)),
            )
        )
    return turns


def _read_minimal_pairs(reader: _Reader, data: YamlMap) -> list[tuple[str, str]]:
    pairs = []
    entries = reader.sequence(data, "minimal_pairs", "")
    for index, entry in enumerate(entries):
        key = f"minimal_pairs[{index}]"
        line = entries.line_of(index)
        if not isinstance(entry, YamlList) or len(entry) != 2:
            reader.error(line, key, "must be a pair of item ids, e.g. [tuli, tuuli]")
            continue
        first = reader.identifier(entry[0], line, f"{key}[0]")
        second = reader.identifier(entry[1], line, f"{key}[1]")
        if first is not None and second is not None:
            pairs.append((first, second))
    return pairs


def _read_steps(reader: _Reader, data: YamlMap) -> tuple[StepSpec, ...] | None:
    if data.get("steps") is None:
        return None
    steps = []
    for key, fields in reader.mappings(data, "steps", STEP_KEYS):
        kind = reader.choice(fields, "kind", key, StepKind, None)
        item = reader.text(fields, "item", key, required=False)
        turn_raw = fields.get("turn")
        turn: int | None = None
        if turn_raw is not None:
            if isinstance(turn_raw, int) and not isinstance(turn_raw, bool) and turn_raw >= 1:
                turn = turn_raw
            else:
                reader.error(
                    fields.line_of("turn"),
                    f"{key}.turn",
                    "must be a dialogue turn number (1, 2, …)",
                )
        options = reader.texts(fields, "options", key)
        if kind is None:
            continue
        steps.append(
            StepSpec(
                kind,
                item,
                turn,
                options,
                SourceRef(reader.path, fields.line, key_lines(fields)),
            )
        )
    return tuple(steps)
