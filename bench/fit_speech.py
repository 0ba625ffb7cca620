"""Fit the pronunciation check's decision points on the FITTING half of the native
recordings (bench/speech_data.py) and write speech/calibration.json.

- timing: each category's mean and spread of log duration (speech.timing.fit_timing);
- word_goodness: the least goodness of a word that was said, set so that about
  WORD_REJECTION of the fitting half's words fail it (and checked against the same
  recordings aligned to another word of similar length);
- pass_llr / pass_llr_non_word: the length decision points, set so that about
  LENGTH_REJECTION / NON_WORD_REJECTION of the fitting half's right words fail.

Nothing here reads the held-out half or the Suopuhe voices.

    .venv/bin/python bench/fit_speech.py
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.speech_data import native_recordings  # noqa: E402
from lessons.finnish.spelling import open_spell_checker  # noqa: E402
from speech.audio import read_wav  # noqa: E402
from speech.checks import check_audio  # noqa: E402
from speech.scoring import (  # noqa: E402
    CALIBRATION_FILE,
    Calibration,
    PronunciationScorer,
    analyse,
)
from speech.timing import TimingModel, fit_timing  # noqa: E402
from speech.tts import TextToSpeech  # noqa: E402
from speech.verification import check_words  # noqa: E402

WORD_REJECTION = 0.04
LENGTH_REJECTION = 0.07
NON_WORD_REJECTION = 0.03


def main() -> None:
    checker = open_spell_checker()
    if checker is None:
        sys.exit("Voikko is needed to tell real-word neighbours")
    recordings = native_recordings("fitting")
    placeholder = Calibration(0.0, 0.0, 0.0, TimingModel({}))
    scorer = PronunciationScorer(TextToSpeech(), is_word=checker.is_word, calibration=placeholder)
    rng = random.Random(1)
    texts = [recording.text for recording in recordings]
    fitted = []
    right_goodness: list[float] = []
    other_goodness: list[float] = []
    analyses = []
    for recording in recordings:
        speech = check_audio(read_wav(recording.path.read_bytes()), float("inf")).speech
        model = scorer.model(recording.text)
        analysis = analyse(speech, model)
        if analysis.alignment is None:
            print(f"{recording.path.name}: no alignment", file=sys.stderr)
            continue
        right_goodness += [w.goodness for w in check_words(analysis.alignment, analysis.loop, 0)]
        fitted.append((model.sounds, analysis.frames))
        analyses.append((model, analysis))
        similar = [
            t for t in texts if t != recording.text and abs(len(t) - len(recording.text)) <= 1
        ]
        other = scorer.model(rng.choice(similar or texts))
        other_analysis = analyse(speech, other)
        if other_analysis.alignment is None:
            other_goodness.append(float("-inf"))
        else:
            other_goodness += [
                w.goodness for w in check_words(other_analysis.alignment, other_analysis.loop, 0)
            ]
    timing = fit_timing(fitted)
    word_goodness = float(np.quantile(right_goodness, WORD_REJECTION))
    worst_word: list[float] = []
    worst_non_word: list[float] = []
    for model, analysis in analyses:
        word_llrs, non_word_llrs = [], []
        for contrast in model.contrasts:
            llr = timing.log_likelihood_ratio(contrast.sound, model.sounds, analysis.frames)
            if llr is not None:
                (word_llrs if contrast.neighbour_is_word else non_word_llrs).append(llr)
        if word_llrs:
            worst_word.append(min(word_llrs))
        if non_word_llrs:
            worst_non_word.append(min(non_word_llrs))
    print("worst real-word contrast LLRs:", sorted(round(v, 2) for v in worst_word)[:12])
    pass_llr = float(np.quantile(worst_word, LENGTH_REJECTION))
    pass_llr_non_word = min(pass_llr, float(np.quantile(worst_non_word, NON_WORD_REJECTION)))
    accepted = float(np.mean(np.array(other_goodness) >= word_goodness))
    print(f"fitting half: {len(recordings)} files, {len(fitted)} aligned")
    print(
        f"word goodness threshold {word_goodness:.2f} (right words below it "
        f"{np.mean(np.array(right_goodness) < word_goodness):.3f}; words of another "
        f"recording above it {accepted:.3f})"
    )
    print(
        f"length: pass_llr {pass_llr:.2f} over {len(worst_word)} words with real-word "
        f"neighbours, pass_llr_non_word {pass_llr_non_word:.2f} over {len(worst_non_word)}"
    )
    data = {
        "fitted_on": "bench/speech_data.py fitting half of forvo-words "
        f"({len(fitted)} recordings); see bench/fit_speech.py",
        "word_goodness": round(word_goodness, 3),
        "pass_llr": round(pass_llr, 3),
        "pass_llr_non_word": round(pass_llr_non_word, 3),
        "timing": timing.to_dict(),
    }
    CALIBRATION_FILE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {CALIBRATION_FILE}")


if __name__ == "__main__":
    main()
