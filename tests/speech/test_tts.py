from __future__ import annotations

import wave
from pathlib import Path

import pytest

from speech.audio import read_wav
from speech.tts import TextToSpeech, TtsError, Voice, cache_key


def test_renders_finnish_to_a_wav_once(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    engine = TextToSpeech(tmp_path)
    first = engine.render("Lattia on liukas.")
    with wave.open(str(first)) as wav:
        assert wav.getnchannels() == 1 and wav.getframerate() == 22050
        assert 0.8 < wav.getnframes() / wav.getframerate() < 3.0
    stamp = first.stat().st_mtime_ns
    assert engine.render("Lattia on liukas.") == first
    assert first.stat().st_mtime_ns == stamp
    assert "Audio saved" not in capfd.readouterr().out  # pyttsx3's print is swallowed


def test_voice_rate_and_pitch_change_the_rendering(tmp_path: Path) -> None:
    engine = TextToSpeech(tmp_path)
    slow = read_wav(engine.render_bytes("kiitos", Voice(rate=100)))
    fast = read_wav(engine.render_bytes("kiitos", Voice(rate=220)))
    assert slow.seconds > fast.seconds * 1.3
    assert cache_key("kiitos", Voice(pitch=30)) != cache_key("kiitos", Voice(pitch=70))
    assert engine.path_for("kiitos", Voice("m3")) != engine.path_for("kiitos", Voice("f2"))


def test_many_renders_in_a_row_all_have_audio(tmp_path: Path) -> None:
    engine = TextToSpeech(tmp_path)
    for index, word in enumerate(["tuli", "tuuli", "tulli", "kuka", "kukka"] * 3):
        assert read_wav(engine.render_bytes(word, Voice(rate=120 + index))).seconds > 0.2


def test_empty_text_and_unknown_voice_are_clear_errors(tmp_path: Path) -> None:
    engine = TextToSpeech(tmp_path)
    with pytest.raises(TtsError, match="empty"):
        engine.render("  ")
    with pytest.raises(TtsError, match="no-such-voice"):
        engine.render("kiitos", Voice("no-such-voice"))
