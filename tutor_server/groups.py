"""Learner groups and their join codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from tutor_server.models import Group, GroupPack, Learner, Pack

# No 0/O, 1/I/L: a code is read aloud and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class GroupError(ValueError):
    pass


def new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def create_group(session: Session, name: str, pack_ids: list[str], code_length: int) -> Group:
    """A group with a fresh join code, learning the given packs; the caller commits."""
    name = name.strip()
    if not name:
        raise GroupError("a group needs a name")
    if not pack_ids:
        raise GroupError("give at least one pack (--pack ID)")
    known = set(session.scalars(select(Pack.id).where(Pack.id.in_(pack_ids))))
    unknown = [pack_id for pack_id in pack_ids if pack_id not in known]
    if unknown:
        raise GroupError(
            f"no such pack: {', '.join(unknown)} (load it first: sanapaja packs load PATH)"
        )
    code = new_code(code_length)
    while session.scalar(select(Group.id).where(Group.join_code == code)) is not None:
        code = new_code(code_length)
    group = Group(name=name, join_code=code, recording_enabled=False)
    group.packs = [GroupPack(pack_id=pack_id) for pack_id in dict.fromkeys(pack_ids)]
    session.add(group)
    session.flush()
    return group


def join_url(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/join/{code}"


@dataclass(frozen=True)
class GroupSummary:
    name: str
    join_code: str
    pack_ids: tuple[str, ...]
    recording_enabled: bool
    learners: int


def list_groups(session: Session) -> list[GroupSummary]:
    """Every group, oldest first, with its packs and how many learners joined it."""
    learners = (
        select(Learner.group_id, func.count(Learner.id).label("n"))
        .group_by(Learner.group_id)
        .subquery()
    )
    rows = session.execute(
        select(Group, func.coalesce(learners.c.n, 0))
        .outerjoin(learners, learners.c.group_id == Group.id)
        .options(selectinload(Group.packs))
        .order_by(Group.created_at, Group.id)
    ).all()
    return [
        GroupSummary(
            name=group.name,
            join_code=group.join_code,
            pack_ids=tuple(sorted(link.pack_id for link in group.packs)),
            recording_enabled=group.recording_enabled,
            learners=count,
        )
        for group, count in rows
    ]


def set_recording(session: Session, code: str, enabled: bool) -> tuple[Group, bool]:
    """Switch a group's recording on or off; returns the group and whether it changed.

    Recordings are kept only for learners who also agreed in the app. Switching off also
    withdraws every learner's agreement, so switching on again later asks each of them
    anew. The caller commits.
    """
    code = code.strip().upper()
    group = session.scalar(select(Group).where(Group.join_code == code))
    if group is None:
        raise GroupError(f"no group has the join code {code!r} (see: sanapaja groups list)")
    changed = group.recording_enabled != enabled
    group.recording_enabled = enabled
    if not enabled:
        session.execute(
            update(Learner).where(Learner.group_id == group.id).values(recording_consent=False)
        )
    return group, changed
