"""Spaced repetition with FSRS: one card per learner and item.

How step outcomes become FSRS ratings (documented in docs/spaced-repetition.md):

- a step not got right in the end (or skipped)                    → Again
- a spoken step: best score ≥ 90 on the first try                → Easy
                 score ≥ 70 (a pass)                             → Good, or Hard after retries
                 score 50-69 (close, but not a pass)             → Again (not right in the end)
- any other step: right on the first try → Good; right after a retry → Hard
- presenting an item (nothing to answer) gives no rating.

An item practised in several steps of one session gets the worst of its ratings: one slip
is enough to bring the word back sooner. Safety-priority items are scheduled with a higher
desired retention (0.95 against 0.90) and a shorter maximum interval, so they come back
sooner. Both schedulers' parameters are stored with the learner's cards.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fsrs import Card, Rating, Scheduler

from lessons.engine.session import SessionState, StepOutcome, start_review
from lessons.engine.step_plan import SESSION_STEPS
from lessons.engine.steps import AnswerKind
from lessons.pack.model import Pack, Priority

EASY_SCORE = 90
NORMAL_RETENTION = 0.90
SAFETY_RETENTION = 0.95
SAFETY_MAX_INTERVAL_DAYS = 60
SCHEMA_VERSION = 1
# As many due words as one session can review (one step each when there are many).
DAILY_REVIEW_ITEMS = SESSION_STEPS


def rating_for(outcome: StepOutcome) -> Rating | None:
    """The FSRS rating of one step outcome; None for steps that test nothing."""
    if outcome.item_ref is None:
        return None
    if outcome.skipped or not outcome.correct:
        return Rating.Again
    if outcome.score is not None and outcome.attempts == 1 and outcome.score >= EASY_SCORE:
        return Rating.Easy
    return Rating.Good if outcome.attempts == 1 else Rating.Hard


def session_ratings(state: SessionState) -> dict[str, Rating]:
    """The worst rating per item over the steps of a session that asked for an answer."""
    ratings: dict[str, Rating] = {}
    for outcome in state.outcomes:
        if state.steps[outcome.step_index].answer_kind is AnswerKind.NONE:
            continue
        rating = rating_for(outcome)
        if rating is None or outcome.item_ref is None:
            continue
        current = ratings.get(outcome.item_ref)
        ratings[outcome.item_ref] = rating if current is None else min(current, rating)
    return ratings


def default_schedulers(*, fuzzing: bool = True) -> dict[Priority, Scheduler]:
    return {
        Priority.NORMAL: Scheduler(desired_retention=NORMAL_RETENTION, enable_fuzzing=fuzzing),
        Priority.SAFETY: Scheduler(
            desired_retention=SAFETY_RETENTION,
            maximum_interval=SAFETY_MAX_INTERVAL_DAYS,
            enable_fuzzing=fuzzing,
        ),
    }


@dataclass
class LearnerSchedule:
    """A learner's cards (keyed by item ref ``pack_id/item_id``) and the schedulers used."""

    schedulers: dict[Priority, Scheduler] = field(default_factory=default_schedulers)
    cards: dict[str, Card] = field(default_factory=dict)
    priorities: dict[str, Priority] = field(default_factory=dict)

    def review(
        self, item_ref: str, rating: Rating, when: datetime, priority: Priority = Priority.NORMAL
    ) -> Card:
        if when.tzinfo is None:
            raise ValueError("review times must be timezone-aware (UTC)")
        card = self.cards.get(item_ref) or Card(card_id=_card_id(item_ref), due=when)
        scheduler = self.schedulers[priority]
        card, _log = scheduler.review_card(card, rating, when)
        self.cards[item_ref] = card
        self.priorities[item_ref] = priority
        return card

    def record_session(
        self,
        ratings: Mapping[str, Rating],
        when: datetime,
        priorities: Mapping[str, Priority],
    ) -> None:
        for ref, rating in sorted(ratings.items()):
            self.review(ref, rating, when, priorities.get(ref, Priority.NORMAL))

    def due(self, now: datetime, limit: int | None = None) -> list[str]:
        """Item refs due at ``now``: safety items first, then the most overdue."""
        due = [ref for ref, card in self.cards.items() if card.due <= now]
        due.sort(
            key=lambda ref: (
                self.priorities.get(ref) is not Priority.SAFETY,
                self.cards[ref].due,
                ref,
            )
        )
        return due[:limit] if limit is not None else due

    def next_due(self) -> datetime | None:
        return min((card.due for card in self.cards.values()), default=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "schedulers": {str(p): s.to_dict() for p, s in self.schedulers.items()},
            "cards": {ref: card.to_dict() for ref, card in self.cards.items()},
            "priorities": {ref: str(p) for ref, p in self.priorities.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LearnerSchedule:
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"unsupported schedule schema {data.get('schema')!r}")
        return cls(
            schedulers={Priority(p): Scheduler.from_dict(s) for p, s in data["schedulers"].items()},
            cards={ref: Card.from_dict(card) for ref, card in data["cards"].items()},
            priorities={ref: Priority(p) for ref, p in data["priorities"].items()},
        )


def _card_id(item_ref: str) -> int:
    """A stable card id from the item ref, so the same learner state serialises the same."""
    return zlib.crc32(item_ref.encode("utf-8"))


def item_priorities(packs: Mapping[str, Pack]) -> dict[str, Priority]:
    return {
        f"{pack.id}/{item.id}": item.priority
        for pack in packs.values()
        for item in pack.items.values()
    }


def daily_review(
    schedule: LearnerSchedule,
    packs: Mapping[str, Pack],
    language: str,
    now: datetime,
    seed: int,
    limit: int = DAILY_REVIEW_ITEMS,
) -> SessionState:
    """Today's review lesson: the due items across all of the learner's packs."""
    return start_review(packs, due_refs(schedule, packs, now)[:limit], language, seed)


def due_refs(schedule: LearnerSchedule, packs: Mapping[str, Pack], now: datetime) -> list[str]:
    """The learner's due items that still exist in ``packs``, in review order."""
    return [ref for ref in schedule.due(now) if _resolves(ref, packs)]


def _resolves(ref: str, packs: Mapping[str, Pack]) -> bool:
    pack_id, _, item_id = ref.partition("/")
    return pack_id in packs and item_id in packs[pack_id].items
