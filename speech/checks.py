"""What a learner's recording can go wrong with before pronunciation is judged.

Each case is a verdict with a message key, never an exception: silence, too quiet,
clipped, too long, and a sound cut off mid-way at the start or end of the recording.
Speech that starts at the first sample or ends at the last is normal (a trimmed recording,
a voice-activity detector): only a recording whose edge is still loud, as in the middle of a
vowel, is cut off.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from speech.audio import SAMPLE_RATE, Audio, Samples
from speech.features import HOP, Frames, Vector, compute_frames

SPEECH_DB = -35.0  # frames within this many dB of the loudest are speech
ABOVE_FLOOR_DB = 8.0  # ... and this far above the noise floor
TOO_QUIET_PEAK = 0.02  # peak amplitude below this is too quiet to judge
NO_SPEECH_PEAK = 0.003
CLIPPED_FRACTION = 0.01
MIN_SPEECH_SECONDS = 0.12
PAD_SECONDS = 0.05
# A cut: speech at the edge that is loud (its first or last EDGE_MS within CUT_START_DB /
# CUT_END_DB of the loud parts) and voiced, with no onset after it (the next RISE_CHUNKS
# chunks of EDGE_MS less than RISE_DB louder) or no decay before it. A trimmed word fades
# in and out within a few milliseconds; a vowel cut in the middle does neither.
EDGE_MS = 5
CUT_START_DB = -12.0
CUT_END_DB = -12.0
CUT_VOICING = 0.4
RISE_CHUNKS = 8
RISE_DB = 6.0


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
    # Speech stands out from the recording's own noise floor as well as from silence; a
    # recording trimmed to its speech has no floor of its own, so then silence alone counts.
    start, end = _speech_span(frames, float(np.percentile(frames.energy_db, 10)))
    if (end - start) * HOP / audio.rate < MIN_SPEECH_SECONDS:
        start, end = _speech_span(frames, -np.inf)
    if end <= start or not (frames.voicing[start:end] > 0.3).any():
        return AudioCheck(Verdict.NO_SPEECH, "audio.no_speech", audio)
    speech_seconds = (end - start) * HOP / audio.rate
    if speech_seconds < MIN_SPEECH_SECONDS:
        return AudioCheck(Verdict.NO_SPEECH, "audio.no_speech", audio)
    if peak < TOO_QUIET_PEAK:
        return AudioCheck(Verdict.TOO_QUIET, "audio.too_quiet", audio)
    if speech_seconds > max_speech_seconds:
        return AudioCheck(Verdict.TOO_LONG, "audio.too_long", audio)
    if _cut(samples, frames.voicing, start, end):
        return AudioCheck(Verdict.CUT_OFF, "audio.cut_off", _trim(audio, start, end))
    return AudioCheck(None, None, _trim(audio, start, end))


def _speech_span(frames: Frames, floor: float) -> tuple[int, int]:
    loud = frames.energy_db > max(SPEECH_DB, floor + ABOVE_FLOOR_DB)
    active = np.flatnonzero(loud & (frames.voicing > 0.3))
    if active.size == 0:
        return 0, 0
    everything = np.flatnonzero(loud)
    return int(everything[0]), int(everything[-1]) + 1


def _cut(samples: Samples, voicing: Vector, start: int, end: int) -> bool:
    """Whether the speech runs into an edge of the recording mid-sound: its first (last)
    EDGE_MS are loud and voiced, and no onset rises after them (no decay comes before)."""
    width = int(EDGE_MS * SAMPLE_RATE / 1000)
    chunks = len(samples) // width
    if chunks < 2 * RISE_CHUNKS:
        return False
    levels = 20.0 * np.log10(
        np.sqrt(np.mean(samples[: chunks * width].reshape(chunks, width) ** 2, axis=1)) + 1e-9
    )
    levels = levels - float(np.percentile(levels, 95))
    at_start = start == 0 and levels[0] > CUT_START_DB and voicing[0] > CUT_VOICING
    at_start = at_start and float(np.max(levels[1 : RISE_CHUNKS + 1])) - levels[0] < RISE_DB
    at_end = end >= len(voicing) and levels[-1] > CUT_END_DB and voicing[-1] > CUT_VOICING
    at_end = at_end and float(np.max(levels[-RISE_CHUNKS - 1 : -1])) - levels[-1] < RISE_DB
    return bool(at_start or at_end)


def _trim(audio: Audio, start_frame: int, end_frame: int) -> Audio:
    pad = int(PAD_SECONDS * audio.rate)
    first = max(0, start_frame * HOP - pad)
    last = min(len(audio.samples), end_frame * HOP + 240 + pad)
    return Audio(audio.samples[first:last], audio.rate, audio.clipped_fraction)
