"""Sound durations measured on an utterance, and how native Finnish speakers time them.

Durations come from the acoustic model's forced alignment (speech.acoustic), stops
included: on the fitting half of the native recordings its stop durations separate long
from short (d' 2.5) better than the energy track's closures (d' 1.3), and its sonorants
(d' 0.5) better than the energy track's (0.4); see docs/speech.md.

Human timing: the log duration of a sound is modelled as the speaker's tempo (one number
per utterance) plus the typical log duration of its category (broad class, phonological
length, position in the word), as Finnish phonetics describes it: a long sound is about
twice a short one, the vowel of a second syllable after a short (light) first syllable is
half-long, and a sound at the end of a word is shorter than inside it. The category means
and spreads are fitted on native recordings (bench/fit_speech.py) and stored in
speech/calibration.json; a category with too few fitted sounds falls back to a broader one,
and a length with none to the other length scaled by LONG_TO_SHORT.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lessons.finnish.syllables import Length, Segment, SegmentKind, quantity_pattern, segments
from speech.acoustic import ForcedAlignment

#: Finnish long sounds are about twice as long as short ones (Lehtonen 1970; Suomi,
#: Toivanen & Ylitalo 2008, ch. 4): the prior where the fitted data have no long sounds.
LONG_TO_SHORT = 2.0
MIN_CATEGORY_COUNT = 6
MIN_SPREAD = 0.12  # log units: no category is judged sharper than this


@dataclass(frozen=True)
class Sound:
    """One measurable sound of a target: its segment, category and what it is measured by."""

    segment_index: int
    text: str
    group: str  # vowel, sonorant, stop, fricative
    long: bool
    position: str  # first, second_after_light, later
    final: bool

    def category_keys(self, long: bool | None = None) -> list[str]:
        """Category keys from the most specific to the broadest."""
        length = "long" if (self.long if long is None else long) else "short"
        final = "final" if self.final else "inner"
        return [
            f"{self.group}/{length}/{self.position}/{final}",
            f"{self.group}/{length}/{self.position}",
            f"{self.group}/{length}",
        ]


def _group(segment: Segment) -> str:
    if segment.kind is not SegmentKind.CONSONANT:
        return "vowel"
    letter = segment.text[0]
    if letter in "ptkbdg":
        return "stop"
    if letter in "sfhšzž":
        return "fricative"
    return "sonorant"


def target_sounds(text: str) -> list[Sound]:
    """The sounds of ``text`` whose durations can be measured, each with its category.

    A word-initial consonant is left out: its start cannot be told from the silence or
    breath before it (the aligner gives it whatever is left), and Finnish has no length
    contrast there."""
    found = segments(text.lower())
    sounds = []
    words: dict[int, list[int]] = {}
    for index, segment in enumerate(found):
        words.setdefault(segment.word_index, []).append(index)
    for indices in words.values():
        first = found[indices[0]]
        word_text = text.lower()[first.start : found[indices[-1]].end]
        try:
            light_first = quantity_pattern(word_text)[0].weight.value == "light"
        except (ValueError, IndexError):
            light_first = False
        base_syllable = first.syllable_index
        for position_in_word, index in enumerate(indices):
            segment = found[index]
            group = _group(segment)
            if position_in_word == 0 and segment.kind is SegmentKind.CONSONANT:
                continue
            syllable = segment.syllable_index - base_syllable
            if syllable == 0:
                position = "first"
            elif syllable == 1 and light_first and segment.kind is not SegmentKind.CONSONANT:
                position = "second_after_light"
            else:
                position = "later"
            sounds.append(
                Sound(
                    segment_index=index,
                    text=segment.text,
                    group=group,
                    long=segment.length is Length.LONG,
                    position=position,
                    final=position_in_word == len(indices) - 1,
                )
            )
    return sounds


def measure(sounds: Sequence[Sound], acoustic: ForcedAlignment) -> dict[int, int]:
    """Frames (10 ms) of each sound in the acoustic alignment (a diphthong's two phones
    together). Sounds it did not place are left out."""
    phone_frames: dict[int, int] = {}
    for word in acoustic.words:
        phones = iter(word.phones)
        for span in word.word.sounds:
            frames = 0
            for _ in span.phones:
                phone = next(phones, None)
                if phone is not None:
                    frames += phone.frames
            phone_frames[span.segment_index] = frames
    return {
        sound.segment_index: phone_frames[sound.segment_index]
        for sound in sounds
        if phone_frames.get(sound.segment_index, 0) > 0
    }


@dataclass(frozen=True)
class Category:
    mean: float  # log seconds at tempo 0
    spread: float
    count: int


@dataclass(frozen=True)
class TimingModel:
    categories: Mapping[str, Category]

    def category(self, sound: Sound, long: bool | None = None) -> Category:
        is_long = sound.long if long is None else long
        for key in sound.category_keys(is_long):
            found = self.categories.get(key)
            if found is not None and found.count >= MIN_CATEGORY_COUNT:
                return found
        # No long (or short) sounds of this class were fitted: scale the other length.
        for key in sound.category_keys(not is_long):
            found = self.categories.get(key)
            if found is not None and found.count >= MIN_CATEGORY_COUNT:
                shift = math.log(LONG_TO_SHORT) * (1 if is_long else -1)
                return Category(found.mean + shift, found.spread, 0)
        return Category(math.log(0.08 * (LONG_TO_SHORT if is_long else 1.0)), 0.35, 0)

    def tempo(self, sounds: Sequence[Sound], frames: Mapping[int, int], skip: int | None) -> float:
        """The speaker's tempo: the median residual of the other measured sounds (the
        median, so that one misplaced boundary does not move every other judgement)."""
        residuals = [
            math.log(frames[s.segment_index] / 100) - self.category(s).mean
            for s in sounds
            if s.segment_index in frames and s.segment_index != skip
        ]
        return statistics.median(residuals) if residuals else 0.0

    def log_likelihood_ratio(
        self, sound: Sound, sounds: Sequence[Sound], frames: Mapping[int, int]
    ) -> float | None:
        """log p(duration | the target's length) - log p(duration | the other length),
        relative to the speaker's tempo from the other sounds; None if not measured."""
        if sound.segment_index not in frames:
            return None
        tempo = self.tempo(sounds, frames, sound.segment_index)
        value = math.log(frames[sound.segment_index] / 100) - tempo
        right = self.category(sound)
        wrong = self.category(sound, not sound.long)
        return _log_normal(value, right) - _log_normal(value, wrong)

    def to_dict(self) -> dict[str, list[float]]:
        return {
            key: [round(c.mean, 4), round(c.spread, 4), c.count]
            for key, c in sorted(self.categories.items())
        }

    @staticmethod
    def from_dict(data: Mapping[str, Sequence[float]]) -> TimingModel:
        return TimingModel(
            {key: Category(float(v[0]), float(v[1]), int(v[2])) for key, v in data.items()}
        )


def _log_normal(value: float, category: Category) -> float:
    spread = max(category.spread, MIN_SPREAD)
    return -0.5 * ((value - category.mean) / spread) ** 2 - math.log(spread)


def fit_timing(
    utterances: Sequence[tuple[Sequence[Sound], Mapping[int, int]]], rounds: int = 8
) -> TimingModel:
    """Fit category means and spreads on correct productions (log duration = tempo +
    category mean), alternating between the speakers' tempos and the category means."""
    keys_of = [
        [(sound, frames[sound.segment_index]) for sound in sounds if sound.segment_index in frames]
        for sounds, frames in utterances
    ]
    tempos = [0.0] * len(keys_of)
    model = TimingModel({})
    for _ in range(rounds):
        sums: dict[str, list[float]] = {}
        for tempo, measured in zip(tempos, keys_of, strict=True):
            for sound, count in measured:
                value = math.log(count / 100) - tempo
                for key in sound.category_keys():
                    sums.setdefault(key, []).append(value)
        categories = {}
        for key, values in sums.items():
            mean = sum(values) / len(values)
            spread = math.sqrt(sum((v - mean) ** 2 for v in values) / max(len(values) - 1, 1))
            categories[key] = Category(mean, spread, len(values))
        model = TimingModel(categories)
        tempos = [
            (
                sum(math.log(c / 100) - model.category(s).mean for s, c in measured) / len(measured)
                if measured
                else 0.0
            )
            for measured in keys_of
        ]
        # Tempos are relative: centre them so the category means stay in seconds.
        centre = sum(tempos) / len(tempos) if tempos else 0.0
        tempos = [tempo - centre for tempo in tempos]
    return model
