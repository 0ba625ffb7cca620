"""NAOqi as the software robot's player: the protocol's commands onto NAO's services.

- ``say``: NAO has no Finnish voice, so the WAV at ``audio_url`` is played with
  ALAudioPlayer (``playFile``), which returns when the sound is over (half duplex).
- ``gesture``: an animation run through ALAnimatedSpeech (``^run(...)``).
- ``listen``: ALAudioRecorder records the front microphone at 16 kHz to a WAV; recording
  stops after ``silence_seconds`` below the noise floor (ALAudioDevice's front microphone
  energy) or at ``max_seconds``.
- ``leds``: ALLeds fades the eyes (FaceLeds) to a colour per state.
- ``show``: on Pepper, the chest tablet (ALTabletService) shows the Finnish, the gloss and
  the choices as a page whose buttons raise an ALMemory event; on NAO, which has no
  screen, the head's touch sensors choose: front = first option, rear = second, middle =
  "repeat".

It has NOT run on a physical robot: the tests drive it with a fake qi session that
records the calls. See docs/nao.md for installing and starting it on a robot.
"""

from __future__ import annotations

import contextlib
import html
import logging
import queue
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from robot_bridge.messages import (
    Choice,
    Command,
    Gesture,
    Leds,
    Listen,
    Say,
    SessionEnd,
    Show,
    SignIn,
    Touch,
)

log = logging.getLogger(__name__)

ANIMATIONS = {
    "nod": "animations/Stand/Gestures/Yes_1",
    "wave": "animations/Stand/Gestures/Hey_1",
    "point": "animations/Stand/Gestures/You_1",
    "think": "animations/Stand/Gestures/Thinking_1",
    "happy": "animations/Stand/Emotions/Positive/Happy_1",
    "sorry": "animations/Stand/Emotions/Negative/Sad_1",
}
EYE_COLOURS = {  # 0x00RRGGBB
    "idle": 0x00FFFFFF,
    "listening": 0x000000FF,
    "thinking": 0x00FFFF00,
    "right": 0x0000FF00,
    "wrong": 0x00FF0000,
}
HEAD = {"FrontTactilTouched": 0, "RearTactilTouched": 1, "MiddleTactilTouched": None}
TABLET_EVENT = "Sanapaja/Tablet"
FRONT_MICROPHONE = [0, 0, 1, 0]  # left, right, front, rear
SILENCE_ENERGY = 600.0  # front microphone energy below which the learner is quiet
POLL_S = 0.1


