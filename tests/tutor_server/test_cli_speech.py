from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bench.suopuhe import SuopuheMissing, render
from speech.audio import SAMPLE_RATE, Audio, read_wav, to_wav_bytes
from tutor_server.cli import main


def test_speech_say_writes_a_wav(tmp_path: Path) -> None:
    out = tmp_path / "kiitos.wav"
    result = CliRunner().invoke(main, ["speech", "say", "Kiitos!", "-o", str(out), "--rate", "120"])
    assert result.exit_code == 0, result.output
    assert read_wav(out.read_bytes()).seconds > 0.3
    bad = CliRunner().invoke(main, ["speech", "say", "Kiitos!", "-o", str(out), "--voice", "zz9"])
    assert bad.exit_code == 1 and "no voice variant 'zz9'" in bad.output


def learner_file(tmp_path: Path, text: str, name: str) -> Path:
    """``text`` said by Festival's Suopuhe lj voice, with silence around it."""
    try:
        audio = render(text, "lj")
    except SuopuheMissing as exc:
        pytest.fail(str(exc))
    pad = np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
    path = tmp_path / f"{name}.wav"
    path.write_bytes(to_wav_bytes(Audio(np.concatenate([pad, audio.samples, pad]))))
    return path


def test_speech_score_one_json_line_per_file(tmp_path: Path) -> None:
    right = learner_file(tmp_path, "kukka", "right")
    wrong = learner_file(tmp_path, "kuka", "wrong")
    other = learner_file(tmp_path, "tuli", "other")
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"not audio at all")
    files = [str(right), str(wrong), str(other), str(broken)]
    result = CliRunner().invoke(main, ["speech", "score", "--target", "kukka", "--json", *files])
    assert result.exit_code == 1  # one file could not be read
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["file"] for line in lines] == files
    shape = {"score", "verdict", "message_key", "heard_as", "segments", "words"}
    assert all(shape <= line.keys() for line in lines[:3])
    assert lines[0]["verdict"] == "correct" and lines[0]["words"][0]["ok"] is True
    assert lines[1]["verdict"] == "wrong" and lines[1]["heard_as"] == "kuka"
    assert lines[2]["message_key"] == "pronunciation.other_words" and not lines[2]["segments"]
    assert lines[2]["words"] == [
        {**lines[2]["words"][0], "word": "kukka", "ok": False, "message_key": "word.unclear"}
    ]
    assert "not a WAV file" in lines[3]["error"]


def test_speech_score_text_output_names_the_sound_and_the_word(tmp_path: Path) -> None:
    wrong = learner_file(tmp_path, "kuka", "wrong")
    result = CliRunner().invoke(main, ["speech", "score", "--target", "kukka", str(wrong)])
    assert result.exit_code == 0, result.output
    assert "wrong" in result.output and "heard as 'kuka'" in result.output
    assert "kk: too short (should be long)" in result.output
    short = learner_file(tmp_path, "Työkaveri putosi.", "short")
    phrase = "Työkaveri putosi tikkailta."
    result = CliRunner().invoke(main, ["speech", "score", "--target", phrase, str(short)])
    assert result.exit_code == 0, result.output
    assert "  tikkailta: missing" in result.output


def test_tts_render_renders_only_what_changed(doc_example_dir: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["tts", "render", str(doc_example_dir)])
    assert first.exit_code == 0, first.output
    last = first.output.strip().splitlines()[-1]
    assert last.startswith("18 renderings of 9 phrases:") and "cached" in last
    again = runner.invoke(main, ["tts", "render", str(doc_example_dir)])
    assert "18 renderings of 9 phrases: 0 new, 18 cached" in again.output
