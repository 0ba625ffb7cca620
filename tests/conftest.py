from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from lessons.pack.loader import load_pack
from lessons.pack.model import Pack

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
FORMAT_DOC = ROOT / "docs" / "pack-format.md"


def write_doc_example(target: Path) -> Path:
    """Write the complete example pack of docs/pack-format.md into ``target/esimerkki``."""
    folder = target / "esimerkki"
    text = FORMAT_DOC.read_text(encoding="utf-8")
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        first_line = block.split("\n", 1)[0]
        if first_line.startswith("# file: "):
            file = folder / first_line.removeprefix("# file: ").strip()
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(block, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def doc_example_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_doc_example(tmp_path_factory.mktemp("doc"))


@pytest.fixture(scope="session")
def example_pack(doc_example_dir: Path) -> Pack:
    result = load_pack(doc_example_dir)
    assert result.pack is not None, [str(p) for p in result.problems]
    assert not result.problems, [str(p) for p in result.problems]
    return result.pack


@pytest.fixture(scope="session", autouse=True)
def tts_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Speech rendered by tests goes to a temporary cache, not the user's."""
    folder = tmp_path_factory.mktemp("tts-cache")
    previous = os.environ.get("SANAPAJA_TTS_CACHE")
    os.environ["SANAPAJA_TTS_CACHE"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("SANAPAJA_TTS_CACHE", None)
    else:
        os.environ["SANAPAJA_TTS_CACHE"] = previous


def example_app(tmp_path: Path, pack_dir: Path, group: str) -> tuple[Flask, str]:
    """A migrated lesson server on SQLite in ``tmp_path`` with the example pack and a group;
    returns the app and the group's join code."""
    from tutor_server import db
    from tutor_server.app import create_app
    from tutor_server.groups import create_group
    from tutor_server.pack_store import store_pack

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}"})
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        db.upgrade(app)
        with db.transaction() as session:
            store_pack(session, pack_dir)
            code = create_group(session, group, ["esimerkki"], 6).join_code
    return app, code
