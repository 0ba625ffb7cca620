"""The current version of each pack, read back from the database as lesson objects."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lessons.pack.loader import load_pack
from lessons.pack.model import Pack as LessonPack
from tutor_server.models import GroupPack, Pack, PackFile, PackVersion

_LOCK = threading.Lock()


def cache_root(app: Flask) -> Path:
    configured = app.config.get("PACK_CACHE")
    return Path(str(configured)) if configured else Path(app.instance_path) / "pack-cache"


def group_packs(app: Flask, session: Session, group_id: int) -> dict[str, LessonPack]:
    """The current version of each pack a group learns, by pack id."""
    chosen = select(GroupPack.pack_id).where(GroupPack.group_id == group_id)
    return current_packs(app, session, chosen)


def current_packs(app: Flask, session: Session, pack_ids: Select[Any]) -> dict[str, LessonPack]:
    """The current versions of the packs ``pack_ids`` selects: one query, then the
    process's cache (keyed by content checksum); a version is read from the database only
    the first time this process needs it."""
    rows = session.execute(
        select(Pack.id, PackVersion.id, PackVersion.checksum)
        .join(PackVersion, PackVersion.id == Pack.current_version_id)
        .where(Pack.id.in_(pack_ids))
        .order_by(Pack.id)
    ).all()
    cache: dict[str, LessonPack] = app.extensions.setdefault("sanapaja.packs", {})
    packs = {}
    for pack_id, version_id, checksum in rows:
        with _LOCK:
            pack = cache.get(checksum)
        if pack is None:
            pack = _load_version(app, session, pack_id, version_id, checksum)
        if pack is not None:
            packs[pack_id] = pack
    return packs


def _load_version(
    app: Flask, session: Session, pack_id: str, version_id: int, checksum: str
) -> LessonPack | None:
    folder = cache_root(app) / f"{pack_id}-{checksum[:16]}"
    if not (folder / "pack.yaml").is_file():
        files = session.scalars(select(PackFile).where(PackFile.pack_version_id == version_id))
        # Written aside and renamed, so no process ever reads a half-written pack.
        staging = folder.with_name(f"{folder.name}.{os.getpid()}.{threading.get_ident()}")
        for file in files:
            target = staging / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.content)
        try:
            staging.rename(folder)
        except OSError:  # another process wrote the same files first
            shutil.rmtree(staging, ignore_errors=True)
    result = load_pack(folder)
    if result.pack is None:
        return None
    with _LOCK:
        app.extensions["sanapaja.packs"][checksum] = result.pack
    return result.pack
