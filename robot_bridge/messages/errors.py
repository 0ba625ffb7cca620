"""The reply to a malformed topic or payload, on the robot's ``error`` topic."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from robot_bridge.messages.base import Message

ErrorReason = Literal[
    "bad_topic",
    "bad_json",
    "bad_payload",
    "unsupported_version",
    "too_large",
    "unexpected",
    "server_error",
    "signin_failed",
]
EXCERPT_LENGTH = 120


class ProtocolError(Message):
    SUFFIX: ClassVar[str] = "error"
    DIRECTION: ClassVar[Literal["robot_to_server", "server_to_robot"]] = "server_to_robot"

    reason: ErrorReason
    message: str = Field(max_length=1000)
    on_topic: str = Field(max_length=300, description="The topic the bad message came on.")
    excerpt: str = Field(
        max_length=EXCERPT_LENGTH * 4, description="The start of the bad payload, escaped."
    )


def excerpt(payload: bytes) -> str:
    """The start of a payload as printable text, whatever its bytes."""
    head = payload[:EXCERPT_LENGTH].decode("utf-8", errors="backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in head)
