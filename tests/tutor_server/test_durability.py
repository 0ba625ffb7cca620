"""An accepted answer is never lost: the real server, killed with SIGKILL mid-lesson, restarted.

Runs `sanapaja serve` as a subprocess on SQLite and, when it is reachable, PostgreSQL.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.tutor_server import test_api
from tutor_server.app import create_app

SANAPAJA = str(Path(sys.executable).with_name("sanapaja"))
LESSON = {"pack_id": "esimerkki", "lesson_id": "siivous"}
# Straight to the server, whatever proxy the environment names.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _sanapaja(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [SANAPAJA, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class Server:
    """HTTP calls to one running `sanapaja serve`."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str = ""
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with OPENER.open(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read())


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[tuple[Server, subprocess.Popen[bytes]]]:
    """`sanapaja serve` on a free port, ready for requests; stopped at the end if still alive."""
    port = _free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [SANAPAJA, "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    server = Server(port)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if server.call("GET", "/api/v1/openapi.json")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield server, process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)


def _current_step(database_url: str, session_id: str) -> Any:
    """The engine's view of the step, to give the right answer (the API hides it)."""
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    try:
        return test_api.engine_step(app, session_id)
    finally:
        app.extensions["sanapaja.engine"].dispose()


def test_an_accepted_answer_survives_sigkill_and_a_retry_counts_once(
    database_url: str, doc_example_dir: Path, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "SANAPAJA_DATABASE_URL": database_url,
        "SANAPAJA_PACK_CACHE": str(tmp_path / "pack-cache"),
    }
    _sanapaja(env, "packs", "load", str(doc_example_dir))
    created = _sanapaja(env, "groups", "create", "Durable", "--pack", "esimerkki")
    code = re.search(r"join code (\w+)", created)
    assert code is not None, created
    log = tmp_path / "server.log"

    accepted: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (request, first response)
    with serving(env, log) as (server, process):
        status, joined = server.call(
            "POST",
            "/api/v1/join",
            {"code": code[1], "display_name": "Olga", "support_language": "ru"},
        )
        assert status == 201, joined
        token = joined["token"]
        status, session = server.call("POST", "/api/v1/sessions", LESSON, token)
        assert status == 201, session
        answers = f"/api/v1/sessions/{session['id']}/answers"
        while session["position"] < session["total"] // 2:
            step = session["step"]
            body = test_api.right_body(
                step, _current_step(database_url, session["id"]), str(uuid.uuid4())
            )
            status, result = server.call("POST", answers, body, token)
            assert status == 201, result
            accepted.append((body, result))
            session = result["session"]
        assert accepted and not session["finished"]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    with serving(env, log) as (server, _):
        status, resumed = server.call("POST", "/api/v1/sessions", LESSON, token)
        assert status == 200, resumed
        assert resumed == session  # same session, same position, same step
        status, exported = server.call("GET", "/api/v1/me/export", token=token)
        assert status == 200, exported
        kept = {a["response"]["client_id"]: a for a in exported["answers"]}
        assert len(exported["answers"]) == len(accepted)
        for body, result in accepted:
            assert kept[body["client_id"]]["response"] == result
            assert kept[body["client_id"]]["step"] == body["step"]

        last_body, last_result = accepted[-1]
        status, retried = server.call("POST", answers, last_body, token)
        assert status == 200 and retried == last_result
        status, again = server.call("GET", "/api/v1/me/export", token=token)
        assert len(again["answers"]) == len(accepted)
        status, now = server.call("GET", f"/api/v1/sessions/{session['id']}", token=token)
        assert status == 200 and now == session  # the retry did not move the lesson on
