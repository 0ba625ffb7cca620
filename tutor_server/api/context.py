"""The signed-in learner, their group's packs and the schedulers, for every resource."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, g, request

from lessons.pack.model import Pack
from lessons.scheduling import default_schedulers
from tutor_server import credentials, db
from tutor_server.api.errors import ApiError
from tutor_server.models import Learner
from tutor_server.pack_runtime import group_packs


def token_ttl() -> timedelta:
    """How long a token lasts unused; every day of use extends it."""
    return timedelta(days=int(current_app.config["TOKEN_TTL_DAYS"]))


def authorization_token(scheme: str) -> str:
    """The token of ``Authorization: <scheme> <token>``, or a 401 saying how to send it."""
    header = request.headers.get("Authorization", "")
    token = header.removeprefix(f"{scheme} ").strip() if header.startswith(f"{scheme} ") else ""
    if not token:
        raise ApiError(401, "unauthorized", f"sign in: send 'Authorization: {scheme} <token>'")
    return token


def current_learner() -> Learner:
    """The signed-in learner; every authenticated endpoint checks this before reading input."""
    if "learner" in g:
        learner: Learner = g.learner
        return learner
    token = authorization_token("Bearer")
    now = datetime.now(UTC)
    session = db.get_session()
    found = credentials.learner_by_token(session, current_app.config["SECRET_KEY"], token)
    if found is None:
        # A robot session's token acts for the learner at the robot while the session lasts.
        robot_learner = _robot_session_learner(token)
        if robot_learner is None:
            raise ApiError(401, "unauthorized", "unknown or signed-out token; sign in again")
        g.learner = robot_learner
        return robot_learner
    if credentials.expired(found, now):
        raise ApiError(401, "token_expired", "this sign-in has expired; use the recovery code")
    if credentials.needs_renewal(found, token_ttl(), now):
        found.token_expires_at = now + token_ttl()
    if found in session.dirty:
        # A renewed expiry (once a day) or a rehashed old token: written at once, before any
        # other write of the request. Most requests write nothing here.
        with db.transaction():
            pass
    learner = found
    g.learner = learner
    return learner


def _robot_session_learner(token: str) -> Learner | None:
    """The learner a robot session's token acts for; a session idle too long ends here."""
    from tutor_server import robots

    record = robots.open_session_by_token(db.get_session(), robots.hash_secret(token))
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
