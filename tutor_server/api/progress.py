"""Reviews due and the learner's progress."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify
from sqlalchemy import select

from lessons.engine.session import SessionKind
from lessons.scheduling import (
    LearnerSchedule,
    due_refs,
)
from tutor_server import db
from tutor_server.api import schemas
from tutor_server.api.context import current_learner, learner_packs
from tutor_server.api.spec import operation
from tutor_server.models import LessonSession

bp = Blueprint("progress", __name__)


@operation(bp, "GET", "/reviews", responses={200: (schemas.Reviews, "Due reviews")})
def reviews() -> Response:
    """How many words are due, which, and when the next one is."""
    learner = current_learner()
    packs = learner_packs(learner)
    schedule = LearnerSchedule.from_dict(learner.schedule)
    due = due_refs(schedule, packs, datetime.now(UTC))
    next_due = schedule.next_due()
    return jsonify(
        {
            "due": len(due),
            "items": due[:50],
            "next_review": next_due.isoformat() if next_due else None,
        }
    )


@operation(bp, "GET", "/progress", responses={200: (schemas.Progress, "Progress")})
def progress() -> Response:
    """Streak, words practised, words due, lessons and reviews finished."""
    learner = current_learner()
    schedule = LearnerSchedule.from_dict(learner.schedule)
    now = datetime.now(UTC)
    finished = (
        db.get_session()
        .scalars(
            select(LessonSession).where(
                LessonSession.learner_id == learner.id, LessonSession.finished
            )
        )
        .all()
    )
    return jsonify(
        {
            "streak_days": learner.streak_days,
            "words_practised": len(schedule.cards),
            "due_now": len(schedule.due(now)),
            "lessons_finished": len({(s.pack_id, s.lesson_id) for s in finished if s.lesson_id}),
            "reviews_finished": sum(1 for s in finished if s.kind == str(SessionKind.REVIEW)),
        }
    )
