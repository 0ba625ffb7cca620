from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from lessons.engine.session import Answer, StepOutcome, answer
from lessons.engine.steps import AnswerKind
from lessons.pack.model import Priority
from lessons.scheduling import (
    LearnerSchedule,
    daily_review,
    default_schedulers,
    item_priorities,
    rating_for,
    session_ratings,
)
from tests.lessons.engine_pack import engine_pack
from tests.lessons.test_session import right_answer, whole_lesson, wrong_answer

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def schedule() -> LearnerSchedule:
    return LearnerSchedule(schedulers=default_schedulers(fuzzing=False))


@pytest.mark.parametrize(
    ("outcome", "rating"),
    [
        (StepOutcome(0, "p/a", correct=False, attempts=2), Rating.Again),
        (StepOutcome(0, "p/a", correct=True, attempts=1, skipped=True), Rating.Again),
        (StepOutcome(0, "p/a", correct=True, attempts=1), Rating.Good),
        (StepOutcome(0, "p/a", correct=True, attempts=2), Rating.Hard),
        (StepOutcome(0, "p/a", correct=True, attempts=1, score=95), Rating.Easy),
        (StepOutcome(0, "p/a", correct=True, attempts=1, score=75), Rating.Good),
        (StepOutcome(0, "p/a", correct=True, attempts=3, score=92), Rating.Hard),
        (StepOutcome(0, None, correct=True, attempts=1), None),
    ],
)
def test_outcome_to_rating(outcome: StepOutcome, rating: Rating | None) -> None:
    assert rating_for(outcome) == rating


def test_session_rating_is_the_worst_per_item_and_ignores_presenting() -> None:
    state = whole_lesson(engine_pack(), "siivous", "en", seed=2)
    slipped = "testi/moppi"
    while state.current is not None:
        step = state.current
        wrong = step.item_ref == slipped and step.answer_kind is AnswerKind.CHOICE
        given = wrong_answer(step) if wrong else right_answer(step)
        state, _ = answer(state, given)
        if wrong and state.current is step:
            state, _ = answer(state, right_answer(step))
    ratings = session_ratings(state)
    assert ratings[slipped] == Rating.Hard
    assert ratings["testi/lattia"] in (Rating.Good, Rating.Easy)
    assert set(ratings) == {f"testi/{i}" for i in engine_pack().lesson("siivous").item_ids}


def test_safety_items_come_back_sooner() -> None:
    plan = schedule()
    normal = safety = None
    for day in range(6):
        when = NOW + timedelta(days=day * 20)
        normal = plan.review("p/normal", Rating.Good, when, Priority.NORMAL)
        safety = plan.review("p/safety", Rating.Good, when, Priority.SAFETY)
    assert normal is not None and safety is not None
    assert safety.due < normal.due
    assert safety.due - (NOW + timedelta(days=100)) <= timedelta(days=60)


def test_due_lists_safety_first_then_most_overdue() -> None:
    plan = schedule()
    plan.review("p/a", Rating.Again, NOW)
    plan.review("p/b", Rating.Again, NOW - timedelta(hours=1))
    plan.review("p/c", Rating.Again, NOW, Priority.SAFETY)
    later = NOW + timedelta(days=1)
    assert plan.due(later) == ["p/c", "p/b", "p/a"]
    assert plan.due(later, limit=1) == ["p/c"]
    assert plan.due(NOW - timedelta(days=1)) == []


def test_schedule_round_trips_through_json_with_its_parameters() -> None:
    plan = schedule()
    plan.review("p/a", Rating.Good, NOW)
    plan.review("p/c", Rating.Hard, NOW, Priority.SAFETY)
    restored = LearnerSchedule.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert restored.to_dict() == plan.to_dict()
    assert restored.schedulers[Priority.SAFETY].desired_retention == 0.95
    card_a = restored.review("p/a", Rating.Good, NOW + timedelta(days=3))
    assert card_a.due == plan.review("p/a", Rating.Good, NOW + timedelta(days=3)).due


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        schedule().review("p/a", Rating.Good, datetime(2026, 1, 1))


def test_daily_review_builds_a_lesson_from_due_items_across_packs() -> None:
    packs = {"a": engine_pack("a"), "b": engine_pack("b")}
    plan = schedule()
    priorities = item_priorities(packs)
    assert priorities["a/lattia-on-liukas"] is Priority.SAFETY
    plan.record_session({"a/lattia": Rating.Again, "b/tuuli": Rating.Again}, NOW, priorities)
    plan.record_session({"a/lattia-on-liukas": Rating.Again}, NOW, priorities)
    plan.review("gone/item", Rating.Again, NOW)
    plan.review("a/kiitos", Rating.Easy, NOW)
    state = daily_review(plan, packs, "uk", NOW + timedelta(hours=1), seed=1)
    refs = [step.item_ref for step in state.steps]
    assert refs[0] == "a/lattia-on-liukas"
    assert set(refs) == {"a/lattia-on-liukas", "a/lattia", "b/tuuli"}
    state, verdict = answer(state, Answer(choice=state.steps[0].expected[0]))
    assert verdict.correct
