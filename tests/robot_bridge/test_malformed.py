"""Malformed topics and payloads get an error reply and a log line; the bridge keeps going."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from robot_bridge.messages import ProtocolError
from robot_bridge.simulator import Script
from tests.robot_bridge.conftest import (
    LessonServer,
    Mosquitto,
    start_bridge,
    start_robot,
    wait_until,
)

ROOT = "sanapaja/v1/robot/"


def listener(broker: Mosquitto, topic: str) -> tuple[mqtt.Client, list[mqtt.MQTTMessage]]:
    received: list[mqtt.MQTTMessage] = []
    ready = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.on_connect = lambda c, *_: (c.subscribe(topic, 1), ready.set())
    client.on_message = lambda _c, _u, message: received.append(message)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    assert ready.wait(5)
    return client, received


def test_bad_messages_get_error_replies_and_the_bridge_keeps_running(
    mosquitto: Mosquitto,
    lesson_server: LessonServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = lesson_server.add_robot("r1")
    bridge = start_bridge(mosquitto, lesson_server, {"r1": token})
    client, errors = listener(mosquitto, ROOT + "+/error")
    bad = [
        (ROOT + "r1/event/said", b"{not json"),
        (ROOT + "r1/event/dance", b"{}"),
        (ROOT + "r1/event/said", b'{"v": 7, "command_id": "c1"}'),
        (ROOT + "r1/audio/u1", b"\x00\x01 not a wav"),
        (ROOT + "r1/event/choice", b'{"choice": "o1"}'),
        (ROOT + "BAD ID/status", b"{}"),  # no robot to answer: only logged
    ]
    with caplog.at_level(logging.WARNING, logger="robot_bridge.bridge"):
        for topic, payload in bad:
            client.publish(topic, payload, qos=1)
        wait_until(lambda: len(errors) == 5, 10, "five error replies")
        wait_until(lambda: bridge.stats.malformed == 6, 10, "six malformed messages seen")
    replies = [ProtocolError.model_validate_json(m.payload) for m in errors]
    assert {m.topic for m in errors} == {ROOT + "r1/error"}
    assert [r.reason for r in replies] == [
        "bad_json",
        "bad_topic",
        "unsupported_version",
        "bad_payload",
        "bad_payload",
    ]
    assert replies[0].excerpt == "{not json" and replies[0].on_topic == ROOT + "r1/event/said"
    assert replies[3].excerpt == "\\x00\\x01 not a wav"
    assert "command_id" in replies[4].message
    assert sum("malformed message" in r.getMessage() for r in caplog.records) == 6
    # Still running: a lesson starts and ends.
    script = Script.from_dict(
        {"signin": {"method": "guest", "support_language": "en"}, "answers": []}, tmp_path
    )
    robot = start_robot(mosquitto, "r1", script)
    try:
        wait_until(lambda: robot.transcript.ends, 30, "the session end")
    finally:
        robot.stop()
        bridge.stop()
        client.loop_stop()
        client.disconnect()
    assert robot.transcript.ends[0].reason == "aborted_by_learner"


def test_error_replies_are_limited_per_robot_and_second() -> None:
    from robot_bridge.bridge import ReplyBudget

    budget = ReplyBudget(per_second=3)
    assert [budget.allow("r1", 100.0 + n * 0.1) for n in range(5)] == [True] * 3 + [False] * 2
    assert budget.allow("r2", 100.4)  # another robot has its own budget
    assert budget.allow("r1", 101.01)  # a new second
