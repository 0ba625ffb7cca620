from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tutor_server import db
from tutor_server.app import create_app

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _postgres_database() -> Iterator[str]:
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except Exception as exc:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432 ({exc.__class__.__name__})")
    name = f"sanapaja_test_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sanapaja.sqlite3'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        db.upgrade(app)
    yield app
    app.extensions["sanapaja.engine"].dispose()


@pytest.fixture
def code(app: Flask, doc_example_dir: Path) -> str:
    """A group on the documentation's example pack; its join code."""
    from tutor_server.groups import create_group
    from tutor_server.pack_store import store_pack

    with app.app_context(), db.transaction() as session:
        store_pack(session, doc_example_dir)
        return create_group(session, "Siivous A", ["esimerkki"], 6).join_code


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
