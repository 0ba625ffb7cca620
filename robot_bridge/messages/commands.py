"""Server → robot commands, on ``cmd/<kind>``; every one has an ``id``."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from robot_bridge.messages.base import Command

EndReason = Literal["nominal", "aborted_by_learner", "timeout", "error"]
GestureName = Literal["nod", "wave", "point", "think", "happy", "sorry"]
LedState = Literal["idle", "listening", "thinking", "right", "wrong"]


class SessionStart(Command):
    """A learner (or a guest) is signed in; a lesson begins."""

    SUFFIX: ClassVar[str] = "cmd/session_start"

    session_id: str = Field(min_length=1, max_length=64)
    learner_name: str | None = Field(default=None, max_length=60)
    guest: bool = False
    support_language: str = Field(max_length=8)
    lesson_title: str | None = Field(default=None, max_length=200)


class SessionEnd(Command):
    """The session ended, with a reason (as Rhasspy Hermes' session end)."""

    SUFFIX: ClassVar[str] = "cmd/session_end"

    reason: EndReason
    message: str = Field(default="", max_length=300)


class Say(Command):
    """Speak Finnish. NAO and most robots have no Finnish voice: they play ``audio_url``
    (a WAV); a robot with a Finnish voice may speak ``text`` at ``rate`` instead. The robot
    answers with ``event/said`` when it is silent again; until then it does not listen."""

    SUFFIX: ClassVar[str] = "cmd/say"

    text: str = Field(min_length=1, max_length=500)
    rate: float = Field(default=1.0, gt=0.2, le=2.0, description="1.0 normal, 0.8 slow.")
    audio_url: str | None = Field(default=None, max_length=500)
    expected_seconds: float = Field(
        ge=0, le=120, description="The bridge's estimate of the speech's length."
    )


class ShowChoice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(max_length=64)
    text: str | None = Field(default=None, max_length=200, description="Finnish.")
    gloss: str | None = Field(default=None, max_length=200, description="Support language.")
    picture: str | None = Field(default=None, max_length=500)
    side: Literal["left", "right"] | None = Field(
        default=None, description="For pairs: which column the option is in."
    )


class Progress(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    position: int = Field(ge=0)
    total: int = Field(ge=0)


class Show(Command):
    """Put something on the screen. ``answer`` says what the robot sends back: nothing, an
    ``event/choice`` (choice, order or pairs), or an ``event/signin`` (code, name)."""

    SUFFIX: ClassVar[str] = "cmd/show"

    text: str | None = Field(default=None, max_length=500, description="Finnish.")
    gloss: str | None = Field(default=None, max_length=500)
    gloss_language: str | None = Field(default=None, max_length=8)
    picture: str | None = Field(default=None, max_length=500)
    prompt_key: str | None = Field(default=None, max_length=100)
    choices: list[ShowChoice] = Field(default_factory=list, max_length=64)
    answer: Literal["none", "choice", "order", "pairs", "signin"] = "none"
    signin_methods: list[Literal["pairing_code", "pick", "guest"]] = Field(default_factory=list)
    progress: Progress | None = None


class Gesture(Command):
    SUFFIX: ClassVar[str] = "cmd/gesture"

    name: GestureName


class Listen(Command):
    """Record one answer: stop after ``silence_seconds`` of silence or at ``max_seconds``;
    publish the WAV (16 kHz mono) on ``audio/<utterance_id>``, then ``event/utterance``."""

    SUFFIX: ClassVar[str] = "cmd/listen"

    max_seconds: float = Field(gt=0, le=60)
    silence_seconds: float = Field(default=1.0, gt=0, le=10)


class Leds(Command):
    """Eyes or LEDs: listening, thinking, right, wrong, idle."""

    SUFFIX: ClassVar[str] = "cmd/leds"

    state: LedState


class Stop(Command):
    """Stop speaking, recording and gesturing now."""

    SUFFIX: ClassVar[str] = "cmd/stop"


COMMANDS: tuple[type[Command], ...] = (
    SessionStart,
    SessionEnd,
    Say,
    Show,
    Gesture,
    Listen,
    Leds,
    Stop,
)
