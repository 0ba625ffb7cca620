"""Pronunciation scoring without an ASR model: the Finnish sound-length check.

For a target word or phrase, the candidates are its length neighbours (the forms that differ
in one vowel or consonant length: tuli → tuuli, tulli) and the pack's confusables. Each
contrast is judged on the learner's own timing: the utterance is segmented into the broad
sound classes the spelling predicts (speech.segmentation), and the duration of the
contrasting sound relative to the speaker's other sounds is compared with the same measure
on reference renderings of the target and of the neighbour (several TTS voices and rates,
plus native recordings when the pack has them). Spectral similarity to the references is
not used to judge: it does not carry over from a synthetic voice to real speakers.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lessons.finnish.minimal_pairs import Neighbour, length_neighbours
from lessons.finnish.normalize import normalize_answer
from speech.audio import Audio, AudioFormatError, AudioLimits, read_wav
from speech.checks import Verdict, check_audio
from speech.features import FRAME_SECONDS, Matrix, compute_frames
from speech.segmentation import Alignment, SoundClass, Unit, align, expected_units
from speech.templates import distance, template
from speech.tts import TextToSpeech, Voice
from speech.vosk_recognizer import Recognition, VoskRecognizer

#: Reference voices: espeak-ng Finnish with three variants at three rates.
REFERENCE_VOICES: tuple[Voice, ...] = tuple(
    Voice(variant, rate) for variant in (None, "m3", "f2") for rate in (120, 150, 180)
)
PASS_SCORE = 70
CLOSE_SCORE = 50
# A contrast's margin z is +1 at the target references' mean, 0 halfway, -1 at the
# neighbour's. A score of PASS_SCORE sits at z = PASS_MARGIN: measured on the pseudo-learner
# corpus (bench/speech_eval.py), this keeps false rejections under 10 % at 20 dB SNR while
# catching over 90 % of length errors.
SHARPNESS = 4.0
PASS_MARGIN = -0.2
# A length error that makes another real word changes the meaning; one that makes no word
# is an accent. The latter is still reported per sound, but fails the answer only when clear.
NON_WORD_PASS_MARGIN = -0.6
MIN_HALF_GAP = 0.15  # log-ratio: references closer than this cannot calibrate a contrast
SCALE_FLOOR = 0.2
# Other words instead of the target: the utterance is nearer some other phrase's rendering
# than the mean of its three nearest target references, by more than this (template
# distance). On the pseudo-learner corpus it turns away about 2 % of right answers and
# catches 80-97 % of other phrases said instead (bench/speech_eval.py).
OTHER_WORDS_MARGIN = 0.01
NEAREST_REFERENCES = 3
COHORT_VOICE = Voice(None, 150)


def _score_centre(pass_margin: float) -> float:
    return pass_margin - math.log(PASS_SCORE / (100 - PASS_SCORE)) / SHARPNESS


MAX_SPEECH_SECONDS_PER_SYLLABLE = 1.2
MIN_MAX_SPEECH_SECONDS = 3.0


@dataclass(frozen=True)
class Contrast:
    """One long/short sound of the target, calibrated on references of both lengths."""

    unit_index: int
    sound: str
    target_long: bool
    neighbour: str
    neighbour_is_word: bool
    threshold: float  # log duration ratio halfway between target and neighbour references
    half_gap: float  # half the distance between the two reference means


@dataclass(frozen=True)
class TargetModel:
    target: str
    units: tuple[Unit, ...]
    contrasts: tuple[Contrast, ...]
    max_speech_seconds: float
    templates: tuple[Matrix, ...] = ()  # of the references, for the other-words check


@dataclass(frozen=True)
class SegmentFeedback:
    """What one long/short sound sounded like, as a message key with parameters."""

    sound: str
    expected: str  # "long" or "short"
    heard: str  # "long" or "short"
    ok: bool
    probability: float  # that the learner made it the right length
    heard_as: str | None
    message_key: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sound": self.sound,
            "expected": self.expected,
            "heard": self.heard,
            "ok": self.ok,
            "probability": round(self.probability, 3),
            "heard_as": self.heard_as,
            "message_key": self.message_key,
        }


@dataclass(frozen=True)
class ScoreResult:
    target: str
    verdict: Verdict
    score: int
    message_key: str
    heard_as: str | None = None
    segments: tuple[SegmentFeedback, ...] = ()
    durations_ms: dict[str, int] = field(default_factory=dict)
    asr: Recognition | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "verdict": str(self.verdict),
            "score": self.score,
            "message_key": self.message_key,
            "heard_as": self.heard_as,
            "segments": [segment.to_dict() for segment in self.segments],
            "durations_ms": self.durations_ms,
            "asr": self.asr.to_dict() if self.asr else None,
        }


def _alignments(audios: list[Audio], units: list[Unit]) -> list[Alignment]:
    return [align(compute_frames(audio.samples), units) for audio in audios]


def _speech_template(audio: Audio) -> Matrix | None:
    """The template of the speech in ``audio`` (silence trimmed), None if there is none."""
    speech = check_audio(audio, float("inf")).speech
    return template(speech) if speech.samples.size else None


def _shape(text: str) -> str:
    """A text with its lengths undone (tuuli → tuli): its length neighbours are judged by
    the length check, so they are never 'other words'."""
    letters = normalize_answer(text)
    return "".join(char for i, char in enumerate(letters) if i == 0 or char != letters[i - 1])


def duration_ratio(alignment: Alignment, unit_index: int) -> float:
    """log(duration of the unit / mean duration of the other measurable units)."""
    own = max(alignment.frames_of(unit_index), 1)
    others = [
        alignment.frames_of(i)
        for i, unit in enumerate(alignment.units)
        if i != unit_index and unit.measurable and unit.segment_index is not None
    ]
    mean_other = max(float(np.mean(others)), 1.0) if others else 1.0
    return math.log(own / mean_other)


class PronunciationScorer:
    """Scores utterances against targets; target models and references are cached."""

    def __init__(
        self,
        tts: TextToSpeech,
        voices: Iterable[Voice] = REFERENCE_VOICES,
        is_word: Callable[[str], bool] | None = None,
        limits: AudioLimits | None = None,
        recognizer: VoskRecognizer | None = None,
    ) -> None:
        self.tts = tts
        self.recognizer = recognizer
        self.voices = tuple(voices)
        self.is_word = is_word
        self.limits = limits or AudioLimits()
        self._models: dict[tuple[str, tuple[str, ...], tuple[bytes, ...]], TargetModel] = {}
        self._cohort: dict[str, Matrix | None] = {}
        self._lock = threading.Lock()

    def model(
        self,
        target: str,
        confusables: Iterable[str] = (),
        recordings: Iterable[bytes] = (),
    ) -> TargetModel:
        key = (target, tuple(confusables), tuple(recordings))
        with self._lock:
            cached = self._models.get(key)
        if cached is not None:
            return cached
        built = self._build_model(target, key[1], key[2])
        with self._lock:
            self._models[key] = built
        return built

    def _references(self, text: str, recordings: tuple[bytes, ...] = ()) -> list[Audio]:
        sources = [self.tts.render_bytes(text, voice) for voice in self.voices]
        audios = []
        for data in (*sources, *recordings):
            try:
                audios.append(read_wav(data, self.limits))
            except AudioFormatError:
                continue
        return audios

    def _cohort_template(self, text: str) -> Matrix | None:
        with self._lock:
            if text in self._cohort:
                return self._cohort[text]
        made = _speech_template(read_wav(self.tts.render_bytes(text, COHORT_VOICE), self.limits))
        with self._lock:
            self._cohort[text] = made
        return made

    def _build_model(
        self, target: str, confusables: tuple[str, ...], recordings: tuple[bytes, ...]
    ) -> TargetModel:
        units = expected_units(target)
        words = target.split()
        syllables = max(1, sum(1 for unit in units if unit.sound_class is SoundClass.VOWEL))
        max_seconds = max(MIN_MAX_SPEECH_SECONDS, syllables * MAX_SPEECH_SECONDS_PER_SYLLABLE)
        reference_audio = self._references(target, recordings)
        references = _alignments(reference_audio, units)
        templates = [made for made in map(_speech_template, reference_audio) if made is not None]
        contrasts = []
        for neighbour in self._neighbours(target, confusables, single_word=len(words) == 1):
            unit_index = next(
                (i for i, u in enumerate(units) if u.segment_index == neighbour.segment_index),
                None,
            )
            if unit_index is None or not units[unit_index].measurable:
                continue
            other = _alignments(self._references(neighbour.text), units)
            target_ratios = [duration_ratio(a, unit_index) for a in references]
            other_ratios = [duration_ratio(a, unit_index) for a in other]
            if not target_ratios or not other_ratios:
                continue
            mean_target = float(np.mean(target_ratios))
            mean_other = float(np.mean(other_ratios))
            target_long = units[unit_index].long
            # References must agree with the spelling, clearly: the long form measures
            # longer. Where even the references barely differ, the contrast is not judged.
            if (mean_target - mean_other) * (1 if target_long else -1) < 2 * MIN_HALF_GAP:
                continue
            contrasts.append(
                Contrast(
                    unit_index=unit_index,
                    sound=units[unit_index].text,
                    target_long=target_long,
                    neighbour=neighbour.text,
                    neighbour_is_word=self.is_word(neighbour.word) if self.is_word else False,
                    threshold=(mean_target + mean_other) / 2,
                    half_gap=abs(mean_target - mean_other) / 2,
                )
            )
        return TargetModel(target, tuple(units), tuple(contrasts), max_seconds, tuple(templates))

    def _neighbours(
        self, target: str, confusables: tuple[str, ...], single_word: bool
    ) -> list[Neighbour]:
        found = length_neighbours(target.lower())
        if not single_word and self.is_word is not None:
            # In a phrase, only contrasts that make another real word are checked.
            is_word = self.is_word
            found = [n for n in found if is_word(n.word)]
        extra = {c.lower() for c in confusables}
        seen = {n.text for n in found}
        for candidate in length_neighbours(target.lower()):
            if candidate.text in extra and candidate.text not in seen:
                found.append(candidate)
        return found

    def score(
        self,
        utterance: Audio | bytes,
        target: str,
        confusables: Iterable[str] = (),
        recordings: Iterable[bytes] = (),
        cohort: Iterable[str] = (),
    ) -> ScoreResult:
        """Judge one utterance of ``target``. Bad audio gives a verdict, never an exception,
        except unreadable input (AudioFormatError), which is the caller's to report.

        ``cohort``: other phrases the learner might say instead (e.g. the lesson's other
        items). With it, an utterance nearer one of them than the target is judged wrong
        ("other words"), which the length check alone cannot tell; without it, only the
        lengths are judged.
        """
        audio = utterance if isinstance(utterance, Audio) else read_wav(utterance, self.limits)
        model = self.model(target, confusables, recordings)
        checked = check_audio(audio, model.max_speech_seconds)
        if checked.verdict is not None and checked.verdict is not Verdict.CUT_OFF:
            return ScoreResult(target, checked.verdict, 0, checked.message_key or "")
        if self._other_words(model, checked.speech, cohort):
            return ScoreResult(target, Verdict.WRONG, 0, "pronunciation.other_words")
        alignment = align(compute_frames(checked.speech.samples), list(model.units))
        feedback = [self._judge(alignment, contrast) for contrast in model.contrasts]
        durations = {
            f"{i}:{unit.text}": round(alignment.frames_of(i) * FRAME_SECONDS * 1000)
            for i, unit in enumerate(model.units)
            if unit.segment_index is not None
        }
        worst = min((f.probability for f in feedback), default=1.0)
        score = round(100 * worst)
        heard_as = None
        wrong = [f for f in feedback if not f.ok and f.heard_as]
        if wrong:
            heard_as = min(wrong, key=lambda f: f.probability).heard_as
        asr = None
        if self.recognizer is not None:
            asr, score, heard_as = self._with_asr(model, checked.speech, score, heard_as)
        if checked.verdict is Verdict.CUT_OFF:
            verdict, key = Verdict.CUT_OFF, "audio.cut_off"
        elif score >= PASS_SCORE:
            verdict, key = Verdict.CORRECT, "pronunciation.correct"
        elif score >= CLOSE_SCORE:
            verdict, key = Verdict.CLOSE, "pronunciation.close"
        else:
            verdict = Verdict.WRONG
            key = "pronunciation.heard_as" if heard_as else "pronunciation.length"
        return ScoreResult(target, verdict, score, key, heard_as, tuple(feedback), durations, asr)

    def _other_words(self, model: TargetModel, speech: Audio, cohort: Iterable[str]) -> bool:
        """Whether the utterance is nearer another phrase of ``cohort`` than the target."""
        own = _shape(model.target)
        others = [text for text in dict.fromkeys(cohort) if _shape(text) != own]
        if not others or not model.templates:
            return False
        said = template(speech)
        nearest = sorted(distance(said, reference) for reference in model.templates)
        to_target = float(np.mean(nearest[:NEAREST_REFERENCES]))
        to_others = [
            distance(said, other)
            for other in (self._cohort_template(text) for text in others)
            if other is not None
        ]
        if not to_others or math.isinf(min(to_others)):
            return False
        return to_target - min(to_others) > OTHER_WORDS_MARGIN

    def _with_asr(
        self, model: TargetModel, speech: Audio, score: int, heard_as: str | None
    ) -> tuple[Recognition, int, str | None]:
        """Combine Vosk with the length check: a decoded neighbour is a wrong answer, an
        unrecognised utterance at best close; Vosk cannot raise a score."""
        assert self.recognizer is not None
        neighbours = sorted(
            {normalize_answer(c.neighbour) for c in model.contrasts if c.neighbour_is_word}
        )
        target = normalize_answer(model.target)
        recognition = self.recognizer.recognise(speech, [target, *neighbours])
        if any(word in recognition.missing_words for word in target.split()):
            return recognition, score, heard_as
        decoded = recognition.text
        if decoded and decoded != target and decoded in neighbours:
            return recognition, min(score, CLOSE_SCORE - 1), heard_as or decoded
        if recognition.unknown:
            return recognition, min(score, PASS_SCORE - 1), heard_as
        return recognition, score, heard_as

    @staticmethod
    def _judge(alignment: Alignment, contrast: Contrast) -> SegmentFeedback:
        ratio = duration_ratio(alignment, contrast.unit_index)
        direction = 1.0 if contrast.target_long else -1.0
        z = direction * (ratio - contrast.threshold) / max(contrast.half_gap, SCALE_FLOOR)
        margin = PASS_MARGIN if contrast.neighbour_is_word else NON_WORD_PASS_MARGIN
        probability = 1.0 / (1.0 + math.exp(-SHARPNESS * (z - _score_centre(margin))))
        ok = probability >= PASS_SCORE / 100
        expected = "long" if contrast.target_long else "short"
        heard = expected if ok else ("short" if contrast.target_long else "long")
        key = "quantity.ok" if ok else f"quantity.too_{heard}"
        return SegmentFeedback(
            sound=contrast.sound,
            expected=expected,
            heard=heard,
            ok=ok,
            probability=probability,
            heard_as=(
                contrast.neighbour
                if probability < CLOSE_SCORE / 100 and contrast.neighbour_is_word
                else None
            ),
            message_key=key,
        )
