"""Finding pack folders on disk: a pack folder itself, or a folder of packs."""

from __future__ import annotations

from pathlib import Path

from lessons.pack.model import PACK_FILE


def find_pack_folders(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The pack folders named by ``paths`` and a message for each path that holds none."""
    folders: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if (path / PACK_FILE).is_file():
            folders.append(path)
            continue
        found = (
            sorted(child for child in path.iterdir() if (child / PACK_FILE).is_file())
            if path.is_dir()
            else []
        )
        if found:
            folders.extend(found)
        elif not path.exists():
            missing.append(f"{path}: no such file or folder")
        else:
            missing.append(f"{path}: not a pack (no {PACK_FILE}) and holds no packs")
    return folders, missing
