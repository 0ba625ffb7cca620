"""Pronunciation scoring on real espeak-ng audio from voices the references do not use."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lessons.finnish.spelling import open_spell_checker
from speech.audio import SAMPLE_RATE, Audio, read_wav
from speech.checks import Verdict, check_audio
from speech.scoring import REFERENCE_VOICES, PronunciationScorer
from speech.tts import TextToSpeech, Voice

LEARNERS = (Voice("m1", 140), Voice("m6", 165))


@pytest.fixture(scope="module")
def tts() -> TextToSpeech:
    return TextToSpeech()


@pytest.fixture(scope="module")
def scorer(tts: TextToSpeech) -> PronunciationScorer:
    checker = open_spell_checker()
    assert checker is not None
    return PronunciationScorer(tts, is_word=checker.is_word)


def learner(tts: TextToSpeech, text: str, voice: Voice, noise_db: float | None = None) -> Audio:
    """``text`` in a learner voice, with silence around it as a recording has."""
    audio = read_wav(tts.render_bytes(text, voice))
    pad = np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
    samples = np.concatenate([pad, audio.samples, pad])
    if noise_db is not None:
        power = float(np.mean(audio.samples**2))
        rng = np.random.default_rng(7)
        samples = samples + rng.normal(0, np.sqrt(power / 10 ** (noise_db / 10)), len(samples))
    return Audio(samples.astype(np.float32))


def test_learner_voices_are_not_reference_voices() -> None:
    references = {voice.variant for voice in REFERENCE_VOICES}
    assert not references & {voice.variant for voice in LEARNERS}


@pytest.mark.parametrize("voice", LEARNERS, ids=lambda v: v.espeak_name)
@pytest.mark.parametrize(
    ("target", "neighbour", "sound"),
    [("tuli", "tuuli", "u"), ("tuuli", "tuli", "uu"), ("kukka", "kuka", "kk")],
)
def test_a_length_error_is_caught_and_named(
    scorer: PronunciationScorer,
    tts: TextToSpeech,
    voice: Voice,
    target: str,
    neighbour: str,
    sound: str,
) -> None:
    right = scorer.score(learner(tts, target, voice), target)
    assert right.verdict is Verdict.CORRECT, right.to_dict()
    assert right.score >= 70 and right.heard_as is None
    wrong = scorer.score(learner(tts, neighbour, voice, noise_db=20.0), target)
    assert wrong.verdict is Verdict.WRONG, wrong.to_dict()
    assert wrong.score < 50
    assert wrong.heard_as == neighbour
    worst = min(wrong.segments, key=lambda segment: segment.probability)
    assert worst.sound == sound and not worst.ok and worst.heard_as == neighbour
    expected_message = "quantity.too_short" if len(sound) == 2 else "quantity.too_long"
    assert worst.message_key == expected_message


def test_result_is_json_with_message_keys(scorer: PronunciationScorer, tts: TextToSpeech) -> None:
    result = scorer.score(learner(tts, "tuuli", LEARNERS[0]), "tuli")
    data = json.loads(json.dumps(result.to_dict()))
    assert data["verdict"] == "wrong" and data["heard_as"] == "tuuli"
    assert data["message_key"] == "pronunciation.heard_as"
    assert {s["sound"] for s in data["segments"]} >= {"u", "l"}
    assert all(isinstance(value, int) for value in data["durations_ms"].values())


def test_silence_and_noise_are_no_speech(scorer: PronunciationScorer) -> None:
    silence = Audio(np.zeros(SAMPLE_RATE, dtype=np.float32))
    assert scorer.score(silence, "tuli").verdict is Verdict.NO_SPEECH
    noise = np.random.default_rng(1).normal(0, 0.05, SAMPLE_RATE).astype(np.float32)
    result = scorer.score(Audio(noise), "tuli")
    assert result.verdict is Verdict.NO_SPEECH and result.message_key == "audio.no_speech"


def test_recording_problems_get_their_own_verdicts(tts: TextToSpeech) -> None:
    speech = learner(tts, "tuli", LEARNERS[0])
    quiet = Audio(speech.samples * 0.01)
    assert check_audio(quiet, 3.0).verdict is Verdict.TOO_QUIET
    clipped = Audio(np.clip(speech.samples * 20, -1, 1), clipped_fraction=0.2)
    assert check_audio(clipped, 3.0).verdict is Verdict.CLIPPED
    many = Audio(np.concatenate([speech.samples] * 6))
    assert check_audio(many, 3.0).verdict is Verdict.TOO_LONG
    raw = read_wav(tts.render_bytes("tuli", LEARNERS[0]))
    cut = Audio(raw.samples[int(0.02 * SAMPLE_RATE) : int(0.25 * SAMPLE_RATE)])
    assert check_audio(cut, 3.0).verdict is Verdict.CUT_OFF
    assert check_audio(speech, 3.0).verdict is None


def test_wav_bytes_are_accepted(scorer: PronunciationScorer, tts: TextToSpeech) -> None:
    result = scorer.score(tts.render_bytes("kukka", Voice("m6", 150)), "kukka")
    assert result.verdict in (Verdict.CORRECT, Verdict.CUT_OFF)


PHRASES = ("Huomenta!", "Ei kiitos.", "Minä tarvitsen apua.", "Lattia on liukas.", "Kiitos!")


@pytest.mark.parametrize("voice", LEARNERS, ids=lambda v: v.espeak_name)
@pytest.mark.parametrize(
    ("target", "said"),
    [("Huomenta!", "Ei kiitos."), ("Minä tarvitsen apua.", "Lattia on liukas.")],
)
def test_other_words_are_wrong_and_the_right_words_pass(
    scorer: PronunciationScorer, tts: TextToSpeech, voice: Voice, target: str, said: str
) -> None:
    """Without a cohort only lengths are judged, so other words can pass; with the
    pack's other phrases to compare with, they are caught and the right words still pass."""
    cohort = [phrase for phrase in PHRASES if phrase != target]
    other = scorer.score(learner(tts, said, voice), target, cohort=cohort)
    assert other.verdict is Verdict.WRONG and other.score == 0, other.to_dict()
    assert other.message_key == "pronunciation.other_words" and not other.segments
    right = scorer.score(learner(tts, target, voice, noise_db=20.0), target, cohort=cohort)
    assert right.verdict is Verdict.CORRECT, right.to_dict()


def test_a_length_neighbour_in_the_cohort_still_gets_length_feedback(
    scorer: PronunciationScorer, tts: TextToSpeech
) -> None:
    result = scorer.score(learner(tts, "tuuli", LEARNERS[0]), "tuli", cohort=["tuuli", "kukka"])
    assert result.message_key == "pronunciation.heard_as" and result.heard_as == "tuuli"
