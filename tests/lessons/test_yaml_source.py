"""The pack YAML reader: Finnish-safe scalars, line numbers, and bad input as problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lessons.pack.problems import ProblemLog, Severity
from lessons.pack.yaml_source import (
    MAX_FILE_BYTES,
    PackYamlLoader,
    YamlList,
    YamlMap,
    parse_yaml,
    read_yaml_file,
)


def parse(text: str) -> tuple[Any, ProblemLog]:
    log = ProblemLog()
    return parse_yaml(text, "test.yaml", log), log


def parse_clean(text: str) -> Any:
    value, log = parse(text)
    assert not log.problems, [str(problem) for problem in log]
    return value


WORDS_AND_TIMES = ["on", "off", "yes", "no", "ei", "On", "y", "n", "1:30", "12:00", "2026-01-01"]


@pytest.mark.parametrize("word", WORDS_AND_TIMES)
def test_finnish_words_times_and_dates_stay_text(word: str) -> None:
    assert yaml.load(f"fi: {word}", Loader=PackYamlLoader) == {"fi": word}
    assert parse_clean(f"fi: {word}") == {"fi": word}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("false", False), ("12", 12), ("-3", -3), ("~", None), ("null", None)],
)
def test_only_plain_booleans_numbers_and_null_are_special(text: str, expected: object) -> None:
    for value in (yaml.load(f"v: {text}", Loader=PackYamlLoader), parse_clean(f"v: {text}")):
        assert value == {"v": expected}
        assert type(value["v"]) is type(expected)


def test_the_global_safe_loader_is_not_patched() -> None:
    assert yaml.safe_load("a: on\nb: 1:30") == {"a": True, "b": 90}


def test_values_come_back_as_yaml_maps_and_lists() -> None:
    value = parse_clean("a:\n  - x\n  - {b: 1}\n")
    assert isinstance(value, YamlMap)
    assert isinstance(value["a"], YamlList)
    assert isinstance(value["a"][1], YamlMap)


LINES = """\
# a comment
id: sanat
title:
  fi: Sanat

  en: Words
items:
  - id: lattia
    fi: lattia
  - moppi
  -
    id: ampari
tags: [a,
  b]
