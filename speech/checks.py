"""What a learner's recording can go wrong with before pronunciation is judged.

Each case is a verdict with a message key, never an exception: silence, too quiet,
clipped, too long, and speech cut off at the start or end of the recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from speech.audio import Audio
from speech.features import HOP, compute_frames

SPEECH_DB = -35.0  # frames within this many dB of the loudest are speech
ABOVE_FLOOR_DB = 8.0  # ... and this far above the noise floor
TOO_QUIET_PEAK = 0.02  # peak amplitude below this is too quiet to judge
NO_SPEECH_PEAK = 0.003
CLIPPED_FRACTION = 0.01
MIN_SPEECH_SECONDS = 0.12
EDGE_SECONDS = 0.03
PAD_SECONDS = 0.05


class Verdict(StrEnum):
    CORRECT = "correct"
    CLOSE = "close"
    WRONG = "wrong"
    NO_SPEECH = "no_speech"
    TOO_QUIET = "too_quiet"
    CLIPPED = "clipped"
    TOO_LONG = "too_long"
    CUT_OFF = "cut_off"


@dataclass(frozen=True)
class AudioCheck:
    verdict: Verdict | None  # None: fine to score
    message_key: str | None
    speech: Audio  # the speech with silence trimmed (and a little padding kept)


def check_audio(audio: Audio, max_speech_seconds: float) -> AudioCheck:
    samples = audio.samples
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak < NO_SPEECH_PEAK:
        return AudioCheck(Verdict.NO_SPEECH, "audio.no_speech", audio)
    if audio.clipped_fraction > CLIPPED_FRACTION:
        return AudioCheck(Verdict.CLIPPED, "audio.clipped", audio)
    frames = compute_frames(samples)
    # Speech stands out from the recording's own noise floor as well as from silence.
    floor = float(np.percentile(frames.energy_db, 10))
    loud = frames.energy_db > max(SPEECH_DB, floor + ABOVE_FLOOR_DB)
    voiced = frames.voicing > 0.3
    active = np.flatnonzero(loud)
    if active.size == 0 or not (loud & voiced).any():
        return AudioCheck(Verdict.NO_SPEECH, "audio.no_speech", audio)
    start, end = int(active[0]), int(active[-1]) + 1
    speech_seconds = (end - start) * HOP / audio.rate
    if speech_seconds < MIN_SPEECH_SECONDS:
        return AudioCheck(Verdict.NO_SPEECH, "audio.no_speech", audio)
    if peak < TOO_QUIET_PEAK:
        return AudioCheck(Verdict.TOO_QUIET, "audio.too_quiet", audio)
    if speech_seconds > max_speech_seconds:
        return AudioCheck(Verdict.TOO_LONG, "audio.too_long", audio)
    edge = int(EDGE_SECONDS * audio.rate / HOP)
    if start < edge or end > len(frames) - edge:
        trimmed = _trim(audio, start, end)
        return AudioCheck(Verdict.CUT_OFF, "audio.cut_off", trimmed)
    return AudioCheck(None, None, _trim(audio, start, end))


def _trim(audio: Audio, start_frame: int, end_frame: int) -> Audio:
    pad = int(PAD_SECONDS * audio.rate)
    first = max(0, start_frame * HOP - pad)
    last = min(len(audio.samples), end_frame * HOP + 240 + pad)
    return Audio(audio.samples[first:last], audio.rate, audio.clipped_fraction)
