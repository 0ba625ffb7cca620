"""The software robot: a real MQTT client that is a robot tutor on any PC or Raspberry Pi.

It plays the tutor's audio, records one WAV per answer and shows the screen — in a terminal
(``TerminalPlayer``: aplay/arecord from alsa-utils when present), or from a script of
answers and WAV files (``ScriptPlayer``, for tests and demos). Half duplex: it never records
while it speaks, and reports an ``event/error`` if it is asked to.
"""

from __future__ import annotations

import io
import logging
import queue
import secrets
import shutil
import subprocess
import threading
import time
import wave
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.request import urlopen

import paho.mqtt.client as mqtt
import yaml
from paho.mqtt.reasoncodes import ReasonCode

from robot_bridge import __version__
from robot_bridge import mqtt as broker
from robot_bridge.messages import (
    Capabilities,
    Choice,
    Command,
    Event,
    Gesture,
    Leds,
    Listen,
    ProtocolError,
    RobotError,
    Said,
    Say,
    SessionEnd,
    SessionStart,
    Show,
    SignIn,
    Status,
    Stop,
    Touch,
    Utterance,
    audio_topic,
)
from robot_bridge.messages.commands import COMMANDS
from robot_bridge.topics import robot_root

log = logging.getLogger(__name__)

IDLE_BEFORE_ANSWER_S = 0.05  # the learner answers once the robot is quiet


def wav_seconds(data: bytes) -> float:
    try:
        with wave.open(io.BytesIO(data)) as reader:
            frames, rate = int(reader.getnframes()), float(reader.getframerate())
    except (wave.Error, EOFError):
        return 0.0
    return frames / rate if rate else 0.0


