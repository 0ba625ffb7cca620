"""Learners: join a group, recover on another device, read and change oneself, export, delete."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import delete, select

from lessons.scheduling import LearnerSchedule
from tutor_server import credentials, db, rate_limits, session_store
from tutor_server.api import schemas
from tutor_server.api.context import current_learner, schedulers, token_ttl
from tutor_server.api.errors import ApiError
from tutor_server.api.spec import json_body, operation
from tutor_server.models import (
    Attempt,
    Group,
    Learner,
    LessonSession,
    Recording,
)

bp = Blueprint("learners", __name__)


def _learner_json(learner: Learner) -> dict[str, Any]:
    return {
        "id": learner.public_id,
        "display_name": learner.display_name,
        "support_language": learner.support_language,
        "recording_consent": learner.recording_consent,
        "group": {
            "name": learner.group.name,
            "recording_enabled": learner.group.recording_enabled,
        },
    }


def _new_credentials(learner: Learner) -> tuple[str, str]:
    return credentials.issue(
        learner,
        current_app.config["SECRET_KEY"],
        int(current_app.config["RECOVERY_CODE_LENGTH"]),
        token_ttl(),
        datetime.now(UTC),
    )


# Joining and recovering take a secret code: open to strangers, and rate-limited.
CODE_ERRORS = {404: "Unknown code", 429: "too many tries from here or for this code (Retry-After)"}


@operation(
    bp,
    "POST",
    "/join",
    body=schemas.Join,
    responses={201: (schemas.Credentials, "Joined")},
    errors=CODE_ERRORS,
    secured=False,
)
@rate_limits.failed_code_tries
@rate_limits.joins_per_group
def join() -> tuple[Response, int]:
    """Join a group with its code: a pseudonymous learner, a token and a recovery code."""
    data = json_body(schemas.Join)
    with db.transaction() as session:
        group = session.scalar(select(Group).where(Group.join_code == data.code))
        if group is None:
            raise ApiError(404, "unknown_code", "no group has this join code", {"code": "unknown"})
        learner = Learner(
            public_id=secrets.token_hex(8),
            group_id=group.id,
            display_name=data.display_name,
            support_language=data.support_language,
            recording_consent=False,
            schedule=LearnerSchedule(schedulers=schedulers()).to_dict(),
            streak_days=0,
        )
        token, recovery = _new_credentials(learner)
        session.add(learner)
        session.flush()
        body = {"learner": _learner_json(learner), "token": token, "recovery_code": recovery}
    return jsonify(body), 201


@operation(
    bp,
    "POST",
    "/recover",
    body=schemas.Recover,
    responses={200: (schemas.Credentials, "Signed in")},
    errors=CODE_ERRORS,
    secured=False,
)
@rate_limits.failed_code_tries
def recover() -> Response:
    """Sign in on another device with the recovery code; old tokens stop working."""
    code = json_body(schemas.Recover).recovery_code
    with db.transaction() as session:
        learner = credentials.learner_by_recovery_code(
            session, current_app.config["SECRET_KEY"], code
        )
        if learner is None:
            raise ApiError(
                404,
                "unknown_code",
                "no learner has this recovery code",
                {"recovery_code": "unknown"},
            )
        token, recovery = _new_credentials(learner)
        body = {"learner": _learner_json(learner), "token": token, "recovery_code": recovery}
    return jsonify(body)


@operation(bp, "POST", "/me/sign-out", responses={204: (None, "Signed out")})
def sign_out() -> tuple[str, int]:
    """End this sign-in: the token stops working at once (the recovery code still works)."""
    learner = current_learner()
    with db.transaction():
        credentials.revoke(learner)
    return "", 204


@operation(bp, "GET", "/me", responses={200: (schemas.Learner, "The learner")})
def me() -> Response:
    """The signed-in learner."""
    return jsonify(_learner_json(current_learner()))


@operation(
    bp, "PATCH", "/me", body=schemas.ProfileChange, responses={200: (schemas.Learner, "Changed")}
)
def update_me() -> Response:
    """Change the display name, the support language or the recording consent."""
    learner = current_learner()
    change = json_body(schemas.ProfileChange)
    with db.transaction():
        if change.display_name is not None:
            learner.display_name = change.display_name
        if change.support_language is not None:
            learner.support_language = change.support_language
        if change.recording_consent is not None:
            learner.recording_consent = change.recording_consent
        body = _learner_json(learner)
    return jsonify(body)


@operation(bp, "GET", "/me/export", responses={200: (schemas.Export, "The data")})
def export() -> Response:
    """Everything stored about the learner, as JSON."""
    import base64

    learner = current_learner()
    session = db.get_session()
    sessions = session.scalars(
        select(LessonSession).where(LessonSession.learner_id == learner.id)
    ).all()
    attempts = session.scalars(
        select(Attempt).where(Attempt.session_id.in_([s.id for s in sessions]))
    ).all()
    recordings = session.scalars(select(Recording).where(Recording.learner_id == learner.id)).all()
    return jsonify(
        {
            "learner": _learner_json(learner),
            "streak_days": learner.streak_days,
            "schedule": learner.schedule,
            "sessions": [
                {
                    "id": s.id,
                    "kind": s.kind,
                    "pack_id": s.pack_id,
                    "lesson_id": s.lesson_id,
                    "finished": s.finished,
                    "state": session_store.export(s),
                }
                for s in sessions
            ],
            "answers": [
                {"session_id": a.session_id, "step": a.step_index, "response": a.response}
                for a in attempts
            ],
            "recordings": [
                {
                    "session_id": r.session_id,
                    "step": r.step_index,
                    "wav_base64": base64.b64encode(r.wav).decode("ascii"),
                }
                for r in recordings
            ],
        }
    )


@operation(bp, "DELETE", "/me", responses={204: (None, "Deleted")})
def delete_me() -> tuple[str, int]:
    """Delete the learner and everything stored about them."""
    with db.transaction() as session:
        learner = current_learner()
        session_ids = select(LessonSession.id).where(LessonSession.learner_id == learner.id)
        session.execute(delete(Recording).where(Recording.learner_id == learner.id))
        session.execute(delete(Attempt).where(Attempt.session_id.in_(session_ids)))
        session.execute(delete(LessonSession).where(LessonSession.learner_id == learner.id))
        session.delete(learner)
    return "", 204
