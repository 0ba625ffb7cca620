"""Pronunciation scoring on voices the scorer was never fitted on, a table per source.

(a) Festival's Suopuhe voices (lj, mv: diphones cut from human recordings) saying length
    minimal pairs (the issue's pairs and the packs' single words with real-word length
    neighbours), both members, at three tempos (sox tempo), clean / 20 dB / 10 dB white
    noise, with 0.3 s of silence around the word and trimmed to its speech;
(b) the HELD-OUT half of the native recordings (bench/speech_data.py; the fitting half is
    what speech/calibration.json was fitted on), as they are and trimmed;
(c) other words: every (b) recording and every clean (a) right word scored against another
    word of similar length;
(d) the packs' phrases said right by Suopuhe, and another phrase of the pack said instead,
    with the server's cohort and without;
(e) vowel-quality pairs (a/ä, o/ö, u/y swapped, real words only): how often a word said
    with the other vowels is told apart from the target;
then latency for a 3 s utterance (one thread) and memory.

    .venv/bin/python bench/speech_eval.py [--words 30] [--phrases 40] [--seed 1]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.speech_data import native_recordings  # noqa: E402
from bench.suopuhe import VOICES, render  # noqa: E402
from lessons.finnish.minimal_pairs import length_neighbours  # noqa: E402
from lessons.finnish.normalize import normalize_answer  # noqa: E402
from lessons.finnish.spelling import open_spell_checker  # noqa: E402
from lessons.pack.discovery import find_pack_folders  # noqa: E402
from lessons.pack.loader import load_pack  # noqa: E402
from lessons.pack.model import Pack  # noqa: E402
from lessons.pack.phrases import speaking_cohort  # noqa: E402
from speech.acoustic import acoustic_model  # noqa: E402
from speech.audio import SAMPLE_RATE, Audio, read_wav  # noqa: E402
from speech.checks import Verdict  # noqa: E402
from speech.scoring import PronunciationScorer, ScoreResult  # noqa: E402
from speech.tts import TextToSpeech  # noqa: E402

#: Pairs named in the issue (tuli/tuuli/tulli, kuka/kukka, tapan/tapaan, muta/mutta).
ISSUE_WORDS = ("tuli", "tuuli", "tulli", "kuka", "kukka", "tapan", "tapaan", "muta", "mutta")
TEMPOS = (0.85, 1.0, 1.2)
NOISE_LEVELS: tuple[float | None, ...] = (None, 20.0, 10.0)
PAD_SECONDS = 0.3
UTTERANCE_SECONDS = 3.0
VOWEL_SWAPS = {"a": "ä", "ä": "a", "o": "ö", "ö": "o", "u": "y", "y": "u"}


def shipped_packs() -> list[Pack]:
    folders, _ = find_pack_folders([ROOT / "content"])
    return [pack for pack in (load_pack(folder).pack for folder in folders) if pack is not None]


def pack_single_words(packs: list[Pack]) -> list[str]:
    words = {
        item.fi.lower()
        for pack in packs
        for item in pack.items.values()
        if not item.is_phrase and item.fi.isalpha()
    }
    return sorted(words)


def with_noise(audio: Audio, snr_db: float | None, padded: bool, rng: np.random.Generator) -> Audio:
    samples = audio.samples
    if padded:
        pad = np.zeros(int(PAD_SECONDS * SAMPLE_RATE), dtype=np.float32)
        samples = np.concatenate([pad, samples, pad])
    else:
        loud = np.flatnonzero(np.abs(samples) > 0.02 * float(np.max(np.abs(samples))))
        samples = samples[loud[0] : loud[-1] + 1]
    if snr_db is not None:
        power = float(np.mean(audio.samples**2))
        noise = rng.normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), len(samples))
        samples = samples + noise.astype(np.float32)
    return Audio(np.clip(samples, -1.0, 1.0).astype(np.float32), SAMPLE_RATE)


def rate(count: int, total: int) -> str:
    return f"{count / total:.3f} ({count}/{total})" if total else "-"


def keys(results: list[ScoreResult]) -> str:
    counted = Counter(
        result.message_key for result in results if result.verdict is not Verdict.CORRECT
    )
    return ", ".join(f"{key.split('.')[-1]} {n}" for key, n in counted.most_common(4))


def similar(text: str, pool: list[str], rng: random.Random) -> str:
    """Another text of ``pool`` of similar length that is not a length neighbour of it."""
    shape = _shape(text)
    options = [o for o in pool if _shape(o) != shape and abs(len(o) - len(text)) <= 1]
    return rng.choice(options or [o for o in pool if _shape(o) != shape])


def _shape(text: str) -> str:
    letters = normalize_answer(text)
    return "".join(c for i, c in enumerate(letters) if i == 0 or c != letters[i - 1])


def section_a(
    scorer: PronunciationScorer, targets: list[tuple[str, list[str]]], rng: np.random.Generator
) -> list[tuple[str, str, Audio]]:
    print("\n(a) Suopuhe lj + mv, length pairs; tempos", TEMPOS, "(no cohort)")
    rows: dict[tuple[str, str], dict[str, list[ScoreResult]]] = {}
    clean_right: list[tuple[str, str, Audio]] = []
    for target, neighbours in targets:
        for voice in VOICES:
            for tempo in TEMPOS:
                for said in (target, *neighbours):
                    audio = render(said, voice, tempo)
                    if said == target and tempo == 1.0:
                        clean_right.append((target, voice, audio))
                    for snr in NOISE_LEVELS:
                        for padded in (True, False):
                            result = scorer.score(with_noise(audio, snr, padded, rng), target)
                            label = "clean" if snr is None else f"{snr:.0f} dB"
                            silence = "silence around" if padded else "trimmed"
                            kind = "right" if said == target else said
                            bucket = rows.setdefault((label, silence), {"right": [], "error": []})
                            if kind == "right":
                                bucket["right"].append(result)
                            else:
                                bucket["error"].append(result)
                                if result.heard_as == said:
                                    bucket.setdefault("named", []).append(result)
    print(
        f"{'condition':28s} {'errors caught':>18s} {'right rejected':>18s} "
        f"{'neighbour named':>16s}  right rejected as"
    )
    for (label, silence), bucket in rows.items():
        errors, right = bucket["error"], bucket["right"]
        caught = sum(r.verdict is not Verdict.CORRECT for r in errors)
        rejected = sum(r.verdict is not Verdict.CORRECT for r in right)
        named = len(bucket.get("named", []))
        print(
            f"{label + ', ' + silence:28s} {rate(caught, len(errors)):>18s} "
            f"{rate(rejected, len(right)):>18s} {rate(named, len(errors)):>16s}  {keys(right)}"
        )
    return clean_right


def section_b(scorer: PronunciationScorer) -> list[tuple[str, Audio]]:
    print("\n(b) native recordings, held-out half (never fitted on)")
    recordings = native_recordings("held_out")
    loaded = [(r.text, read_wav(r.path.read_bytes())) for r in recordings]
    for label, prepare in (("as they are", lambda a: a), ("trimmed", _trim)):
        results = [scorer.score(prepare(audio), text) for text, audio in loaded]
        rejected = sum(r.verdict is not Verdict.CORRECT for r in results)
        cut = sum(r.verdict is Verdict.CUT_OFF for r in results)
        print(
            f"{label:14s} right rejected {rate(rejected, len(results))}; cut_off {cut}; "
            f"as {keys(results)}"
        )
    return loaded


def _trim(audio: Audio) -> Audio:
    loud = np.flatnonzero(np.abs(audio.samples) > 0.02 * float(np.max(np.abs(audio.samples))))
    return Audio(audio.samples[loud[0] : loud[-1] + 1])


def section_c(
    scorer: PronunciationScorer,
    natives: list[tuple[str, Audio]],
    suopuhe: list[tuple[str, str, Audio]],
    pool: list[str],
    rng: random.Random,
) -> None:
    print("\n(c) other words: each recording scored against another word of similar length")
    native_words = [text for text, _ in natives]
    sources: list[tuple[str, list[tuple[str, Audio]]]] = [
        ("native held-out", [(similar(text, native_words, rng), a) for text, a in natives]),
        (
            "Suopuhe, clean, padded",
            [
                (similar(text, pool, rng), with_noise(a, None, True, np.random.default_rng(0)))
                for text, _, a in suopuhe
            ],
        ),
    ]
    for label, cases in sources:
        results = [scorer.score(audio, target) for target, audio in cases]
        accepted = sum(r.verdict is Verdict.CORRECT for r in results)
        other = sum(r.message_key == "pronunciation.other_words" for r in results)
        print(
            f"{label:24s} accepted {rate(accepted, len(results))}; "
            f"as other words {rate(other, len(results))}"
        )


def section_d(
    scorer: PronunciationScorer,
    packs: list[Pack],
    count: int,
    rng: random.Random,
    noise: np.random.Generator,
) -> None:
    print("\n(d) phrases of the packs, Suopuhe lj + mv")
    cases = []
    for pack in packs:
        phrases = sorted({i.fi for i in pack.items.values() if i.is_phrase and _speakable(i.fi)})
        for phrase in phrases:
            others = [p for p in phrases if _shape(p) != _shape(phrase)]
            if others:
                cases.append((phrase, speaking_cohort(pack, [phrase]), rng.choice(others)))
    rng.shuffle(cases)
    cases = cases[:count]
    for snr in (None, 20.0):
        label = "clean" if snr is None else f"{snr:.0f} dB"
        for with_cohort in (True, False):
            right: list[ScoreResult] = []
            other: list[ScoreResult] = []
            for target, cohort, instead in cases:
                for voice in VOICES:
                    given = cohort if with_cohort else []
                    said = with_noise(render(target, voice), snr, True, noise)
                    right.append(scorer.score(said, target, cohort=given))
                    wrong = with_noise(render(instead, voice), snr, True, noise)
                    other.append(scorer.score(wrong, target, cohort=given))
            rejected = sum(r.verdict is not Verdict.CORRECT for r in right)
            accepted = sum(r.verdict is Verdict.CORRECT for r in other)
            name = f"{label}, {'cohort' if with_cohort else 'no cohort'}"
            print(
                f"{name:20s} right phrases rejected {rate(rejected, len(right))} (as "
                f"{keys(right)}); another phrase accepted {rate(accepted, len(other))}"
            )


def _speakable(text: str) -> bool:
    return not any(char.isdigit() for char in text)


def section_e(scorer: PronunciationScorer, words: list[str], vocabulary: set[str]) -> None:
    print(
        "\n(e) vowel quality: a pack word with a/ä, o/ö, u/y swapped, where that is a word "
        "the packs use too, said instead"
    )
    pairs = []
    for word in words:
        swapped = "".join(VOWEL_SWAPS.get(char, char) for char in word)
        if swapped != word and swapped in vocabulary:
            pairs.append((word, swapped))
    told = total = 0
    for target, said in pairs:
        for voice in VOICES:
            result = scorer.score(
                with_noise(render(said, voice), None, True, np.random.default_rng(0)), target
            )
            total += 1
            told += result.verdict is not Verdict.CORRECT
    print(f"pairs: {', '.join(f'{a}/{b}' for a, b in pairs) or 'none'}")
    print(f"told apart (not accepted as the target): {rate(told, total)}")


def latency(scorer: PronunciationScorer, packs: list[Pack]) -> None:
    phrase = "Työkaveri putosi tikkailta."
    audio = render(phrase, "lj")
    pad = max(0, int(UTTERANCE_SECONDS * SAMPLE_RATE) - len(audio.samples)) // 2
    noise = np.random.default_rng(3).normal(0, 0.003, len(audio.samples) + 2 * pad)
    padded = Audio((np.pad(audio.samples, (pad, pad)) + noise).astype(np.float32))
    cohort = speaking_cohort(packs[0], [phrase])
    for label, given in (("no cohort", []), (f"cohort of {len(cohort)}", cohort)):
        scorer.score(padded, phrase, cohort=given)
        times = []
        for _ in range(60):
            begin = time.perf_counter()
            scorer.score(padded, phrase, cohort=given)
            times.append(time.perf_counter() - begin)
        print(
            f"latency, {padded.seconds:.1f} s utterance, {label}: "
            f"p50 {1000 * np.percentile(times, 50):.0f} ms, "
            f"p95 {1000 * np.percentile(times, 95):.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=30, help="pack words with neighbours")
    parser.add_argument("--phrases", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip", default="", help="sections to leave out, e.g. 'ae'")
    args = parser.parse_args()
    checker = open_spell_checker()
    if checker is None:
        sys.exit("Voikko is needed to choose real-word neighbours")
    begin = time.perf_counter()
    acoustic_model()
    print(f"acoustic model load: {1000 * (time.perf_counter() - begin):.0f} ms")
    packs = shipped_packs()
    singles = pack_single_words(packs)
    with_neighbours = [w for w in singles if length_neighbours(w, checker.is_word)]
    chosen = sorted(set(ISSUE_WORDS) | set(with_neighbours[: args.words]))
    targets = [(w, [n.text for n in length_neighbours(w, checker.is_word)]) for w in chosen]
    print(
        f"targets: {len(targets)} words, "
        f"{sum(len(n) for _, n in targets)} real-word length neighbours said instead"
    )
    scorer = PronunciationScorer(TextToSpeech(), is_word=checker.is_word)
    rng = random.Random(args.seed)
    noise = np.random.default_rng(args.seed)
    suopuhe_right: list[tuple[str, str, Audio]] = []
    if "a" not in args.skip:
        suopuhe_right = section_a(scorer, targets, noise)
    natives = section_b(scorer) if "b" not in args.skip else []
    if "c" not in args.skip:
        section_c(scorer, natives, suopuhe_right, singles, rng)
    if "d" not in args.skip:
        section_d(scorer, packs, args.phrases, rng, noise)
    if "e" not in args.skip:
        vocabulary = {
            word
            for pack in packs
            for item in pack.items.values()
            for word in normalize_answer(item.fi).split()
        }
        section_e(scorer, sorted(vocabulary), vocabulary)
    print()
    latency(scorer, packs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
