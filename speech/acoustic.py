"""CMU's en-us acoustic model (pocketsphinx): forced alignment and an unconstrained phone loop.

The model is trained on human speech, ships inside the PyPI wheel (no download) and loads
once per process, lazily, on first use. A pocketsphinx decoder is not thread-safe, so one
lock serialises its use; loading takes about 0.1-0.4 s and an alignment of a word tens of
milliseconds.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from speech.audio import SAMPLE_RATE, Audio
from speech.phones import WordPhones

#: Silence added around the speech before decoding: the model needs a little silence to
#: start and end in, and a trimmed recording has none.
PAD_SECONDS = 0.15
DITHER = 1e-4
FRAME_RATE = 100  # pocketsphinx frames per second


class AcousticModelError(RuntimeError):
    """pocketsphinx or its model is missing or broken; the message says which."""


@dataclass(frozen=True)
class PhoneTiming:
    phone: str
    start: int  # frame, relative to the start of the given speech (padding removed)
    frames: int
    score: int  # acoustic log-likelihood (pocketsphinx log units), higher is better


@dataclass(frozen=True)
class WordTiming:
    word: WordPhones
    start: int
    frames: int
    score: int
    phones: tuple[PhoneTiming, ...]


@dataclass(frozen=True)
class ForcedAlignment:
    words: tuple[WordTiming, ...]
    frames: int  # frames of the given speech
    score: int  # acoustic score of the whole path, silences included


def _pcm(audio: Audio) -> tuple[bytes, int]:
    pad = int(PAD_SECONDS * SAMPLE_RATE)
    rng = np.random.default_rng(0)
    samples = np.concatenate([np.zeros(pad, np.float32), audio.samples, np.zeros(pad, np.float32)])
    samples = samples + rng.normal(0.0, DITHER, len(samples)).astype(np.float32)
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
    return pcm, int(PAD_SECONDS * FRAME_RATE)


class AcousticModel:
    """One pocketsphinx decoder with the en-us model; every method holds the lock."""

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder, get_model_path
        except ImportError as exc:  # pragma: no cover - a dependency of the project
            raise AcousticModelError(f"pocketsphinx is not installed: {exc}") from exc
        model = get_model_path()
        try:
            self._decoder: Any = Decoder(
                hmm=os.path.join(model, "en-us", "en-us"),
                dict=os.path.join(model, "en-us", "cmudict-en-us.dict"),
                lm=None,
                loglevel="FATAL",
            )
            self._decoder.add_allphone_file("phone_loop", None)
        except (RuntimeError, ValueError) as exc:
            raise AcousticModelError(f"cannot load the pocketsphinx model: {exc}") from exc
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def _add(self, words: list[WordPhones]) -> None:
        for word in words:
            if word.name not in self._known:
                self._decoder.add_word(word.name, word.phone_string, True)
                self._known.add(word.name)

    def _run(self, pcm: bytes) -> bool:
        """Decode ``pcm`` with the active search; False when the search found no path
        (pocketsphinx reports that as an error at the end of the utterance)."""
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, full_utt=True)
        try:
            self._decoder.end_utt()
        except RuntimeError:
            return False
        return True

    def align(self, audio: Audio, words: list[WordPhones]) -> ForcedAlignment | None:
        """Force-align ``words`` (optional silence between them) to the speech; None when
        the decoder finds no path (audio far too short for the phones)."""
        pcm, offset = _pcm(audio)
        with self._lock:
            self._add(words)
            decoder = self._decoder
            decoder.set_align_text(" ".join(word.name for word in words))
            if not self._run(pcm) or decoder.hyp() is None:
                return None
            decoder.set_alignment()
            if not self._run(pcm):
                return None
            alignment = decoder.get_alignment()
            if alignment is None:
                return None
            entries = [
                (entry.name, entry.start, entry.duration, entry.score, list(entry))
                for entry in alignment
            ]
        total = sum(score for _, _, _, score, _ in entries)
        timings = []
        remaining = iter(words)
        for name, start, duration, score, phones in entries:
            if name.startswith("<") or name.startswith("["):
                continue
            word = next(remaining)
            timings.append(
                WordTiming(
                    word,
                    start - offset,
                    duration,
                    score,
                    tuple(
                        PhoneTiming(p.name, p.start - offset, p.duration, p.score) for p in phones
                    ),
                )
            )
        if len(timings) != len(words):
            return None
        return ForcedAlignment(tuple(timings), round(audio.seconds * FRAME_RATE), total)

    def phone_loop(self, audio: Audio) -> list[PhoneTiming]:
        """The best phone sequence with no constraint (every phone may follow any)."""
        pcm, offset = _pcm(audio)
        with self._lock:
            decoder = self._decoder
            decoder.activate_search("phone_loop")
            if not self._run(pcm):
                return []
            logmath = decoder.logmath
            segments = [
                (seg.word, seg.start_frame, seg.end_frame, seg.ascore) for seg in decoder.seg()
            ]
        return [
            PhoneTiming(
                phone,
                start - offset,
                end - start + 1,
                int(logmath.log(ascore)) if ascore > 0 else -(10**9),
            )
            for phone, start, end, ascore in segments
        ]


_model: AcousticModel | None = None
_model_lock = threading.Lock()


def acoustic_model() -> AcousticModel:
    """The process's acoustic model, loaded on first use."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = AcousticModel()
    return _model
