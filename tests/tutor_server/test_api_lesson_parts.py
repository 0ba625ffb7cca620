"""A long lesson runs as several short sessions; the home page's packs say how far it is."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lessons.engine.step_plan import SESSION_STEPS
from tests.conftest import CONTENT
from tests.tutor_server.test_api import auth, engine_step, join, right_body
from tutor_server import db
from tutor_server.groups import create_group
from tutor_server.pack_store import store_pack

PACK = "hotelli-ja-majoitus"
LESSON = "hotellihuone"


@pytest.fixture
def hotel_code(app: Flask) -> str:
    with app.app_context(), db.transaction() as session:
        store_pack(session, CONTENT / PACK)
        return create_group(session, "Hotelli", [PACK], 6).join_code


def lesson_of(client: FlaskClient, token: str) -> dict[str, Any]:
    packs = client.get("/api/v1/packs", headers=auth(token)).json["packs"]  # type: ignore[index]
    lesson: dict[str, Any] = next(item for item in packs[0]["lessons"] if item["id"] == LESSON)
    return lesson


def do_session(app: Flask, client: FlaskClient, token: str) -> tuple[dict[str, Any], list[Any]]:
    started = client.post(
        "/api/v1/sessions", json={"pack_id": PACK, "lesson_id": LESSON}, headers=auth(token)
    )
    assert started.status_code == 201, started.json
    session: dict[str, Any] = started.json  # type: ignore[assignment]
    first = session
    seen = []
    while session["step"] is not None:
        step = engine_step(app, session["id"])
        seen.append(step)
        body = right_body(session["step"], step, str(uuid.uuid4()))
        answered = client.post(
            f"/api/v1/sessions/{session['id']}/answers", json=body, headers=auth(token)
        )
        assert answered.status_code == 201, answered.json
        session = answered.json["session"]  # type: ignore[index]
    finished = client.post(f"/api/v1/sessions/{session['id']}/finish", headers=auth(token))
    assert finished.status_code == 200
    return first, seen


def test_a_long_lesson_goes_on_in_the_next_session(
    app: Flask, client: FlaskClient, hotel_code: str
) -> None:
    token = join(client, hotel_code, "en")["token"]
    assert lesson_of(client, token)["parts"] is None  # not started: nothing to say yet
    first, steps_one = do_session(app, client, token)
    assert first["part"] == 1 and first["parts"] >= 2
    assert first["total"] <= SESSION_STEPS
    parts = first["parts"]
    lesson = lesson_of(client, token)
    assert (lesson["parts_done"], lesson["parts"], lesson["finished"]) == (1, parts, False)
    seen = [steps_one]
    for part in range(2, parts + 1):
        session, steps = do_session(app, client, token)
        assert session["part"] == part and session["total"] <= SESSION_STEPS
        seen.append(steps)
    assert seen[1] != seen[0]  # the next part, not the first again
    lesson = lesson_of(client, token)
    assert lesson["finished"] is True and lesson["parts_done"] == 0
    again, _ = do_session(app, client, token)
    assert again["part"] == 1  # a finished lesson starts over


def test_the_steps_ahead_are_given_without_their_answers(
    app: Flask, client: FlaskClient, hotel_code: str
) -> None:
    token = join(client, hotel_code, "en")["token"]
    started = client.post(
        "/api/v1/sessions", json={"pack_id": PACK, "lesson_id": LESSON}, headers=auth(token)
    ).json
    assert started is not None
    ahead = client.get(f"/api/v1/sessions/{started['id']}/steps", headers=auth(token)).json
    assert ahead is not None
    assert ahead["position"] == 0 and len(ahead["steps"]) == ahead["total"] == started["total"]
    assert ahead["steps"][0] == started["step"]
    for step in ahead["steps"]:
        assert "expected" not in step and "answer_fi" not in step["feedback"]
    other = join(client, hotel_code, "en")["token"]
    assert (
        client.get(f"/api/v1/sessions/{started['id']}/steps", headers=auth(other)).status_code
        == 404
    )
