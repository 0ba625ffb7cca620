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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    packs: Mapped[list[GroupPack]] = relationship(cascade="all, delete-orphan")


class GroupPack(Base):
    __tablename__ = "group_packs"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    pack_id: Mapped[str] = mapped_column(ForeignKey("packs.id"), primary_key=True)
