"""The development speech data (../shared/speech-data, never copied here) and its split.

Native recordings (forvo-words): a file belongs to the FITTING half when the first byte of
the SHA-1 of its file name is even; the rest is the HELD-OUT half that the figures in
docs/speech.md are measured on. Speakers are unknown, so the split is by file.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEECH_DATA = ROOT.parent / "shared" / "speech-data"
NATIVE_WORDS = SPEECH_DATA / "forvo-words"


@dataclass(frozen=True)
class Recording:
    path: Path
    text: str


def is_fitting_file(name: str) -> bool:
    """The split rule: the fitting half holds the files whose name's SHA-1 starts even."""
    return hashlib.sha1(name.encode("utf-8")).digest()[0] % 2 == 0


def native_recordings(half: str) -> list[Recording]:
    """The native single-word recordings of one half: "fitting", "held_out" or "all"."""
    manifest = NATIVE_WORDS / "manifest.csv"
    if not manifest.is_file():
        raise SystemExit(f"{manifest} is missing: the native recordings are not here")
    with manifest.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    chosen = []
    for row in rows:
        fitting = is_fitting_file(row["file"])
        if half == "all" or (half == "fitting") == fitting:
            chosen.append(Recording(NATIVE_WORDS / row["file"], row["text"]))
    return sorted(chosen, key=lambda recording: recording.path.name)
