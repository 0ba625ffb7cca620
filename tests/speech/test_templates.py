from __future__ import annotations

import math

import numpy as np

from speech.templates import distance


def test_distance_is_zero_to_itself_and_grows_with_difference() -> None:
    rng = np.random.default_rng(3)
    first = rng.normal(size=(40, 12))
    assert distance(first, first) == 0.0
    near = first + rng.normal(scale=0.1, size=first.shape)
    far = rng.normal(size=(40, 12))
    assert 0 < distance(first, near) < distance(first, far)


def test_a_slower_copy_aligns_closely() -> None:
    rng = np.random.default_rng(4)
    first = np.repeat(rng.normal(size=(20, 12)), 2, axis=0)  # 40 frames
    slower = np.repeat(first, 3, axis=0)[::2]  # 60 frames: 1.5 times as long
    assert distance(first, slower) < 0.2 * distance(first, rng.normal(size=(60, 12)))


def test_lengths_more_than_twice_apart_or_empty_are_infinitely_far() -> None:
    short, long = np.zeros((10, 12)), np.zeros((20, 12))
    assert math.isinf(distance(short, long)) and math.isinf(distance(long, short))
    assert math.isinf(distance(np.zeros((0, 12)), short))
    assert distance(short, np.zeros((19, 12))) == 0.0
