"""What every message has: a schema version ``v`` and a topic it knows how to name and match.

Each message class names its topic below the robot's root (``SUFFIX``, with ``{name}``
parameters for the variable levels), as rhasspy-hermes does: ``Say.topic(robot_id="r1")``
is ``sanapaja/v1/robot/r1/cmd/say`` and ``Say.is_topic(topic)`` says whether a topic is one.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from robot_bridge.topics import ROBOT_ID, ROOT, SEGMENT

SCHEMA_VERSION: Literal[1] = 1
Identifier = Field(min_length=1, max_length=64, pattern=SEGMENT.pattern)


class Message(BaseModel):
    """A JSON payload of the protocol."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    SUFFIX: ClassVar[str]
    DIRECTION: ClassVar[Literal["robot_to_server", "server_to_robot"]]
    RETAINED: ClassVar[bool] = False

    v: Literal[1] = Field(default=SCHEMA_VERSION, description="The payload's schema version.")

    @classmethod
    def topic(cls, **parts: str) -> str:
        """The topic of this message for ``robot_id`` (and the suffix's other parameters)."""
        robot_id = parts.pop("robot_id")
        if not ROBOT_ID.match(robot_id):
            raise ValueError(f"not a robot id: {robot_id!r}")
        return f"{ROOT}/{robot_id}/{cls.SUFFIX.format(**parts)}"

    @classmethod
    def topic_pattern(cls) -> re.Pattern[str]:
        suffix = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[A-Za-z0-9_.:-]{1,64})", re.escape(cls.SUFFIX))
        robot = ROBOT_ID.pattern.strip("^$")
        return re.compile(f"^{re.escape(ROOT)}/(?P<robot_id>{robot})/{suffix}$")

    @classmethod
    def is_topic(cls, topic: str) -> bool:
        return cls.topic_pattern().match(topic) is not None

    @classmethod
    def topic_parts(cls, topic: str) -> dict[str, str]:
        """The robot id and the suffix's parameters of a topic of this message."""
        match = cls.topic_pattern().match(topic)
        if match is None:
            raise ValueError(f"{topic!r} is not a {cls.__name__} topic")
        return match.groupdict()

    def payload(self) -> bytes:
        return self.model_dump_json(exclude_none=False).encode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Command(Message):
    """Server → robot. Every command has an id; the robot's events about it carry it."""

    DIRECTION: ClassVar[Literal["robot_to_server", "server_to_robot"]] = "server_to_robot"

    id: str = Field(
        min_length=1,
        max_length=64,
        pattern=SEGMENT.pattern,
        description="Unique per command; events answering it carry it as command_id.",
    )
    session_id: str | None = Field(
        default=None, max_length=64, description="The robot session this command belongs to."
    )


class Event(Message):
    """Robot → server."""

    DIRECTION: ClassVar[Literal["robot_to_server", "server_to_robot"]] = "robot_to_server"

    command_id: str | None = Field(
        default=None,
        max_length=64,
        pattern=SEGMENT.pattern,
        description="The id of the command this event answers, if it answers one.",
    )