def silent_wav(seconds: float, rate: int = 16000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(b"\0\0" * int(seconds * rate))
    return out.getvalue()


class Player(Protocol):
    """The learner's side of the robot: what is on the screen, what is said, what is heard."""

    def signin(self, show: Show) -> SignIn | Touch | None: ...

    def answer(self, show: Show, heard: str | None) -> Choice | Touch | None: ...

    def record(self, listen: Listen) -> bytes | Touch | None: ...

    def play(self, say: Say, wav: bytes | None) -> None: ...

    def display(self, command: Command) -> None: ...


@dataclass
class Transcript:
    """Everything the robot received and sent, for tests and the bench."""

    commands: list[Command] = field(default_factory=list)
    errors: list[ProtocolError] = field(default_factory=list)
    sent: list[Event] = field(default_factory=list)
    ends: list[SessionEnd] = field(default_factory=list)
    half_duplex_violations: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def kinds(self) -> list[str]:
        with self.lock:
            return [type(c).__name__ for c in self.commands]


COMMAND_BY_SUFFIX: dict[str, type[Command]] = {cls.SUFFIX: cls for cls in COMMANDS}


class SoftwareRobot:
    def __init__(
        self,
        robot_id: str,
        settings: broker.BrokerSettings,
        player: Player,
        *,
        capabilities: Capabilities | None = None,
        on_command: Any = None,
    ) -> None:
        self.robot_id, self.settings, self.player = robot_id, settings, player
        self.capabilities = capabilities or Capabilities(screen=True, keypad=True)
        self.transcript = Transcript()
        self.boot_id = secrets.token_hex(8)
        self.session_ended = threading.Event()
        self.connected = threading.Event()
        self.on_command = on_command
        self._queue: queue.Queue[Command | None] = queue.Queue()
        self._pending_show: Show | None = None
        self._heard: str | None = None
        self._speaking = False
        self._unsaid: set[str] = set()  # say commands received and not yet finished
        # What the robot sent for each recent command: the same command again (a bridge
        # that lost it) gets the same answer again, not a new one.
        self._replies: OrderedDict[str, list[tuple[str, bytes]]] = OrderedDict()
        self._current: str | None = None
        self._stopped = threading.Event()
        self.client = broker.make_client(f"robot-{robot_id}-{secrets.token_hex(3)}", settings)
        lost = Status(state="lost", boot_id=self.boot_id)
        self.client.will_set(Status.topic(robot_id=robot_id), lost.payload(), qos=1, retain=True)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self._worker = threading.Thread(target=self._work, name=f"robot-{robot_id}", daemon=True)

    # Connection
    def start(self) -> None:
        self._worker.start()
        broker.connect(self.client, self.settings)

    def stop(self, *, vanish: bool = False) -> None:
        """Leave: with ``vanish`` the connection just drops (the broker sends the will)."""
        self._stopped.set()
        self._queue.put(None)
        if vanish:
            self.client.loop_stop()
            sock = self.client.socket()
            if sock is not None:
                sock.close()
        else:
            self.publish_status("sleeping")
            self.client.disconnect()
            self.client.loop_stop()
        self._worker.join(timeout=5)

    def publish_status(self, state: str) -> None:
        status = Status(
            state=state,  # type: ignore[arg-type]
            software=f"sanapaja-robot {__version__}",
            model="software robot",
            capabilities=self.capabilities,
            boot_id=self.boot_id,
        )
        self.client.publish(Status.topic(robot_id=self.robot_id), status.payload(), 1, True)

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any
    ) -> None:
        if reason.is_failure:
            log.error("broker refused robot %s: %s", self.robot_id, reason)
            return
        root = robot_root(self.robot_id)
        client.subscribe([(f"{root}/cmd/#", 1), (f"{root}/error", 1)])
        self.publish_status("ready")
        self.connected.set()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        suffix = message.topic[len(robot_root(self.robot_id)) + 1 :]
        try:
            if suffix == "error":
                error = ProtocolError.model_validate_json(message.payload)
                log.warning("robot %s got an error: %s", self.robot_id, error.message)
                with self.transcript.lock:
                    self.transcript.errors.append(error)
                return
            kind = COMMAND_BY_SUFFIX.get(suffix)
            if kind is None:
                log.warning("robot %s: unknown command topic %s", self.robot_id, message.topic)
                return
            command = kind.model_validate_json(message.payload)
        except ValueError as exc:
            log.warning("robot %s: bad command on %s: %s", self.robot_id, message.topic, exc)
            return
        with self.transcript.lock:
            if isinstance(command, Say):
                self._unsaid.add(command.id)
            elif isinstance(command, Listen) and self._unsaid:
                self.transcript.half_duplex_violations += 1
                violated = True
            else:
                violated = False
        if isinstance(command, Listen) and violated:
            self.emit(
                RobotError(
                    command_id=command.id,
                    reason="listen_while_speaking",
                    message="asked to listen before the last say finished",
                )
            )
            return
        self._queue.put(command)

    def emit(self, event: Event) -> None:
        with self.transcript.lock:
            self.transcript.sent.append(event)
        self._send(type(event).topic(robot_id=self.robot_id), event.payload())

    def _send(self, topic: str, payload: bytes) -> None:
        if self._current is not None:
            self._replies.setdefault(self._current, []).append((topic, payload))
            while len(self._replies) > 16:
                self._replies.popitem(last=False)
        self.client.publish(topic, payload, qos=1)

    # Acting
    def _work(self) -> None:
        while not self._stopped.is_set():
            try:
                # Waking often only matters while an answer is due.
                wait = IDLE_BEFORE_ANSWER_S if self._pending_show is not None else 1.0
                command = self._queue.get(timeout=wait)
            except queue.Empty:
                if self._pending_show is not None:
                    show, self._pending_show = self._pending_show, None
                    self._current = show.id
                    self._answer(show)
                continue
            if command is None:
                return
            try:
                self._act(command)
            except Exception:
                log.exception("robot %s failed on %s", self.robot_id, type(command).__name__)

    def _act(self, command: Command) -> None:
        with self.transcript.lock:
            self.transcript.commands.append(command)
        if self.on_command is not None and self.on_command(self, command) is False:
            return
        replies = self._replies.get(command.id)
        if replies is not None:
            log.info("robot %s: %s again; the same answer again", self.robot_id, command.id)
            with self.transcript.lock:
                self._unsaid.discard(command.id)
            for topic, payload in replies:
                self.client.publish(topic, payload, qos=1)
            return
        self._current = command.id
        self.player.display(command)
        if isinstance(command, Show):
            self._pending_show = command if command.answer != "none" else None
            if command.answer == "signin":
                self._pending_show = None
                self._answer(command)
        elif isinstance(command, Say):
            self._say(command)
        elif isinstance(command, Listen):
            self._listen(command)
        elif isinstance(command, SessionEnd):
            with self.transcript.lock:
                self.transcript.ends.append(command)
            self._pending_show = None
            self.session_ended.set()
        elif isinstance(command, Stop):
            self._speaking = False
        elif isinstance(command, (Gesture, Leds, SessionStart)):
            pass

    def _answer(self, show: Show) -> None:
        if show.answer == "signin":
            reply: Event | None = self.player.signin(show)
        else:
            reply = self.player.answer(show, self._heard)
        if reply is not None:
            self.emit(reply)

    def _say(self, say: Say) -> None:
        self._speaking = True
        wav = None
        if say.audio_url is not None:
            with urlopen(say.audio_url, timeout=30) as response:  # the tutor's real audio
                wav = response.read()
        started = time.monotonic()
        self.player.play(say, wav)
        self._speaking = False
        self._heard = say.text
        with self.transcript.lock:
            self._unsaid.discard(say.id)
        self.emit(Said(command_id=say.id, duration_s=round(time.monotonic() - started, 3)))

    def _listen(self, listen: Listen) -> None:
        recorded = self.player.record(listen)
        if isinstance(recorded, Touch):
            self.emit(recorded)
            return
        wav = recorded if recorded is not None else silent_wav(listen.max_seconds)
        utterance_id = f"u{secrets.token_hex(6)}"
        # The WAV first, then the event that names it.
        self._send(audio_topic(self.robot_id, utterance_id), wav)
        self.emit(
            Utterance(
                command_id=listen.id,
                utterance_id=utterance_id,
                duration_s=round(wav_seconds(wav), 3),
                ended="silence" if recorded is not None else "max_seconds",
            )
        )


