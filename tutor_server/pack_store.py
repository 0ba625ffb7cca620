"""Lesson packs in the database: loading new versions, and reading the current one back.

A pack's files are stored with each loaded version, so every server process reads the same
content from the database. Learner progress hangs on item ids (``pack_id/item_id``); a new
version keeps every item id that survives, and ids that disappear are marked retired, not
deleted, so nobody's history is lost.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lessons.pack.loader import load_pack
from lessons.pack.model import Pack as LessonPack
from lessons.pack.problems import Problem
from tutor_server.models import Pack, PackFile, PackItem, PackVersion


class PackRejected(ValueError):
    """The pack did not validate; nothing was changed."""

    def __init__(self, folder: Path, problems: list[Problem]) -> None:
        super().__init__(f"{folder}: {len(problems)} errors")
        self.problems = problems


@dataclass
class LoadOutcome:
    pack_id: str
    version: str
    status: str  # "new", "updated" or "unchanged"
    new_items: list[str] = field(default_factory=list)
    retired_items: list[str] = field(default_factory=list)


def pack_files(folder: Path) -> dict[str, bytes]:
    """Every file of the pack, by its path relative to the pack folder (hidden files left out)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    }


def checksum(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for path, content in sorted(files.items()):
        digest.update(path.encode("utf-8") + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


def store_pack(session: Session, folder: Path) -> LoadOutcome:
    """Validate and store the pack in ``folder``; the caller commits (or rolls back)."""
    result = load_pack(folder)
    if not result.ok or result.pack is None:
        raise PackRejected(folder, result.errors)
    pack = result.pack
    files = pack_files(folder)
    digest = checksum(files)
    current = session.get(Pack, pack.id)
    if current is not None and current.current_version.checksum == digest:
        return LoadOutcome(pack.id, pack.version, "unchanged")
    version = session.scalar(
        select(PackVersion).where(PackVersion.pack_id == pack.id, PackVersion.checksum == digest)
    )
    if version is None:
        version = PackVersion(
            pack_id=pack.id, version=pack.version, checksum=digest, title=dict(pack.title)
        )
        version.files = [PackFile(path=path, content=content) for path, content in files.items()]
        session.add(version)
        session.flush()
    outcome = LoadOutcome(pack.id, pack.version, "new" if current is None else "updated")
    if current is None:
        session.add(Pack(id=pack.id, current_version_id=version.id))
        session.flush()
    else:
        current.current_version_id = version.id
    _sync_items(session, pack, outcome)
    return outcome


def _sync_items(session: Session, pack: LessonPack, outcome: LoadOutcome) -> None:
    known = {
        row.item_id: row
        for row in session.scalars(select(PackItem).where(PackItem.pack_id == pack.id))
    }
    for item in pack.items.values():
        row = known.get(item.id)
        if row is None:
            session.add(
                PackItem(
                    pack_id=pack.id,
                    item_id=item.id,
                    fi=item.fi,
                    priority=str(item.priority),
                    retired=False,
                )
            )
            outcome.new_items.append(item.id)
        else:
            row.fi, row.priority, row.retired = item.fi, str(item.priority), False
    for item_id, row in known.items():
        if item_id not in pack.items and not row.retired:
            row.retired = True
            outcome.retired_items.append(item_id)
