"""Pronunciation scoring quality and speed on a pseudo-learner corpus.

Learners are espeak-ng voice variants that the references do NOT use, changed with sox so
they sound less like the references (pitch, vocal-tract length via speed+pitch, tempo,
reverb), with noise at 20 dB and 10 dB SNR. For each target word from the shipped packs that
has real-word length neighbours (tuli → tuuli, tulli), the corpus holds the target said
correctly and each neighbour said instead (a length error). Prints detection of length
errors, false rejection of correct productions, neighbour identification, latency, real-time
factor and peak memory.

    .venv/bin/python bench/speech_eval.py [--words 60] [--seed 1]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lessons.loader import load_pack  # noqa: E402
from lessons.minimal_pairs import length_neighbours  # noqa: E402
from lessons.pack_discovery import find_pack_folders  # noqa: E402
from lessons.spelling import open_spell_checker  # noqa: E402
from speech.audio import SAMPLE_RATE, Audio, read_wav  # noqa: E402
from speech.checks import Verdict  # noqa: E402
from speech.scoring import REFERENCE_VOICES, PronunciationScorer  # noqa: E402
from speech.tts import TextToSpeech, Voice  # noqa: E402

LEARNER_VOICES = (Voice("m1", 140), Voice("m6", 165), Voice("f3", 150), Voice("klatt", 155))
# espeak-ng's f4 adds 120 ms to every stressed syllable (stressAdd), so its short first-syllable
# vowels come out as long as long ones: a learner who drags stressed syllables. It is
# reported on its own row, apart from the correct-timing voices above.
STRESS_DRAGGING_VOICE = Voice("f4", 150)
# sox effect chains: pitch, vocal-tract length (speed changes formants, pitch undoes the
# pitch change), tempo, and reverb.
TRANSFORMS = {
    "pitch+300": ["pitch", "300"],
    "tract+10%": ["speed", "1.10", "pitch", "-165"],
    "tract-8%,tempo0.9": ["speed", "0.92", "pitch", "144", "tempo", "0.9"],
    "reverb": ["reverb", "40", "50", "60"],
}
NOISE_LEVELS = (None, 20.0, 10.0)
PAD_SECONDS = 0.3
UTTERANCE_SECONDS = 1.5


@dataclass(frozen=True)
class Case:
    target: str
    said: str
    is_error: bool
    voice: Voice
    transform: str


def target_words(limit: int, is_word: object) -> list[tuple[str, list[str]]]:
    """Single-word items of the shipped packs with real-word length neighbours."""
    folders, _ = find_pack_folders([ROOT / "content"])
    words: dict[str, list[str]] = {}
    for folder in folders:
        pack = load_pack(folder).pack
        if pack is None:
            continue
        for item in pack.items.values():
            word = item.fi.lower()
            if item.is_phrase or not word.isalpha() or word in words:
                continue
            neighbours = [n.text for n in length_neighbours(word, is_word)]  # type: ignore[arg-type]
            if neighbours:
                words[word] = neighbours
    chosen = sorted(words)[:limit]
    return [(word, words[word]) for word in chosen]


def transformed(tts: TextToSpeech, text: str, voice: Voice, transform: str, work: Path) -> Audio:
    source = tts.render(text, voice)
    target = work / f"{abs(hash((text, voice, transform)))}.wav"
    subprocess.run(
        ["sox", str(source), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(target)]
        + TRANSFORMS[transform],
        check=True,
        capture_output=True,
    )
    return read_wav(target.read_bytes())


def with_noise(audio: Audio, snr_db: float | None, rng: np.random.Generator) -> Audio:
    pad = np.zeros(int(PAD_SECONDS * SAMPLE_RATE), dtype=np.float32)
    samples = np.concatenate([pad, audio.samples, pad])
    if snr_db is not None:
        speech_power = float(np.mean(audio.samples**2))
        noise = rng.normal(0.0, 1.0, len(samples)).astype(np.float32)
        noise *= np.float32(np.sqrt(speech_power / 10 ** (snr_db / 10)))
        samples = samples + noise
    return Audio(np.clip(samples, -1.0, 1.0).astype(np.float32), SAMPLE_RATE)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    checker = open_spell_checker()
    if checker is None:
        sys.exit("Voikko is needed to choose real-word neighbours")
    words = target_words(args.words, checker.is_word)
    print(f"targets: {len(words)} words, {sum(len(n) for _, n in words)} real-word neighbours")
    print(f"references: {len(REFERENCE_VOICES)} espeak-ng renderings per form (default, m3, f2)")
    print(
        f"learners: {', '.join(v.espeak_name for v in LEARNER_VOICES)} x {len(TRANSFORMS)} sox "
        f"transforms x noise {NOISE_LEVELS}"
    )
    tts = TextToSpeech()
    scorer = PronunciationScorer(tts, is_word=checker.is_word)
    started = time.perf_counter()
    for word, _ in words:
        scorer.model(word)
    build_seconds = time.perf_counter() - started
    rng = np.random.default_rng(args.seed)
    random.seed(args.seed)
    tallies: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    latencies: list[float] = []
    rtf: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for word, neighbours in words:
            for voice in LEARNER_VOICES:
                for transform in TRANSFORMS:
                    for said in (word, *neighbours):
                        clean = transformed(tts, said, voice, transform, work)
                        for snr in NOISE_LEVELS:
                            audio = with_noise(clean, snr, rng)
                            begin = time.perf_counter()
                            result = scorer.score(audio, word)
                            elapsed = time.perf_counter() - begin
                            latencies.append(elapsed)
                            rtf.append(elapsed / audio.seconds)
                            label = "clean" if snr is None else f"{snr:.0f} dB"
                            tally = tallies[label]
                            rejected = result.verdict is not Verdict.CORRECT
                            if said == word:
                                tally["correct"] += 1
                                tally["false_rejections"] += rejected
                            else:
                                tally["errors"] += 1
                                tally["detected"] += rejected
                                tally["identified"] += result.heard_as == said
                            tally[f"verdict:{result.verdict}"] += 1
    # The stress-dragging learner, on its own: how often right words are rejected.
    dragged = dragged_errors = 0
    with tempfile.TemporaryDirectory() as folder:
        for word, _ in words:
            for transform in TRANSFORMS:
                clean = transformed(tts, word, STRESS_DRAGGING_VOICE, transform, Path(folder))
                audio = with_noise(clean, 20.0, rng)
                dragged += 1
                dragged_errors += scorer.score(audio, word).verdict is not Verdict.CORRECT
    # Latency of a 1.5 s utterance, the figure the target is set for.
    sample_word = words[0][0]
    clean = read_wav(tts.render_bytes(sample_word, LEARNER_VOICES[0]))
    pad = max(0, int(UTTERANCE_SECONDS * SAMPLE_RATE) - len(clean.samples)) // 2
    padded = Audio(np.pad(clean.samples, (pad, pad)), SAMPLE_RATE)
    fixed = []
    for _ in range(200):
        begin = time.perf_counter()
        scorer.score(padded, sample_word)
        fixed.append(time.perf_counter() - begin)

    print()
    print(
        f"{'condition':10s} {'detection':>10s} {'false rej.':>10s} {'neighbour id':>12s} "
        f"{'errors':>7s} {'correct':>8s}"
    )
    for label in ("clean", "20 dB", "10 dB"):
        t = tallies[label]
        detection = t["detected"] / max(t["errors"], 1)
        false_rejection = t["false_rejections"] / max(t["correct"], 1)
        identified = t["identified"] / max(t["errors"], 1)
        print(
            f"{label:10s} {detection:10.3f} {false_rejection:10.3f} {identified:12.3f} "
            f"{t['errors']:7d} {t['correct']:8d}"
        )
    print(
        f"{STRESS_DRAGGING_VOICE.espeak_name} (drags stressed syllables), 20 dB: right words "
        f"rejected {dragged_errors / max(dragged, 1):.3f} of {dragged}"
    )
    print()
    print(
        f"scoring latency per utterance (all): p50 {1000 * percentile(latencies, 50):.1f} ms, "
        f"p95 {1000 * percentile(latencies, 95):.1f} ms; real-time factor p50 "
        f"{percentile(rtf, 50):.4f}"
    )
    print(
        f"latency for a {UTTERANCE_SECONDS} s utterance (cached references, one thread): "
        f"p50 {1000 * percentile(fixed, 50):.1f} ms, p95 {1000 * percentile(fixed, 95):.1f} ms"
    )
    print(
        f"building target models (rendering and analysing references): "
        f"{build_seconds:.1f} s for {len(words)} targets"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