class ScriptError(ValueError):
    pass


@dataclass(frozen=True)
class ScriptAnswer:
    kind: str  # choose, choice, order, pairs, say, silence, touch
    value: Any


@dataclass
class Script:
    """A lesson played from a file: who signs in, which lesson, the answers in order."""

    signin: dict[str, Any]
    lesson: dict[str, str]
    answers: list[ScriptAnswer]
    folder: Path

    @classmethod
    def load(cls, path: Path) -> Script:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ScriptError(f"{path}: {exc}") from exc
        if not isinstance(data, dict):
            raise ScriptError(f"{path}: a script is a mapping with signin, lesson and answers")
        return cls.from_dict(data, path.parent, str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], folder: Path, name: str = "script") -> Script:
        problems: list[str] = []
        signin = data.get("signin", {"method": "guest", "support_language": "en"})
        if not isinstance(signin, dict) or signin.get("method") not in (
            "pairing_code",
            "pick",
            "guest",
        ):
            problems.append("signin: {method: pairing_code|pick|guest, ...}")
        lesson = data.get("lesson", {})
        if not isinstance(lesson, dict):
            problems.append("lesson: {pack_id: ..., lesson_id: ...}")
        answers: list[ScriptAnswer] = []
        for index, entry in enumerate(data.get("answers") or []):
            kinds = ("choose", "choice", "order", "pairs", "say", "silence", "touch")
            if not isinstance(entry, dict) or len(entry) != 1 or next(iter(entry)) not in kinds:
                problems.append(f"answers[{index}]: one of {', '.join(kinds)}")
                continue
            kind, value = next(iter(entry.items()))
            if kind == "say" and not (folder / str(value)).is_file():
                problems.append(f"answers[{index}].say: no such file {folder / str(value)}")
            answers.append(ScriptAnswer(kind, value))
        if problems:
            raise ScriptError(f"{name}: " + "; ".join(problems))
        return cls(dict(signin), dict(lesson), answers, folder)


