"""Vosk, when a deployer installs a model: grammar-constrained decoding of an utterance.

No public Finnish Vosk model exists, so this is optional: ``SANAPAJA_VOSK_MODEL`` names a
model folder (never ``Model(lang=...)``, which downloads). The model loads once per process
and is shared; each request gets its own recogniser. The grammar holds the target, its
neighbours and the model's unknown-word token. Words the model does not know are reported
(once per process in the log, and in every result), never silently dropped.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from speech.audio import SAMPLE_RATE, Audio

MODEL_ENV = "SANAPAJA_VOSK_MODEL"
UNKNOWN_TOKENS = ("[unk]", "<UNK>", "<unk>")

log = logging.getLogger(__name__)


class ModelLoadError(RuntimeError):
    """The configured Vosk model folder is missing or not a usable model."""


@dataclass(frozen=True)
class RecognisedWord:
    word: str
    start: float
    end: float
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "word": self.word,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True)
class Recognition:
    text: str
    words: tuple[RecognisedWord, ...]
    unknown: bool  # the decoder preferred the unknown-word token
    missing_words: tuple[str, ...]  # candidate words not in the model's vocabulary

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "words": [word.to_dict() for word in self.words],
            "unknown": self.unknown,
            "missing_words": list(self.missing_words),
        }


class VoskRecognizer:
    """One loaded Vosk model; thread-safe to share, one KaldiRecognizer per call."""

    def __init__(self, model_path: Path) -> None:
        model_path = Path(model_path)
        if not model_path.is_dir():
            raise ModelLoadError(f"Vosk model folder {model_path} does not exist")
        if not (model_path / "am").is_dir() or not (model_path / "conf").is_dir():
            raise ModelLoadError(
                f"{model_path} is not a Vosk model folder (expected am/, conf/ and graph/)"
            )
        try:
            import vosk
        except ImportError as exc:
            raise ModelLoadError("the vosk package is not installed: pip install vosk") from exc
        vosk.SetLogLevel(-1)  # Kaldi's own chatter; problems are reported here instead
        try:
            self._model = vosk.Model(str(model_path))
        except Exception as exc:  # vosk raises a bare Exception for a broken model
            raise ModelLoadError(f"Vosk could not load the model in {model_path}: {exc}") from exc
        self._vosk = vosk
        self.path = model_path
        self.unknown_token = next((token for token in UNKNOWN_TOKENS if self.knows(token)), None)
        self._reported: set[str] = set()
        self._lock = threading.Lock()

    def knows(self, word: str) -> bool:
        return int(self._model.vosk_model_find_word(word)) >= 0

    def missing_words(self, phrases: list[str]) -> list[str]:
        missing: list[str] = []
        for phrase in phrases:
            for word in phrase.split():
                if word not in missing and not self.knows(word):
                    missing.append(word)
        with self._lock:
            new = [word for word in missing if word not in self._reported]
            self._reported.update(new)
        if new:
            log.warning(
                "Vosk model %s does not know these words; they cannot be recognised: %s",
                self.path,
                ", ".join(new),
            )
        return missing

    def recognise(self, audio: Audio, candidates: list[str]) -> Recognition:
        """Decode ``audio`` choosing among ``candidates`` (phrases) or the unknown token."""
        phrases = [c.lower() for c in candidates]
        missing = self.missing_words(phrases)
        usable = [p for p in phrases if not any(word in missing for word in p.split())]
        grammar = [*usable, *([self.unknown_token] if self.unknown_token else [])]
        if not grammar:
            return Recognition("", (), True, tuple(missing))
        recogniser = self._vosk.KaldiRecognizer(
            self._model, SAMPLE_RATE, json.dumps(grammar, ensure_ascii=False)
        )
        recogniser.SetWords(True)
        pcm = (np.clip(audio.samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        recogniser.AcceptWaveform(pcm)
        result = json.loads(recogniser.FinalResult())
        words = tuple(
            RecognisedWord(w["word"], float(w["start"]), float(w["end"]), float(w["conf"]))
            for w in result.get("result", [])
        )
        text = " ".join(w.word for w in words if w.word != self.unknown_token)
        unknown = not text or any(w.word == self.unknown_token for w in words)
        return Recognition(text, words, unknown, tuple(missing))


_SHARED: dict[Path, VoskRecognizer] = {}
_SHARED_LOCK = threading.Lock()
# Free the models while the vosk module still exists; at interpreter exit its __del__
# would otherwise run after the module's globals are gone and print a traceback.
atexit.register(_SHARED.clear)


def shared_recognizer(model_path: Path) -> VoskRecognizer:
    """The process-wide recogniser for ``model_path``, loaded on first use."""
    key = Path(model_path).resolve()
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = VoskRecognizer(key)
        return _SHARED[key]


def configured_recognizer() -> VoskRecognizer | None:
    """The recogniser of ``SANAPAJA_VOSK_MODEL``, or None when no model is configured."""
    configured = os.environ.get(MODEL_ENV)
    return shared_recognizer(Path(configured)) if configured else None
