"""The answer stays on the server until a step is done, and progress cannot be faked."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.tutor_server.test_api import auth, engine_step, join, right_body, start


def _to_kind(app: Flask, client: FlaskClient, token: str, answer_kind: str) -> dict[str, Any]:
    session = start(client, token)
    url = f"/api/v1/sessions/{session['id']}/answers"
    while session["step"]["answer_kind"] != answer_kind:
        body = right_body(session["step"], engine_step(app, session["id"]), str(uuid.uuid4()))
        session = client.post(url, json=body, headers=auth(token)).json["session"]  # type: ignore[index]
    return session


def test_no_step_carries_its_answer(app: Flask, client: FlaskClient, code: str) -> None:
    token = join(client, code)["token"]
    session = start(client, token)
    url = f"/api/v1/sessions/{session['id']}/answers"
    while session["step"] is not None:
        step = session["step"]
        assert "answer_fi" not in step["feedback"] and "expected" not in step
        body = right_body(step, engine_step(app, session["id"]), str(uuid.uuid4()))
        session = client.post(url, json=body, headers=auth(token)).json["session"]  # type: ignore[index]


def test_a_choice_reveals_the_right_option_only_when_done(
    app: Flask, client: FlaskClient, code: str
) -> None:
    token = join(client, code)["token"]
    session = _to_kind(app, client, token, "choice")
    step, url = session["step"], f"/api/v1/sessions/{session['id']}/answers"
    right = engine_step(app, session["id"]).expected
    wrong = next(o["id"] for o in step["options"] if o["id"] not in right)
    first = client.post(
        url,
        json={"client_id": "w1", "step": step["index"], "answer": {"choice": wrong}},
        headers=auth(token),
    ).json
    assert first["verdict"]["step_done"] is False  # type: ignore[index]
    assert first["verdict"]["answer"] is None and first["verdict"]["answer_fi"] is None  # type: ignore[index]
    last = client.post(
        url,
        json={"client_id": "w2", "step": step["index"], "answer": {"choice": wrong}},
        headers=auth(token),
    ).json
    assert last["verdict"]["step_done"] is True and last["verdict"]["correct"] is False  # type: ignore[index]
    assert last["verdict"]["answer"]["option_ids"] == list(right)  # type: ignore[index]


def test_a_spoken_step_does_not_take_typed_text(app: Flask, client: FlaskClient, code: str) -> None:
    token = join(client, code)["token"]
    session = _to_kind(app, client, token, "speech")
    step, url = session["step"], f"/api/v1/sessions/{session['id']}/answers"
    typed = client.post(
        url,
        json={"client_id": "t", "step": step["index"], "answer": {"text": step["say"]}},
        headers=auth(token),
    )
    assert typed.status_code == 400 and typed.json["error"] == "recording_required"  # type: ignore[index]
    now = client.get(f"/api/v1/sessions/{session['id']}", headers=auth(token)).json
    assert now["position"] == step["index"]  # type: ignore[index]


def test_an_unanswered_lesson_cannot_be_finished(client: FlaskClient, code: str) -> None:
    token = join(client, code)["token"]
    session = start(client, token)
    finish = client.post(f"/api/v1/sessions/{session['id']}/finish", headers=auth(token))
    assert finish.status_code == 409 and finish.json["error"] == "lesson_not_done"  # type: ignore[index]
    progress = client.get("/api/v1/progress", headers=auth(token)).json
    assert progress["lessons_finished"] == 0 and progress["words_practised"] == 0  # type: ignore[index]
    assert progress["streak_days"] == 0  # type: ignore[index]
