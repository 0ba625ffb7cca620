"""Robots of a workplace: their credentials, the learner signed in at each, pairing codes.

A robot is not a learner: it has its own token, and a robot session's token acts for the
signed-in learner (or a guest) until the session ends, by the bridge or after a time without
the learner. A guest's lessons are deleted with the session, so no progress is kept.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tutor_server.models import (
    Attempt,
    Group,
    Learner,
    LessonSession,
    PairingCode,
    Recording,
    Robot,
    RobotSession,
)

ROBOT_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
END_REASONS = ("nominal", "aborted_by_learner", "timeout", "error", "replaced", "revoked")
# Writing the last activity on every request would queue every answer behind a write.
TOUCH_EVERY = timedelta(seconds=15)


class RobotError(ValueError):
    pass


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every time stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def valid_robot_name(name: str) -> bool:
    return 0 < len(name) <= 63 and name[0] not in "-_" and set(name) <= ROBOT_NAME_CHARS


def add_robot(session: Session, name: str, group_code: str) -> tuple[Robot, str]:
    """A new robot of the group with join code ``group_code``; returns it and its API token
    (shown once; only its hash is kept). The caller commits."""
    if not valid_robot_name(name):
        raise RobotError(
            f"{name!r} is not a robot name: lower-case letters, digits, '-' and '_', "
            "at most 63, not starting with '-' or '_'"
        )
    group = session.scalar(select(Group).where(Group.join_code == group_code.strip().upper()))
    if group is None:
        raise RobotError(f"no group has the join code {group_code!r} (see: sanapaja groups list)")
    existing = session.scalar(select(Robot).where(Robot.name == name))
    if existing is not None and existing.revoked_at is None:
        raise RobotError(f"a robot named {name!r} exists; revoke it first to issue new credentials")
    token = secrets.token_urlsafe(32)
    if existing is not None:
        robot = existing
        robot.group_id, robot.token_hash, robot.revoked_at = group.id, hash_secret(token), None
    else:
        robot = Robot(name=name, group_id=group.id, token_hash=hash_secret(token))
        session.add(robot)
    session.flush()
    return robot, token


def revoke_robot(session: Session, name: str, now: datetime) -> Robot:
    robot = session.scalar(select(Robot).where(Robot.name == name))
    if robot is None:
        raise RobotError(f"no robot named {name!r} (see: sanapaja robots list)")
    robot.revoked_at = now
    robot.token_hash = hash_secret(secrets.token_urlsafe(32))  # the old token stops working
    for open_session in active_sessions(session, robot):
        end_session(session, open_session, "revoked", now)
    return robot


def robot_by_token(session: Session, token: str) -> Robot | None:
    robot = session.scalar(select(Robot).where(Robot.token_hash == hash_secret(token)))
    return robot if robot is not None and robot.revoked_at is None else None


def active_sessions(session: Session, robot: Robot) -> list[RobotSession]:
    return list(
        session.scalars(
            select(RobotSession).where(
                RobotSession.robot_id == robot.id, RobotSession.ended_at.is_(None)
            )
        )
    )


def end_session(session: Session, record: RobotSession, reason: str, now: datetime) -> None:
    """End a robot session; a guest's learner and lessons go with it."""
    if record.ended_at is not None:
        return
    record.ended_at, record.end_reason = now, reason
    learner = record.learner
    if learner is not None and learner.guest:
        lessons = select(LessonSession.id).where(LessonSession.learner_id == learner.id)
        session.execute(delete(Recording).where(Recording.learner_id == learner.id))
        session.execute(delete(Attempt).where(Attempt.session_id.in_(lessons)))
        session.execute(delete(LessonSession).where(LessonSession.learner_id == learner.id))
        session.execute(delete(PairingCode).where(PairingCode.learner_id == learner.id))
        record.learner_id = None
        session.flush()
        session.delete(learner)


def new_robot_session(
    session: Session, robot: Robot, learner: Learner, method: str, now: datetime
) -> tuple[RobotSession, str]:
    """Sign ``learner`` in at ``robot``; an earlier session there ends. The caller commits."""
    for earlier in active_sessions(session, robot):
        end_session(session, earlier, "replaced", now)
    token = secrets.token_urlsafe(32)
    record = RobotSession(
        id=secrets.token_hex(12),
        robot_id=robot.id,
        learner_id=learner.id,
        method=method,
        token_hash=hash_secret(token),
        started_at=now,
        last_active_at=now,
    )
    session.add(record)
    session.flush()
    return record, token


def open_session_by_token(session: Session, token_hash: str) -> RobotSession | None:
    record = session.scalar(
        select(RobotSession).where(
            RobotSession.token_hash == token_hash, RobotSession.ended_at.is_(None)
        )
    )
    if record is None or record.robot.revoked_at is not None:
        return None
    return record


def is_idle(last_active: datetime, idle: timedelta, now: datetime) -> bool:
    return now - aware(last_active) > idle


def needs_touch(last: datetime | None, now: datetime) -> bool:
    return last is None or now - aware(last) > TOUCH_EVERY


def new_pairing_code(
    session: Session, learner: Learner, length: int, ttl: timedelta, now: datetime
) -> tuple[str, datetime]:
    """A fresh pairing code for the learner (their earlier one stops working)."""
    from tutor_server.groups import new_code

    session.execute(delete(PairingCode).where(PairingCode.learner_id == learner.id))
    session.execute(delete(PairingCode).where(PairingCode.expires_at < now))
    code = new_code(length)
    while session.get(PairingCode, hash_secret(code)) is not None:
        code = new_code(length)
    expires = now + ttl
    session.add(PairingCode(code_hash=hash_secret(code), learner_id=learner.id, expires_at=expires))
    return code, expires


def redeem_pairing_code(session: Session, code: str, robot: Robot, now: datetime) -> Learner:
    """The learner whose live code this is, from the robot's group; the code is used up."""
    record = session.get(PairingCode, hash_secret(code.strip().upper()))
    if record is None or aware(record.expires_at) < now:
        raise RobotError("unknown or expired pairing code; make a new one in the app")
    learner = session.get(Learner, record.learner_id)
    session.delete(record)
    if learner is None or learner.group_id != robot.group_id:
        raise RobotError("this pairing code is for another group's robots")
    return learner


@dataclass(frozen=True)
class RobotSummary:
    name: str
    group: str
    group_code: str
    revoked: bool
    last_seen_at: datetime | None
    session: str | None  # "<learner> since <time>" or None


def list_robots(session: Session) -> list[RobotSummary]:
    rows = []
    for robot in session.scalars(select(Robot).order_by(Robot.name)):
        current = next(iter(active_sessions(session, robot)), None)
        described = None
        if current is not None:
            who = current.learner.display_name if current.learner else "-"
            if current.learner is not None and current.learner.guest:
                who = "guest"
            described = f"{who} since {aware(current.started_at):%Y-%m-%d %H:%M} UTC"
        rows.append(
            RobotSummary(
                name=robot.name,
                group=robot.group.name,
                group_code=robot.group.join_code,
                revoked=robot.revoked_at is not None,
                last_seen_at=aware(robot.last_seen_at) if robot.last_seen_at else None,
                session=described,
            )
        )
    return rows
