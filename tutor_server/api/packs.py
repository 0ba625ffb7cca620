"""The learner's packs and lessons."""

from __future__ import annotations

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
    finished = {
        (row.pack_id, row.lesson_id)
        for row in db.get_session().scalars(
            select(LessonSession).where(
                LessonSession.learner_id == learner.id, LessonSession.finished
            )
        )
    }
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
                    }
                    for lesson in pack.lessons
                ],
            }
        )
    return jsonify({"packs": result})
