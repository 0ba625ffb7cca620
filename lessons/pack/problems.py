"""Problems found in lesson packs: every one is reported, with file, line and key path."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pack, located as ``path:line: key.path: message``."""

    path: str
    line: int | None
    key: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        key = f" {self.key}:" if self.key else ""
        label = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}:{key} {label}{self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "key": self.key,
            "message": self.message,
            "severity": str(self.severity),
        }


@dataclass
class ProblemLog:
    """Collects problems instead of stopping at the first one."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int | None, key: str, message: str) -> None:
        self.problems.append(Problem(path, line, key, message, Severity.ERROR))

    def warning(self, path: str, line: int | None, key: str, message: str) -> None:
        self.problems.append(Problem(path, line, key, message, Severity.WARNING))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)
