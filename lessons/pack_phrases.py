"""Every Finnish text of a pack that the tutor speaks aloud."""

from __future__ import annotations

from lessons.model import Pack


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
