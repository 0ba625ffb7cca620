"""Loading pack folders: one fixture pack per content error, each located to file and line."""

from __future__ import annotations

import shutil
from pathlib import Path
from unittest.mock import ANY

import pytest

from lessons.pack.loader import load_pack
from lessons.pack.model import CefrLevel, LessonKind, Priority, ReviewStatus
from lessons.pack.problems import Severity
from tests.lessons.conftest import FIXTURES, load_fixture, relative_path, reported


def test_valid_fixture_pack_has_no_problems() -> None:
    result = load_fixture("valid")
    assert result.problems == ()
    assert result.ok
    pack = result.pack
    assert pack is not None
    assert (pack.id, pack.version, pack.levels) == ("valid", "1.0.0", (CefrLevel.A1,))
    assert dict(pack.languages) == {"en": ReviewStatus.DRAFT, "uk": ReviewStatus.DRAFT}
    assert [lesson.id for lesson in pack.lessons] == ["sanat"]
    assert pack.lessons[0].item_ids == ("lattia", "moppi")
    assert pack.item("moppi").translations == {"en": "mop", "uk": "швабра"}
    assert pack.item("moppi").source.line == 8


def test_doc_example_loads_without_problems(doc_example_dir: Path) -> None:
    assert doc_example_dir.name == "esimerkki"
    assert {
        path.relative_to(doc_example_dir).as_posix() for path in doc_example_dir.rglob("*.yaml")
    } == {
        "pack.yaml",
        "lessons/01-siivous.yaml",
        "lessons/02-aamulla.yaml",
        "lessons/03-aanteet.yaml",
    }
    result = load_pack(doc_example_dir)
    assert result.problems == (), "\n".join(str(problem) for problem in result.problems)
    pack = result.pack
    assert pack is not None
    assert [lesson.kind for lesson in pack.lessons] == [
        LessonKind.VOCABULARY,
        LessonKind.DIALOGUE,
        LessonKind.PRONUNCIATION,
    ]
    assert pack.item("lattia-on-liukas").priority is Priority.SAFETY
    assert pack.item("tarvitsen-apua").spoken == "Mä tarviin apua."
    assert pack.lesson("aamulla").dialogue[1].accept == ("Hyvää huomenta!",)
    assert pack.lesson("aanteet").minimal_pairs == (("tuli", "tuuli"),)
    assert pack.spelling_allowlist["mä"] == 'spoken form of "minä"'


def test_problem_prints_as_file_line_key_message() -> None:
    result = load_fixture("bad-version")
    [problem] = result.problems
    folder = FIXTURES / "bad-version"
    assert str(problem) == f"{folder / 'pack.yaml'}:2: version: 'v1' is not a version like 1.2.0"


# name, file, line, key, a distinctive part of the message; the fixture has no other problem.
ONLY_PROBLEM = [
    ("missing-pack-field", "pack.yaml", 1, "profession", "is required"),
    ("bad-version", "pack.yaml", 2, "version", "'v1' is not a version like 1.2.0"),
    ("unknown-language", "pack.yaml", 11, "languages.sv", "unknown language code"),
    ("invalid-id", "lessons/01-sanat.yaml", 8, "items[1].id", "'Iso Moppi' is not a valid id"),
    ("bad-lesson-level", "lessons/01-sanat.yaml", 3, "level", "'A3' is not one of: A1, A2"),
    ("empty-lesson-file", "lessons/02-tyhja.yaml", None, "", "lesson file is empty"),
    (
        "lesson-file-is-list",
        "lessons/02-lista.yaml",
        1,
        "",
        "must be a mapping of keys to values, not a list",
    ),
    ("missing-pack-yaml", "pack.yaml", None, "", "missing pack.yaml"),
    ("missing-lessons-folder", "lessons", None, "", "missing lessons/ folder"),
]


@pytest.mark.parametrize(
    ("name", "file", "line", "key", "fragment"), ONLY_PROBLEM, ids=[row[0] for row in ONLY_PROBLEM]
)
def test_fixture_reports_its_one_error(
    name: str, file: str, line: int | None, key: str, fragment: str
) -> None:
    result = load_fixture(name)
    problem = reported(result, FIXTURES / name, file, line, key, fragment)
    assert result.problems == (problem,)
    assert not result.ok


def test_unknown_key_is_reported_at_the_typo() -> None:
    result = load_fixture("unknown-key")
    problem = reported(
        result,
        FIXTURES / "unknown-key",
        "lessons/01-sanat.yaml",
        10,
        "items[1].tranlsations",
        "unknown key (expected one of:",
    )
    assert "translations" in problem.message
    reported(
        result,
        FIXTURES / "unknown-key",
        "lessons/01-sanat.yaml",
        8,
        "items[1].translations",
        "is required",
    )


def test_bad_review_status_is_reported() -> None:
    result = load_fixture("bad-review-status")
    problem = reported(
        result,
        FIXTURES / "bad-review-status",
        "pack.yaml",
        10,
        "languages.uk",
        "'checked' is not a review status",
    )
    assert "'reviewed'" in problem.message and "'draft'" in problem.message


