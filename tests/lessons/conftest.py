"""Fixture packs for the loader and validation tests, and a precise way to find a problem."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lessons.finnish.spelling import INSTALL_HINT, SpellChecker, open_spell_checker
from lessons.pack.loader import LoadResult, load_pack
from lessons.pack.problems import Problem, Severity

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load_fixture(name: str) -> LoadResult:
    folder = FIXTURES / name
    assert folder.is_dir(), f"no fixture pack {name!r}"
    return load_pack(folder)


def relative_path(problem: Problem, folder: Path) -> str:
    """The problem's file relative to its pack folder, with '/' separators."""
    return Path(problem.path).relative_to(folder).as_posix()


def reported(
    result: LoadResult,
    folder: Path,
    file: str,
    line: Any,
    key: str,
    fragment: str,
    severity: Severity = Severity.ERROR,
) -> Problem:
    """The one problem in ``file`` at ``line`` with ``key`` whose message has ``fragment``.

    ``line`` may be ``unittest.mock.ANY`` where a test pins everything but the line.
    """
    matches = [
        problem
        for problem in result.problems
        if relative_path(problem, folder) == file
        and problem.line == line
        and problem.key == key
        and fragment in problem.message
        and problem.severity is severity
    ]
    everything = "\n".join(str(problem) for problem in result.problems) or "(no problems)"
    assert len(matches) == 1, f"expected one {severity} at {file}:{line} {key}:\n{everything}"
    return matches[0]


@pytest.fixture(scope="session")
def voikko() -> Iterator[SpellChecker]:
    """The real Voikko; make test installs it, so its absence is a failure, not a skip."""
    checker = open_spell_checker()
    assert checker is not None, INSTALL_HINT
    with checker:
        yield checker
