"""Whole-utterance templates: how far an utterance is from a rendering of some text.

Dynamic time warping over cepstra cannot judge sound length (warping absorbs exactly that),
but it tells different words apart well: an utterance of the target lies nearer the
target's references than the references of other phrases, across voices. The scorer uses
this to catch an answer made of other words, which the length check alone cannot see.
"""

from __future__ import annotations

import numpy as np

from speech.audio import Audio
from speech.features import Matrix, cepstra, compute_frames

# Alignment steps (1,1), (1,2) and (2,1): neither sequence may be stretched more than twice.
MAX_STRETCH = 2


def template(audio: Audio) -> Matrix:
    """Cepstra of the speech, each coefficient centred on the utterance's own mean."""
    values = cepstra(compute_frames(audio.samples))
    return np.asarray(values - values.mean(axis=0, keepdims=True))


def distance(first: Matrix, second: Matrix) -> float:
    """Mean frame distance along the best slope-limited alignment (inf when the lengths
    differ more than MAX_STRETCH times, so no alignment joins the ends)."""
    n, m = len(first), len(second)
    if n == 0 or m == 0 or max(n, m) - 1 > MAX_STRETCH * (min(n, m) - 1):
        return float("inf")
    cost = np.sqrt(((first[:, None, :] - second[None, :, :]) ** 2).mean(axis=2))
    # total[i + 1, j + 1] is the best cost of a path ending at frame pair (i, j).
    total = np.full((n + 1, m + 1), np.inf)
    total[1, 1] = cost[0, 0]
    for i in range(1, n):
        previous, before = total[i], total[i - 1]
        diagonal = previous[:m]
        stretch_second = np.concatenate(([np.inf], previous[: m - 1]))
        stretch_first = before[:m]
        total[i + 1, 1:] = cost[i] + np.minimum(np.minimum(diagonal, stretch_second), stretch_first)
    return float(total[n, m] / (n + m))
