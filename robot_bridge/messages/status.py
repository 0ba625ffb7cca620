"""The robot's retained status: its state (as Homie's ``$state``), battery, abilities.

The robot sets its last will to a ``lost`` status, so the broker reports it when the
robot vanishes, as Home Assistant's availability topic does.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from robot_bridge.messages.base import Message

RobotState = Literal["init", "ready", "busy", "sleeping", "lost"]


class Capabilities(BaseModel):
    """What the robot can do; the bridge leaves out what it cannot."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    screen: bool = Field(default=False, description="Can show text, pictures and choices.")
    finnish_tts: bool = Field(
        default=False, description="Can speak Finnish itself; otherwise it plays audio_url."
    )
    audio_playback: bool = Field(default=True, description="Can play a WAV from a URL.")
    microphone: bool = Field(default=True, description="Can record one WAV per answer.")
    gestures: bool = Field(default=False, description="Has a body for nod, wave, point, ….")
    leds: bool = Field(default=False, description="Has eyes or LEDs to show listening etc.")
    camera: bool = Field(default=False, description="Can read a pairing QR code.")
    keypad: bool = Field(default=False, description="Can take a typed pairing code.")


class Status(Message):
    SUFFIX: ClassVar[str] = "status"
    DIRECTION: ClassVar[Literal["robot_to_server", "server_to_robot"]] = "robot_to_server"
    RETAINED: ClassVar[bool] = True

    state: RobotState
    battery: float | None = Field(default=None, ge=0, le=1, description="0..1, None if mains.")
    software: str = Field(default="", max_length=100, description="Robot software and version.")
    model: str = Field(default="", max_length=100, description="e.g. NAO6, Pepper, kiosk.")
    capabilities: Capabilities = Field(default_factory=Capabilities)
    boot_id: str | None = Field(
        default=None,
        max_length=32,
        description="Random for each start of the robot's software: a new one tells the "
        "bridge the robot has forgotten what it was doing.",
    )

    @classmethod
    def lost(cls) -> Status:
        """The last will: what the broker publishes when the robot's connection dies."""
        return cls(state="lost")
