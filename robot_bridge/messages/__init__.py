"""The protocol's messages, one pydantic model per message, grouped by domain."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import ValidationError

from robot_bridge.messages.base import SCHEMA_VERSION, Command, Event, Message
from robot_bridge.messages.commands import (
    COMMANDS,
    Gesture,
    Leds,
    Listen,
    Say,
    SessionEnd,
    SessionStart,
    Show,
    ShowChoice,
    Stop,
)
from robot_bridge.messages.errors import ErrorReason, ProtocolError, excerpt
from robot_bridge.messages.events import (
    AUDIO_SUFFIX,
    EVENTS,
    MAX_AUDIO_BYTES,
    Choice,
    Ready,
    RobotError,
    Said,
    SignIn,
    Touch,
    Utterance,
)
from robot_bridge.messages.status import Capabilities, Status
from robot_bridge.topics import TopicError, parse_topic, robot_root

__all__ = [
    "AUDIO_SUFFIX",
    "COMMANDS",
    "EVENTS",
    "MAX_AUDIO_BYTES",
    "SCHEMA_VERSION",
    "BadMessage",
    "Capabilities",
    "Choice",
    "Command",
    "Event",
    "Gesture",
    "Incoming",
    "Leds",
    "Listen",
    "Message",
    "ProtocolError",
    "Ready",
    "RobotError",
    "Said",
    "Say",
    "SessionEnd",
    "SessionStart",
    "Show",
    "ShowChoice",
    "SignIn",
    "Status",
    "Stop",
    "Touch",
    "Utterance",
    "audio_topic",
    "parse_from_robot",
]

_FROM_ROBOT: tuple[type[Message], ...] = (Status, *EVENTS)
FROM_ROBOT: dict[str, type[Message]] = {cls.SUFFIX: cls for cls in _FROM_ROBOT}
MAX_JSON_BYTES = 64 * 1024


class BadMessage(ValueError):
    """A message that breaks the protocol; the bridge replies with a ProtocolError."""

    def __init__(self, reason: ErrorReason, message: str, robot_id: str | None = None) -> None:
        super().__init__(message)
        self.reason, self.message, self.robot_id = reason, message, robot_id

    def reply(self, topic: str, payload: bytes) -> ProtocolError:
        return ProtocolError(
            reason=self.reason,
            message=self.message[:1000],
            on_topic=topic[:300],
            excerpt=excerpt(payload),
        )


@dataclass(frozen=True)
class Incoming:
    """A well-formed message from a robot: a JSON message, or an answer's WAV."""

    robot_id: str
    message: Message | None
    utterance_id: str | None = None
    audio: bytes | None = None


def audio_topic(robot_id: str, utterance_id: str) -> str:
    return f"{robot_root(robot_id)}/{AUDIO_SUFFIX.format(utterance_id=utterance_id)}"


def parse_from_robot(topic: str, payload: bytes) -> Incoming:
    """Read one message a robot sent; raise BadMessage saying exactly what is wrong."""
    try:
        parsed = parse_topic(topic)
    except TopicError as exc:
        raise BadMessage("bad_topic", str(exc)) from exc
    robot_id, suffix = parsed.robot_id, parsed.suffix
    if suffix.startswith("audio/") and suffix.count("/") == 1:
        if len(payload) > MAX_AUDIO_BYTES:
            raise BadMessage("too_large", f"audio is at most {MAX_AUDIO_BYTES} bytes", robot_id)
        if payload[:4] != b"RIFF" or payload[8:12] != b"WAVE":
            raise BadMessage("bad_payload", "audio must be one WAV file (RIFF/WAVE)", robot_id)
        return Incoming(robot_id, None, suffix.split("/", 1)[1], payload)
    kind = FROM_ROBOT.get(suffix)
    if kind is None:
        known = ", ".join(sorted([*FROM_ROBOT, AUDIO_SUFFIX]))
        raise BadMessage("bad_topic", f"unknown topic {suffix!r}; robots send: {known}", robot_id)
    if len(payload) > MAX_JSON_BYTES:
        raise BadMessage("too_large", f"a JSON payload is at most {MAX_JSON_BYTES} bytes", robot_id)
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadMessage("bad_json", f"not JSON: {exc}", robot_id) from exc
    if not isinstance(data, dict):
        raise BadMessage("bad_payload", "the payload must be a JSON object", robot_id)
    if data.get("v", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise BadMessage(
            "unsupported_version",
            f"schema version {data.get('v')!r}; this bridge speaks v={SCHEMA_VERSION}",
            robot_id,
        )
    try:
        message = kind.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(payload)'}: {error['msg']}"
            for error in exc.errors()[:5]
        )
        raise BadMessage("bad_payload", f"{kind.__name__}: {problems}", robot_id) from exc
    return Incoming(robot_id, message)
