"""Fleet security on a real Mosquitto: per-robot accounts and ACLs written by
`sanapaja robots add`, revocation, and TLS with a test CA."""

from __future__ import annotations

import base64
import re
import subprocess
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from robot_bridge.fleet import BRIDGE_USER, FleetFiles, hash_password
from robot_bridge.messages import Say, Status
from robot_bridge.mqtt import BrokerSettings, connect, make_client, read_statuses
from robot_bridge.simulator import Script
from tests.robot_bridge.conftest import (
    LessonServer,
    Mosquitto,
    start_bridge,
    start_robot,
    wait_until,
)
from tutor_server.cli import main

ROOT = "sanapaja/v1/robot/"


class Probe:
    """A plain MQTT client that records what it receives and how its connect went."""

    def __init__(self, settings: BrokerSettings) -> None:
        self.received: list[str] = []
        self.result: str | None = None
        self.done = threading.Event()
        self.client = make_client(f"probe-{id(self)}", settings)
        self.client.reconnect_delay_set(60, 60)  # one try: a refusal stays a refusal
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda _c, _u, m: self.received.append(m.topic)
        connect(self.client, settings)
        self.done.wait(5)

    def _on_connect(
        self, _c: mqtt.Client, _u: object, _f: object, reason: object, _p: object
    ) -> None:
        self.result = str(reason)
        self.done.set()

    @property
    def ok(self) -> bool:
        return self.result == "Success"

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        sock = self.client.socket()
        if sock is not None:
            sock.close()


def refused(settings: BrokerSettings) -> bool:
    probe = Probe(settings)
    probe.close()
    return probe.result is not None and not probe.ok


def accepted(settings: BrokerSettings) -> bool:
    probe = Probe(settings)
    probe.close()
    return probe.ok


def fleet_broker(tmp_path: Path, files: FleetFiles) -> Mosquitto:
    folder = tmp_path / "broker"
    folder.mkdir(exist_ok=True)
    broker = Mosquitto(
        folder,
        extra=[
            "allow_anonymous false",
            f"password_file {files.passwd}",
            f"acl_file {files.acl}",
        ],
    )
    broker.start()
    return broker


