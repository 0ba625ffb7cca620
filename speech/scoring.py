"""Pronunciation scoring: was the target said (verification), and were its lengths right.

1. Verification (speech.verification): CMU's en-us acoustic model, trained on human speech,
   force-aligns the target's phones (speech.phones) and an unconstrained phone loop to the
   utterance; the log-likelihood ratio per frame of each word says whether that word was
   said. Other words, another language, noise and mumbling fail it; a phrase gets a result
   per word. Where a cohort (the pack's other phrases) is given, an utterance nearer one of
   them than the target is "other words" as well (whole-utterance templates,
   speech.templates).
2. The quantity check (speech.timing): every long/short sound whose change makes another
   form (tuli → tuuli, tulli) is measured (vowels, sonorants, fricatives from the acoustic
   alignment, stop closures from the energy track) and judged against how native Finnish
   speakers time that kind of sound in that position, relative to the speaker's own tempo.
   Only a verified target gets per-sound feedback.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from lessons.finnish.minimal_pairs import Neighbour, length_neighbours
from lessons.finnish.normalize import normalize_answer
from speech.acoustic import ForcedAlignment, PhoneTiming, acoustic_model
from speech.audio import Audio, AudioLimits, read_wav
from speech.checks import Verdict, check_audio
from speech.features import FRAME_SECONDS, Matrix
from speech.phones import WordPhones, word_phones
from speech.templates import distance, template
from speech.timing import Sound, TimingModel, measure, target_sounds
from speech.tts import TextToSpeech, Voice
from speech.verification import WordCheck, check_words, unaligned
from speech.vosk_recognizer import Recognition, VoskRecognizer

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
PASS_SCORE = 70
CLOSE_SCORE = 50
#: Score per unit of length log-likelihood ratio around the pass point: the "close" band
#: (50-69) spans 0.28 of it, so a clear length error scores below 50.
SHARPNESS = 3.0
#: A phrase with fewer than this share of its words heard is other words, not a word missing.
MIN_HEARD_SHARE = 0.5
#: Cohort phrases nearest the utterance (whole-utterance templates) that the acoustic
#: model then compares with the target.
COHORT_CANDIDATES = 2
COHORT_VOICE = Voice(None, 150)
MAX_SPEECH_SECONDS_PER_SYLLABLE = 1.2
MIN_MAX_SPEECH_SECONDS = 3.0


@dataclass(frozen=True)
class Calibration:
    """Decision points fitted on native recordings (bench/fit_speech.py)."""

    word_goodness: float  # least goodness (per-frame log-likelihood ratio) of a word said
    pass_llr: float  # least length log-likelihood ratio that passes (a neighbour is a word)
    pass_llr_non_word: float  # the same when the other length makes no word (an accent)
    timing: TimingModel

    @staticmethod
    def load(path: Path = CALIBRATION_FILE) -> Calibration:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Calibration(
            word_goodness=float(data["word_goodness"]),
            pass_llr=float(data["pass_llr"]),
            pass_llr_non_word=float(data["pass_llr_non_word"]),
            timing=TimingModel.from_dict(data["timing"]),
        )


@cache
def default_calibration() -> Calibration:
    return Calibration.load()


@dataclass(frozen=True)
class Contrast:
    """One long/short sound of the target and the form its other length makes."""

    sound: Sound
    neighbour: str
    neighbour_is_word: bool


@dataclass(frozen=True)
class TargetModel:
    target: str
    words: tuple[WordPhones, ...]
    sounds: tuple[Sound, ...]
    contrasts: tuple[Contrast, ...]
    max_speech_seconds: float
    recordings: tuple[bytes, ...] = ()


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
    words: tuple[WordCheck, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "verdict": str(self.verdict),
            "score": self.score,
            "message_key": self.message_key,
            "heard_as": self.heard_as,
            "segments": [segment.to_dict() for segment in self.segments],
            "words": [word.to_dict() for word in self.words],
            "durations_ms": self.durations_ms,
            "asr": self.asr.to_dict() if self.asr else None,
        }


@dataclass(frozen=True)
class Analysis:
    """What the acoustic model and the energy track found in one utterance of a target."""

    alignment: ForcedAlignment | None
    loop: tuple[PhoneTiming, ...]
    frames: dict[int, int]  # segment index -> measured frames


def analyse(speech: Audio, model: TargetModel) -> Analysis:
    acoustic = acoustic_model()
    alignment = acoustic.align(speech, list(model.words)) if model.words else None
    loop = tuple(acoustic.phone_loop(speech)) if alignment is not None else ()
    frames = measure(model.sounds, alignment) if alignment is not None else {}
    return Analysis(alignment, loop, frames)


def _speech_template(audio: Audio) -> Matrix | None:
    """The template of the speech in ``audio`` (silence trimmed), None if there is none."""
    speech = check_audio(audio, float("inf")).speech
    return template(speech) if speech.samples.size else None


def _shape(text: str) -> str:
    """A text with its lengths undone (tuuli → tuli): its length neighbours are judged by
    the length check, so they are never 'other words'."""
    letters = normalize_answer(text)
    return "".join(char for i, char in enumerate(letters) if i == 0 or char != letters[i - 1])


def _mean_goodness(checks: list[WordCheck]) -> float:
    return sum(check.goodness for check in checks) / len(checks) if checks else -math.inf


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(value, 50.0), -50.0)))


class PronunciationScorer:
    """Scores utterances against targets; target models and templates are cached."""

    def __init__(
        self,
        tts: TextToSpeech,
        is_word: Callable[[str], bool] | None = None,
        limits: AudioLimits | None = None,
        recognizer: VoskRecognizer | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self.tts = tts
        self.recognizer = recognizer
        self.is_word = is_word
        self.limits = limits or AudioLimits()
        self.calibration = calibration or default_calibration()
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

    def _build_model(
        self, target: str, confusables: tuple[str, ...], recordings: tuple[bytes, ...]
    ) -> TargetModel:
        sounds = target_sounds(target)
        syllables = max(1, sum(1 for sound in sounds if sound.group == "vowel"))
        max_seconds = max(MIN_MAX_SPEECH_SECONDS, syllables * MAX_SPEECH_SECONDS_PER_SYLLABLE)
        by_segment = {sound.segment_index: sound for sound in sounds}
        contrasts = []
        single_word = len(target.split()) == 1
        for neighbour in self._neighbours(target, confusables, single_word):
            sound = by_segment.get(neighbour.segment_index)
            if sound is None:
                continue
            contrasts.append(
                Contrast(
                    sound,
                    neighbour.text,
                    self.is_word(neighbour.word) if self.is_word else False,
                )
            )
        return TargetModel(
            target,
            tuple(word_phones(target)),
            tuple(sounds),
            tuple(contrasts),
            max_seconds,
            recordings,
        )

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
        items); an utterance nearer one of them than the target is "other words".
        """
        audio = utterance if isinstance(utterance, Audio) else read_wav(utterance, self.limits)
        model = self.model(target, confusables, recordings)
        checked = check_audio(audio, model.max_speech_seconds)
        if checked.verdict is not None:
            return ScoreResult(target, checked.verdict, 0, checked.message_key or "")
        speech = checked.speech
        analysis = analyse(speech, model)
        if analysis.alignment is None:
            words = self._without_one_word(speech, model)
        else:
            words = check_words(analysis.alignment, analysis.loop, self.calibration.word_goodness)
        heard = sum(word.ok for word in words)
        if model.words and heard < MIN_HEARD_SHARE * len(words):
            return ScoreResult(
                target, Verdict.WRONG, 0, "pronunciation.other_words", words=tuple(words)
            )
        if self._other_words(model, speech, cohort, words, analysis.loop):
            return ScoreResult(
                target, Verdict.WRONG, 0, "pronunciation.other_words", words=tuple(words)
            )
        feedback = [self._judge(analysis, model, contrast) for contrast in model.contrasts]
        judged = [item for item in feedback if item is not None]
        durations = {
            f"{sound.segment_index}:{sound.text}": round(
                analysis.frames[sound.segment_index] * FRAME_SECONDS * 1000
            )
            for sound in model.sounds
            if sound.segment_index in analysis.frames
        }
        worst = min((f.probability for f in judged), default=1.0)
        score = round(100 * worst)
        heard_as = None
        wrong = [f for f in judged if not f.ok and f.heard_as]
        if wrong:
            heard_as = min(wrong, key=lambda f: f.probability).heard_as
        asr = None
        if self.recognizer is not None:
            asr, score, heard_as = self._with_asr(model, speech, score, heard_as)
        missing = [word for word in words if not word.ok]
        if missing:
            # Part of a phrase was not heard: the answer is wrong, whatever its lengths.
            key = (
                "pronunciation.word_missing"
                if any(word.message_key == "word.missing" for word in missing)
                else "pronunciation.word_unclear"
            )
            return ScoreResult(
                target,
                Verdict.WRONG,
                min(score, CLOSE_SCORE - 1),
                key,
                None,
                tuple(judged),
                durations,
                asr,
                tuple(words),
            )
        if score >= PASS_SCORE:
            verdict, key = Verdict.CORRECT, "pronunciation.correct"
        elif score >= CLOSE_SCORE:
            verdict, key = Verdict.CLOSE, "pronunciation.close"
        else:
            verdict = Verdict.WRONG
            key = "pronunciation.heard_as" if heard_as else "pronunciation.length"
        return ScoreResult(
            target, verdict, score, key, heard_as, tuple(judged), durations, asr, tuple(words)
        )

    def _without_one_word(self, speech: Audio, model: TargetModel) -> list[WordCheck]:
        """When the whole phrase cannot be aligned, the phrase less one word, for each word:
        the best fit names the word that is missing. A single word is simply not there."""
        if len(model.words) < 2:
            return unaligned(model.words)
        acoustic = acoustic_model()
        loop = acoustic.phone_loop(speech)
        best: list[WordCheck] | None = None
        best_goodness = -math.inf
        for index, missing in enumerate(model.words):
            rest = [word for i, word in enumerate(model.words) if i != index]
            alignment = acoustic.align(speech, rest)
            if alignment is None:
                continue
            checks = check_words(alignment, loop, self.calibration.word_goodness)
            goodness = sum(check.goodness for check in checks) / len(checks)
            if goodness > best_goodness:
                best_goodness = goodness
                best = checks[:index] + unaligned([missing]) + checks[index:]
        return best if best is not None else unaligned(model.words)

    def _judge(
        self, analysis: Analysis, model: TargetModel, contrast: Contrast
    ) -> SegmentFeedback | None:
        timing = self.calibration.timing
        llr = timing.log_likelihood_ratio(contrast.sound, model.sounds, analysis.frames)
        if llr is None:
            return None
        pass_llr = (
            self.calibration.pass_llr
            if contrast.neighbour_is_word
            else self.calibration.pass_llr_non_word
        )
        # The score is 70 (a pass) at pass_llr.
        probability = _sigmoid(
            SHARPNESS * (llr - pass_llr) + math.log(PASS_SCORE / (100 - PASS_SCORE))
        )
        ok = probability >= PASS_SCORE / 100
        expected = "long" if contrast.sound.long else "short"
        heard = expected if ok else ("short" if contrast.sound.long else "long")
        return SegmentFeedback(
            sound=contrast.sound.text,
            expected=expected,
            heard=heard,
            ok=ok,
            probability=probability,
            # The neighbour is named only when its length is what the audio fits best.
            heard_as=contrast.neighbour
            if llr < 0 and not ok and contrast.neighbour_is_word
            else None,
            message_key="quantity.ok" if ok else f"quantity.too_{heard}",
        )

    def _cohort_template(self, text: str) -> Matrix | None:
        with self._lock:
            if text in self._cohort:
                return self._cohort[text]
        made = _speech_template(read_wav(self.tts.render_bytes(text, COHORT_VOICE), self.limits))
        with self._lock:
            self._cohort[text] = made
        return made

    def _other_words(
        self,
        model: TargetModel,
        speech: Audio,
        cohort: Iterable[str],
        target_words: list[WordCheck],
        loop: Sequence[PhoneTiming],
    ) -> bool:
        """Whether a phrase of ``cohort`` fits the utterance better than the target.

        Whole-utterance templates (DTW over cepstra) pick the COHORT_CANDIDATES cohort
        phrases nearest the utterance; the acoustic model then force-aligns each, and one
        whose words are all heard with a higher mean goodness than the target's is what was
        said. The templates alone are not trusted to judge: they come from espeak-ng."""
        own = _shape(model.target)
        others = [text for text in dict.fromkeys(cohort) if _shape(text) != own]
        if not others:
            return False
        said = template(speech)
        distances = []
        for text in others:
            other = self._cohort_template(text)
            if other is not None:
                found = distance(said, other)
                if math.isfinite(found):
                    distances.append((found, text))
        candidates = [text for _, text in sorted(distances)[:COHORT_CANDIDATES]]
        if not candidates:
            return False
        target_goodness = _mean_goodness(target_words)
        acoustic = acoustic_model()
        loop = loop or acoustic.phone_loop(speech)  # none yet when the target did not align
        for text in candidates:
            alignment = acoustic.align(speech, word_phones(text))
            if alignment is None:
                continue
            checks = check_words(alignment, loop, self.calibration.word_goodness)
            if all(check.ok for check in checks) and _mean_goodness(checks) > target_goodness:
                return True
        return False

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
