"""The lesson server's HTTP API as the bridge uses it: the robot's own endpoints, and the
learner endpoints with the robot session's token. A client of the real server, nothing more.

Retries: a busy server (503), a refused connection or a timeout is retried with backoff;
answers carry their client id, so a retry never counts twice.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import requests

log = logging.getLogger(__name__)

RETRIES = 6


class ApiError(Exception):
    """The server answered with a 4xx: ``status``, ``error`` and ``message`` say what."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status, self.error, self.message = status, error, message


class ServerUnavailable(Exception):
    """The server could not be reached (or stayed busy) through every retry."""


class LessonApi:
    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()
        self.server_seconds = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session

    def absolute(self, path: str | None) -> str | None:
        if path is None or "://" in path:
            return path
        return self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        auth: str,
        *,
        json: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """One request, retried while the server is away or busy; 4xx raise ApiError."""
        delay = 0.2
        for attempt in range(RETRIES):
            started = time.perf_counter()
            try:
                response = self._session().request(
                    method,
                    self.base_url + path,
                    headers={"Authorization": auth},
                    json=json,
                    data=data,
                    files=files,
                    timeout=self.timeout,
                )
            except requests.RequestException as exc:
                self._local.session = None  # a broken keep-alive connection is dropped
                log.warning(
                    "lesson server unreachable (%s), try %d", exc.__class__.__name__, attempt
                )
            else:
                self._add_server_time(time.perf_counter() - started)
                if response.status_code == 503 or response.status_code >= 500:
                    log.warning("lesson server answered %d, try %d", response.status_code, attempt)
                else:
                    body: dict[str, Any] = response.json() if response.content else {}
                    if response.status_code >= 400:
                        raise ApiError(
                            response.status_code,
                            str(body.get("error", "error")),
                            str(body.get("message", "")),
                        )
                    return response.status_code, body
            time.sleep(delay)
            delay = min(delay * 2, 3.0)
        raise ServerUnavailable(f"{method} {path}: the lesson server did not answer")

    def _add_server_time(self, seconds: float) -> None:
        self.server_seconds.total = getattr(self.server_seconds, "total", 0.0) + seconds

    def take_server_seconds(self) -> float:
        """Seconds this thread spent waiting on the server since the last call."""
        total: float = getattr(self.server_seconds, "total", 0.0)
        self.server_seconds.total = 0.0
        return total

    # The robot's own endpoints
    def robot_info(self, robot_token: str) -> dict[str, Any]:
        return self.request("GET", "/api/v1/robot", f"Robot {robot_token}")[1]

    def robot_learners(self, robot_token: str) -> list[dict[str, Any]]:
        body = self.request("GET", "/api/v1/robot/learners", f"Robot {robot_token}")[1]
        learners: list[dict[str, Any]] = body["learners"]
        return learners

    def sign_in(self, robot_token: str, request: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", "/api/v1/robot/sessions", f"Robot {robot_token}", json=request)[
            1
        ]

    def current_session(self, robot_token: str) -> dict[str, Any] | None:
        try:
            return self.request("GET", "/api/v1/robot/sessions/current", f"Robot {robot_token}")[1]
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def end_session(self, robot_token: str, session_id: str, reason: str) -> None:
        self.request(
            "POST",
            f"/api/v1/robot/sessions/{session_id}/end",
            f"Robot {robot_token}",
            json={"reason": reason},
        )

    # The learner's endpoints, with the robot session's token
    def packs(self, token: str) -> list[dict[str, Any]]:
        packs: list[dict[str, Any]] = self.request("GET", "/api/v1/packs", f"Bearer {token}")[1][
            "packs"
        ]
        return packs

    def start_lesson(self, token: str, pack_id: str, lesson_id: str) -> dict[str, Any]:
        return self.request(
            "POST",
            "/api/v1/sessions",
            f"Bearer {token}",
            json={"pack_id": pack_id, "lesson_id": lesson_id},
        )[1]

    def answer(self, token: str, session_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.request(
            "POST", f"/api/v1/sessions/{session_id}/answers", f"Bearer {token}", json=body
        )[1]

    def spoken_answer(
        self, token: str, session_id: str, step: int, client_id: str, wav: bytes
    ) -> dict[str, Any]:
        return self.request(
            "POST",
            f"/api/v1/sessions/{session_id}/answers",
            f"Bearer {token}",
            data={"client_id": client_id, "step": str(step)},
            files={"audio": ("answer.wav", wav, "audio/wav")},
        )[1]

    def finish(self, token: str, session_id: str) -> dict[str, Any]:
        return self.request("POST", f"/api/v1/sessions/{session_id}/finish", f"Bearer {token}")[1]
