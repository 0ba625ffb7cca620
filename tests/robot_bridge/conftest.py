"""Real parts for the robot tests: Mosquitto on a free port with a generated config, the
lesson server (the WSGI app under a threaded server) on another, the bridge between them."""

from __future__ import annotations

import getpass
import logging
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from werkzeug.serving import BaseWSGIServer, make_server

from robot_bridge.bridge import Bridge
from robot_bridge.fleet import RobotTokens
from robot_bridge.lesson_api import LessonApi
from robot_bridge.mqtt import BrokerSettings
from robot_bridge.simulator import Script, ScriptPlayer, SoftwareRobot
from tests.conftest import example_app

MOSQUITTO = "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


def wait_until(condition: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what or condition}")


@dataclass
class Mosquitto:
    """A broker of its own: ``start()`` again after ``stop()`` restarts it on the same port."""

    folder: Path
    port: int = field(default_factory=free_port)
    extra: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def settings(self, mqtt5: bool = True, **login: str) -> BrokerSettings:
        base = BrokerSettings(port=self.port, mqtt5=mqtt5)
        return base.with_login(login["username"], login["password"]) if login else base

    def start(self) -> None:
        config = self.folder / "mosquitto.conf"
        lines = [
            f"listener {self.port} 127.0.0.1",
            # Started as root, Mosquitto would become user mosquitto and lose our files.
            f"user {getpass.getuser()}",
            "persistence false",
            f"log_dest file {self.folder / 'mosquitto.log'}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            *(self.extra or ["allow_anonymous true"]),
        ]
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.process = subprocess.Popen(
            [MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def reload(self) -> None:
        assert self.process is not None
        self.process.send_signal(1)  # SIGHUP: reread the password and ACL files
        time.sleep(0.3)


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    folder = tmp_path / "broker"
    folder.mkdir()
    broker = Mosquitto(folder)
    broker.start()
    yield broker
    broker.stop()


@dataclass
class LessonServer:
    app: Any
    url: str
    group_code: str
    server: BaseWSGIServer
    thread: threading.Thread

    def add_robot(self, name: str) -> str:
        from tutor_server import db, robots

        with self.app.app_context(), db.transaction() as session:
            return robots.add_robot(session, name, self.group_code)[1]

    def join(self, name: str = "Olga", language: str = "ru") -> dict[str, Any]:
        response = requests.post(
            f"{self.url}/api/v1/join",
            json={"code": self.group_code, "display_name": name, "support_language": language},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def pairing_code(self, learner_token: str) -> str:
        response = requests.post(
            f"{self.url}/api/v1/me/pairing-code",
            headers={"Authorization": f"Bearer {learner_token}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["code"])

    def get(self, path: str, token: str) -> Any:
        response = requests.get(
            self.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        return response.json()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(app: Any, port: int = 0) -> tuple[BaseWSGIServer, threading.Thread]:
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def lesson_server(tmp_path: Path, doc_example_dir: Path) -> Iterator[LessonServer]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app, code = example_app(tmp_path, doc_example_dir, "Keittiö A")
    server, thread = serve(app)
    running = LessonServer(app, f"http://127.0.0.1:{server.server_port}", code, server, thread)
    yield running
    running.stop()
    app.extensions["sanapaja.engine"].dispose()


def start_bridge(
    broker: Mosquitto,
    server: LessonServer,
    tokens: dict[str, str],
    **options: Any,
) -> Bridge:
    login = options.pop("login", {})
    mqtt5 = options.pop("mqtt5", True)
    bridge = Bridge(
        broker.settings(mqtt5, **login), LessonApi(server.url), RobotTokens(None, tokens), **options
    )
    bridge.start()
    wait_until(bridge.connected.is_set, 10, "the bridge to connect")
    return bridge


def start_robot(
    broker: Mosquitto,
    robot_id: str,
    script: Script,
    speed: float = 0.0,
    mqtt5: bool = True,
    **login: str,
) -> SoftwareRobot:
    robot = SoftwareRobot(robot_id, broker.settings(mqtt5, **login), ScriptPlayer(script, speed))
    robot.start()
    wait_until(robot.connected.is_set, 10, f"robot {robot_id} to connect")
    return robot


def learner_wav(text: str, folder: Path) -> Path:
    """``text`` said by an espeak-ng voice that is not the tutor's, padded with silence."""
    from speech.audio import SAMPLE_RATE, Audio, read_wav, to_wav_bytes
    from speech.tts import TextToSpeech, Voice

    audio = read_wav(TextToSpeech().render_bytes(text, Voice("m1", 140)))
    pad = np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
    path = folder / f"{text}.wav"
    path.write_bytes(to_wav_bytes(Audio(np.concatenate([pad, audio.samples, pad]))))
    return path
