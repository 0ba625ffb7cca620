"""Finnish text to speech with espeak-ng's Finnish voice through pyttsx3, cached on disk.

pyttsx3's own engine loop is not used for files: its espeak driver runs espeak-ng in
asynchronous "retrieval" mode and applies property changes and file writes out of order
(measured: 22 of 40 renders in a row came out at another rate or voice than asked, some
empty), it can save one file per ``runAndWait()``, prints "Audio saved to ..." on stdout and
plays ``say()`` through aplay. Sanapaja instead drives pyttsx3's espeak-ng binding
(``pyttsx3.drivers._espeak``) in synchronous mode: set voice, rate and pitch, synthesise,
collect the samples, write the WAV. One synthesis at a time, behind a lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import wave
from dataclasses import asdict, dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

FINNISH_VOICE = "urj/fi"
DEFAULT_RATE = 150  # words per minute; espeak-ng's own default is 175
DEFAULT_PITCH = 50  # espeak-ng 0-100
SLOW_RATE = 120

#: How files are rendered; part of the cache key, so a change of method renders anew.
RENDERER = "synchronous-1"
_ENGINE_LOCK = threading.Lock()


class TtsError(RuntimeError):
    """Speech could not be rendered (espeak-ng missing, or the voice is unknown)."""


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice: the Finnish voice, optionally with a variant (``m3``, ``f2``)."""

    variant: str | None = None
    rate: int = DEFAULT_RATE
    pitch: int = DEFAULT_PITCH

    @property
    def espeak_name(self) -> str:
        return f"fi+{self.variant}" if self.variant else FINNISH_VOICE

    def scaled(self, factor: float) -> Voice:
        return Voice(self.variant, round(self.rate * factor), self.pitch)


def default_cache_dir() -> Path:
    configured = os.environ.get("SANAPAJA_TTS_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sanapaja" / "tts"


@cache
def engine_version() -> str:
    """Part of every cache key: new engine versions render anew."""
    try:
        pyttsx3_version = version("pyttsx3")
    except Exception:
        pyttsx3_version = "unknown"
    return f"pyttsx3-{pyttsx3_version}/espeak-ng-{_espeak_ng_version()}/{RENDERER}"


def _espeak_ng_version() -> str:
    import subprocess

    try:
        result = subprocess.run(
            ["espeak-ng", "--version"], capture_output=True, text=True, check=False, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    words = result.stdout.split()
    return words[3] if len(words) > 3 else "unknown"


def cache_key(text: str, voice: Voice) -> str:
    payload = json.dumps(
        {"text": text, "voice": asdict(voice), "engine": engine_version()},
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class TextToSpeech:
    """Renders Finnish text to WAV files, each (text, voice, rate, pitch, engine) once."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir or default_cache_dir()

    def path_for(self, text: str, voice: Voice = Voice()) -> Path:
        key = cache_key(text, voice)
        return self.cache_dir / key[:2] / f"{key}.wav"

    def is_cached(self, text: str, voice: Voice = Voice()) -> bool:
        return self.path_for(text, voice).is_file()

    def render(self, text: str, voice: Voice = Voice()) -> Path:
        """The WAV (mono 16-bit) of ``text``; rendered only when not cached."""
        if not text.strip():
            raise TtsError("nothing to say: the text is empty")
        target = self.path_for(text, voice)
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with _ENGINE_LOCK:
            samples, rate = _synthesise(text, voice)
        if not samples:
            raise TtsError(f"espeak-ng rendered no audio for {text!r}")
        # Write to a temporary name and rename, so a crash never leaves half a WAV.
        handle, temporary = tempfile.mkstemp(suffix=".wav", dir=target.parent)
        os.close(handle)
        try:
            with wave.open(temporary, "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(rate)
                out.writeframes(samples)
            os.replace(temporary, target)
        finally:
            Path(temporary).unlink(missing_ok=True)
        return target

    def render_bytes(self, text: str, voice: Voice = Voice()) -> bytes:
        return self.render(text, voice).read_bytes()


_STATE: dict[str, Any] = {}


def _binding() -> Any:
    """pyttsx3's espeak-ng binding, initialised for synchronous synthesis (lock held)."""
    if "espeak" not in _STATE:
        try:
            from pyttsx3.drivers import _espeak
        except (ImportError, OSError, RuntimeError) as exc:
            raise TtsError(
                "espeak-ng is not available: sudo apt-get install espeak-ng "
                f"(and pip install pyttsx3) - {exc}"
            ) from exc
        rate = _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 0)
        if rate <= 0:
            raise TtsError("espeak-ng could not be initialised")
        _espeak.SetSynthCallback(_collect)
        _STATE.update(espeak=_espeak, rate=rate, chunks=[])
    return _STATE["espeak"]


def _collect(wav: Any, count: int, _events: Any) -> int:
    if count > 0:
        import ctypes

        _STATE["chunks"].append(ctypes.string_at(wav, count * 2))
    return 0


def _variants(espeak: Any) -> frozenset[str]:
    if "variants" not in _STATE:
        spec = espeak.VOICE()
        spec.languages = b"variant"
        _STATE["variants"] = frozenset(
            v.identifier.decode("utf-8").removeprefix("!v/") for v in espeak.ListVoices(spec)
        )
    variants: frozenset[str] = _STATE["variants"]
    return variants


def _synthesise(text: str, voice: Voice) -> tuple[bytes, int]:
    espeak = _binding()
    # espeak-ng quietly falls back to the plain voice for an unknown variant.
    if voice.variant is not None and voice.variant not in _variants(espeak):
        raise TtsError(f"espeak-ng has no voice variant {voice.variant!r}")
    if espeak.SetVoiceByName(voice.espeak_name.encode("utf-8")) != espeak.EE_OK:
        raise TtsError(f"espeak-ng has no voice {voice.espeak_name!r}")
    espeak.SetParameter(espeak.RATE, voice.rate, 0)
    espeak.SetParameter(espeak.PITCH, voice.pitch, 0)
    _STATE["chunks"] = []
    status = espeak.Synth(text, flags=espeak.CHARS_UTF8 | espeak.ENDPAUSE)
    espeak.Synchronize()
    if status != espeak.EE_OK:
        raise TtsError(f"espeak-ng could not synthesise {text!r} (status {status})")
    return b"".join(_STATE["chunks"]), int(_STATE["rate"])
