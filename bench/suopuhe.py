"""Festival's Finnish Suopuhe voices (Debian festival, festvox-suopuhe-lj, -mv) as test
speakers: diphones cut from human recordings, never used as references by the scorer.

Festival reads its input as Latin-1: UTF-8 "ö" would be spelt out as two other letters,
so text is encoded before it is passed on. Renderings are cached under
$SANAPAJA_SUOPUHE_CACHE (default ~/.cache/sanapaja/suopuhe), outside the repository.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from speech.audio import Audio, read_wav

VOICES = {"lj": "voice_suo_fi_lj_diphone", "mv": "voice_hy_fi_mv_diphone"}
PACKAGES = "festival festvox-suopuhe-lj festvox-suopuhe-mv"


class SuopuheMissing(RuntimeError):
    pass


def cache_dir() -> Path:
    folder = os.environ.get("SANAPAJA_SUOPUHE_CACHE")
    path = Path(folder) if folder else Path.home() / ".cache" / "sanapaja" / "suopuhe"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_installed() -> None:
    """Raise SuopuheMissing with the install command when Festival or a voice is absent."""
    if shutil.which("text2wave") is None:
        raise SuopuheMissing(f"text2wave not found: install {PACKAGES} (make setup does)")


def render(text: str, voice: str, tempo: float = 1.0) -> Audio:
    """``text`` said by Suopuhe ``voice`` ("lj" or "mv"), its rate changed by ``tempo`` with
    sox (Suopuhe ignores Festival's Duration_Stretch)."""
    check_installed()
    key = hashlib.sha1(f"{voice}|{tempo}|{text}".encode()).hexdigest()[:20]
    path = cache_dir() / f"{key}.wav"
    if not path.is_file():
        raw = path.with_suffix(".raw.wav")
        done = subprocess.run(
            ["text2wave", "-eval", f"({VOICES[voice]})", "-o", str(raw)],
            input=text.encode("latin-1"),
            capture_output=True,
            check=False,
        )
        if done.returncode != 0 or not raw.is_file():
            message = done.stderr.decode(errors="replace").strip()
            raise SuopuheMissing(f"text2wave failed for {voice} ({PACKAGES}?): {message}")
        effects = ["tempo", "-s", str(tempo)] if tempo != 1.0 else []
        subprocess.run(
            ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(path), *effects],
            check=True,
            capture_output=True,
        )
        raw.unlink()
    return read_wav(path.read_bytes())
