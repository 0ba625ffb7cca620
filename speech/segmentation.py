"""Segmenting an utterance into the broad sound classes its Finnish spelling predicts.

Finnish spelling is phonemic, so the expected sequence of sounds of a word is known. Each
sound maps to a broad class that speaker-independent cues can tell apart: vowels (loud and
voiced), sonorants (l, m, n, r, j, v: voiced but quieter), stops (a quiet closure) and
fricatives (s, f: noisy and unvoiced). A left-to-right Viterbi pass aligns the expected
sequence to the frames; the durations it finds are what the quantity check judges.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from lessons.finnish.syllables import Length, Segment, SegmentKind, segments
from speech.features import Frames, Matrix, Vector

MIN_FRAMES = 2
REFINEMENTS = 2
SPECTRAL_WEIGHT = 1.0


class SoundClass(StrEnum):
    SILENCE = "silence"
    VOWEL = "vowel"
    SONORANT = "sonorant"
    STOP = "stop"
    FRICATIVE = "fricative"
    H = "h"  # weak and often voiced between vowels: any consonant class fits


_STOPS = frozenset("ptkbdg")
_FRICATIVES = frozenset("sfšzž")


@dataclass(frozen=True)
class Unit:
    """One expected sound of the target: its spelling, class and phonological length."""

    text: str
    sound_class: SoundClass
    long: bool
    segment_index: int | None  # index into lessons.finnish.syllables.segments(), None for pauses
    measurable: bool = True


def expected_units(text: str) -> list[Unit]:
    """The sound units of ``text``; an optional pause stands between words."""
    units: list[Unit] = []
    previous_word: int | None = None
    for index, segment in enumerate(segments(text.lower())):
        if previous_word is not None and segment.word_index != previous_word:
            units.append(Unit(" ", SoundClass.SILENCE, False, None, measurable=False))
        previous_word = segment.word_index
        sound_class = _class_of(segment)
        # A word-initial closure or h cannot be told from the silence or breath before it.
        word_initial_stop = sound_class in (SoundClass.STOP, SoundClass.H) and (
            not units or units[-1].sound_class is SoundClass.SILENCE
        )
        units.append(
            Unit(
                segment.text,
                sound_class,
                segment.length is Length.LONG,
                index,
                measurable=not word_initial_stop,
            )
        )
    return units


def _class_of(segment: Segment) -> SoundClass:
    if segment.kind in (SegmentKind.VOWEL, SegmentKind.DIPHTHONG):
        return SoundClass.VOWEL
    letter = segment.text[0]
    if letter in _STOPS:
        return SoundClass.STOP
    if letter in _FRICATIVES:
        return SoundClass.FRICATIVE
    if letter == "h":
        return SoundClass.H
    return SoundClass.SONORANT


def class_scores(frames: Frames) -> dict[SoundClass, Vector]:
    """Log-scores (0 is a perfect fit, more negative is worse) of each class per frame."""
    energy = frames.energy_db
    voicing_top = float(np.percentile(frames.voicing, 90)) or 1.0
    voiced = np.clip(frames.voicing / voicing_top, 0.0, 1.5)
    high = frames.high_ratio

    def above(values: Vector, limit: float, scale: float) -> Vector:
        return np.asarray(np.square(np.clip(values - limit, 0.0, None) / scale))

    def below(values: Vector, limit: float, scale: float) -> Vector:
        return np.asarray(np.square(np.clip(limit - values, 0.0, None) / scale))

    quiet = above(energy, -18.0, 4.0) + above(voiced, 0.55, 0.15)
    vowel = below(energy, -9.0, 3.0) + below(voiced, 0.65, 0.15) + above(high, 0.3, 0.1)
    sonorant = (
        above(energy, -5.0, 3.0)
        + below(energy, -30.0, 4.0)
        + below(voiced, 0.6, 0.15)
        + above(high, 0.25, 0.1)
    )
    fricative = below(high, 0.25, 0.1) + above(voiced, 0.6, 0.15) + below(energy, -35.0, 4.0)
    scores = {
        SoundClass.SILENCE: -quiet,
        SoundClass.STOP: -quiet,
        SoundClass.VOWEL: -vowel,
        SoundClass.SONORANT: -sonorant,
        SoundClass.FRICATIVE: -fricative,
    }
    scores[SoundClass.H] = np.maximum.reduce([-quiet, -sonorant, -fricative])
    return scores


@dataclass(frozen=True)
class Alignment:
    """Frame spans (start inclusive, end exclusive) of each unit, and the fit per frame."""

    units: tuple[Unit, ...]
    spans: tuple[tuple[int, int], ...]
    fit: float  # mean per-frame score over the speech frames (0 best)

    def frames_of(self, unit_index: int) -> int:
        start, end = self.spans[unit_index]
        return end - start


def cepstra(frames: Frames) -> Matrix:
    """Cepstral coefficients 1-12 of the log-mel frames, scaled to unit variance."""
    count = frames.log_mel.shape[1]
    basis = np.cos(np.pi / count * (np.arange(count)[None, :] + 0.5) * np.arange(1, 13)[:, None])
    values = frames.log_mel @ basis.T
    return np.asarray(values / (values.std(axis=0, keepdims=True) + 1e-6))


def align(frames: Frames, units: list[Unit], refinements: int = REFINEMENTS) -> Alignment:
    """Align ``units`` (with optional silence before and after) to the frames.

    A first pass uses the broad-class cues alone. Then, as in segmental k-means, each
    unit's mean spectrum is estimated from the frames it got and the alignment is redone
    with the spectral distance added, so boundaries move to where this speaker's spectrum
    changes: the segmentation adapts to the voice instead of assuming one.
    """
    scores = class_scores(frames)
    alignment, unit_of_frame = _viterbi(frames, units, scores, None)
    if len(units) == 0:
        return alignment
    spectra = cepstra(frames)
    for _ in range(refinements):
        means = np.stack(
            [
                spectra[unit_of_frame == index].mean(axis=0)
                if (unit_of_frame == index).any()
                else spectra.mean(axis=0)
                for index in range(-1, len(units) + 1)
            ]
        )
        distances = ((spectra[:, None, :] - means[None, :, :]) ** 2).mean(axis=2)
        alignment, unit_of_frame = _viterbi(frames, units, scores, SPECTRAL_WEIGHT * distances)
    return alignment


def _viterbi(
    frames: Frames,
    units: list[Unit],
    scores: dict[SoundClass, Vector],
    spectral_cost: Matrix | None,
) -> tuple[Alignment, npt.NDArray[np.int64]]:
    states: list[tuple[int, SoundClass]] = [(-1, SoundClass.SILENCE)]
    for index, unit in enumerate(units):
        states += [(index, unit.sound_class)] * MIN_FRAMES
    states.append((len(units), SoundClass.SILENCE))
    emission = np.stack([scores[sound_class] for _, sound_class in states])
    if spectral_cost is not None:
        # Columns of spectral_cost: leading silence, each unit, trailing silence.
        columns = np.array([unit_index + 1 for unit_index, _ in states])
        emission = emission - spectral_cost[:, columns].T
    count, length = emission.shape
    if length < count:
        emission = np.pad(emission, ((0, 0), (0, count - length)), mode="edge")
        length = count
    # A state may repeat only at the last of a unit's minimum-duration chain (and silences).
    loops = np.array(
        [
            state == 0 or state == count - 1 or states[state + 1][0] != states[state][0]
            for state in range(count)
        ]
    )
    best = np.full((length, count), -np.inf)
    came_from = np.zeros((length, count), dtype=np.int64)
    best[0, 0] = emission[0, 0]
    best[0, 1] = emission[1, 0]  # speech may start at once
    for t in range(1, length):
        stay = np.where(loops, best[t - 1], -np.inf)
        advance = np.concatenate(([-np.inf], best[t - 1, :-1]))
        took_advance = advance > stay
        best[t] = np.where(took_advance, advance, stay) + emission[:, t]
        came_from[t] = np.where(took_advance, np.arange(count) - 1, np.arange(count))
    end_state = count - 1 if best[-1, count - 1] >= best[-1, count - 2] else count - 2
    path = np.empty(length, dtype=np.int64)
    path[-1] = end_state
    for t in range(length - 1, 0, -1):
        path[t - 1] = came_from[t, path[t]]
    unit_of_frame = np.array([states[state][0] for state in path])
    spans = []
    for index in range(len(units)):
        where = np.flatnonzero(unit_of_frame == index)
        spans.append((int(where[0]), int(where[-1]) + 1) if where.size else (0, 0))
    speech = (unit_of_frame >= 0) & (unit_of_frame < len(units))
    picked = emission[path, np.arange(length)]
    fit = float(picked[speech].mean()) if speech.any() else float("-inf")
    return Alignment(tuple(units), tuple(spans), fit), unit_of_frame[: len(frames)]
