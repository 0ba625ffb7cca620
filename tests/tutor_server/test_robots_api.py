"""The server side of robots: credentials, pairing codes, picking a name, guests, timeouts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tutor_server import db, robots
from tutor_server.groups import create_group
from tutor_server.models import Group, Learner, PairingCode, RobotSession
from tutor_server.pack_store import store_pack


@pytest.fixture
def code(app: Flask, doc_example_dir: Path) -> str:
    with app.app_context(), db.transaction() as session:
        store_pack(session, doc_example_dir)
        return create_group(session, "Keittiö A", ["esimerkki"], 6).join_code


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def add_robot(app: Flask, name: str, code: str) -> dict[str, str]:
    with app.app_context(), db.transaction() as session:
        token = robots.add_robot(session, name, code)[1]
    return {"Authorization": f"Robot {token}"}


def join(client: FlaskClient, code: str, name: str = "Olga") -> dict[str, Any]:
    response = client.post(
        "/api/v1/join", json={"code": code, "display_name": name, "support_language": "ru"}
    )
    assert response.status_code == 201
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_pairing_code_signs_the_learner_in_once(
    app: Flask, client: FlaskClient, code: str
) -> None:
    robot = add_robot(app, "kahvio-1", code)
    learner = join(client, code)
    paired = client.post("/api/v1/me/pairing-code", headers=bearer(learner["token"]))
    assert paired.status_code == 201
    pairing: str = paired.json["code"]  # type: ignore[index]
    assert paired.json["qr_text"] == f"sanapaja-pair:{pairing}"  # type: ignore[index]
    assert client.get("/api/v1/robot", headers=robot).json["signin_methods"] == [  # type: ignore[index]
        "pairing_code",
        "guest",
    ]
    signed = client.post(
        "/api/v1/robot/sessions",
        json={"method": "pairing_code", "code": pairing.lower()},
        headers=robot,
    )
    assert signed.status_code == 201, signed.json
    body: dict[str, Any] = signed.json  # type: ignore[assignment]
    assert body["learner"]["display_name"] == "Olga" and body["guest"] is False
    # The robot session's token acts for the learner in the lesson API.
    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200 and me.json["display_name"] == "Olga"  # type: ignore[index]
    again = client.post(
        "/api/v1/robot/sessions", json={"method": "pairing_code", "code": pairing}, headers=robot
    )
    assert again.status_code == 404 and again.json["error"] == "unknown_code"  # type: ignore[index]


def test_pairing_codes_expire_and_stay_in_their_group(
    app: Flask, client: FlaskClient, code: str
) -> None:
    with app.app_context(), db.transaction() as session:
        other = create_group(session, "Siivous B", ["esimerkki"], 6).join_code
    robot = add_robot(app, "aula", code)
    stranger = join(client, other, "Ahmed")
    foreign = client.post("/api/v1/me/pairing-code", headers=bearer(stranger["token"])).json
    refused = client.post(
        "/api/v1/robot/sessions",
        json={"method": "pairing_code", "code": foreign["code"]},  # type: ignore[index]
        headers=robot,
    )
    assert refused.status_code == 404 and "another group" in refused.json["message"]  # type: ignore[index]
    learner = join(client, code)
    pairing = client.post("/api/v1/me/pairing-code", headers=bearer(learner["token"])).json
    with app.app_context(), db.transaction() as session:
        for record in session.scalars(select(PairingCode)):
            record.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    expired = client.post(
        "/api/v1/robot/sessions",
        json={"method": "pairing_code", "code": pairing["code"]},  # type: ignore[index]
        headers=robot,
    )
    assert expired.status_code == 404 and "expired" in expired.json["message"]  # type: ignore[index]


def test_picking_a_name_only_when_the_trainer_allows_it(
    app: Flask, client: FlaskClient, code: str
) -> None:
    robot = add_robot(app, "kahvio-1", code)
    learner = join(client, code)
    assert client.get("/api/v1/robot/learners", headers=robot).status_code == 403
    pick = {"method": "pick", "learner_id": learner["learner"]["id"]}
    assert client.post("/api/v1/robot/sessions", json=pick, headers=robot).status_code == 403
    with app.app_context(), db.transaction() as session:
        group = session.scalar(select(Group).where(Group.join_code == code))
        assert group is not None
        group.robot_name_pick = True
    names = client.get("/api/v1/robot/learners", headers=robot).json
    assert names == {"learners": [{"id": learner["learner"]["id"], "display_name": "Olga"}]}
    assert client.post("/api/v1/robot/sessions", json=pick, headers=robot).status_code == 201


def test_a_guest_leaves_nothing_behind(app: Flask, client: FlaskClient, code: str) -> None:
    robot = add_robot(app, "kahvio-1", code)
    guest = client.post(
        "/api/v1/robot/sessions", json={"method": "guest", "support_language": "en"}, headers=robot
    ).json
    assert guest["guest"] is True  # type: ignore[index]
    token = guest["token"]  # type: ignore[index]
    started = client.post(
        "/api/v1/sessions",
        json={"pack_id": "esimerkki", "lesson_id": "siivous"},
        headers=bearer(token),
    )
    assert started.status_code == 201
    assert client.post("/api/v1/me/pairing-code", headers=bearer(token)).status_code == 403
    ended = client.post(
        f"/api/v1/robot/sessions/{guest['id']}/end",
        json={"reason": "nominal"},
        headers=robot,  # type: ignore[index]
    )
    assert ended.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    with app.app_context():
        assert db.get_session().scalar(select(func.count(Learner.id))) == 0


def test_a_robot_session_ends_after_a_time_without_the_learner(
    app: Flask, client: FlaskClient, code: str
) -> None:
    robot = add_robot(app, "kahvio-1", code)
    learner = join(client, code)
    pairing = client.post("/api/v1/me/pairing-code", headers=bearer(learner["token"])).json
    signed = client.post(
        "/api/v1/robot/sessions",
        json={"method": "pairing_code", "code": pairing["code"]},  # type: ignore[index]
        headers=robot,
    ).json
    with app.app_context(), db.transaction() as session:
        record = session.scalars(select(RobotSession)).one()
        record.last_active_at = datetime.now(UTC) - timedelta(seconds=601)
    late = client.get("/api/v1/me", headers=bearer(signed["token"]))  # type: ignore[index]
    assert late.status_code == 401 and late.json["error"] == "session_timeout"  # type: ignore[index]
    with app.app_context():
        record = db.get_session().scalars(select(RobotSession)).one()
        assert record.end_reason == "timeout"
    # The learner's own token is untouched.
    assert client.get("/api/v1/me", headers=bearer(learner["token"])).status_code == 200
    assert client.get("/api/v1/robot/sessions/current", headers=robot).status_code == 404


def test_the_current_session_hands_a_new_token_and_revoking_ends_everything(
    app: Flask, client: FlaskClient, code: str
) -> None:
    robot = add_robot(app, "kahvio-1", code)
    first = client.post(
        "/api/v1/robot/sessions", json={"method": "guest", "support_language": "en"}, headers=robot
    ).json
    current = client.get("/api/v1/robot/sessions/current", headers=robot).json
    assert current["id"] == first["id"] and current["token"] != first["token"]  # type: ignore[index]
    assert client.get("/api/v1/me", headers=bearer(first["token"])).status_code == 401  # type: ignore[index]
    assert client.get("/api/v1/me", headers=bearer(current["token"])).status_code == 200  # type: ignore[index]
    with app.app_context(), db.transaction() as session:
        robots.revoke_robot(session, "kahvio-1", datetime.now(UTC))
    assert client.get("/api/v1/robot", headers=robot).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(current["token"])).status_code == 401  # type: ignore[index]


def test_bad_robot_requests_are_clear_4xx(app: Flask, client: FlaskClient, code: str) -> None:
    robot = add_robot(app, "kahvio-1", code)
    assert client.get("/api/v1/robot").status_code == 401
    assert client.get("/api/v1/robot", headers={"Authorization": "Robot nope"}).status_code == 401
    wrong = client.post("/api/v1/robot/sessions", json={"method": "face"}, headers=robot)
    assert wrong.status_code == 400 and "method" in wrong.json["fields"]  # type: ignore[index]
    no_language = client.post("/api/v1/robot/sessions", json={"method": "guest"}, headers=robot)
    assert no_language.status_code == 400
    assert (
        client.post(
            "/api/v1/robot/sessions/nope/end", json={"reason": "nominal"}, headers=robot
        ).status_code
        == 404
    )
    with app.app_context(), db.transaction() as session, pytest.raises(robots.RobotError):
        robots.add_robot(session, "Bad Name", code)
    with app.app_context(), db.transaction() as session, pytest.raises(robots.RobotError):
        robots.add_robot(session, "kahvio-1", code)
