from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import CONTENT
from tutor_server.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_validate_a_clean_pack_exits_0(runner: CliRunner, doc_example_dir: Path) -> None:
    result = runner.invoke(main, ["validate", "--spell", "--strict", str(doc_example_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{doc_example_dir}: ok (esimerkki 1.0.0: 3 lessons, 6 items)"


def test_validate_reports_every_problem_and_exits_1(
    runner: CliRunner, doc_example_dir: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "esimerkki"
    shutil.copytree(doc_example_dir, broken)
    lesson = broken / "lessons" / "01-siivous.yaml"
    text = lesson.read_text(encoding="utf-8")
    text = text.replace("level: A1", "level: A9").replace("fi: kiitos", "fi: kiitoss")
    lesson.write_text(text, encoding="utf-8")
    (broken / "pack.yaml").write_text(
        (broken / "pack.yaml").read_text(encoding="utf-8").replace("version: 1.0.0", "version: x"),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", "--spell", str(broken)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(
        line.startswith(f"{broken}/pack.yaml:3: version:") and "'x' is not a version" in line
        for line in lines
    ), lines
    assert any("01-siivous.yaml:10: level: 'A9' is not one of" in line for line in lines), lines
    assert any(
        "01-siivous.yaml:26: item kiitos.fi: 'kiitoss' is not in the Finnish dictionary" in line
        for line in lines
    ), lines
    assert lines[-1].startswith(f"{broken}: ")
    assert "errors" in lines[-1]


def test_validate_missing_path_is_one_clear_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


def test_pack_new_makes_a_pack_that_validates_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        main, ["pack", "new", "keittio", "--dir", str(tmp_path), "--languages", "en,ar,so,fa"]
    )
    assert result.exit_code == 0, result.output
    checked = runner.invoke(main, ["validate", "--spell", "--strict", str(tmp_path / "keittio")])
    assert checked.exit_code == 0, checked.output
    again = runner.invoke(main, ["pack", "new", "keittio", "--dir", str(tmp_path)])
    assert again.exit_code == 1 and "already exists" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pack", "new", "Bad Id"], "not a valid id"),
        (["pack", "new", "ok", "--languages", "uk"], "must include en"),
        (["pack", "new", "ok", "--languages", "en,xx"], "must include en"),
    ],
)
def test_pack_new_refuses_bad_input(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(main, [*args, "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output
    assert not any(tmp_path.iterdir())


def test_pack_stats_table_and_json(runner: CliRunner, doc_example_dir: Path) -> None:
    table = runner.invoke(main, ["pack", "stats", str(doc_example_dir)])
    assert table.exit_code == 0, table.output
    header, row = table.output.splitlines()
    assert header.split()[:4] == ["pack", "version", "lessons", "items"]
    assert row.split() == ["esimerkki", "1.0.0", "3", "6", "1", "1", "1", "en:draft", "ru:draft"]
    as_json = runner.invoke(main, ["pack", "stats", "--json", str(doc_example_dir)])
    data = json.loads(as_json.output)
    assert data[0]["id"] == "esimerkki"
    assert data[0]["dialogue_lessons"] == 1 and data[0]["pronunciation_lessons"] == 1
    assert data[0]["languages"] == {"en": "draft", "ru": "draft"}


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("sanapaja")
    result = subprocess.run(
        [str(script), "pack", "stats", "--json", str(CONTENT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert {pack["id"] for pack in json.loads(result.stdout)} >= {"tyoelaman-perusteet"}


def test_spell_without_voikko_says_how_to_install(
    runner: CliRunner, doc_example_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lessons.finnish.spelling

    monkeypatch.setattr(lessons.finnish.spelling, "open_spell_checker", lambda: None)
    result = runner.invoke(main, ["validate", "--spell", str(doc_example_dir)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [lessons.finnish.spelling.INSTALL_HINT]