def test_our_hashes_are_the_ones_mosquitto_passwd_writes(tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    passwd.write_text("")
    subprocess.run(["mosquitto_passwd", "-b", str(passwd), "r1", "salasana"], check=True)
    written = passwd.read_text().strip().split(":", 1)[1]
    _, kind, iterations, salt, _digest = written.split("$")

    assert (kind, iterations) == ("7", "101")
    assert hash_password("salasana", base64.b64decode(salt)) == written


def test_robots_see_only_their_own_topics_and_a_revoked_robot_cannot_connect(
    tmp_path: Path, lesson_server: LessonServer
) -> None:
    files = FleetFiles(tmp_path / "fleet")
    runner = lesson_server.app.test_cli_runner()
    passwords = {}
    for name in ("robot-a", "robot-b"):
        result = runner.invoke(
            main,
            [
                "robots",
                "add",
                name,
                "--group",
                lesson_server.group_code,
                "--fleet",
                str(files.folder),
            ],
        )
        assert result.exit_code == 0, result.output
        found = re.search(rf"MQTT login \(shown once\): {name} / (\S+)", result.output)
        assert found is not None
        passwords[name] = found.group(1)
    assert oct(files.passwd.stat().st_mode & 0o777) == "0o600"
    assert "topic read sanapaja/v1/robot/robot-a/cmd/#" in files.acl.read_text()
    broker = fleet_broker(tmp_path, files)
    user, password = files.bridge_login()
    bridge_settings = broker.settings(username=user, password=password)
    a_settings = broker.settings(username="robot-a", password=passwords["robot-a"])
    try:
        assert refused(broker.settings())  # no anonymous clients
        assert refused(broker.settings(username="robot-a", password="wrong"))
        watcher = Probe(bridge_settings)
        assert watcher.ok
        watcher.client.subscribe(ROOT + "#", 1)
        a = Probe(a_settings)
        assert a.ok
        a.client.subscribe(ROOT + "robot-b/cmd/#", 1)
        a.client.subscribe(ROOT + "robot-a/cmd/#", 1)
        a.client.subscribe(ROOT + "robot-b/status", 1)
        time.sleep(0.3)
        # A writes into B's subtree and its own: only its own arrives.
        a.client.publish(ROOT + "robot-b/event/said", b'{"command_id": "x"}', qos=1)
        a.client.publish(ROOT + "robot-b/cmd/say", b"{}", qos=1)
        a.client.publish(ROOT + "robot-a/event/said", b'{"command_id": "y"}', qos=1)
        # The bridge commands both; A hears only its own.
        say = Say(id="c1", text="Kiitos!", expected_seconds=1.0).payload()
        watcher.client.publish(ROOT + "robot-b/cmd/say", say, qos=1)
        watcher.client.publish(ROOT + "robot-a/cmd/say", say, qos=1)
        watcher.client.publish(
            ROOT + "robot-b/status", Status(state="ready").payload(), qos=1, retain=True
        )
        wait_until(lambda: ROOT + "robot-a/cmd/say" in a.received, 5, "A's own command")
        time.sleep(0.5)
        assert a.received == [ROOT + "robot-a/cmd/say"]
        assert ROOT + "robot-a/event/said" in watcher.received
        assert ROOT + "robot-b/event/said" not in watcher.received
        assert watcher.received.count(ROOT + "robot-b/cmd/say") == 1  # the bridge's own only
        a.close()
        # Revoked: the account is gone from the broker once it rereads its files.
        result = runner.invoke(main, ["robots", "revoke", "robot-a", "--fleet", str(files.folder)])
        assert result.exit_code == 0, result.output
        broker.reload()
        assert refused(a_settings)
        assert accepted(broker.settings(username="robot-b", password=passwords["robot-b"]))
        listed = runner.invoke(
            main, ["robots", "list", "--mqtt", broker.url, "--fleet", str(files.folder)]
        )
        assert listed.exit_code == 0, listed.output
        assert "robot-a" in listed.output and "revoked" in listed.output
        assert re.search(r"robot-b .* ready ", listed.output), listed.output
        watcher.close()
    finally:
        broker.stop()


def test_a_lesson_runs_with_the_fleet_accounts(tmp_path: Path, lesson_server: LessonServer) -> None:
    files = FleetFiles(tmp_path / "fleet")
    token = lesson_server.add_robot("k1")
    password = files.add_robot("k1", token)
    broker = fleet_broker(tmp_path, files)
    user, bridge_password = files.bridge_login()
    assert user == BRIDGE_USER
    script = Script.from_dict(
        {"signin": {"method": "guest", "support_language": "en"}, "answers": []}, tmp_path
    )
    bridge = start_bridge(
        broker, lesson_server, {"k1": token}, login={"username": user, "password": bridge_password}
    )
    robot = start_robot(broker, "k1", script, username="k1", password=password)
    try:
        wait_until(lambda: robot.transcript.ends, 30, "the end")
        statuses = read_statuses(broker.settings(username=user, password=bridge_password), 0.3)
        assert statuses["k1"].state == "ready"
    finally:
        robot.stop()
        bridge.stop()
        broker.stop()
    assert robot.transcript.ends[0].reason == "aborted_by_learner"


def make_ca(folder: Path) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for 127.0.0.1 signed by it."""
    ca_key, ca_crt = folder / "ca.key", folder / "ca.crt"
    key, csr, crt = folder / "server.key", folder / "server.csr", folder / "server.crt"
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Sanapaja test CA",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca_crt),
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        str(key),
        "-out",
        str(csr),
    )
    ext = folder / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca_crt),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        str(ext),
        "-out",
        str(crt),
    )
    return ca_crt, crt, key


# paho leaves the socket of a failed TLS handshake for the garbage collector to close.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_tls_with_a_test_ca(tmp_path: Path) -> None:
    ca, crt, key = make_ca(tmp_path)
    folder = tmp_path / "broker"
    folder.mkdir()
    broker = Mosquitto(folder)
    broker.extra = [
        "allow_anonymous true",
        f"certfile {crt}",
        f"keyfile {key}",
    ]
    broker.start()
    try:
        trusted = BrokerSettings.from_url(f"mqtts://127.0.0.1:{broker.port}?ca={ca}")
        assert trusted.tls and trusted.ca_file == str(ca)
        assert accepted(trusted)
        # The system's CAs do not know the test CA; plain MQTT on a TLS listener fails too.
        assert not accepted(BrokerSettings.from_url(f"mqtts://127.0.0.1:{broker.port}"))
        assert not accepted(broker.settings())
    finally:
        broker.stop()


@pytest.mark.parametrize("url", ["http://x", "mqtt://h:1?protocol=4"])
def test_bad_broker_urls_are_refused(url: str) -> None:
    from robot_bridge.mqtt import SettingsError

    with pytest.raises(SettingsError):
        BrokerSettings.from_url(url)