"""


def test_line_of_keys_is_one_based_and_exact() -> None:
    data = parse_clean(LINES)
    assert data.line == 2
    assert {key: data.line_of(key) for key in data} == {"id": 2, "title": 3, "items": 7, "tags": 13}
    assert data["title"].line_of("fi") == 4
    assert data["title"].line_of("en") == 6
    assert data["items"][0].line_of("fi") == 9


def test_line_of_a_missing_key_is_the_mapping_line() -> None:
    data = parse_clean(LINES)
    assert data.line_of("level") == 2
    assert data["title"].line_of("uk") == data["title"].line == 4


def test_line_of_list_entries_is_one_based_and_exact() -> None:
    items = parse_clean(LINES)["items"]
    assert [items.line_of(index) for index in range(len(items))] == [8, 10, 12]
    tags = parse_clean(LINES)["tags"]
    assert [tags.line_of(0), tags.line_of(1)] == [13, 14]


def test_line_of_an_index_out_of_range_is_the_list_line() -> None:
    items = parse_clean(LINES)["items"]
    assert items.line_of(3) == items.line == 8
    assert items.line_of(-1) == 8


def test_crlf_line_endings_count_lines_once() -> None:
    data = parse_clean("id: a\r\nfi: b\r\n\r\nen: c\r\n")
    assert [data.line_of(key) for key in ("id", "fi", "en")] == [1, 2, 4]


def test_duplicate_key_names_both_lines_and_keeps_the_first() -> None:
    value, log = parse("fi: lattia\nen: floor\nfi: permanto\n")
    assert value == {"fi": "lattia", "en": "floor"}
    [problem] = log.problems
    assert (problem.path, problem.line, problem.key) == ("test.yaml", 3, "fi")
    assert "duplicate key" in problem.message and "line 1" in problem.message


def test_duplicate_nested_key_has_its_key_path() -> None:
    _, log = parse("items:\n  - id: a\n    fi: x\n    fi: y\n")
    [problem] = log.problems
    assert (problem.line, problem.key) == (4, "items[0].fi")
    assert "line 3" in problem.message


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("id: x\ntitle: [a, b\nlevel: A1\n", 3),
        ("id: x\ntitle:\n  fi: a\n en: b\n", 4),
        ("id: x\nfi: a: b\n", 2),
        ("id: x\n\tfi: a\n", 2),
    ],
)
def test_syntax_error_reports_its_line(text: str, line: int) -> None:
    value, log = parse(text)
    assert value is None
    [problem] = log.problems
    assert (problem.path, problem.line, problem.severity) == ("test.yaml", line, Severity.ERROR)
    assert problem.message.startswith("YAML syntax error: ")


def test_unclosed_quote_points_at_the_opening_quote() -> None:
    _, log = parse('id: x\nfi: "auki\nen: b\nuk: c\n')
    [problem] = log.problems
    assert problem.line == 2 or "line 2" in problem.message


def test_control_character_is_an_error_not_an_exception() -> None:
    value, log = parse("id: a\nfi: b\nen: c\x0bd\n")
    assert value is None
    [problem] = log.problems
    assert problem.severity is Severity.ERROR
    assert "unacceptable character #x000b" in problem.message


def test_control_character_is_reported_with_its_line() -> None:
    _, log = parse("id: a\nfi: b\nen: c\x0bd\n")
    [problem] = log.problems
    assert problem.line == 3
    assert "\n" not in problem.message


@pytest.mark.parametrize("text", ["a: &x [*x]\n", "a: &x {b: *x}\n", "a: &x [[1, *x]]\n"])
def test_self_referencing_alias_is_reported(text: str) -> None:
    _, log = parse(text)
    assert [problem.message for problem in log] == ["an alias refers to itself"]
    assert log.problems[0].line == 1


def test_an_alias_used_twice_without_a_cycle_is_fine() -> None:
    assert parse_clean("a: &x [1]\nb: [*x, *x]\n") == {"a": [1], "b": [[1], [1]]}


def test_billion_laughs_is_reported() -> None:
    lines = ['l0: &l0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    for level in range(1, 10):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    _, log = parse("\n".join(lines) + "\n")
    assert [problem.message for problem in log] == ["document is too large or too deeply nested"]


@pytest.mark.parametrize("depth", [100, 1000])
def test_deep_nesting_is_reported(depth: int) -> None:
    _, log = parse("[" * depth + "]" * depth)
    assert [problem.severity for problem in log] == [Severity.ERROR]
    assert "nested" in log.problems[0].message


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object:os.system ''\n",
        "a: !!python/name:os.system ''\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!timestamp 2026-01-01\n",
        "a: !lattia x\n",
    ],
)
def test_unsupported_tag_on_a_scalar_is_reported(text: str) -> None:
    value, log = parse(text)
    assert value == {"a": None}
    [problem] = log.problems
    assert (problem.line, problem.key) == (1, "a")
    assert "unsupported YAML tag" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object:os.system {b: 1}\n",
        "a: !!python/object/apply:os.system [ls]\n",
        "a: !!set {x, y}\n",
    ],
)
def test_unsupported_tag_on_a_collection_is_reported(text: str) -> None:
    _, log = parse(text)
    assert any("unsupported YAML tag" in problem.message for problem in log)


def test_explicit_bool_tag_with_a_non_boolean_is_reported() -> None:
    value, log = parse("a: !!bool yes\n")
    assert value == {"a": True} or log.problems


def test_merge_keys_are_expanded_and_own_keys_win() -> None:
    value = parse_clean("base: &b {fi: a, en: b}\nitem:\n  <<: *b\n  en: c\n")
    assert value["item"] == {"fi": "a", "en": "c"}


def test_non_text_key_is_reported() -> None:
    _, log = parse("? [a, b]\n: 1\n")
    assert [(problem.line, problem.message) for problem in log] == [(1, "a key must be plain text")]


def test_second_document_is_a_syntax_error() -> None:
    value, log = parse("id: a\n---\nid: b\n")
    assert value is None
    assert [problem.line for problem in log] == [2]


def test_empty_text_is_none_without_problems() -> None:
    assert parse("") == (None, ProblemLog())
    assert parse("# only a comment\n") == (None, ProblemLog())


def read(path: Path) -> tuple[Any, ProblemLog]:
    log = ProblemLog()
    return read_yaml_file(path, "lessons/x.yaml", log), log


def test_non_utf8_bytes_are_reported_with_their_line(tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    file.write_bytes("id: a\nfi: ä\nen: \xe4iti\n".encode("latin-1"))
    value, log = read(file)
    assert value is None
    [problem] = log.problems
    assert (problem.path, problem.line) == ("lessons/x.yaml", 2)
    assert "not valid UTF-8" in problem.message


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    file.write_bytes(b"\xef\xbb\xbfid: ovi\nfi: \xc3\xa4iti\n")
    value, log = read(file)
    assert not log.problems
    assert value == {"id": "ovi", "fi": "äiti"}
    assert value.line_of("fi") == 2


def test_missing_file_is_reported(tmp_path: Path) -> None:
    value, log = read(tmp_path / "nowhere.yaml")
    assert value is None
    [problem] = log.problems
    assert (problem.path, problem.line) == ("lessons/x.yaml", None)
    assert problem.message.startswith("cannot read file")


def test_oversized_file_is_reported(tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    file.write_bytes(b"a: " + b"x" * MAX_FILE_BYTES)
    value, log = read(file)
    assert value is None
    assert [problem.message for problem in log] == [f"file is larger than {MAX_FILE_BYTES} bytes"]
