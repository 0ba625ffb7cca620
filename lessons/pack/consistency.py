"""Checks across packs: the same Finnish item should be translated the same everywhere."""

from __future__ import annotations

from collections.abc import Iterable

from lessons.finnish.normalize import normalize_answer
from lessons.pack.model import Item, Pack
from lessons.pack.problems import Problem, ProblemLog


def check_across_packs(packs: Iterable[Pack]) -> list[Problem]:
    """A warning for each item whose translation differs from the same item in another pack.

    Meanings can differ between workplaces, so this is a warning for a trainer to look at,
    not an error.
    """
    log = ProblemLog()
    first_seen: dict[str, tuple[Pack, Item]] = {}
    for pack in packs:
        for item in pack.items.values():
            key = normalize_answer(item.fi)
            if key not in first_seen:
                first_seen[key] = (pack, item)
                continue
            other_pack, other = first_seen[key]
            if other_pack.id == pack.id:
                continue
            differing = sorted(
                language
                for language in set(item.translations) & set(other.translations)
                if item.translations[language] != other.translations[language]
            )
            if differing:
                details = "; ".join(
                    f"{language}: {item.translations[language]!r} here, "
                    f"{other.translations[language]!r} there"
                    for language in differing
                )
                log.warning(
                    item.source.path,
                    item.source.line_of("translations"),
                    f"item {item.id}.translations",
                    f"translated differently from item {other.id!r} in pack {other_pack.id!r} "
                    f"({details})",
                )
    return list(log)
