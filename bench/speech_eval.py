"""Pronunciation scoring quality and speed on a pseudo-learner corpus.

Learners are espeak-ng voice variants that the references do NOT use, changed with sox so
they sound less like the references (pitch, vocal-tract length via speed+pitch, tempo,
reverb), with noise at 20 dB and 10 dB SNR. For each target word from the shipped packs that
has real-word length neighbours (tuli → tuuli, tulli), the corpus holds the target said
correctly and each neighbour said instead (a length error). Prints detection of length
errors, false rejection of correct productions, neighbour identification, latency, real-time
factor and peak memory. Every target is scored with the cohort the server gives it (its
pack's phrases nearest in length), and a second corpus says another item of the pack
instead of the target (other words).

    .venv/bin/python bench/speech_eval.py [--words 60] [--phrases 80] [--seed 1]
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

from lessons.finnish.minimal_pairs import length_neighbours  # noqa: E402
from lessons.finnish.spelling import open_spell_checker  # noqa: E402
from lessons.pack.discovery import find_pack_folders  # noqa: E402
from lessons.pack.loader import load_pack  # noqa: E402
from lessons.pack.model import Pack  # noqa: E402
from lessons.pack.phrases import speaking_cohort  # noqa: E402
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


def shipped_packs() -> list[Pack]:
    folders, _ = find_pack_folders([ROOT / "content"])
    return [pack for pack in (load_pack(folder).pack for folder in folders) if pack is not None]


def target_words(limit: int, is_word: object) -> list[tuple[str, list[str], list[str]]]:
    """Single-word items of the shipped packs with real-word length neighbours, each with
    the cohort the server scores it with (its pack's phrases nearest in length)."""
    words: dict[str, tuple[list[str], list[str]]] = {}
    for pack in shipped_packs():
        for item in pack.items.values():
            word = item.fi.lower()
            if item.is_phrase or not word.isalpha() or word in words:
                continue
            neighbours = [n.text for n in length_neighbours(word, is_word)]  # type: ignore[arg-type]
            if neighbours:
                words[word] = (neighbours, speaking_cohort(pack, [item.fi]))
    chosen = sorted(words)[:limit]
    return [(word, *words[word]) for word in chosen]


def other_phrase_cases(count: int, rng: random.Random) -> list[tuple[str, list[str], str, bool]]:
    """(target, cohort, what is said instead, whether that is in the cohort): items of the
    shipped packs, each answered with another item of its pack, half the time one from the
    cohort (the phrases nearest in length) and half the time any other."""
    cases = []
    packs = shipped_packs()
    for index in range(count):
        pack = packs[index % len(packs)]
        items = sorted(pack.items.values(), key=lambda item: item.id)
        target = rng.choice(items).fi
        cohort = speaking_cohort(pack, [target])
        others = [item.fi for item in items if item.fi not in cohort and item.fi != target]
        said = rng.choice(cohort) if index % 2 == 0 or not others else rng.choice(others)
        cases.append((target, cohort, said, said in cohort))
    return cases


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
    parser.add_argument("--phrases", type=int, default=80, help="targets for other words")
    args = parser.parse_args()
    checker = open_spell_checker()
    if checker is None:
        sys.exit("Voikko is needed to choose real-word neighbours")
    words = target_words(args.words, checker.is_word)
    print(f"targets: {len(words)} words, {sum(len(n) for _, n, _ in words)} real-word neighbours")
    print(f"references: {len(REFERENCE_VOICES)} espeak-ng renderings per form (default, m3, f2)")
    print(
        f"learners: {', '.join(v.espeak_name for v in LEARNER_VOICES)} x {len(TRANSFORMS)} sox "
        f"transforms x noise {NOISE_LEVELS}"
    )
    tts = TextToSpeech()
    scorer = PronunciationScorer(tts, is_word=checker.is_word)
    started = time.perf_counter()
    for word, _, _ in words:
        scorer.model(word)
    build_seconds = time.perf_counter() - started
    rng = np.random.default_rng(args.seed)
    random.seed(args.seed)
    tallies: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    latencies: list[float] = []
    rtf: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for word, neighbours, cohort in words:
            for voice in LEARNER_VOICES:
                for transform in TRANSFORMS:
                    for said in (word, *neighbours):
                        clean = transformed(tts, said, voice, transform, work)
                        for snr in NOISE_LEVELS:
                            audio = with_noise(clean, snr, rng)
                            begin = time.perf_counter()
                            result = scorer.score(audio, word, cohort=cohort)
                            elapsed = time.perf_counter() - begin
                            latencies.append(elapsed)
                            rtf.append(elapsed / audio.seconds)
                            label = "clean" if snr is None else f"{snr:.0f} dB"
                            tally = tallies[label]
                            rejected = result.verdict is not Verdict.CORRECT
                            other_words = result.message_key == "pronunciation.other_words"
                            if said == word:
                                tally["correct"] += 1
                                tally["false_rejections"] += rejected
                                tally["rejected_as_other_words"] += other_words
                            else:
                                tally["errors"] += 1
                                tally["detected"] += rejected
                                tally["identified"] += result.heard_as == said
                            tally[f"verdict:{result.verdict}"] += 1
    # The stress-dragging learner, on its own: how often right words are rejected.
    dragged = dragged_errors = 0
    with tempfile.TemporaryDirectory() as folder:
        for word, _, cohort in words:
            for transform in TRANSFORMS:
                clean = transformed(tts, word, STRESS_DRAGGING_VOICE, transform, Path(folder))
                audio = with_noise(clean, 20.0, rng)
                dragged += 1
                result = scorer.score(audio, word, cohort=cohort)
                dragged_errors += result.verdict is not Verdict.CORRECT
    # Other words said instead: items and phrases of the packs, at 20 dB.
    phrase_tally: dict[str, int] = defaultdict(int)
    phrase_latencies: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for target, cohort, said, in_cohort in other_phrase_cases(args.phrases, random):
            for voice in LEARNER_VOICES:
                transform = random.choice(list(TRANSFORMS))
                for text in (target, said):
                    audio = with_noise(
                        transformed(tts, text, voice, transform, Path(folder)), 20.0, rng
                    )
                    begin = time.perf_counter()
                    result = scorer.score(audio, target, cohort=cohort)
                    phrase_latencies.append(time.perf_counter() - begin)
                    other = result.message_key == "pronunciation.other_words"
                    if text == target:
                        phrase_tally["right"] += 1
                        phrase_tally["right_rejected"] += result.verdict is not Verdict.CORRECT
                        phrase_tally["right_other_words"] += other
                    else:
                        group = "in_cohort" if in_cohort else "elsewhere"
                        phrase_tally[group] += 1
                        phrase_tally[f"{group}_rejected"] += result.verdict is not Verdict.CORRECT
    # Latency of a 1.5 s utterance, the figure the target is set for.
    sample_word, _, sample_cohort = words[0]
    clean = read_wav(tts.render_bytes(sample_word, LEARNER_VOICES[0]))
    pad = max(0, int(UTTERANCE_SECONDS * SAMPLE_RATE) - len(clean.samples)) // 2
    padded = Audio(np.pad(clean.samples, (pad, pad)), SAMPLE_RATE)
    fixed = []
    for _ in range(200):
        begin = time.perf_counter()
        scorer.score(padded, sample_word, cohort=sample_cohort)
        fixed.append(time.perf_counter() - begin)

    print()
    print(
        f"{'condition':10s} {'detection':>10s} {'false rej.':>10s} {'neighbour id':>12s} "
        f"{'errors':>7s} {'correct':>8s} {'rej. as other words':>20s}"
    )
    for label in ("clean", "20 dB", "10 dB"):
        t = tallies[label]
        detection = t["detected"] / max(t["errors"], 1)
        false_rejection = t["false_rejections"] / max(t["correct"], 1)
        identified = t["identified"] / max(t["errors"], 1)
        print(
            f"{label:10s} {detection:10.3f} {false_rejection:10.3f} {identified:12.3f} "
            f"{t['errors']:7d} {t['correct']:8d} "
            f"{t['rejected_as_other_words'] / max(t['correct'], 1):20.3f}"
        )
    print(
        f"{STRESS_DRAGGING_VOICE.espeak_name} (drags stressed syllables), 20 dB: right words "
        f"rejected {dragged_errors / max(dragged, 1):.3f} of {dragged}"
    )
    t = phrase_tally
    right_rejected = t["right_rejected"] / max(t["right"], 1)
    print(
        f"other words instead of the target (items and phrases, 20 dB, cohort of "
        f"{len(sample_cohort)}): right answers rejected {right_rejected:.3f}"
        f" (as other words {t['right_other_words'] / max(t['right'], 1):.3f}) of {t['right']}; "
        f"other phrase caught {t['in_cohort_rejected'] / max(t['in_cohort'], 1):.3f} when in the "
        f"cohort (of {t['in_cohort']}), {t['elsewhere_rejected'] / max(t['elsewhere'], 1):.3f} "
        f"when not (of {t['elsewhere']}); latency p50 {1000 * percentile(phrase_latencies, 50):.1f}"
        f" ms, p95 {1000 * percentile(phrase_latencies, 95):.1f} ms"
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