def test_missing_english_is_reported() -> None:
    result = load_fixture("missing-english")
    reported(
        result,
        FIXTURES / "missing-english",
        "pack.yaml",
        9,
        "languages.en",
        "English is required as a support language",
    )
    assert len(result.errors) == 1


def test_invalid_pack_level_is_reported() -> None:
    result = load_fixture("bad-pack-level")
    reported(
        result,
        FIXTURES / "bad-pack-level",
        "pack.yaml",
        ANY,
        "levels[1]",
        "'A7' is not a CEFR level",
    )
    assert result.pack is not None and result.pack.levels == (CefrLevel.A1,)


def test_invalid_pack_level_is_reported_at_its_entry() -> None:
    result = load_fixture("bad-pack-level")
    reported(result, FIXTURES / "bad-pack-level", "pack.yaml", 7, "levels[1]", "not a CEFR level")


def test_duplicate_item_id_across_lesson_files() -> None:
    folder = FIXTURES / "duplicate-item-id"
    result = load_fixture("duplicate-item-id")
    problem = reported(
        result, folder, "lessons/02-lisaa.yaml", 8, "items[1].id", "duplicate item id 'lattia'"
    )
    assert f"first defined at {folder / 'lessons' / '01-sanat.yaml'}:5" in problem.message
    assert result.problems == (problem,)
    pack = result.pack
    assert pack is not None
    assert pack.item("lattia").fi == "lattia"
    assert pack.lesson("lisaa").item_ids == ("ampari",)


def test_a_broken_lesson_file_does_not_hide_the_others() -> None:
    result = load_fixture("empty-lesson-file")
    assert result.pack is not None
    assert [lesson.id for lesson in result.pack.lessons] == ["sanat"]


def test_missing_pack_yaml_gives_no_pack() -> None:
    assert load_fixture("missing-pack-yaml").pack is None


def test_a_folder_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    result = load_pack(tmp_path / "nowhere")
    assert result.pack is None
    assert [(problem.line, problem.message) for problem in result.problems] == [
        (None, "not a folder (a pack is a folder with pack.yaml)")
    ]


MANY_ERRORS = [
    ("pack.yaml", 2, "version", "'one' is not a version"),
    ("pack.yaml", 1, "licence", "is required"),
    ("pack.yaml", 9, "languages.uk", "'maybe' is not a review status"),
    ("lessons/01-sanat.yaml", 3, "level", "'A9' is not one of"),
    ("lessons/01-sanat.yaml", 8, "item lattia.confusables", "no item with id 'lattiaa'"),
    ("lessons/01-sanat.yaml", 11, "items[1].fi", "duplicate key (first on line 10)"),
    ("lessons/01-sanat.yaml", 13, "item moppi.recordings", "'media/moppi.wav' does not exist"),
    ("lessons/02-rikki.yaml", 4, "", "YAML syntax error"),
    ("lessons/03-puhe.yaml", 1, "minimal_pairs", "a pronunciation lesson needs minimal pairs"),
    ("lessons/03-puhe.yaml", 9, "item tuli.picture", "must be a file inside the pack's media/"),
    ("lessons/03-puhe.yaml", 10, "items[1].id", "'Tuuli' is not a valid id"),
]


def test_every_error_of_a_pack_is_reported_in_one_run() -> None:
    folder = FIXTURES / "many-errors"
    result = load_fixture("many-errors")
    for file, line, key, fragment in MANY_ERRORS:
        reported(result, folder, file, line, key, fragment)
    assert len(result.errors) == len(MANY_ERRORS)
    assert {relative_path(problem, folder) for problem in result.errors} == {
        "pack.yaml",
        "lessons/01-sanat.yaml",
        "lessons/02-rikki.yaml",
        "lessons/03-puhe.yaml",
    }


def test_lessons_are_checked_even_when_pack_yaml_is_broken(tmp_path: Path) -> None:
    folder = tmp_path / "valid"
    shutil.copytree(FIXTURES / "valid", folder)
    (folder / "pack.yaml").write_text("id: valid\nversion: [1\n", encoding="utf-8")
    lesson = folder / "lessons" / "01-sanat.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("level: A1", "level: A0"))
    result = load_pack(folder)
    assert result.pack is None
    assert [(relative_path(p, folder), p.line) for p in result.problems] == [
        ("pack.yaml", 3),
        ("lessons/01-sanat.yaml", 3),
    ]


def test_two_digit_version_part_is_kept() -> None:
    result = load_fixture("version-with-two-digit-part")
    assert result.pack is not None
    assert result.pack.version == "1.10"


def test_finnish_time_with_a_dot_is_kept_as_written() -> None:
    result = load_fixture("finnish-time")
    assert result.pack is not None
    fi = [result.pack.item(item_id).fi for item_id in ("puoli-yksi", "kymmenen")]
    assert fi == ["12.30", "10.00"]


def test_empty_author_list_is_reported() -> None:
    result = load_fixture("no-authors")
    assert any(p.key == "authors" and p.severity is Severity.ERROR for p in result.problems)


def test_empty_level_list_is_reported() -> None:
    result = load_fixture("no-levels")
    assert any(p.key == "levels" and p.severity is Severity.ERROR for p in result.problems)
