"""Lesson sessions in the database: the planned steps are written once and parsed once per
process; the progress is the small part an answer rewrites."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask import Flask

from lessons.engine.session import SessionState, steps_from_list
from lessons.engine.steps import Step
from tutor_server.models import LessonSession

CACHED_SESSIONS = 4096


class StepsCache:
    """Parsed steps by session id. A session's steps never change, so entries never go
    stale; the oldest are dropped past ``size``."""

    def __init__(self, size: int = CACHED_SESSIONS) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[Step, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def steps(self, record: LessonSession) -> tuple[Step, ...]:
        with self._lock:
            steps = self._entries.get(record.id)
            if steps is not None:
                self._entries.move_to_end(record.id)
                return steps
        steps = steps_from_list(record.steps)  # loads the deferred column
        self.remember(record.id, steps)
        return steps

    def remember(self, session_id: str, steps: tuple[Step, ...]) -> None:
        with self._lock:
            self._entries[session_id] = steps
            self._entries.move_to_end(session_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


def init_app(app: Flask) -> None:
    app.extensions["sanapaja.steps"] = StepsCache()


def _cache(app: Flask) -> StepsCache:
    cache: StepsCache = app.extensions["sanapaja.steps"]
    return cache


def load_state(app: Flask, record: LessonSession) -> SessionState:
    return SessionState.from_progress(_cache(app).steps(record), record.state)


def new_record(app: Flask, session_id: str, learner_id: int, state: SessionState) -> LessonSession:
    """A row for a newly planned session (the caller adds it to the database session)."""
    _cache(app).remember(session_id, state.steps)
    return LessonSession(
        id=session_id,
        learner_id=learner_id,
        kind=str(state.kind),
        pack_id=state.pack_id,
        lesson_id=state.lesson_id,
        state=state.progress_to_dict(),
        steps=[step.to_dict() for step in state.steps],
        finished=False,
    )


def export(record: LessonSession) -> dict[str, Any]:
    return {**record.state, "steps": record.steps}
