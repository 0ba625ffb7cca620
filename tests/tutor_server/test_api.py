"""The learner API end to end on a real database, with real packs and real speech."""

from __future__ import annotations

import uuid
from io import BytesIO
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

from bench.suopuhe import SuopuheMissing, render
from speech.audio import SAMPLE_RATE, Audio, AudioLimits, to_wav_bytes
from tutor_server import db


def join(client: FlaskClient, code: str, language: str = "ru") -> dict[str, Any]:
    response = client.post(
        "/api/v1/join", json={"code": code, "display_name": "Olga", "support_language": language}
    )
    assert response.status_code == 201, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def start(client: FlaskClient, token: str, lesson: str = "siivous") -> dict[str, Any]:
    """Start (or resume) a lesson of the example pack; the session."""
    response = client.post(
        "/api/v1/sessions", json={"pack_id": "esimerkki", "lesson_id": lesson}, headers=auth(token)
    )
    assert response.status_code in (200, 201), response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def test_join_recover_and_profile(client: FlaskClient, code: str) -> None:
    joined = join(client, code)
    assert joined["learner"]["display_name"] == "Olga"
    assert joined["learner"]["group"]["name"] == "Siivous A"
    me = client.get("/api/v1/me", headers=auth(joined["token"]))
    assert me.status_code == 200 and me.json["support_language"] == "ru"  # type: ignore[index]
    recovered = client.post("/api/v1/recover", json={"recovery_code": joined["recovery_code"]})
    assert recovered.status_code == 200
    new_token = recovered.json["token"]  # type: ignore[index]
    assert client.get("/api/v1/me", headers=auth(joined["token"])).status_code == 401
    patched = client.patch(
        "/api/v1/me",
        json={"support_language": "ar", "recording_consent": True},
        headers=auth(new_token),
    )
    assert patched.json["support_language"] == "ar" and patched.json["recording_consent"] is True  # type: ignore[index]