class NaoPlayer:
    """The player of a SoftwareRobot on NAO or Pepper. ``session`` is a connected
    ``qi.Session`` (or a fake of one)."""

    def __init__(self, session: Any, folder: Path, *, answer_timeout: float = 120.0) -> None:
        self.session = session
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.answer_timeout = answer_timeout
        self.audio = session.service("ALAudioPlayer")
        self.speech = session.service("ALAnimatedSpeech")
        self.recorder = session.service("ALAudioRecorder")
        self.device = session.service("ALAudioDevice")
        self.leds = session.service("ALLeds")
        self.memory = session.service("ALMemory")
        self.tablet = self._optional(session, "ALTabletService")  # Pepper only
        self._inputs: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._subscribers = []
        for event in (*HEAD, TABLET_EVENT):
            subscriber = self.memory.subscriber(event)
            subscriber.signal.connect(self._handler(event))
            self._subscribers.append(subscriber)  # keep them alive
        self.device.enableEnergyComputation()

    @staticmethod
    def _optional(session: Any, name: str) -> Any:
        try:
            return session.service(name)
        except RuntimeError:
            return None

    def _handler(self, event: str) -> Any:
        def on_event(value: Any) -> None:
            if event == TABLET_EVENT or value:  # touch sensors also report the release (0)
                self._inputs.put((event, value))

        return on_event

    def _next_input(self, timeout: float) -> tuple[str, Any] | None:
        try:
            return self._inputs.get(timeout=timeout)
        except queue.Empty:
            return None

    def _drain_inputs(self) -> None:
        while not self._inputs.empty():
            self._inputs.get_nowait()

    # The screen
    def display(self, command: Command) -> None:
        if isinstance(command, Show):
            self._drain_inputs()  # a new screen: touches meant for the last one are old
        if isinstance(command, Gesture):
            self.speech.say(f"^run({ANIMATIONS[command.name]})")
        elif isinstance(command, Leds):
            self.leds.fadeRGB("FaceLeds", EYE_COLOURS[command.state], 0.2)
        elif isinstance(command, Show) and self.tablet is not None:
            self.tablet.showWebview(self.page(command))
        elif isinstance(command, SessionEnd) and self.tablet is not None:
            self.tablet.hideWebview()

    @staticmethod
    def page(show: Show) -> str:
        """The tablet page of a ``show``: its buttons raise the ALMemory event through
        the tablet's qimessaging JavaScript (``/libs/qimessaging/2/qimessaging.js``)."""
        escape = html.escape
        buttons = "".join(
            f"<button onclick=\"send('{escape(c.id)}')\">{escape(c.text or '')}"
            f"<br><small>{escape(c.gloss or '')}</small></button>"
            for c in show.choices
        )
        if show.answer == "signin":
            buttons = (
                '<input id="code" maxlength="8" autocomplete="off">'
                "<button onclick=\"send('code:'+document.getElementById('code').value)\">"
                "OK</button>"
            )
            if "guest" in show.signin_methods:
                buttons += "<button onclick=\"send('guest')\">Guest</button>"
        body = f"<h1>{escape(show.text or '')}</h1><p>{escape(show.gloss or '')}</p>{buttons}"
        script = (
            '<script src="/libs/qimessaging/2/qimessaging.js"></script><script>var memory;'
            "QiSession(function(s){s.service('ALMemory').then(function(m){memory=m;});});"
            f"function send(v){{memory.raiseEvent('{TABLET_EVENT}',v);}}</script>"
        )
        return "data:text/html;charset=utf-8," + quote(f"<html><body>{body}{script}</body></html>")

    # Sound
    def play(self, say: Say, wav: bytes | None) -> None:
        if wav is None:
            log.warning("no audio for %r: NAO has no Finnish voice; nothing is said", say.text)
            return
        path = self.folder / "say.wav"
        path.write_bytes(wav)
        self.audio.playFile(str(path))  # blocks until the sound is over

    def record(self, listen: Listen) -> bytes | Touch | None:
        path = self.folder / "answer.wav"
        self.recorder.startMicrophonesRecording(str(path), "wav", 16000, FRONT_MICROPHONE)
        started = time.monotonic()
        quiet_since: float | None = None
        heard = False
        try:
            while time.monotonic() - started < listen.max_seconds:
                time.sleep(POLL_S)
                loud = float(self.device.getFrontMicEnergy()) > SILENCE_ENERGY
                heard = heard or loud
                now = time.monotonic()
                quiet_since = None if loud else (quiet_since or now)
                if (
                    heard
                    and quiet_since is not None
                    and now - quiet_since >= listen.silence_seconds
                ):
                    break
        finally:
            self.recorder.stopMicrophonesRecording()
        return path.read_bytes()

    # Answers
    def answer(self, show: Show, heard: str | None) -> Choice | Touch | None:
        got = self._next_input(self.answer_timeout)
        if got is None:
            return None  # the bridge's idle timeout ends the session
        event, value = got
        if event == TABLET_EVENT:
            return Choice(command_id=show.id, choice=str(value))
        index = HEAD[event]
        if index is None:
            return Touch(target="repeat")
        if index >= len(show.choices):
            return Touch(target="skip")
        return Choice(command_id=show.id, choice=show.choices[index].id)

    def signin(self, show: Show) -> SignIn | Touch | None:
        """A code typed on Pepper's tablet; on NAO a head touch starts a guest lesson."""
        got = self._next_input(24 * 3600)
        if got is None:
            return None
        event, value = got
        text = str(value)
        if event == TABLET_EVENT and text.startswith("code:"):
            return SignIn(method="pairing_code", code=text.removeprefix("code:"))
        return SignIn(method="guest", support_language="en")


def connect_session(url: str) -> Any:
    """A qi session connected to NAOqi (``tcp://127.0.0.1:9559`` on the robot itself)."""
    import qi

    session = qi.Session()
    session.connect(url)
    return session


def run(robot_id: str, mqtt_url: str, naoqi_url: str, folder: Path) -> None:
    """Be robot ``robot_id`` on this NAO until interrupted."""
    from robot_bridge.messages import Capabilities
    from robot_bridge.mqtt import BrokerSettings
    from robot_bridge.simulator import SoftwareRobot

    session = connect_session(naoqi_url)
    player = NaoPlayer(session, folder)
    capabilities = Capabilities(
        screen=player.tablet is not None,
        finnish_tts=False,
        gestures=True,
        leds=True,
        camera=False,
        keypad=player.tablet is not None,
    )
    robot = SoftwareRobot(
        robot_id, BrokerSettings.from_url(mqtt_url), player, capabilities=capabilities
    )
    robot.start()
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    robot.stop()
