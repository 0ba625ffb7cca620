"""The import rule: lessons ← speech ← tutor_server; lessons ← robot_bridge."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "lessons": {"speech", "tutor_server", "robot_bridge", "flask", "sqlalchemy", "paho"},
    "speech": {"tutor_server", "robot_bridge", "flask", "sqlalchemy", "paho"},
    "robot_bridge": {"tutor_server", "speech", "flask", "sqlalchemy"},
}


def imported_modules(file: Path) -> set[str]:
    tree = ast.parse(file.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_follow_the_layering(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    if package == "lessons":
        assert files, "lessons/ must exist"
    for file in files:
        wrong = imported_modules(file) & FORBIDDEN[package]
        assert not wrong, f"{file.relative_to(ROOT)} imports {sorted(wrong)}"


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import flask\nfrom tutor_server.cli import main\n", encoding="utf-8")
    assert imported_modules(sample) == {"flask", "tutor_server"}
