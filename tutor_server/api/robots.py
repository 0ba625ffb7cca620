"""Robots: a learner's pairing code, and the robot's own endpoints (its credentials in
``Authorization: Robot <token>``): sign a learner or a guest in, the group's names to pick
from, the current robot session, ending it."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify
from sqlalchemy import select

from lessons.scheduling import LearnerSchedule
from tutor_server import db, robots
from tutor_server.api import schemas
from tutor_server.api.context import authorization_token, current_learner, schedulers
from tutor_server.api.errors import ApiError
from tutor_server.api.spec import json_body, operation
from tutor_server.models import Learner, LessonSession, Robot, RobotSession

bp = Blueprint("robots", __name__)

GUEST_NAME = "Vieras"  # "guest"


def idle_limit() -> timedelta:
    return timedelta(seconds=float(current_app.config["ROBOT_SESSION_IDLE_S"]))


def current_robot() -> Robot:
    """The robot signed in with its own token; its idle sessions end here."""
    if "robot" in g:
        robot: Robot = g.robot
        return robot
    token = authorization_token("Robot")
    now = datetime.now(UTC)
    session = db.get_session()
    found = robots.robot_by_token(session, token)
    if found is None:
        raise ApiError(401, "unauthorized", "unknown or revoked robot token")
    idle = [
        s
        for s in robots.active_sessions(session, found)
        if robots.is_idle(s.last_active_at, idle_limit(), now)
    ]
    if idle or robots.needs_touch(found.last_seen_at, now):
        with db.transaction():
            found.last_seen_at = now
            for record in idle:
                robots.end_session(session, record, "timeout", now)
    g.robot = found
    return found


def _signin_methods(robot: Robot) -> list[str]:
    methods = ["pairing_code"]
    if robot.group.robot_name_pick:
        methods.append("pick")
    return [*methods, "guest"]


def _session_json(record: RobotSession, token: str | None) -> dict[str, Any]:
    learner = record.learner
    return {
        "id": record.id,
        "method": record.method,
        "token": token,
        "guest": bool(learner and learner.guest),
        "learner": {
            "id": learner.public_id,
            "display_name": learner.display_name,
            "support_language": learner.support_language,
        }
        if learner is not None
        else None,
        "started_at": robots.aware(record.started_at).isoformat(),
        "idle_timeout_s": idle_limit().total_seconds(),
    }


@operation(
    bp,
    "POST",
    "/me/pairing-code",
    responses={201: (schemas.PairingCode, "A pairing code")},
    errors={403: "A guest cannot pair a robot"},
)
def pairing_code() -> tuple[Response, int]:
    """A short-lived code (and the text of its QR code) for signing in at a robot."""
    learner = current_learner()
    if learner.guest:
        raise ApiError(403, "forbidden", "a guest cannot pair another robot")
    ttl = timedelta(seconds=float(current_app.config["PAIRING_CODE_TTL_S"]))
    now = datetime.now(UTC)
    with db.transaction() as session:
        code, expires = robots.new_pairing_code(
            session, learner, int(current_app.config["PAIRING_CODE_LENGTH"]), ttl, now
        )
    body = {
        "code": code,
        "qr_text": f"sanapaja-pair:{code}",
        "expires_at": expires.isoformat(),
        "expires_in_s": ttl.total_seconds(),
    }
    return jsonify(body), 201


@bp.get("/robot")
def robot_info() -> Response:
    robot = current_robot()
    return jsonify(
        {
            "name": robot.name,
            "group": robot.group.name,
            "signin_methods": _signin_methods(robot),
            "idle_timeout_s": idle_limit().total_seconds(),
        }
    )


@bp.get("/robot/learners")
def robot_learners() -> Response:
    """The group's names to pick from on the robot's screen, when the trainer allows it."""
    robot = current_robot()
    if not robot.group.robot_name_pick:
        raise ApiError(403, "name_pick_off", "this group signs in at robots with pairing codes")
    learners = db.get_session().scalars(
        select(Learner)
        .where(Learner.group_id == robot.group_id, Learner.guest.is_(False))
        .order_by(Learner.display_name, Learner.id)
    )
    return jsonify(
        {"learners": [{"id": s.public_id, "display_name": s.display_name} for s in learners]}
    )


def _guest(robot: Robot, data: schemas.RobotSignIn) -> Learner:
    language = data.support_language
    if language is None:
        raise ApiError(
            400,
            "invalid_fields",
            "a guest needs a support language",
            {"support_language": data.messages["support_language"]},
        )
    return Learner(
        public_id=secrets.token_hex(8),
        group_id=robot.group_id,
        display_name=GUEST_NAME,
        support_language=language,
        token_hash=robots.hash_secret(secrets.token_urlsafe(24)),
        recovery_hash=robots.hash_secret(secrets.token_urlsafe(24)),
        recording_consent=False,
        schedule=LearnerSchedule(schedulers=schedulers()).to_dict(),
        streak_days=0,
        guest=True,
    )


@bp.post("/robot/sessions")
def start_robot_session() -> tuple[Response, int]:
    """Sign in at the robot: ``{"method": "pairing_code", "code"}``, ``{"method": "pick",
    "learner_id"}`` or ``{"method": "guest", "support_language"}``. The returned token acts
    for the learner in the lesson API until the robot session ends."""
    robot = current_robot()
    data = json_body(schemas.RobotSignIn)
    method = data.method
    now = datetime.now(UTC)
    with db.transaction() as session:
        if method == "pairing_code":
            code = data.code
            if code is None:
                raise ApiError(400, "invalid_fields", "give the code", {"code": "required"})
            try:
                learner = robots.redeem_pairing_code(session, code, robot, now)
            except robots.RobotError as exc:
                session.commit()  # a used-up code stays used up
                raise ApiError(404, "unknown_code", str(exc), {"code": "unknown"}) from exc
        elif method == "pick":
            if not robot.group.robot_name_pick:
                raise ApiError(403, "name_pick_off", "this group signs in with pairing codes")
            picked = session.scalar(
                select(Learner).where(
                    Learner.public_id == (data.learner_id or ""),
                    Learner.group_id == robot.group_id,
                    Learner.guest.is_(False),
                )
            )
            if picked is None:
                raise ApiError(
                    404, "unknown_learner", "no such learner here", {"learner_id": "unknown"}
                )
            learner = picked
        elif method == "guest":
            learner = _guest(robot, data)
            session.add(learner)
            session.flush()
        record, token = robots.new_robot_session(session, robot, learner, str(method), now)
        body = _session_json(record, token)
    return jsonify(body), 201


def _robot_session(robot: Robot, session_id: str) -> RobotSession:
    record = db.get_session().scalar(
        select(RobotSession).where(RobotSession.id == session_id, RobotSession.robot_id == robot.id)
    )
    if record is None:
        raise ApiError(404, "unknown_session", "no such robot session")
    return record


@bp.get("/robot/sessions/current")
def current_robot_session() -> Response:
    """The open robot session, with a new token (the old one stops working), and the lesson
    in progress there: a restarted bridge carries on from here."""
    robot = current_robot()
    with db.transaction() as session:
        record = next(iter(robots.active_sessions(session, robot)), None)
        if record is None:
            raise ApiError(404, "no_session", "nobody is signed in at this robot")
        token = secrets.token_urlsafe(32)
        record.token_hash = robots.hash_secret(token)
        body = _session_json(record, token)
        lesson = session.scalar(
            select(LessonSession)
            .where(
                LessonSession.learner_id == record.learner_id,
                LessonSession.finished.is_(False),
                LessonSession.updated_at >= record.started_at,
            )
            .order_by(LessonSession.updated_at.desc())
            .limit(1)
        )
        body["lesson"] = (
            {"session_id": lesson.id, "pack_id": lesson.pack_id, "lesson_id": lesson.lesson_id}
            if lesson is not None
            else None
        )
    return jsonify(body)


@bp.post("/robot/sessions/<session_id>/end")
def end_robot_session(session_id: str) -> Response:
    robot = current_robot()
    reason = json_body(schemas.RobotSessionEnd).reason
    with db.transaction():
        record = _robot_session(robot, session_id)
        robots.end_session(db.get_session(), record, str(reason), datetime.now(UTC))
        body = {"id": record.id, "ended": True, "reason": record.end_reason}
    return jsonify(body)
