"""Checks across packs: the same Finnish item is translated the same, and carries the same
priority, everywhere."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from lessons.finnish.normalize import normalize_answer
from lessons.pack.model import Item, Pack
from lessons.pack.problems import Problem, ProblemLog


def check_across_packs(packs: Iterable[Pack]) -> list[Problem]:
    """Warnings for items that differ from the same Finnish item in another pack.

    A differing translation is a warning for a trainer to look at: meanings can differ
    between workplaces. A differing priority is a warning too, for the validator's strict
    mode and the shipped-packs test to refuse: a hazard is a hazard at every workplace.
    """
    log = ProblemLog()
    by_text: dict[str, list[tuple[Pack, Item]]] = defaultdict(list)
    for pack in packs:
        for item in pack.items.values():
            by_text[normalize_answer(item.fi)].append((pack, item))
    for occurrences in by_text.values():
        _check_translations(occurrences, log)
    for occurrences in by_text.values():
        _check_priorities(occurrences, log)
    return list(log)


def _check_translations(occurrences: list[tuple[Pack, Item]], log: ProblemLog) -> None:
    """Each later occurrence against the first one, in another pack, of the same text."""
    other_pack, other = occurrences[0]
    for pack, item in occurrences[1:]:
        if pack.id == other_pack.id:
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


def _check_priorities(occurrences: list[tuple[Pack, Item]], log: ProblemLog) -> None:
    """Every occurrence whose priority another pack does not share, so each pack hears of it."""
    if len({item.priority for _, item in occurrences}) < 2:
        return
    for pack, item in occurrences:
        others = [
            f"pack {other_pack.id!r} (item {other.id!r})"
            for other_pack, other in occurrences
            if other_pack.id != pack.id and other.priority is not item.priority
        ]
        if not others:
            continue
        other_priority = next(
            other.priority for _, other in occurrences if other.priority is not item.priority
        )
        log.warning(
            item.source.path,
            item.source.line_of("priority"),
            f"item {item.id}.priority",
            f"{item.priority.value!r} here, {other_priority.value!r} in {', '.join(others)}; "
            "the same Finnish carries the same priority in every pack",
        )
