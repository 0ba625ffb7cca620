"""Learner groups and their join codes."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from tutor_server.models import Group, GroupPack, Pack

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