@pytest.mark.parametrize("value", ["yes", 1, None, []])
def test_recording_consent_is_true_or_false_and_a_bad_value_changes_nothing(
    client: FlaskClient, code: str, value: Any
) -> None:
    token = join(client, code)["token"]
    bad = client.patch(
        "/api/v1/me",
        json={"display_name": "Uusi", "recording_consent": value},
        headers=auth(token),
    )
    assert bad.status_code == 400
    assert bad.json["fields"] == {"recording_consent": "true or false"}  # type: ignore[index]
    me = client.get("/api/v1/me", headers=auth(token)).json
    assert me["recording_consent"] is False and me["display_name"] == "Olga"  # type: ignore[index]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "XXXXXX", "display_name": "A", "support_language": "ru"}, "code"),
        ({"code": "a b", "display_name": "A", "support_language": "ru"}, "code"),
        ({"display_name": "A", "support_language": "ru"}, "code"),
        ({"code": "ABCDEF", "display_name": "", "support_language": "ru"}, "display_name"),
        ({"code": "ABCDEF", "display_name": "A", "support_language": "xx"}, "support_language"),
    ],
)
def test_bad_join_requests_get_clear_errors(
    client: FlaskClient, code: str, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/join", json=body)
    assert response.status_code in (400, 404)
    assert set(response.json) == {"error", "message", "fields"}  # type: ignore[arg-type]
    assert field in response.json["fields"]  # type: ignore[index]


def test_errors_are_json_everywhere_under_the_api(client: FlaskClient) -> None:
    assert client.get("/api/v1/nope").json["error"] == "not_found"  # type: ignore[index]
    assert client.delete("/api/v1/join").status_code == 405
    assert client.post("/api/v1/join", data="not json").json["error"] == "invalid_json"  # type: ignore[index]
    assert client.get("/api/v1/packs").status_code == 401


def right_body(step: dict[str, Any], state_step: Any, client_id: str) -> dict[str, Any]:
    """The body of a right answer to ``step``; a spoken step (it takes a recording) is skipped."""
    right = answer_for(state_step)
    body: dict[str, Any] = {"client_id": client_id, "step": step["index"]}
    body.update({"answer": right} if right is not None else {"skip": True})
    return body


def answer_for(state_step: Any) -> dict[str, Any] | None:
    """The right answer to a step, or None for a spoken step."""
    from lessons.engine.steps import AnswerKind

    kind = state_step.answer_kind
    if kind is AnswerKind.CHOICE:
        return {"choice": state_step.expected[0]}
    if kind is AnswerKind.ORDER:
        return {"order": list(state_step.expected)}
    if kind is AnswerKind.PAIRS:
        return {"pairs": dict(pair.split("=") for pair in state_step.expected)}
    if kind is AnswerKind.SPEECH:
        return None
    return {}


def engine_step(app: Flask, session_id: str) -> Any:
    from tutor_server.models import LessonSession
    from tutor_server.session_store import load_state

    with app.app_context():
        record = db.get_session().get(LessonSession, session_id)
        assert record is not None
        return load_state(app, record).current


def test_a_whole_lesson_with_retries_resume_and_review(
    app: Flask, client: FlaskClient, code: str
) -> None:
    token = join(client, code)["token"]
    packs = client.get("/api/v1/packs", headers=auth(token)).json["packs"]  # type: ignore[index]
    assert [lesson["id"] for lesson in packs[0]["lessons"]] == ["siivous", "aamulla", "aanteet"]
    assert packs[0]["lessons"][0]["title"] == "Уборка"
    started = client.post(
        "/api/v1/sessions",
        json={"pack_id": "esimerkki", "lesson_id": "siivous"},
        headers=auth(token),
    )
    assert started.status_code == 201
    session: dict[str, Any] = started.json  # type: ignore[assignment]
    assert "expected" not in session["step"]
    resumed = client.post(
        "/api/v1/sessions",
        json={"pack_id": "esimerkki", "lesson_id": "siivous"},
        headers=auth(token),
    )
    assert resumed.status_code == 200 and resumed.json["id"] == session["id"]  # type: ignore[index]
    url = f"/api/v1/sessions/{session['id']}/answers"
    while session["step"] is not None:
        step = session["step"]
        client_id = str(uuid.uuid4())
        body = right_body(step, engine_step(app, session["id"]), client_id)
        first = client.post(url, json=body, headers=auth(token))
        assert first.status_code == 201, first.json
        retry = client.post(url, json=body, headers=auth(token))
        assert retry.status_code == 200 and retry.json == first.json  # counted once
        session = first.json["session"]  # type: ignore[index]
        if step["audio_url"]:
            audio = client.get(step["audio_url"])
            assert audio.status_code == 200 and audio.mimetype == "audio/wav"
            assert "immutable" in audio.headers["Cache-Control"]
            slow = client.get(step["slow_audio_url"])
            assert slow.status_code == 200 and slow.mimetype == "audio/wav"
            if step["audio_url"] != step["slow_audio_url"]:  # not already slow
                assert len(slow.data) > len(audio.data) * 1.1
        else:
            assert step["slow_audio_url"] is None
        for option in step["options"]:
            assert isinstance(option["gloss_reviewed"], bool)
    late = client.post(
        url, json={"client_id": "late", "step": 0, "answer": {}}, headers=auth(token)
    )
    assert late.status_code == 409
    finished = client.post(f"/api/v1/sessions/{session['id']}/finish", headers=auth(token))
    assert finished.status_code == 200
    assert set(finished.json["ratings"]) == {
        f"esimerkki/{i}" for i in ("lattia", "lattia-on-liukas", "tarvitsen-apua", "kiitos")
    }  # type: ignore[index]
    assert finished.json["streak_days"] == 1  # type: ignore[index]
    again = client.post(f"/api/v1/sessions/{session['id']}/finish", headers=auth(token))
    assert again.json["ratings"] == finished.json["ratings"]  # type: ignore[index]
    progress = client.get("/api/v1/progress", headers=auth(token)).json
    assert progress["words_practised"] == 4 and progress["lessons_finished"] == 1  # type: ignore[index]
    nothing = client.post("/api/v1/sessions", json={"kind": "review"}, headers=auth(token))
    assert nothing.status_code == 409 and nothing.json["error"] == "nothing_due"  # type: ignore[index]


def test_wrong_step_and_bad_answers_are_4xx(app: Flask, client: FlaskClient, code: str) -> None:
    token = join(client, code)["token"]
    session = client.post(
        "/api/v1/sessions",
        json={"pack_id": "esimerkki", "lesson_id": "siivous"},
        headers=auth(token),
    ).json
    url = f"/api/v1/sessions/{session['id']}/answers"  # type: ignore[index]
    assert (
        client.post(
            url, json={"client_id": "a", "step": 5, "answer": {}}, headers=auth(token)
        ).status_code
        == 409
    )
    assert client.post(url, json={"step": 0, "answer": {}}, headers=auth(token)).status_code == 400
    assert (
        client.post(
            url, json={"client_id": "b", "step": 0, "answer": {"choice": 5}}, headers=auth(token)
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/api/v1/sessions/nope/answers", json={"client_id": "c", "step": 0}, headers=auth(token)
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/sessions", json={"pack_id": "x", "lesson_id": "y"}, headers=auth(token)
        ).status_code
        == 404
    )


def learner_wav(text: str) -> bytes:
    """``text`` said by Festival's Suopuhe mv voice (human-derived; the scorer is not
    fitted on it), with silence around it."""
    try:
        audio = render(text, "mv")
    except SuopuheMissing as exc:
        pytest.fail(str(exc))
    pad = np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
    return to_wav_bytes(Audio(np.concatenate([pad, audio.samples, pad])))


def say(client: FlaskClient, token: str, url: str, step: Any, text: str, client_id: str) -> Any:
    """Answer a spoken step with ``text`` said by a learner voice (a WAV upload)."""
    return client.post(
        url,
        data={
            "client_id": client_id,
            "step": str(step["index"]),
            "audio": (BytesIO(learner_wav(text)), "try.wav"),
        },
        headers=auth(token),
    )


def test_spoken_answer_is_scored_and_not_kept_without_consent(
    app: Flask, client: FlaskClient, code: str
) -> None:
    from tutor_server.models import Recording

    token = join(client, code)["token"]
    session = client.post(
        "/api/v1/sessions",
        json={"pack_id": "esimerkki", "lesson_id": "aanteet"},
        headers=auth(token),
    ).json
    url = f"/api/v1/sessions/{session['id']}/answers"  # type: ignore[index]
    while session["step"]["answer_kind"] != "speech":  # type: ignore[index]
        step = session["step"]  # type: ignore[index]
        body = right_body(step, engine_step(app, session["id"]), str(uuid.uuid4()))
        session = client.post(url, json=body, headers=auth(token)).json["session"]  # type: ignore[index]
    step = session["step"]  # type: ignore[index]
    target = step["say"]
    neighbour = {"tuli": "tuuli", "tuuli": "tuli"}[target]
    other_words = say(client, token, url, step, "kiitos", "s0")  # another item of the pack
    assert other_words.status_code == 201, other_words.json
    assert other_words.json["scoring"]["message_key"] == "pronunciation.other_words"  # type: ignore[index]
    assert other_words.json["verdict"]["correct"] is False  # type: ignore[index]
    wrong = say(client, token, url, step, neighbour, "s1")
    assert wrong.status_code == 201, wrong.json
    assert wrong.json["scoring"]["heard_as"] == neighbour  # type: ignore[index]
    assert wrong.json["verdict"]["correct"] is False  # type: ignore[index]
    good = say(client, token, url, step, target, "s2")
    assert good.json["verdict"]["correct"] is True, good.json  # type: ignore[index]
    broken = client.post(
        url,
        data={"client_id": "s3", "step": "0", "audio": (BytesIO(b"junk"), "x.wav")},
        headers=auth(token),
    )
    assert broken.status_code in (400, 409)
    with app.app_context():
        assert db.get_session().query(Recording).count() == 0


def test_export_and_delete(client: FlaskClient, code: str) -> None:
    token = join(client, code)["token"]
    client.post(
        "/api/v1/sessions",
        json={"pack_id": "esimerkki", "lesson_id": "siivous"},
        headers=auth(token),
    )
    exported = client.get("/api/v1/me/export", headers=auth(token)).json
    assert exported["learner"]["display_name"] == "Olga" and len(exported["sessions"]) == 1  # type: ignore[index]
    assert client.delete("/api/v1/me", headers=auth(token)).status_code == 204
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 401


def test_openapi_document_is_valid(client: FlaskClient) -> None:
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").json
    validate(document)  # type: ignore[arg-type]
    assert "/api/v1/sessions/{session_id}/answers" in document["paths"]  # type: ignore[index]
    assert "/api/v1/sessions/{session_id}/steps" in document["paths"]  # type: ignore[index]


def test_two_different_answers_to_one_step_at_once_move_the_lesson_once(
    app: Flask, client: FlaskClient, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slower of two racing answers read the session before the faster one wrote it."""
    from tutor_server.api import sessions

    token = join(client, code)["token"]
    session = client.post(
        "/api/v1/sessions",
        json={"pack_id": "esimerkki", "lesson_id": "siivous"},
        headers=auth(token),
    ).json
    session_id = session["id"]  # type: ignore[index]
    with app.test_request_context(headers=auth(token)):
        read_before = sessions._own_session(session_id)
    url = f"/api/v1/sessions/{session_id}/answers"
    first = client.post(url, json={"client_id": "a", "step": 0, "answer": {}}, headers=auth(token))
    assert first.status_code == 201
    monkeypatch.setattr(sessions, "_own_session", lambda *args, **kwargs: read_before)
    second = client.post(url, json={"client_id": "b", "step": 0, "answer": {}}, headers=auth(token))
    assert second.status_code == 409 and second.json["error"] == "conflict"  # type: ignore[index]
    monkeypatch.undo()
    export = client.get("/api/v1/me/export", headers=auth(token)).json
    assert [answer["step"] for answer in export["answers"]] == [0]  # type: ignore[index]
    assert export["sessions"][0]["state"]["position"] == 1  # type: ignore[index]


def test_a_busy_database_is_503_with_retry_after(
    app: Flask, client: FlaskClient, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from tutor_server.api import context

    def locked() -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(context, "current_learner", locked)
    response = client.get("/api/v1/me", headers=auth("x"))
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert response.json["error"] == "busy"  # type: ignore[index]


def _to_the_greeting_turn(app: Flask, client: FlaskClient, token: str) -> tuple[str, Any]:
    """Start the example dialogue and answer up to the learner's 'Huomenta!' turn."""
    session = client.post(
        "/api/v1/sessions",
        json={"pack_id": "esimerkki", "lesson_id": "aamulla"},
        headers=auth(token),
    ).json
    url = f"/api/v1/sessions/{session['id']}/answers"  # type: ignore[index]
    while not (
        session["step"]["kind"] == "dialogue_turn"  # type: ignore[index]
        and session["step"]["answer_kind"] == "speech"  # type: ignore[index]
    ):
        step = session["step"]  # type: ignore[index]
        body = right_body(step, engine_step(app, session["id"]), str(uuid.uuid4()))
        session = client.post(url, json=body, headers=auth(token)).json["session"]  # type: ignore[index]
    assert session["step"]["say"] == "Huomenta!"  # type: ignore[index]
    return url, session["step"]  # type: ignore[index]


def test_the_accepted_alternative_said_aloud_is_right(
    app: Flask, client: FlaskClient, code: str
) -> None:
    token = join(client, code)["token"]
    url, step = _to_the_greeting_turn(app, client, token)
    result = say(client, token, url, step, "Hyvää huomenta!", "greeting")
    assert result.status_code == 201, result.json
    assert result.json["verdict"]["correct"] is True, result.json  # type: ignore[index]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_accepted_form_is_tried_until_one_is_right(
    app: Flask, client: FlaskClient, code: str
) -> None:
    """With a scorer that hears only the alternative as right, the answer is right and the
    result shown is the alternative's; the standard form is tried first."""
    from speech.checks import Verdict
    from speech.scoring import ScoreResult

    tried: list[str] = []

    class OnlyTheAlternative:
        limits = AudioLimits()

        def score(self, wav: bytes, target: str, *args: Any, **kwargs: Any) -> ScoreResult:
            tried.append(target)
            if target == "Hyvää huomenta!":
                return ScoreResult(target, Verdict.CORRECT, 95, "pronunciation.correct")
            return ScoreResult(target, Verdict.WRONG, 0, "pronunciation.other_words")

    app.extensions["sanapaja.scorer"] = OnlyTheAlternative()
    token = join(client, code)["token"]
    url, step = _to_the_greeting_turn(app, client, token)
    result = say(client, token, url, step, "Hyvää huomenta!", "greeting")
    assert result.status_code == 201, result.json
    assert tried == ["Huomenta!", "Hyvää huomenta!"]
    assert result.json["verdict"]["correct"] is True  # type: ignore[index]
    assert result.json["scoring"]["target"] == "Hyvää huomenta!"  # type: ignore[index]
