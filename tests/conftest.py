from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lessons.loader import load_pack
from lessons.model import Pack

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
