"""The signed-in learner, their group's packs and the schedulers, for every resource."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app, g, request
from sqlalchemy import select

from lessons.pack.model import Pack
from lessons.scheduling import default_schedulers
from tutor_server import db
from tutor_server.api.errors import ApiError
from tutor_server.models import Learner
from tutor_server.pack_runtime import group_packs


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def current_learner() -> Learner:
    """The signed-in learner; every authenticated endpoint checks this before reading input."""
    if "learner" in g:
        learner: Learner = g.learner
        return learner
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    if not token:
        raise ApiError(401, "unauthorized", "sign in: send 'Authorization: Bearer <token>'")
    learner = db.get_session().scalar(
        select(Learner).where(Learner.token_hash == hash_secret(token))
    )
    if learner is None:
        learner = _robot_session_learner(hash_secret(token))
    if learner is None:
        raise ApiError(401, "unauthorized", "unknown or expired token; sign in again")
    g.learner = learner
    return learner


def _robot_session_learner(token_hash: str) -> Learner | None:
    """The learner a robot session's token acts for; a session idle too long ends here."""
    from datetime import UTC, datetime, timedelta

    from tutor_server import robots

    record = robots.open_session_by_token(db.get_session(), token_hash)
    if record is None:
        return None
    now = datetime.now(UTC)
    idle = timedelta(seconds=float(current_app.config["ROBOT_SESSION_IDLE_S"]))
    if robots.is_idle(record.last_active_at, idle, now):
        with db.transaction() as session:
            robots.end_session(session, record, "timeout", now)
        raise ApiError(401, "session_timeout", "the robot session ended after a time alone")
    if robots.needs_touch(record.last_active_at, now):
        with db.transaction():
            record.last_active_at = now
    return record.learner


def learner_packs(learner: Learner) -> dict[str, Pack]:
    return group_packs(current_app, db.get_session(), learner.group_id)


def schedulers() -> Any:
    return default_schedulers(fuzzing=not current_app.config.get("TESTING", False))
