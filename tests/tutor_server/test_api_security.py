"""The security audit's cases: brute force throttled, keyed credential hashes, hostile JSON,
security headers, token expiry and sign-out, the secret key, signed audio URLs."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.tutor_server.test_api import auth, join, start
from tutor_server import db
from tutor_server.app import create_app
from tutor_server.credentials import SecretKeyError, keyed_hash
from tutor_server.models import Learner

DEEP = "[" * 1000 + "]" * 1000


def test_wrong_recovery_codes_are_throttled_per_address(client: FlaskClient, code: str) -> None:
    real = join(client, code)["recovery_code"]
    statuses = [
        client.post("/api/v1/recover", json={"recovery_code": f"WRONG{n}"}).status_code
        for n in range(8)
    ]
    assert statuses[:5] == [404] * 5 and set(statuses[5:]) == {429}
    throttled = client.post("/api/v1/recover", json={"recovery_code": real})
    assert throttled.status_code == 429 and throttled.headers.get("Retry-After")
    assert set(throttled.json) == {"error", "message", "fields"}  # type: ignore[arg-type]
    other = client.post(
        "/api/v1/recover", json={"recovery_code": real}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 200  # another address is not locked out


def test_wrong_join_codes_are_throttled_but_a_class_can_join(
    client: FlaskClient, code: str
) -> None:
    # A whole group joins from one workplace network: right codes are not failures.
    for number in range(12):
        body = {"code": code, "display_name": f"L{number}", "support_language": "en"}
        assert client.post("/api/v1/join", json=body).status_code == 201
    wrong = {"code": "ZZZZZZ", "display_name": "X", "support_language": "en"}
    statuses = [client.post("/api/v1/join", json=wrong).status_code for _ in range(7)]
    assert statuses[:5] == [404] * 5 and set(statuses[5:]) == {429}


def test_joins_per_group_code_are_capped(app: Flask, code: str) -> None:
    app.config["RATELIMIT_JOINS_PER_GROUP"] = "3 per hour"
    client = app.test_client()
    statuses = [
        client.post(
            "/api/v1/join",
            json={"code": code, "display_name": "A", "support_language": "en"},
            environ_base={"REMOTE_ADDR": f"10.0.1.{n}"},
        ).status_code
        for n in range(5)
    ]
    assert statuses == [201, 201, 201, 429, 429]


def test_codes_and_tokens_are_stored_as_keyed_hashes(
    app: Flask, client: FlaskClient, code: str
) -> None:
    joined = join(client, code)
    with app.app_context():
        learner = db.get_session().scalar(sa.select(Learner))
        assert learner is not None
        plain = hashlib.sha256(joined["recovery_code"].encode()).hexdigest()
        assert learner.recovery_hash != plain
        key = app.config["SECRET_KEY"]
        assert learner.recovery_hash == keyed_hash(key, joined["recovery_code"])
        assert learner.token_hash == keyed_hash(key, joined["token"])


def test_a_learner_from_before_keyed_hashes_still_signs_in(
    app: Flask, client: FlaskClient, code: str
) -> None:
    joined = join(client, code)
    token, recovery = "old-token-from-0003", "OLDCODE2"
    with app.app_context(), db.transaction() as session:
        session.execute(
            sa.update(Learner).values(
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                recovery_hash=hashlib.sha256(recovery.encode()).hexdigest(),
                credentials_version=1,
                token_expires_at=None,
            )
        )
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 200
    with app.app_context():
        learner = db.get_session().scalar(sa.select(Learner))
        assert learner is not None
        assert learner.token_hash == keyed_hash(app.config["SECRET_KEY"], token)
        assert learner.token_expires_at is not None
    assert client.get("/api/v1/me", headers=auth(joined["token"])).status_code == 401
    recovered = client.post("/api/v1/recover", json={"recovery_code": recovery})
    assert recovered.status_code == 200
    with app.app_context():
        learner = db.get_session().scalar(sa.select(Learner))
        assert learner is not None and learner.credentials_version == 2


def _authorised_calls(client: FlaskClient, code: str) -> list[tuple[str, str, dict[str, str]]]:
    token = join(client, code)["token"]
    session = start(client, token)
    headers = auth(token)
    return [
        ("POST", "/api/v1/join", {}),
        ("POST", "/api/v1/recover", {}),
        ("PATCH", "/api/v1/me", headers),
        ("POST", "/api/v1/sessions", headers),
        ("POST", f"/api/v1/sessions/{session['id']}/answers", headers),
    ]


@pytest.mark.parametrize(
    "body",
    [
        '{"code": ' + DEEP + ', "display_name": ' + DEEP + "}",
        '{"display_name": "\\ud800", "client_id": "\\udfff", "recovery_code": "\\ud800",'
        ' "code": "\\ud800", "kind": "\\ud800", "step": 0}',
        '{"answer": {"pairs": {"a": ' + DEEP + "}}}",
    ],
    ids=["deep", "lone-surrogates", "deep-inside"],
)
def test_hostile_json_is_a_400_with_the_usual_body(
    client: FlaskClient, code: str, body: str
) -> None:
    for method, path, headers in _authorised_calls(client, code):
        response = client.open(
            path, method=method, data=body, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 400, (path, response.status_code, response.data[:200])
        assert set(response.json) == {"error", "message", "fields"}, path  # type: ignore[arg-type]


def test_pages_and_answers_carry_security_headers(client: FlaskClient, code: str) -> None:
    for path in ("/", f"/join/{code}", "/api/v1/openapi.json", "/api/v1/nope"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["Cache-Control"] == "no-store", path


def test_no_page_has_an_inline_script(client: FlaskClient, code: str) -> None:
    import re

    for path in ("/", f"/join/{code}", "/lesson/0123456789abcdef"):
        html = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", html), path  # no onclick= and the like
        assert not re.search(r"<[^>]*\sstyle\s*=", html), path


def test_signing_out_ends_the_token(client: FlaskClient, code: str) -> None:
    token = join(client, code)["token"]
    assert client.post("/api/v1/me/sign-out", headers=auth(token)).status_code == 204
    after = client.get("/api/v1/me", headers=auth(token))
    assert after.status_code == 401 and after.json["error"] == "unauthorized"  # type: ignore[index]


def test_an_unused_token_expires(app: Flask, client: FlaskClient, code: str) -> None:
    token = join(client, code)["token"]
    with app.app_context(), db.transaction() as session:
        session.execute(
            sa.update(Learner).values(token_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    expired = client.get("/api/v1/me", headers=auth(token))
    assert expired.status_code == 401 and expired.json["error"] == "token_expired"  # type: ignore[index]


def test_a_token_in_use_is_extended(app: Flask, client: FlaskClient, code: str) -> None:
    token = join(client, code)["token"]
    soon = datetime.now(UTC) + timedelta(days=3)
    with app.app_context(), db.transaction() as session:
        session.execute(sa.update(Learner).values(token_expires_at=soon))
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 200
    with app.app_context():
        learner = db.get_session().scalar(sa.select(Learner))
        assert learner is not None and learner.token_expires_at is not None
        expires = learner.token_expires_at.replace(tzinfo=learner.token_expires_at.tzinfo or UTC)
        assert expires > datetime.now(UTC) + timedelta(days=80)


def test_the_secret_key_is_generated_once_into_the_instance_folder(tmp_path: Path) -> None:
    config: dict[str, Any] = {"DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"}
    first = _production_app(tmp_path, config)
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32 and key_file.stat().st_mode & 0o077 == 0
    assert _production_app(tmp_path, config).config["SECRET_KEY"] == first.config["SECRET_KEY"]


@pytest.mark.parametrize("key", ["dev", "short"])
def test_a_placeholder_secret_key_is_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(SecretKeyError, match="SANAPAJA_SECRET_KEY"):
        _production_app(
            tmp_path, {"SECRET_KEY": key, "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}"}
        )


def _production_app(tmp_path: Path, config: dict[str, Any]) -> Flask:
    """An app as a deployment makes it (not TESTING), with its instance folder in tmp_path."""
    app = create_app({"TESTING": False, **config}, instance_path=tmp_path / "instance")
    app.extensions["sanapaja.engine"].dispose()
    return app


def test_phrase_audio_needs_the_signed_url(client: FlaskClient, code: str) -> None:
    token = join(client, code)["token"]
    step = start(client, token)["step"]
    url = step["audio_url"]
    assert client.get(url).status_code == 200
    bare = url.split("?")[0]
    assert client.get(bare).status_code == 404
    assert client.get(bare + "?s=" + "0" * 32).status_code == 404
    assert json.loads(client.get(bare).data)["error"] == "unknown_audio"
