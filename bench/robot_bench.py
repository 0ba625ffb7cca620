"""The robot bridge under load: N software robots doing lessons on loopback.

.venv/bin/python bench/robot_bench.py [--robots 1,50,200,500] [--workers 2] [--threads 8]

Makes a throw-away instance (SQLite, the shipped packs, a demo group), serves it with
gunicorn, starts a Mosquitto of its own on a free port, and for each robot count starts a
fresh bridge process (`sanapaja bridge`) and that many software robots (real MQTT clients in
this process), each signing in as a guest and doing one lesson: choice answers from the
screen, spoken steps skipped (no scoring: that is the server's cost, measured elsewhere),
audio fetched from the server and played instantly.

Prints, per robot count: the robots' event → next command latency (p50/p95/p99: broker both
ways, bridge, server), the bridge's own share of it (arrival at the bridge → its first
command out, minus the time it waited on the server), the bridge's CPU (% of one CPU over
the run) and memory (RSS at the end, with that many robots known); and a bare Mosquitto
publish → subscribe round trip (QoS 1) in the same run. Figures only; nothing passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from robot_bridge.fleet import FleetFiles
from robot_bridge.messages import Choice, Command, Event, Listen, Say, Show, SignIn, Touch
from robot_bridge.mqtt import BrokerSettings
from robot_bridge.simulator import SoftwareRobot

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MOSQUITTO = "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answered on port {port}")


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return (float("nan"),) * 3  # type: ignore[return-value]
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return at(0.50), at(0.95), at(0.99)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path, port: int | None = None):
    with log.open("ab") as out:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        if port is not None:
            wait_for_port(port)
        yield child
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


class BenchPlayer:
    """A learner who answers at once: the first option, the options in the order shown,
    pairs side by side; a spoken step is skipped."""

    def signin(self, show: Show) -> SignIn | Touch | None:
        return None if self.signed else self._sign()

    def __init__(self) -> None:
        self.signed = False

    def _sign(self) -> SignIn:
        self.signed = True
        return SignIn(method="guest", support_language="en")

    def answer(self, show: Show, heard: str | None) -> Choice | Touch | None:
        ids = [c.id for c in show.choices]
        if show.answer == "order":
            return Choice(command_id=show.id, order=ids)
        if show.answer == "pairs":
            left = [c.id for c in show.choices if c.side == "left"]
            right = [c.id for c in show.choices if c.side == "right"]
            return Choice(command_id=show.id, pairs=dict(zip(left, right, strict=False)))
        return Choice(command_id=show.id, choice=ids[0] if ids else "none")

    def record(self, listen: Listen) -> bytes | Touch | None:
        return Touch(target="skip")

    def play(self, say: Say, wav: bytes | None) -> None:
        pass

    def display(self, command: Command) -> None:
        pass


class TimedRobot(SoftwareRobot):
    """Times each event it sends to the first command that comes back."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.latencies: list[float] = []
        self._sent_at: float | None = None

    def emit(self, event: Event) -> None:
        self._sent_at = time.perf_counter()
        super().emit(event)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        sent, self._sent_at = self._sent_at, None
        if sent is not None and "/cmd/" in message.topic:
            self.latencies.append(time.perf_counter() - sent)
        super()._on_message(client, userdata, message)


def bare_round_trip(port: int, count: int = 2000) -> list[float]:
    """Publish → subscribe through Mosquitto and back, QoS 1, one message at a time."""
    arrived = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.on_message = lambda *_: arrived.set()
    client.connect("127.0.0.1", port)
    client.loop_start()
    client.subscribe("bench/echo", 1)
    time.sleep(0.3)
    times = []
    for _ in range(count):
        arrived.clear()
        started = time.perf_counter()
        client.publish("bench/echo", b'{"v": 1}', qos=1)
        if arrived.wait(5):
            times.append(time.perf_counter() - started)
    client.loop_stop()
    client.disconnect()
    return times


def register_robots(env: dict[str, str], names: list[str], fleet: FleetFiles, code: str) -> None:
    os.environ.update({k: v for k, v in env.items() if k.startswith("SANAPAJA_")})
    from tutor_server import db, robots
    from tutor_server.app import create_app

    app = create_app()
    with app.app_context(), db.transaction() as session:
        tokens = {name: robots.add_robot(session, name, code)[1] for name in names}
    app.extensions["sanapaja.engine"].dispose()
    for name, token in tokens.items():
        fleet.add_robot(name, token)


