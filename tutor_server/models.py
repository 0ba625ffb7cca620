"""Database models (SQLAlchemy 2.0). Learners are pseudonymous: no e-mail, no real name."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utc_now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class PackVersion(Base):
    """One loaded version of a pack, with its files, so every server reads the same content."""

    __tablename__ = "pack_versions"
    __table_args__ = (UniqueConstraint("pack_id", "checksum"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pack_id: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[str] = mapped_column(String(32))
    checksum: Mapped[str] = mapped_column(String(64))
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    files: Mapped[list[PackFile]] = relationship(
        back_populates="pack_version", cascade="all, delete-orphan"
    )


class PackFile(Base):
    __tablename__ = "pack_files"
    __table_args__ = (UniqueConstraint("pack_version_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pack_version_id: Mapped[int] = mapped_column(ForeignKey("pack_versions.id"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    pack_version: Mapped[PackVersion] = relationship(back_populates="files")


class Pack(Base):
    """A pack and the version learners get now."""

    __tablename__ = "packs"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    current_version_id: Mapped[int] = mapped_column(ForeignKey("pack_versions.id"))
    current_version: Mapped[PackVersion] = relationship()


class PackItem(Base):
    """Every item id a pack has ever had: progress hangs on these, across versions."""

    __tablename__ = "pack_items"

    pack_id: Mapped[str] = mapped_column(ForeignKey("packs.id"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    fi: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(20))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    recording_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The trainer lets learners pick their name from the group's list on a robot's screen.
    robot_name_pick: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    packs: Mapped[list[GroupPack]] = relationship(cascade="all, delete-orphan")


class GroupPack(Base):
    __tablename__ = "group_packs"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    pack_id: Mapped[str] = mapped_column(ForeignKey("packs.id"), primary_key=True)


class Learner(Base):
    """A pseudonymous learner: a display name, a support language and codes, nothing more."""

    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(60))
    support_language: Mapped[str] = mapped_column(String(8))
    # Keyed hashes (tutor_server.credentials). Version 1 rows hold plain SHA-256 from before
    # keyed hashes and are rehashed at the learner's next sign-in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    recovery_hash: Mapped[str] = mapped_column(String(64), unique=True)
    credentials_version: Mapped[int] = mapped_column(Integer, default=2, server_default="1")
    recording_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Every card the learner has: loaded only by the requests that use it.
    schedule: Mapped[dict[str, object]] = mapped_column(JSON, deferred=True)
    streak_days: Mapped[int] = mapped_column(Integer, default=0)
    last_active_day: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # A guest at a robot: deleted with everything it did when the robot session ends.
    guest: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    group: Mapped[Group] = relationship()


class LessonSession(Base):
    """A lesson (or review) in progress: the engine's planned steps, written once, and its
    progress, rewritten on every answer (lessons.engine.session.SessionState.progress_to_dict)."""

    __tablename__ = "lesson_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    pack_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lesson_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    state: Mapped[dict[str, object]] = mapped_column(JSON)
    steps: Mapped[list[dict[str, object]]] = mapped_column(JSON, deferred=True)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Attempt(Base):
    """One accepted answer; the client's id makes a retried submission count once."""

    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("session_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("lesson_sessions.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    step_index: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Recording(Base):
    """A learner's recording, kept only when the group records and the learner agreed."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("lesson_sessions.id"))
    step_index: Mapped[int] = mapped_column(Integer)
    wav: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Robot(Base):
    """A robot tutor of a group: its own credentials (a robot is not a learner)."""

    __tablename__ = "robots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)  # its MQTT robot id
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    group: Mapped[Group] = relationship()


class RobotSession(Base):
    """A learner (or a guest) signed in at a robot; its token acts for the learner until the
    session ends: by the bridge, or after a time without the learner."""

    __tablename__ = "robot_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    robot_id: Mapped[int] = mapped_column(ForeignKey("robots.id"), index=True)
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learners.id", ondelete="SET NULL"), nullable=True
    )
    method: Mapped[str] = mapped_column(String(16))  # pairing_code, pick, guest
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    last_active_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    learner: Mapped[Learner | None] = relationship()
    robot: Mapped[Robot] = relationship()


class PairingCode(Base):
    """A short-lived code shown in the learner's phone app, typed (or scanned) at a robot."""

    __tablename__ = "pairing_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