class ScriptPlayer:
    """Plays a Script: the answers go out in order, to each choice screen and each listen;
    when they run out the learner touches stop. ``speed`` scales the time audio takes to
    play (0 plays instantly)."""

    def __init__(self, script: Script, speed: float = 0.0) -> None:
        self.script, self.speed = script, speed
        self._answers = list(script.answers)
        self.used = 0
        self.signed_in = False

    def _next(self) -> ScriptAnswer | None:
        if not self._answers:
            return None
        self.used += 1
        return self._answers.pop(0)

    def signin(self, show: Show) -> SignIn | Touch | None:
        if self.used or (not self._answers and not self.script.signin):
            return None  # one lesson per script
        wanted = dict(self.script.signin)
        return SignIn(
            method=wanted["method"],
            code=wanted.get("code"),
            learner_id=wanted.get("learner_id"),
            support_language=wanted.get("support_language"),
            pack_id=self.script.lesson.get("pack_id"),
            lesson_id=self.script.lesson.get("lesson_id"),
        )

    def answer(self, show: Show, heard: str | None) -> Choice | Touch | None:
        given = self._next()
        if given is None:
            return Touch(target="stop")
        if given.kind == "touch":
            return Touch(target=given.value)
        by_text = {c.text: c.id for c in show.choices if c.text} | {
            c.gloss: c.id for c in show.choices if c.gloss
        }
        if given.kind == "choice":
            return Choice(command_id=show.id, choice=str(given.value))
        if given.kind == "choose":
            wanted = heard if given.value == "heard" else str(given.value)
            return Choice(command_id=show.id, choice=by_text.get(wanted or "", "none"))
        if given.kind == "order":
            return Choice(command_id=show.id, order=[by_text.get(str(t), "?") for t in given.value])
        if given.kind == "pairs":
            left = {c.text: c.id for c in show.choices if c.side == "left" and c.text}
            right = {
                key: c.id
                for c in show.choices
                if c.side == "right"
                for key in (c.text, c.gloss)
                if key
            }
            return Choice(
                command_id=show.id,
                pairs={
                    left.get(str(a), str(a)): right.get(str(b), str(b))
                    for a, b in dict(given.value).items()
                },
            )
        return Touch(target="skip")  # a spoken answer where a choice is asked for

    def record(self, listen: Listen) -> bytes | Touch | None:
        given = self._next()
        if given is None:
            return Touch(target="stop")
        if given.kind == "touch":
            return Touch(target=given.value)
        if given.kind == "silence":
            return silent_wav(float(given.value))
        if given.kind != "say":
            return Touch(target="skip")
        return (self.script.folder / str(given.value)).read_bytes()

    def play(self, say: Say, wav: bytes | None) -> None:
        seconds = wav_seconds(wav) if wav else say.expected_seconds
        if self.speed > 0:
            time.sleep(seconds * self.speed)

    def display(self, command: Command) -> None:
        log.debug("robot shows %s", command)


class TerminalPlayer:
    """A tutor kiosk in a terminal: the screen is printed, answers are typed, audio plays
    with aplay and the microphone records with arecord (alsa-utils) when they exist."""

    def __init__(self) -> None:
        self.aplay = shutil.which("aplay")
        self.arecord = shutil.which("arecord")

    def display(self, command: Command) -> None:
        if isinstance(command, Show):
            if command.text:
                print(f"\n  {command.text}")
            if command.gloss:
                print(f"  ({command.gloss})")
            for number, choice in enumerate(command.choices, 1):
                print(f"   {number}. {choice.text or ''} {choice.gloss or ''}".rstrip())
        elif isinstance(command, Say):
            print(f"  » {command.text}")
        elif isinstance(command, Gesture):
            print(f"  [{command.name}]")
        elif isinstance(command, SessionStart):
            print(f"\nHei{', ' + command.learner_name if command.learner_name else ''}!")
        elif isinstance(command, SessionEnd):
            print(f"\n[session ended: {command.reason}]")

    def signin(self, show: Show) -> SignIn | Touch | None:
        methods = ", ".join(show.signin_methods)
        typed = input(f"\nSign in ({methods}). Pairing code from your app, or 'guest': ").strip()
        if typed.lower() == "guest":
            language = input("Support language (e.g. en, uk, ru): ").strip() or "en"
            return SignIn(method="guest", support_language=language)
        return SignIn(method="pairing_code", code=typed)

    def answer(self, show: Show, heard: str | None) -> Choice | Touch | None:
        typed = input("Your answer (number; numbers in order with spaces; 'stop'): ").strip()
        if typed in ("stop", "skip", "repeat", "slower"):
            return Touch(target=typed)  # type: ignore[arg-type]
        numbers = [int(n) - 1 for n in typed.split() if n.isdigit()]
        ids = [show.choices[n].id for n in numbers if 0 <= n < len(show.choices)]
        if show.answer == "order":
            return Choice(command_id=show.id, order=ids)
        if show.answer == "pairs":
            return Choice(command_id=show.id, pairs=dict(zip(ids[::2], ids[1::2], strict=False)))
        return Choice(command_id=show.id, choice=ids[0] if ids else "none")

    def record(self, listen: Listen) -> bytes | Touch | None:
        if self.arecord is None:
            print("  (no microphone: arecord is missing; the step is skipped)")
            return Touch(target="skip")
        input("  Press Enter and say it…")
        result = subprocess.run(
            [
                self.arecord,
                "-q",
                "-f",
                "S16_LE",
                "-r",
                "16000",
                "-c",
                "1",
                "-t",
                "wav",
                "-d",
                str(max(1, round(listen.max_seconds))),
            ],
            capture_output=True,
            check=False,
        )
        return result.stdout if result.returncode == 0 else Touch(target="skip")

    def play(self, say: Say, wav: bytes | None) -> None:
        if wav is not None and self.aplay is not None:
            subprocess.run([self.aplay, "-q", "-"], input=wav, check=False)
