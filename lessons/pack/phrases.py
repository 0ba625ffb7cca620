"""Every Finnish text of a pack that the tutor speaks aloud."""

from __future__ import annotations

from collections.abc import Sequence

from lessons.finnish.normalize import normalize_answer
from lessons.pack.model import Pack

COHORT_SIZE = 16


def pack_phrases(pack: Pack) -> list[str]:
    """Items (standard and spoken forms) and dialogue lines, each once, in pack order."""
    seen: dict[str, None] = {}
    for item in pack.items.values():
        seen[item.fi] = None
        if item.spoken:
            seen[item.spoken] = None
    for lesson in pack.lessons:
        for turn in lesson.dialogue:
            seen[turn.fi] = None
            if turn.spoken:
                seen[turn.spoken] = None
    return list(seen)


def speaking_cohort(pack: Pack, accepted: Sequence[str], size: int = COHORT_SIZE) -> list[str]:
    """Phrases of the pack a learner might say instead of ``accepted[0]``, nearest in length
    first (then in pack order): what a scorer compares a spoken answer with to tell other
    words from the target. The accepted forms themselves are left out."""
    excluded = {normalize_answer(text) for text in accepted}
    length = len(normalize_answer(accepted[0])) if accepted else 0
    candidates = [text for text in pack_phrases(pack) if normalize_answer(text) not in excluded]
    candidates.sort(key=lambda text: abs(len(normalize_answer(text)) - length))
    return candidates[:size]
