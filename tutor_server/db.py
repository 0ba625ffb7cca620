"""The database: one engine per app, a session per request, schema only through Alembic."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(app: Flask) -> str:
    configured = app.config.get("DATABASE_URL") or os.environ.get("DATABASE_URL")
    if configured:
        url = str(configured)
        # Heroku-style URLs name the driver-less scheme; SQLAlchemy wants psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgres://")
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    return f"sqlite:///{Path(app.instance_path) / 'sanapaja.sqlite3'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class SqliteWriteLock:
    """One writer at a time, across threads and processes, queued by the kernel (flock).

    SQLite lets one writer in and makes the others sleep and retry (its busy handler sleeps
    up to 100 ms a time), so under many writers some wait for seconds. Waiting on a lock file
    instead wakes the next writer as soon as the lock is free. The kernel drops the lock of a
    process that dies. Re-entrant within a thread.
    """

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".write-lock")
        self._held = threading.local()

    @contextmanager
    def held(self) -> Iterator[None]:
        if getattr(self._held, "depth", 0):
            self._held.depth += 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            self._held.depth = 1
            try:
                yield
            finally:
                self._held.depth = 0
        finally:
            os.close(descriptor)  # releases the lock


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url)  # a file: no connection to go stale, nothing to ping
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def init_app(app: Flask) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url(app))
    app.extensions["sanapaja.engine"] = engine
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        app.extensions["sanapaja.write_lock"] = SqliteWriteLock(Path(database))
    app.extensions["sanapaja.sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The request's (or CLI command's) session, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["sanapaja.sessions"]()
    session: Session = g.db_session
    return session


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def transaction() -> Iterator[Session]:
    """The request's session in a transaction: committed on success, rolled back on error.

    On SQLite the block holds the write lock, so keep slow work (such as scoring) outside.
    """
    session = get_session()
    lock: SqliteWriteLock | None = current_app.extensions.get("sanapaja.write_lock")
    with lock.held() if lock is not None else nullcontext():
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(app: Flask) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = app.extensions["sanapaja.engine"]
    return config


def upgrade(app: Flask, revision: str = "head") -> None:
    """Create or upgrade the schema (the only way the schema is made)."""
    command.upgrade(alembic_config(app), revision)
