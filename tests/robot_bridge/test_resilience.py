"""The lesson survives its parts going away: the broker, the bridge, the lesson server, the
robot itself, and a flood of garbage. No answer is lost or counted twice."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from robot_bridge.bridge import Bridge
from robot_bridge.messages import Command, Listen, Say, Show
from robot_bridge.simulator import Script, ScriptPlayer, SoftwareRobot
from tests.robot_bridge.conftest import (
    LessonServer,
    Mosquitto,
    serve,
    start_bridge,
    start_robot,
    wait_until,
)
from tests.robot_bridge.test_lesson_end_to_end import aanteet_script, attempts

ROBOT = "kahvio-1"


def paired_script(server: LessonServer, folder: Path) -> tuple[Script, dict[str, Any]]:
    learner = server.join()
    code = server.pairing_code(learner["token"])
    return aanteet_script(folder, {"method": "pairing_code", "code": code}), learner


def assert_lesson_complete(server: LessonServer, learner: dict[str, Any]) -> None:
    answered = attempts(server)
    client_ids = [client_id for client_id, _ in answered]
    assert len(client_ids) == len(set(client_ids)) == 7, client_ids  # each answer once
    steps = sorted(int(response["step"]) for _, response in answered)  # type: ignore[call-overload]
    assert steps == list(range(7))
    spoken = [r for _, r in answered if r["scoring"] is not None]
    assert [r["verdict"]["correct"] for r in spoken] == [True, True]  # type: ignore[index]
    progress = server.get("/api/v1/progress", learner["token"])
    assert progress["lessons_finished"] == 1


def on_nth(kind: type[Command], n: int, action: Any) -> Any:
    """A robot hook that runs ``action`` (once, in a thread) at the n-th command of a kind."""
    seen = {"count": 0}

    def hook(_robot: SoftwareRobot, command: Command) -> bool:
        if isinstance(command, kind):
            seen["count"] += 1
            if seen["count"] == n:
                action()
        return True

    return hook


def ends_nominally(robot: SoftwareRobot, bridge: Bridge) -> None:
    """Wait for the robot's lesson to end, stop the robot and the bridge, and check that the
    lesson ended as it should (not aborted, not timed out)."""
    try:
        wait_until(lambda: robot.transcript.ends, 90, "the end of the lesson")
    finally:
        robot.stop()
        bridge.stop()
    assert [end.reason for end in robot.transcript.ends] == ["nominal"]


def test_a_broker_restart_mid_lesson_loses_no_answer(
    mosquitto: Mosquitto, lesson_server: LessonServer, tmp_path: Path
) -> None:
    token = lesson_server.add_robot(ROBOT)
    script, learner = paired_script(lesson_server, tmp_path)
    bridge = start_bridge(mosquitto, lesson_server, {ROBOT: token})
    restarted = threading.Event()

    def restart() -> None:
        mosquitto.stop()  # the robot records its answer while the broker is down
        threading.Timer(1.0, lambda: (mosquitto.start(), restarted.set())).start()

    robot = SoftwareRobot(
        ROBOT, mosquitto.settings(), ScriptPlayer(script), on_command=on_nth(Listen, 1, restart)
    )
    robot.start()
    ends_nominally(robot, bridge)
    assert restarted.is_set()
    assert_lesson_complete(lesson_server, learner)


def test_a_bridge_restart_resumes_from_the_servers_state(
    mosquitto: Mosquitto, lesson_server: LessonServer, tmp_path: Path
) -> None:
    token = lesson_server.add_robot(ROBOT)
    script, learner = paired_script(lesson_server, tmp_path)
    bridges = [start_bridge(mosquitto, lesson_server, {ROBOT: token}, client_id="bridge-1")]

    def restart() -> None:
        def again() -> None:
            bridges[0].stop()  # while the robot speaks the fourth time
            bridges.append(
                start_bridge(mosquitto, lesson_server, {ROBOT: token}, client_id="bridge-1")
            )

        threading.Thread(target=again).start()

    robot = SoftwareRobot(
        ROBOT,
        mosquitto.settings(),
        ScriptPlayer(script, speed=0.5),
        on_command=on_nth(Say, 4, restart),
    )
    robot.start()
    ends_nominally(robot, bridges[-1])
    assert len(bridges) == 2
    assert_lesson_complete(lesson_server, learner)


def test_a_lesson_server_restart_is_waited_out(
    mosquitto: Mosquitto, lesson_server: LessonServer, tmp_path: Path
) -> None:
    token = lesson_server.add_robot(ROBOT)
    script, learner = paired_script(lesson_server, tmp_path)
    bridge = start_bridge(mosquitto, lesson_server, {ROBOT: token})
    port = int(lesson_server.url.rsplit(":", 1)[1])

    def restart() -> None:
        lesson_server.stop()  # the spoken answer is uploaded while the server is down

        def up() -> None:
            lesson_server.server, lesson_server.thread = serve(lesson_server.app, port)

        threading.Timer(1.5, up).start()

    robot = SoftwareRobot(
        ROBOT, mosquitto.settings(), ScriptPlayer(script), on_command=on_nth(Listen, 1, restart)
    )
    robot.start()
    ends_nominally(robot, bridge)
    assert_lesson_complete(lesson_server, learner)


def test_a_robot_that_vanishes_and_comes_back_carries_on(
    mosquitto: Mosquitto, lesson_server: LessonServer, tmp_path: Path
) -> None:
    token = lesson_server.add_robot(ROBOT)
    script, learner = paired_script(lesson_server, tmp_path)
    bridge = start_bridge(mosquitto, lesson_server, {ROBOT: token})
    vanish = threading.Event()

    def hook(_robot: SoftwareRobot, command: Command) -> bool:
        if isinstance(command, Listen):
            vanish.set()
            return False  # the power goes before it records
        return True

    first = SoftwareRobot(ROBOT, mosquitto.settings(), ScriptPlayer(script), on_command=hook)
    first.start()
    wait_until(vanish.is_set, 60, "the first listen")
    first.stop(vanish=True)
    wait_until(
        lambda: (
            bridge._conversations[ROBOT].status is not None
            and bridge._conversations[ROBOT].status.state == "lost"
        ),
        10,
        "the last will",
    )
    rest = Script(script.signin, script.lesson, script.answers[3:], script.folder)
    second = start_robot(mosquitto, ROBOT, rest)
    ends_nominally(second, bridge)
    # The returning robot is asked the step it left, not the lesson from the start.
    first_show = next(c for c in second.transcript.commands if isinstance(c, Show))
    assert first_show.progress is not None and first_show.progress.position == 5
    assert_lesson_complete(lesson_server, learner)


def test_ten_thousand_garbage_messages_do_not_stop_the_bridge(
    mosquitto: Mosquitto, lesson_server: LessonServer, tmp_path: Path
) -> None:
    token = lesson_server.add_robot(ROBOT)
    bridge = start_bridge(mosquitto, lesson_server, {ROBOT: token})
    rng = random.Random(10)
    suffixes = ["status", "event/said", "event/choice", "event/utterance", "audio/u1", "event/x"]
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", mosquitto.port)
    client.loop_start()
    started = time.perf_counter()
    count = 10_000
    for number in range(count):
        robot_id = f"g{rng.randrange(50)}" if number % 2 else ROBOT
        payload = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        if number % 7 == 0:
            payload = b'{"v": 1, "state": 5}'
        client.publish(f"sanapaja/v1/robot/{robot_id}/{rng.choice(suffixes)}", payload, qos=0)
    wait_until(lambda: bridge.stats.malformed >= count, 60, "every garbage message")
    elapsed = time.perf_counter() - started
    client.loop_stop()
    client.disconnect()
    print(f"\n{count} garbage messages handled in {elapsed:.2f} s")
    assert bridge.stats.malformed == count
    # The flood is not answered message by message: real commands are not queued behind it.
    assert bridge.stats.replies_suppressed > 0
    script, learner = paired_script(lesson_server, tmp_path)
    robot = start_robot(mosquitto, ROBOT, script)
    ends_nominally(robot, bridge)
    assert_lesson_complete(lesson_server, learner)
