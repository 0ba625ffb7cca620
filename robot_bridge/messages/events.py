"""Robot → server events, on ``event/<kind>``; the raw answer WAV goes on ``audio/<id>``."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from robot_bridge.messages.base import Event
from robot_bridge.topics import SEGMENT

AUDIO_SUFFIX = "audio/{utterance_id}"
MAX_AUDIO_BYTES = 2 * 1024 * 1024  # 16 kHz 16-bit mono: about a minute


class Ready(Event):
    """The robot is idle and someone may start; the bridge answers with a sign-in screen."""

    SUFFIX: ClassVar[str] = "event/ready"


class SignIn(Event):
    """Who is at the robot: a pairing code from the learner's phone app (typed on the keypad
    or read from its QR code), a name picked from the group's list, or a guest."""

    SUFFIX: ClassVar[str] = "event/signin"

    method: Literal["pairing_code", "pick", "guest"]
    code: str | None = Field(default=None, max_length=16, description="The pairing code.")
    learner_id: str | None = Field(
        default=None, max_length=32, description="The picked learner (method pick)."
    )
    support_language: str | None = Field(
        default=None, max_length=8, description="A guest's support language."
    )
    pack_id: str | None = Field(default=None, max_length=100)
    lesson_id: str | None = Field(default=None, max_length=100)


class Touch(Event):
    """A touch or a button: ``continue``, ``repeat``, ``slower``, ``stop`` (the learner
    ends the lesson), or a body part (``head``, ``hand``)."""

    SUFFIX: ClassVar[str] = "event/touch"

    target: Literal["continue", "repeat", "slower", "stop", "skip", "head", "hand"]


class Choice(Event):
    """The learner's answer on the screen to a ``show`` command (its id is command_id)."""

    SUFFIX: ClassVar[str] = "event/choice"

    command_id: str = Field(min_length=1, max_length=64, pattern=SEGMENT.pattern)
    choice: str | None = Field(default=None, max_length=64, description="An option id.")
    order: list[str] | None = Field(default=None, max_length=32)
    pairs: dict[str, str] | None = Field(default=None, max_length=32)


class Said(Event):
    """A ``say`` command finished (the robot is silent again), or was cut short."""

    SUFFIX: ClassVar[str] = "event/said"

    command_id: str = Field(min_length=1, max_length=64, pattern=SEGMENT.pattern)
    duration_s: float | None = Field(default=None, ge=0, le=600)
    interrupted: bool = False


class Utterance(Event):
    """A ``listen`` command finished: its one WAV is on ``audio/<utterance_id>``, published
    before this event. ``ended`` says why recording stopped."""

    SUFFIX: ClassVar[str] = "event/utterance"

    command_id: str = Field(min_length=1, max_length=64, pattern=SEGMENT.pattern)
    utterance_id: str = Field(min_length=1, max_length=48, pattern=SEGMENT.pattern)
    duration_s: float = Field(ge=0, le=120)
    ended: Literal["silence", "max_seconds", "stopped"] = "silence"


class RobotError(Event):
    """Something failed on the robot (a command it cannot do, a microphone error)."""

    SUFFIX: ClassVar[str] = "event/error"

    reason: str = Field(min_length=1, max_length=64)
    message: str = Field(default="", max_length=500)


EVENTS: tuple[type[Event], ...] = (Ready, SignIn, Touch, Choice, Said, Utterance, RobotError)
