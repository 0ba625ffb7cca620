"""The learner's packs and lessons."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import select

from lessons.pack.model import Pack
from tutor_server import db
from tutor_server.api import schemas
from tutor_server.api.context import current_learner, learner_packs
from tutor_server.api.spec import operation
from tutor_server.models import LessonSession

bp = Blueprint("packs", __name__)


def _review_state(pack: Pack, language: str) -> str | None:
    status = pack.languages.get(language)
    return str(status) if status else None


@operation(bp, "GET", "/packs", responses={200: (schemas.Packs, "The learner's packs")})
def packs() -> Response:
    """The learner's packs and lessons, with titles in the learner's language."""
    learner = current_learner()
    language = learner.support_language
    # A lesson is finished when the session of its last part was; a lesson in parts shows
    # how many parts are behind the learner (from its latest session).
    finished: set[tuple[str | None, str | None]] = set()
    latest: dict[tuple[str | None, str | None], tuple[int, int]] = {}
    rows = db.get_session().scalars(
        select(LessonSession)
        .where(LessonSession.learner_id == learner.id, LessonSession.lesson_id.is_not(None))
        .order_by(LessonSession.created_at, LessonSession.id)
    )
    for row in rows:
        progress: dict[str, Any] = row.state
        part, parts = int(progress.get("part", 0)), int(progress.get("parts", 1))
        key = (row.pack_id, row.lesson_id)
        if row.finished and part + 1 >= parts:
            finished.add(key)
            latest[key] = (0, parts)
        else:
            latest[key] = (part + 1 if row.finished else part, parts)
    result = []
    for pack in learner_packs(learner).values():
        result.append(
            {
                "id": pack.id,
                "version": pack.version,
                "title": pack.title.get(language) or pack.title.get("en"),
                "title_fi": pack.title.get("fi"),
                "gloss_status": _review_state(pack, language),
                "lessons": [
                    {
                        "id": lesson.id,
                        "title": lesson.title.get(language) or lesson.title.get("en"),
                        "title_fi": lesson.title.get("fi"),
                        "level": str(lesson.level),
                        "kind": str(lesson.kind),
                        "items": len(lesson.item_ids),
                        "finished": (pack.id, lesson.id) in finished,
                        "parts": latest.get((pack.id, lesson.id), (0, None))[1],
                        "parts_done": latest.get((pack.id, lesson.id), (0, None))[0],
                    }
                    for lesson in pack.lessons
                ],
            }
        )
    return jsonify({"packs": result})