def run_scale(
    count: int, broker_port: int, server_url: str, env: dict[str, str], tmp: Path, fleet: FleetFiles
) -> dict[str, Any]:
    stats_file = tmp / f"bridge-{count}.json"
    command = [
        str(BIN / "sanapaja"),
        "bridge",
        "--mqtt",
        f"mqtt://127.0.0.1:{broker_port}",
        "--fleet",
        str(fleet.folder),
        "--server",
        server_url,
        "--stats",
        str(stats_file),
    ]
    names = [f"b{count}-{i}" for i in range(count)]
    with process(command, env, tmp / "bridge.log") as bridge:
        time.sleep(1.5)  # connected and subscribed
        cpu_before, started = cpu_seconds(bridge.pid), time.perf_counter()
        settings = BrokerSettings(port=broker_port)
        robots = [TimedRobot(name, settings, BenchPlayer()) for name in names]
        for robot in robots:
            robot.start()
            time.sleep(2.0 / count)  # spread over two seconds
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not all(r.session_ended.is_set() for r in robots):
            if bridge.poll() is not None:
                raise SystemExit(f"the bridge exited; see {tmp / 'bridge.log'}")
            time.sleep(0.2)
        wall = time.perf_counter() - started
        cpu = cpu_seconds(bridge.pid) - cpu_before
        memory = rss_mb(bridge.pid)
        finished = sum(
            1 for r in robots if r.transcript.ends and r.transcript.ends[0].reason == "nominal"
        )
        for robot in robots:
            robot.stop()
    data = json.loads(stats_file.read_text())
    own = [total - server for total, server, _ in data["latencies"]]
    working = [total - server - queued for total, server, queued in data["latencies"]]
    return {
        "robots": count,
        "finished": finished,
        "wall": wall,
        "events": sum(len(r.latencies) for r in robots),
        "latency": percentiles([x for r in robots for x in r.latencies]),
        "own": percentiles(own),
        "working": percentiles(working),
        "server": statistics.mean(s for _, s, _ in data["latencies"]) if data["latencies"] else 0,
        "cpu": 100 * cpu / wall,
        "rss": memory,
    }


def make_instance(tmp: Path) -> tuple[dict[str, str], str]:
    env = {
        **os.environ,
        "SANAPAJA_DATABASE_URL": f"sqlite:///{tmp / 'sanapaja.sqlite3'}",
        "SANAPAJA_PACK_CACHE": str(tmp / "pack-cache"),
        "SANAPAJA_TTS_CACHE": str(tmp / "tts-cache"),
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(BIN / "sanapaja"), "demo"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    match = re.search(r"join code (\w+)", done.stdout)
    if done.returncode != 0 or match is None:
        raise SystemExit(f"sanapaja demo failed:\n{done.stdout}\n{done.stderr}")
    return env, match.group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--robots", default="1,50,200,500")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    args = parser.parse_args()
    counts = [int(n) for n in args.robots.split(",")]
    with tempfile.TemporaryDirectory(prefix="robot-bench-") as folder:
        tmp = Path(folder)
        env, code = make_instance(tmp)
        fleet = FleetFiles(tmp / "mqtt")
        register_robots(env, [f"b{n}-{i}" for n in counts for i in range(n)], fleet, code)
        broker_port, server_port = free_port(), free_port()
        (tmp / "mosquitto.conf").write_text(
            f"listener {broker_port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            "max_queued_messages 10000\n"
        )
        gunicorn = [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{server_port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            "tutor_server.wsgi:app",
        ]
        mosquitto = [MOSQUITTO, "-c", str(tmp / "mosquitto.conf")]
        with (
            process(mosquitto, env, tmp / "mosquitto.log", broker_port),
            process(gunicorn, env, tmp / "gunicorn.log", server_port),
        ):
            bare = percentiles(bare_round_trip(broker_port))
            rows = [
                run_scale(n, broker_port, f"http://127.0.0.1:{server_port}", env, tmp, fleet)
                for n in counts
            ]
            bare_after = percentiles(bare_round_trip(broker_port))
    ms = lambda values: "/".join(f"{1000 * v:.1f}" for v in values)  # noqa: E731
    print(
        f"\n{os.cpu_count()} CPUs; lesson server: gunicorn {args.workers}x{args.threads} on SQLite"
    )
    print(
        f"bare Mosquitto round trip p50/p95/p99 ms: {ms(bare)} (before), {ms(bare_after)} (after)"
    )
    print("bridge own = arrival at the bridge → its first command, less its time on the server;")
    print("(of it not queued) also leaves out the wait for a free worker thread")
    print(
        "robots  finished  wall s  events  event→command p50/p95/p99 ms  "
        "bridge own p50/p95/p99 ms  (of it not queued)  server ms/event  bridge CPU%  "
        "bridge RSS MiB"
    )
    for row in rows:
        print(
            f"{row['robots']:>6}  {row['finished']:>8}  {row['wall']:>6.1f}  {row['events']:>6}  "
            f"{ms(row['latency']):>28}  {ms(row['own']):>25}  {ms(row['working']):>18}  "
            f"{1000 * row['server']:>15.1f}  "
            f"{row['cpu']:>11.0f}  {row['rss']:>14.1f}"
        )


if __name__ == "__main__":
    main()
