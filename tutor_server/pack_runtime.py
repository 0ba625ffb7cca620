"""The current version of each pack, read back from the database as lesson objects."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lessons.loader import load_pack
from lessons.model import Pack as LessonPack
from tutor_server.models import Pack, PackFile

_LOCK = threading.Lock()


def cache_root(app: Flask) -> Path:
    configured = app.config.get("PACK_CACHE")
    return Path(str(configured)) if configured else Path(app.instance_path) / "pack-cache"


def current_pack(app: Flask, session: Session, pack_id: str) -> LessonPack | None:
    """The current version of ``pack_id`` (None if it was never loaded)."""
    record = session.get(Pack, pack_id)
    if record is None:
        return None
    version = record.current_version
    cache: dict[str, LessonPack] = app.extensions.setdefault("sanapaja.packs", {})
    with _LOCK:
        if version.checksum in cache:
            return cache[version.checksum]
    folder = cache_root(app) / f"{pack_id}-{version.checksum[:16]}"
    if not (folder / "pack.yaml").is_file():
        files = session.scalars(select(PackFile).where(PackFile.pack_version_id == version.id))
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
        cache[version.checksum] = result.pack
    return result.pack
