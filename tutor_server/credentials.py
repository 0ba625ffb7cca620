"""Learners' credentials: bearer tokens and recovery codes, kept only as keyed hashes.

A hash is HMAC-SHA256 with the server's secret key, so a copy of the database alone gives
no code away, and a lookup stays one indexed query. Rows from before keyed hashes hold plain
SHA-256 (``credentials_version`` 1) and are rehashed when the learner next signs in.

The secret key comes from the configuration (``SANAPAJA_SECRET_KEY``) or, on a first run, is
generated into ``instance/secret_key``; every server of one deployment must share it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tutor_server.groups import new_code
from tutor_server.models import Learner

KEYED = 2
LEGACY = 1
#: Known placeholder keys that must never sign anything in production.
WEAK_KEYS = frozenset({"", "dev", "secret", "changeme", "change-me"})
MIN_KEY_LENGTH = 16


class SecretKeyError(RuntimeError):
    """The configured secret key is the placeholder or too short to keep codes safe."""


def init_secret_key(app: Flask) -> None:
    """Use the configured key, or the instance folder's generated one (made on first run)."""
    key = app.config.get("SECRET_KEY")
    if key is None:
        if app.testing:
            app.config["SECRET_KEY"] = secrets.token_hex(32)
            return
        app.config["SECRET_KEY"] = _instance_key(Path(app.instance_path) / "secret_key")
        return
    if not app.testing and (str(key) in WEAK_KEYS or len(str(key)) < MIN_KEY_LENGTH):
        raise SecretKeyError(
            "SANAPAJA_SECRET_KEY is a placeholder or shorter than "
            f"{MIN_KEY_LENGTH} characters; set a long random one, or unset it to use a "
            "key generated in the instance folder"
        )


def _instance_key(path: Path) -> str:
    """The key in ``path``, written once with a fresh random key; several workers starting at
    once all end up with the same one (the first to create the file wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text(encoding="ascii").strip()
            if key:
                return key
            time.sleep(0.02)  # another worker is writing it
        raise SecretKeyError(f"{path} is empty; delete it to generate a new key") from None
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return key


def revoke(learner: Learner) -> None:
    """Sign out: the token hash becomes a value no token hashes to (hashes are hex)."""
    learner.token_hash = f"signed-out-{secrets.token_hex(16)}"
    learner.token_expires_at = None


def keyed_hash(secret_key: str, value: str) -> str:
    return hmac.new(secret_key.encode(), value.encode("utf-8"), hashlib.sha256).hexdigest()


def legacy_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def issue(
    learner: Learner, secret_key: str, recovery_length: int, ttl: timedelta, now: datetime
) -> tuple[str, str]:
    """A new token and recovery code for ``learner``; the old ones stop working."""
    token = secrets.token_urlsafe(24)
    recovery = new_code(recovery_length)
    learner.token_hash = keyed_hash(secret_key, token)
    learner.token_expires_at = now + ttl
    learner.recovery_hash = keyed_hash(secret_key, recovery)
    learner.credentials_version = KEYED
    return token, recovery


def learner_by_token(session: Session, secret_key: str, token: str) -> Learner | None:
    """The learner whose token this is; an old SHA-256 token is rehashed with the key."""
    learner = _by_hash(session, Learner.token_hash, secret_key, token)
    if learner is not None and learner.token_hash != keyed_hash(secret_key, token):
        learner.token_hash = keyed_hash(secret_key, token)
    return learner


def learner_by_recovery_code(session: Session, secret_key: str, code: str) -> Learner | None:
    return _by_hash(session, Learner.recovery_hash, secret_key, code)


def _by_hash(
    session: Session, column: InstrumentedAttribute[str], secret_key: str, value: str
) -> Learner | None:
    """The learner with ``value``'s keyed hash in ``column``, or failing that (a row from
    before keyed hashes) its plain SHA-256."""
    learner = session.scalar(select(Learner).where(column == keyed_hash(secret_key, value)))
    if learner is None:
        learner = session.scalar(
            select(Learner).where(
                column == legacy_hash(value), Learner.credentials_version == LEGACY
            )
        )
    return learner


def expired(learner: Learner, now: datetime) -> bool:
    expires = learner.token_expires_at
    if expires is None:
        return False  # a token from before expiry; it gets one at its next use
    if expires.tzinfo is None:  # SQLite gives naive datetimes back
        expires = expires.replace(tzinfo=UTC)
    return expires <= now


def needs_renewal(learner: Learner, ttl: timedelta, now: datetime) -> bool:
    """A token in use is extended at most once a day, so reading never writes more often."""
    expires = learner.token_expires_at
    if expires is None:
        return True
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return expires - now < ttl - timedelta(days=1)
