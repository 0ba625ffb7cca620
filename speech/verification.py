"""Was the target said at all? Goodness of pronunciation from the acoustic model.

The target is force-aligned to the utterance, and the same frames are decoded with an
unconstrained phone loop (any phone may follow any). The log-likelihood ratio between the
two per frame, averaged over each word's phones, is high when the word's phones are what
the audio sounds like and low when something else was said (another word, another
language, noise or mumbling): the loop then explains the frames much better than the
forced phones. The threshold is fitted on native recordings (bench/fit_speech.py,
speech/calibration.json).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from speech.acoustic import ForcedAlignment, PhoneTiming
from speech.phones import WordPhones

#: A word squeezed into little more than the model's minimum of 3 frames per phone was
#: not said: the aligner had to fit it somewhere.
MIN_FRAMES_PER_PHONE = 3
SQUEEZE_SLACK = 2


@dataclass(frozen=True)
class WordCheck:
    """One word of the target: whether it was heard, and the evidence."""

    word: str
    ok: bool
    goodness: float  # mean over its phones of the per-frame log-likelihood ratio, forced
    # phone vs the phone loop
    start_ms: int
    duration_ms: int
    message_key: str  # word.ok, word.missing, word.unclear

    def to_dict(self) -> dict[str, Any]:
        return {
            "word": self.word,
            "ok": self.ok,
            "goodness": round(self.goodness, 2) if math.isfinite(self.goodness) else None,
            "start_ms": self.start_ms,
            "duration_ms": self.duration_ms,
            "message_key": self.message_key,
        }


def loop_score(loop: Sequence[PhoneTiming], start: int, frames: int) -> float:
    """The phone loop's score over frames [start, start + frames), pro rata for phones that
    straddle the edges."""
    end = start + frames
    total = 0.0
    for phone in loop:
        overlap = min(end, phone.start + phone.frames) - max(start, phone.start)
        if overlap > 0 and phone.frames > 0:
            total += phone.score * overlap / phone.frames
    return total


def check_words(
    alignment: ForcedAlignment, loop: Sequence[PhoneTiming], threshold: float
) -> list[WordCheck]:
    """Each aligned word's goodness and verdict (``threshold``: the least goodness of a
    word that was said)."""
    checks = []
    for timing in alignment.words:
        # Each phone counts once, however long: a long vowel must not outvote the rest.
        per_phone = [
            (phone.score - loop_score(loop, phone.start, phone.frames)) / max(phone.frames, 1)
            for phone in timing.phones
        ]
        goodness = sum(per_phone) / len(per_phone) if per_phone else float("-inf")
        squeezed = timing.frames <= MIN_FRAMES_PER_PHONE * len(timing.phones) + SQUEEZE_SLACK
        ok = goodness >= threshold and not squeezed
        key = "word.ok" if ok else ("word.missing" if squeezed else "word.unclear")
        checks.append(
            WordCheck(
                word=timing.word.text,
                ok=ok,
                goodness=goodness,
                start_ms=max(timing.start, 0) * 10,
                duration_ms=timing.frames * 10,
                message_key=key,
            )
        )
    return checks


def unaligned(words: Sequence[WordPhones]) -> list[WordCheck]:
    """Every word missing: the aligner found no path (the audio cannot be the target)."""
    return [WordCheck(word.text, False, float("-inf"), 0, 0, "word.missing") for word in words]
