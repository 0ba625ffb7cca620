"""Upgrading keeps every lesson in progress; downgrading gives the old rows back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from flask import Flask

from lessons.engine.session import Answer, SessionState, answer, start_lesson
from lessons.engine.steps import AnswerKind
from lessons.pack.loader import load_pack
from tutor_server import db
from tutor_server.app import create_app
from tutor_server.models import LessonSession
from tutor_server.session_store import load_state


@pytest.fixture
def bare_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    app.instance_path = str(tmp_path / "instance")
    yield app
    app.extensions["sanapaja.engine"].dispose()


def _state_in_progress(doc_example_dir: Path) -> SessionState:
    pack = load_pack(doc_example_dir).pack
    assert pack is not None
    state = start_lesson(pack, "siivous", "ru", seed=5)
    while state.current is not None and state.current.answer_kind is AnswerKind.NONE:
        state, _ = answer(state, Answer())
    assert 0 < state.position < len(state.steps)
    return state


def test_0003_moves_steps_out_of_the_state_and_back(bare_app: Flask, doc_example_dir: Path) -> None:
    state = _state_in_progress(doc_example_dir)
    engine = bare_app.extensions["sanapaja.engine"]
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    with bare_app.app_context():
        db.upgrade(bare_app, "0002")
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO groups (id, name, join_code, recording_enabled, created_at)"
                    " VALUES (1, 'G', 'ABCDEF', false, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO learners (id, public_id, group_id, display_name,"
                    " support_language, token_hash, recovery_hash, recording_consent, schedule,"
                    " streak_days, created_at) VALUES (1, 'p', 1, 'A', 'ru', 't', 'r', false,"
                    " '{}', 0, :now)"
                ),
                {"now": now},
            )
            sessions = sa.table(
                "lesson_sessions",
                *(sa.column(name) for name in ("id", "learner_id", "kind", "finished")),
                sa.column("state", sa.JSON()),
                sa.column("created_at", sa.DateTime(timezone=True)),
                sa.column("updated_at", sa.DateTime(timezone=True)),
            )
            connection.execute(
                sessions.insert().values(
                    id="s1",
                    learner_id=1,
                    kind="lesson",
                    finished=False,
                    state=state.to_dict(),
                    created_at=now,
                    updated_at=now,
                )
            )
        db.upgrade(bare_app)
        record = db.get_session().get(LessonSession, "s1")
        assert record is not None
        assert "steps" not in record.state and len(record.steps) == len(state.steps)
        assert load_state(bare_app, record) == state
        db.get_session().close()
        command.downgrade(db.alembic_config(bare_app), "0002")
        with engine.connect() as connection:
            old = connection.execute(sa.select(sessions.c.state)).scalar_one()
    assert SessionState.from_dict(old) == state
