"""The bridge: MQTT on one side, the lesson server's HTTP API on the other.

Each robot has a conversation that handles its messages one at a time, in order, on a small
pool of worker threads (paho's network thread only parses and queues). A conversation turns
the current lesson step into robot commands — show, say, then listen or wait for a choice —
and the robot's answers into API calls. Half duplex: a ``listen`` is sent only after the
robot's ``said`` for the step's ``say``. Timeouts scale with the length of the speech.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import logging
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from robot_bridge import mqtt as broker
from robot_bridge.fleet import RobotTokens
from robot_bridge.lesson_api import ApiError, LessonApi, ServerUnavailable
from robot_bridge.messages import (
    BadMessage,
    Choice,
    Command,
    Gesture,
    Incoming,
    Leds,
    Listen,
    Message,
    ProtocolError,
    Ready,
    RobotError,
    Said,
    Say,
    SessionEnd,
    SessionStart,
    Show,
    ShowChoice,
    SignIn,
    Status,
    Touch,
    Utterance,
    parse_from_robot,
)
from robot_bridge.messages.commands import EndReason, Progress
from robot_bridge.topics import ROOT, robot_id_of

log = logging.getLogger(__name__)

CHARS_PER_SECOND = 13.0  # Finnish TTS at the normal rate, punctuation pauses included
SAY_GRACE_S = 5.0
LISTEN_GRACE_S = 10.0
MAX_CLIENT_ID = 64
ANSWER_KINDS = {"choice": "choice", "order": "order", "pairs": "pairs"}


def expected_seconds(text: str, rate: float) -> float:
    """How long the tutor's voice takes to say ``text`` at ``rate``: timeouts follow it."""
    return round(0.4 + len(text) / (CHARS_PER_SECOND * max(rate, 0.3)), 2)


def say_timeout(seconds: float) -> float:
    return 2 * seconds + SAY_GRACE_S


def client_id_for(robot_id: str, answer_id: str) -> str:
    """The answer's client id, made from the robot and its utterance (or command) id: the
    same answer sent again, after any restart, has the same client id and counts once."""
    raw = f"{robot_id}/{answer_id}"
    if len(raw) <= MAX_CLIENT_ID:
        return raw
    return "h/" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[: MAX_CLIENT_ID - 2]


@dataclass
class Timer:
    token: int


@dataclass
class Reconnected:
    """The bridge is back on the broker (which may have lost everything)."""


@dataclass
class Latency:
    """One robot event handled: from its arrival to the first command it caused."""

    total_s: float
    server_s: float
    queued_s: float  # waiting for a free worker before the handling began


ERROR_REPLIES_PER_SECOND = 5


class ReplyBudget:
    """At most ``per_second`` error replies (and log lines) per robot in each second; the
    network thread is the only caller."""

    def __init__(self, per_second: int = ERROR_REPLIES_PER_SECOND) -> None:
        self.per_second = per_second
        self._windows: dict[str, tuple[float, int]] = {}

    def allow(self, robot_id: str, now: float) -> bool:
        started, used = self._windows.get(robot_id, (now, 0))
        if now - started >= 1.0:
            started, used = now, 0
        if len(self._windows) > 10_000:  # garbage may name any number of robots
            self._windows.clear()
        self._windows[robot_id] = (started, used + 1)
        return used < self.per_second


@dataclass
class BridgeStats:
    latencies: list[Latency] = field(default_factory=list)
    malformed: int = 0
    # Malformed messages answered without an error reply: a robot (or anyone) flooding its
    # subtree with garbage must not flood the broker back nor delay real commands.
    replies_suppressed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latency: Latency) -> None:
        with self.lock:
            self.latencies.append(latency)


@dataclass
class Signed:
    """Who is signed in at the robot (from the server's robot session)."""

    session_id: str
    token: str
    learner_name: str | None
    guest: bool
    support_language: str


@dataclass
class Waiting:
    """What the conversation waits for: an event answering ``command_id``."""

    kind: str  # said, choice, utterance
    command_id: str
    timer: int
    then: Callable[[], None] | None = None
    command: Command | None = None
    seconds: float = 0.0


class Conversation:
    """One robot's lesson. Its methods run on one worker at a time, never in parallel."""

    def __init__(self, bridge: Bridge, robot_id: str) -> None:
        self.bridge, self.robot_id = bridge, robot_id
        self.inbox: deque[tuple[float, Incoming | Timer | Reconnected]] = deque()
        self.recent: OrderedDict[str, Command] = OrderedDict()
        self.scheduled = False
        self.status: Status | None = None
        self.boot_id: str | None = None  # of the robot's software run we last heard from
        self.signed: Signed | None = None
        self.lesson: dict[str, Any] | None = None
        self.waiting: Waiting | None = None
        self.show_id: str | None = None
        self.audio: dict[str, bytes] = {}
        self.utterances: dict[str, Utterance] = {}
        self.checked_server = False
        self.handling_since: float | None = None
        self.queued_s = 0.0
        self.resumed = False  # the lesson was taken up from the server after a restart
        self.orphans: list[Choice] = []
        self.idle_timer: int | None = None

    # Sending
    def send(self, command: Command) -> None:
        if self.handling_since is not None:
            self.bridge.stats.add(
                Latency(
                    time.perf_counter() - self.handling_since,
                    self.bridge.api.take_server_seconds(),
                    self.queued_s,
                )
            )
            self.handling_since = None
        self.recent[command.id] = command
        while len(self.recent) > 8:
            self.recent.popitem(last=False)
        self.bridge.send(self.robot_id, command)

    def command_id(self, *, for_step: bool = False) -> str:
        """A new command id; a show's or a listen's names the lesson step it asks about, so
        a bridge that restarted can still take an answer given to its predecessor."""
        base = self.bridge.new_command_id(self.robot_id)
        return f"{base}.{self.step_tag()}" if for_step and self.lesson else base

    def step_tag(self) -> str:
        assert self.lesson is not None
        return f"{str(self.lesson['id'])[:8]}-{self.lesson['position']}"

    def answers_current_step(self, command_id: str) -> bool:
        """An answer to the step the lesson is at, given before a bridge restart."""
        return (
            self.resumed
            and self.lesson is not None
            and self.lesson.get("step") is not None
            and command_id.endswith("." + self.step_tag())
        )

    def error(self, reason: str, message: str, topic: str = "") -> None:
        reply = ProtocolError(
            reason=reason,  # type: ignore[arg-type]
            message=message[:1000],
            on_topic=topic or f"{ROOT}/{self.robot_id}",
            excerpt="",
        )
        self.bridge.publish(ProtocolError.topic(robot_id=self.robot_id), reply)

    def wait(self, kind: str, command_id: str, seconds: float, then: Callable[[], None]) -> None:
        timer = self.bridge.timers.add(self.robot_id, seconds)
        self.waiting = Waiting(kind, command_id, timer, then, self.recent.get(command_id), seconds)

    # Handling
    def handle(self, item: Incoming | Timer | Reconnected) -> None:
        if isinstance(item, Timer):
            self.on_timer(item.token)
            return
        if isinstance(item, Reconnected):
            self.on_reconnected()
            return
        if item.audio is not None and item.utterance_id is not None:
            self.audio[item.utterance_id] = item.audio
            self.try_utterance(item.utterance_id)
            return
        message = item.message
        if isinstance(message, Status):
            self.on_status(message)
        elif isinstance(message, Ready):
            self.on_ready()
        elif isinstance(message, SignIn):
            self.on_signin(message)
        elif isinstance(message, Said):
            self.on_said(message)
        elif isinstance(message, Choice):
            self.on_choice(message)
        elif isinstance(message, Utterance):
            self.utterances[message.utterance_id] = message
            self.try_utterance(message.utterance_id)
        elif isinstance(message, Touch):
            self.on_touch(message)
        elif isinstance(message, RobotError):
            log.warning("robot %s reports %s: %s", self.robot_id, message.reason, message.message)
            if self.waiting is not None and message.command_id == self.waiting.command_id:
                self.on_timer(self.waiting.timer)

    def on_reconnected(self) -> None:
        """A restarted broker forgets what was in flight: send the awaited command again,
        with its id, so the robot answers it (again: an answer counts once)."""
        waiting = self.waiting
        if waiting is None or waiting.command is None:
            return
        log.info("robot %s: sending %s again", self.robot_id, waiting.command_id)
        self.bridge.timers.cancel(waiting.timer)
        waiting.timer = self.bridge.timers.add(self.robot_id, waiting.seconds)
        self.bridge.send(self.robot_id, waiting.command)

    def robot_token(self) -> str | None:
        token = self.bridge.tokens.get(self.robot_id)
        if token is None:
            self.error("unexpected", "this robot has no credentials at the bridge")
        return token

    def on_status(self, status: Status) -> None:
        previous, self.status = self.status, status
        known_boot, self.boot_id = self.boot_id, status.boot_id or self.boot_id
        if status.state == "lost":
            log.info("robot %s is lost", self.robot_id)
            if self.waiting is not None:  # no timeout while it is away; the lesson waits
                self.bridge.timers.cancel(self.waiting.timer)
            return
        back = previous is None or previous.state == "lost"
        if status.state != "ready" or not (back or previous is None or previous.state != "ready"):
            return
        waiting = self.waiting
        same_robot = status.boot_id is not None and status.boot_id == known_boot
        if self.lesson is not None and waiting is not None and same_robot and back:
            # The same robot, back from a broken connection: ask again what was asked.
            self.on_reconnected()
            return
        self.waiting = None
        if waiting is not None:
            self.bridge.timers.cancel(waiting.timer)
        self.on_ready()

    def on_ready(self) -> None:
        """The robot is (back) there: resume a lesson in progress, or offer the sign-in."""
        if self.signed is None and not self.checked_server:
            self.checked_server = True
            self.resume_from_server()
        if self.signed is not None and self.lesson is not None:
            if not self.take_orphan_answer():
                self.render_step()
        else:
            self.show_signin()

    def take_orphan_answer(self) -> bool:
        """After a restart: an answer the robot gave the previous bridge, if it is one for
        the step the lesson is at, is taken instead of asking again."""
        orphans, self.orphans = self.orphans, []
        for choice in orphans:
            if self.answers_current_step(choice.command_id):
                self.on_choice(choice)
                return True
        for utterance_id, utterance in list(self.utterances.items()):
            if self.answers_current_step(utterance.command_id) and utterance_id in self.audio:
                self.try_utterance(utterance_id)
                return True
        return False

    def resume_from_server(self) -> None:
        """After a bridge restart: the server knows who is signed in here; carry on."""
        token = self.bridge.tokens.get(self.robot_id)
        if token is None:
            return
        try:
            current = self.bridge.api.current_session(token)
            if current is None:
                return
            lesson = current.get("lesson") or {}
            self.begin(current, lesson.get("pack_id"), lesson.get("lesson_id"), announce=False)
            self.resumed = True
        except (ApiError, ServerUnavailable) as exc:
            log.warning("robot %s: cannot resume from the server: %s", self.robot_id, exc)

    def show_signin(self) -> None:
        token = self.robot_token()
        if token is None:
            return
        try:
            methods = self.bridge.api.robot_info(token)["signin_methods"]
        except (ApiError, ServerUnavailable) as exc:
            self.error("server_error", f"the lesson server: {exc}")
            return
        self.waiting = None
        self.send(Show(id=self.command_id(), answer="signin", signin_methods=methods))

    def on_signin(self, signin: SignIn) -> None:
        token = self.robot_token()
        if token is None:
            return
        request: dict[str, Any] = {"method": signin.method}
        if signin.code is not None:
            request["code"] = signin.code
        if signin.learner_id is not None:
            request["learner_id"] = signin.learner_id
        if signin.support_language is not None:
            request["support_language"] = signin.support_language
        try:
            session = self.bridge.api.sign_in(token, request)
            self.begin(session, signin.pack_id, signin.lesson_id, announce=True)
        except ApiError as exc:
            self.error("signin_failed", exc.message)
            self.show_signin()
        except ServerUnavailable as exc:
            self.error("server_error", str(exc))

    def begin(
        self, session: dict[str, Any], pack_id: str | None, lesson_id: str | None, announce: bool
    ) -> None:
        learner = session.get("learner") or {}
        self.signed = Signed(
            session_id=session["id"],
            token=session["token"],
            learner_name=None if session.get("guest") else learner.get("display_name"),
            guest=bool(session.get("guest")),
            support_language=str(learner.get("support_language", "en")),
        )
        packs = self.bridge.api.packs(self.signed.token)
        chosen = self.choose_lesson(packs, pack_id, lesson_id)
        if chosen is None:
            self.end("error", "no lessons for this group")
            return
        pack, lesson = chosen
        self.lesson = self.bridge.api.start_lesson(self.signed.token, pack["id"], lesson["id"])
        self.send(
            SessionStart(
                id=self.command_id(),
                session_id=self.signed.session_id,
                learner_name=self.signed.learner_name,
                guest=self.signed.guest,
                support_language=self.signed.support_language,
                lesson_title=lesson.get("title_fi"),
            )
        )
        if announce:
            self.render_step()

    @staticmethod
    def choose_lesson(
        packs: list[dict[str, Any]], pack_id: str | None, lesson_id: str | None
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The lesson asked for, else the first one not finished, else the first one."""
        every = [(pack, lesson) for pack in packs for lesson in pack["lessons"]]
        for pack, lesson in every:
            if pack["id"] == pack_id and lesson["id"] == lesson_id:
                return pack, lesson
        unfinished = [(pack, lesson) for pack, lesson in every if not lesson["finished"]]
        candidates = unfinished or every
        return candidates[0] if candidates else None

    # Steps
    def render_step(self) -> None:
        assert self.lesson is not None and self.signed is not None
        step = self.lesson.get("step")
        if step is None:
            self.finish()
            return
        choices = [self.choice(option, "left") for option in step["options"]]
        choices += [self.choice(option, "right") for option in step["right_options"]]
        if step["answer_kind"] != "pairs":
            choices = [c.model_copy(update={"side": None}) for c in choices]
        self.show_id = self.command_id(for_step=True)
        self.send(
            Show(
                id=self.show_id,
                session_id=self.signed.session_id,
                text=step.get("show_fi"),
                gloss=step.get("gloss"),
                gloss_language=step.get("gloss_language"),
                picture=step.get("picture"),
                prompt_key=step.get("prompt_key"),
                choices=choices,
                answer=ANSWER_KINDS.get(step["answer_kind"], "none"),  # type: ignore[arg-type]
                progress=Progress(position=self.lesson["position"], total=self.lesson["total"]),
            )
        )
        if step.get("say"):
            self.say(step["say"], float(step.get("rate", 1.0)), step.get("audio_url"), self.ask)
        else:
            self.ask()

    def choice(self, option: dict[str, Any], side: str) -> ShowChoice:
        return ShowChoice(
            id=option["id"],
            text=option.get("fi"),
            gloss=option.get("gloss"),
            picture=option.get("picture"),
            side=side,  # type: ignore[arg-type]
        )

    def say(self, text: str, rate: float, audio_url: str | None, then: Callable[[], None]) -> None:
        seconds = expected_seconds(text, rate)
        command = Say(
            id=self.command_id(),
            session_id=self.signed.session_id if self.signed else None,
            text=text,
            rate=rate,
            audio_url=self.bridge.api.absolute(audio_url),
            expected_seconds=seconds,
        )
        self.send(command)
        self.wait("said", command.id, say_timeout(seconds), then)

    def ask(self) -> None:
        """After the step's Finnish is heard: wait for the answer the step takes."""
        assert self.lesson is not None and self.signed is not None
        step = self.lesson["step"]
        kind = step["answer_kind"]
        if kind == "none":
            self.post({"answer": {}}, self.show_id or self.command_id())
        elif kind == "speech":
            self.listen(step)
        else:
            assert self.show_id is not None
            self.wait("choice", self.show_id, self.bridge.idle_timeout, self.idle_out)

    def listen(self, step: dict[str, Any]) -> None:
        seconds = float(step.get("listen_timeout_s") or 0) or 2 + expected_seconds(
            step.get("say") or "", 1.0
        )
        self.send(Leds(id=self.command_id(), state="listening"))
        command = Listen(id=self.command_id(for_step=True), max_seconds=min(seconds, 60))
        self.send(command)
        self.wait("utterance", command.id, seconds + LISTEN_GRACE_S, self.skip_step)

    def idle_out(self) -> None:
        self.end("timeout", "nobody answered")

    def skip_step(self) -> None:
        log.info("robot %s: no utterance in time; the step is skipped", self.robot_id)
        self.post({"skip": True}, self.command_id())

    def on_said(self, said: Said) -> None:
        self.resolve("said", said.command_id)

    def resolve(self, kind: str, command_id: str) -> bool:
        waiting = self.waiting
        if waiting is None or waiting.kind != kind or waiting.command_id != command_id:
            log.debug("robot %s: %s %s not awaited", self.robot_id, kind, command_id)
            return False
        self.waiting = None
        self.bridge.timers.cancel(waiting.timer)
        if waiting.then is not None:
            waiting.then()
        return True

    def on_timer(self, token: int) -> None:
        waiting = self.waiting
        if waiting is None or waiting.timer != token:
            return
        log.info("robot %s: no %s for %s in time", self.robot_id, waiting.kind, waiting.command_id)
        self.waiting = None
        if waiting.then is not None:
            waiting.then()

    def on_choice(self, choice: Choice) -> None:
        waiting = self.waiting
        # A learner may tap before the Finnish has been said to the end.
        step = (self.lesson or {}).get("step") or {}
        early = (
            waiting is not None
            and waiting.kind == "said"
            and choice.command_id == self.show_id
            and step.get("answer_kind") in ANSWER_KINDS
        )
        awaited = waiting is not None and (
            early or (waiting.kind == "choice" and waiting.command_id == choice.command_id)
        )
        if not awaited:
            if self.lesson is None:
                self.orphans = [*self.orphans[-7:], choice]  # until the lesson is resumed
                return
            if not self.answers_current_step(choice.command_id):
                return
            if step.get("answer_kind") not in ANSWER_KINDS:
                return
        if waiting is not None:
            self.bridge.timers.cancel(waiting.timer)
        self.waiting = None
        given: dict[str, Any] = {}
        if choice.choice is not None:
            given["choice"] = choice.choice
        if choice.order is not None:
            given["order"] = choice.order
        if choice.pairs is not None:
            given["pairs"] = choice.pairs
        self.post({"answer": given}, choice.command_id)

    def try_utterance(self, utterance_id: str) -> None:
        """Upload the answer once both its event and its WAV are here."""
        utterance = self.utterances.get(utterance_id)
        wav = self.audio.get(utterance_id)
        if utterance is None or wav is None:
            return
        if self.lesson is None:
            return  # kept until the lesson is resumed
        del self.utterances[utterance_id], self.audio[utterance_id]
        waiting = self.waiting
        awaited = (
            waiting is not None
            and waiting.kind == "utterance"
            and waiting.command_id == utterance.command_id
        )
        if not awaited and not (
            self.answers_current_step(utterance.command_id)
            and self.lesson["step"]["answer_kind"] == "speech"
        ):
            log.info("robot %s: utterance %s not awaited", self.robot_id, utterance_id)
            return
        if waiting is not None:
            self.bridge.timers.cancel(waiting.timer)
        self.waiting = None
        self.resumed = False
        assert self.lesson is not None and self.signed is not None
        self.send(Leds(id=self.command_id(), state="thinking"))
        step = self.lesson["step"]
        token, session_id = self.signed.token, self.lesson["id"]
        client_id = client_id_for(self.robot_id, utterance_id)
        self.submit(
            str(step["answer_kind"]),
            lambda: self.bridge.api.spoken_answer(token, session_id, step["index"], client_id, wav),
        )

    def post(self, body: dict[str, Any], answer_id: str) -> None:
        assert self.lesson is not None and self.signed is not None
        answered = str(self.lesson["step"]["answer_kind"])
        self.resumed = False
        body = {
            **body,
            "client_id": client_id_for(self.robot_id, answer_id),
            "step": self.lesson["step"]["index"],
        }
        token, session_id = self.signed.token, self.lesson["id"]
        self.submit(answered, lambda: self.bridge.api.answer(token, session_id, body))

    def submit(self, answered: str, send: Callable[[], dict[str, Any]]) -> None:
        """Send an answer (``send`` makes the API call), then say how it went; a refused
        answer or an unreachable server is handled as such."""
        try:
            response = send()
        except ApiError as exc:
            self.answer_refused(exc)
            return
        except ServerUnavailable as exc:
            self.server_gone(exc)
            return
        self.feedback(response, answered)

    def answer_refused(self, exc: ApiError) -> None:
        assert self.lesson is not None and self.signed is not None
        if exc.error == "audio_not_scored":  # silence, too quiet: try again, no penalty
            self.send(Gesture(id=self.command_id(), name="sorry"))
            self.listen(self.lesson["step"])
            return
        if exc.error in ("wrong_step", "session_finished", "conflict"):
            self.reload_lesson()
            return
        if exc.status == 401:
            self.signed, self.lesson = None, None
            self.send(SessionEnd(id=self.command_id(), reason="timeout", message=exc.message))
            self.show_signin()
            return
        log.warning("robot %s: answer refused: %s", self.robot_id, exc)
        self.error("server_error", exc.message)
        self.post({"skip": True}, self.command_id())

    def server_gone(self, exc: ServerUnavailable) -> None:
        log.warning("robot %s: %s", self.robot_id, exc)
        self.error("server_error", "the lesson server is away; the lesson waits")

    def reload_lesson(self) -> None:
        """The server moved on (another bridge, a retry): take its state and carry on."""
        assert self.lesson is not None and self.signed is not None
        step = self.lesson.get("step") or {}
        pack, lesson = self.lesson["pack_id"], self.lesson["lesson_id"]
        self.lesson = self.bridge.api.start_lesson(self.signed.token, pack, lesson)
        if self.lesson.get("finished") or (self.lesson.get("step") or {}) == step:
            self.finish()
        else:
            self.render_step()

    def feedback(self, response: dict[str, Any], answered: str) -> None:
        """Say how it went, then the next step (or the same one again)."""
        self.lesson = response["session"]
        verdict = response.get("verdict")
        if verdict is None or answered == "none":
            self.render_step()
            return
        correct = bool(verdict["correct"])
        self.send(Leds(id=self.command_id(), state="right" if correct else "wrong"))
        self.send(Gesture(id=self.command_id(), name="nod" if correct else "sorry"))
        text = verdict.get("feedback_fi") or ("Oikein!" if correct else "Ei aivan.")
        self.say(text, 1.0, verdict.get("feedback_audio_url"), self.render_step)

    def finish(self) -> None:
        assert self.lesson is not None and self.signed is not None
        try:
            self.bridge.api.finish(self.signed.token, self.lesson["id"])
        except (ApiError, ServerUnavailable) as exc:
            log.warning("robot %s: finishing the lesson: %s", self.robot_id, exc)
        self.end("nominal", "")

    def on_touch(self, touch: Touch) -> None:
        if self.signed is None:
            return
        if touch.target == "stop":
            self.end("aborted_by_learner", "")
        elif touch.target == "skip" and self.lesson is not None and self.lesson.get("step"):
            if self.waiting is not None:
                self.bridge.timers.cancel(self.waiting.timer)
                self.waiting = None
            self.post({"skip": True}, self.command_id())
        elif touch.target in ("repeat", "slower") and self.waiting is not None:
            step = (self.lesson or {}).get("step") or {}
            if step.get("say") and self.waiting.kind in ("choice", "utterance"):
                waiting, self.waiting = self.waiting, None
                self.bridge.timers.cancel(waiting.timer)
                slow = touch.target == "slower"
                url = step["slow_audio_url"] if slow else step["audio_url"]
                self.say(step["say"], 0.8 if slow else float(step["rate"]), url, self.ask)

    def end(self, reason: EndReason, message: str) -> None:
        """End the robot session: at the server, then on the robot; then the sign-in."""
        if self.waiting is not None:
            self.bridge.timers.cancel(self.waiting.timer)
            self.waiting = None
        signed, self.signed, self.lesson = self.signed, None, None
        token = self.bridge.tokens.get(self.robot_id)
        if signed is not None and token is not None:
            try:
                self.bridge.api.end_session(token, signed.session_id, reason)
            except (ApiError, ServerUnavailable) as exc:
                log.warning("robot %s: ending the robot session: %s", self.robot_id, exc)
        self.send(
            SessionEnd(
                id=self.command_id(),
                session_id=signed.session_id if signed else None,
                reason=reason,
                message=message,
            )
        )
        self.bridge.ended(self.robot_id, reason)
        self.show_signin()


class Timers:
    """Deadlines for all robots on one thread; a deadline that passes becomes a Timer item
    in its robot's inbox."""

    def __init__(self, fire: Callable[[str, Timer], None]) -> None:
        self.fire = fire
        self._heap: list[tuple[float, int, str]] = []
        self._cancelled: set[int] = set()
        self._counter = itertools.count(1)
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="bridge-timers", daemon=True)
        self._thread.start()

    def add(self, robot_id: str, seconds: float) -> int:
        token = next(self._counter)
        with self._wake:
            heapq.heappush(self._heap, (time.monotonic() + seconds, token, robot_id))
            self._wake.notify()
        return token

    def cancel(self, token: int) -> None:
        with self._wake:
            self._cancelled.add(token)

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._wake.wait(timeout)
                if self._stopped:
                    return
                _, token, robot_id = heapq.heappop(self._heap)
                if token in self._cancelled:
                    self._cancelled.discard(token)
                    continue
            self.fire(robot_id, Timer(token))


class Bridge:
    """``start()`` connects and returns; ``stop()`` disconnects. Thread-safe."""

    def __init__(
        self,
        settings: broker.BrokerSettings,
        api: LessonApi,
        tokens: RobotTokens,
        *,
        client_id: str | None = None,
        idle_timeout: float = 120.0,
        workers: int = 32,
    ) -> None:
        self.settings, self.api, self.tokens = settings, api, tokens
        self.idle_timeout = idle_timeout
        self.stats = BridgeStats()
        self._error_replies = ReplyBudget()
        self.client_id = client_id or f"sanapaja-bridge-{secrets.token_hex(4)}"
        self.connected = threading.Event()
        self.sessions_ended: list[tuple[str, str]] = []
        self._conversations: dict[str, Conversation] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bridge")
        self._ids = itertools.count(1)
        self._prefix = secrets.token_hex(3)
        self.timers = Timers(self._enqueue)
        self._was_connected = False
        # A fixed client id keeps the broker's session (and the robots' answers queued in
        # it) across a bridge restart.
        self.persistent = client_id is not None
        self.client = broker.make_client(self.client_id, settings, clean=not self.persistent)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    def subscriptions(self) -> list[str]:
        return [f"{ROOT}/+/status", f"{ROOT}/+/event/#", f"{ROOT}/+/audio/+"]

    def start(self) -> None:
        broker.connect(self.client, self.settings, clean=not self.persistent)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        self.timers.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _on_connect(
        self,
        client: mqtt.Client,
        _userdata: Any,
        _flags: Any,
        reason: ReasonCode,
        _properties: Any,
    ) -> None:
        if reason.is_failure:
            log.error("broker refused the bridge: %s", reason)
            return
        client.subscribe([(topic, 1) for topic in self.subscriptions()])
        log.info("bridge connected to %s:%d", self.settings.host, self.settings.port)
        if self._was_connected:
            with self._lock:
                robots = list(self._conversations)
            for robot_id in robots:
                self._enqueue(robot_id, Reconnected())
        self._was_connected = True
        self.connected.set()

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any
    ) -> None:
        self.connected.clear()
        if reason.is_failure:
            log.warning("bridge lost the broker (%s); reconnecting", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        payload = bytes(message.payload)
        try:
            incoming = parse_from_robot(message.topic, payload)
        except BadMessage as bad:
            self.stats.malformed += 1
            robot_id = bad.robot_id or robot_id_of(message.topic)
            if robot_id is not None and not self._error_replies.allow(robot_id, time.monotonic()):
                self.stats.replies_suppressed += 1  # counted, not answered nor logged again
                return
            log.warning("malformed message on %r: %s: %s", message.topic, bad.reason, bad.message)
            if robot_id is not None:
                topic = ProtocolError.topic(robot_id=robot_id)
                self.publish(topic, bad.reply(message.topic, payload))
            return
        self._enqueue(incoming.robot_id, incoming)

    def _enqueue(self, robot_id: str, item: Incoming | Timer | Reconnected) -> None:
        with self._lock:
            conversation = self._conversations.get(robot_id)
            if conversation is None:
                conversation = self._conversations[robot_id] = Conversation(self, robot_id)
            conversation.inbox.append((time.perf_counter(), item))
            if conversation.scheduled:
                return
            conversation.scheduled = True
        self._pool.submit(self._drain, conversation)

    def _drain(self, conversation: Conversation) -> None:
        while True:
            with self._lock:
                if not conversation.inbox:
                    conversation.scheduled = False
                    return
                received, item = conversation.inbox.popleft()
            conversation.handling_since = received if isinstance(item, Incoming) else None
            conversation.queued_s = time.perf_counter() - received
            self.api.take_server_seconds()
            try:
                conversation.handle(item)
            except Exception:
                # One robot's trouble must not stop the others; the robot hears of it.
                log.exception("robot %s: handling failed", conversation.robot_id)
                conversation.error("server_error", "the bridge failed on this message")
            finally:
                conversation.handling_since = None

    def new_command_id(self, robot_id: str) -> str:
        return f"{self._prefix}.{next(self._ids)}"

    def send(self, robot_id: str, command: Command) -> None:
        self.publish(
            type(command).topic(robot_id=robot_id),
            command,
            correlation=command.id,
            expiry_s=broker.COMMAND_EXPIRY_S,
        )

    def publish(
        self,
        topic: str,
        message: Message,
        *,
        correlation: str | None = None,
        expiry_s: int | None = None,
    ) -> None:
        broker.publish(
            self.client,
            topic,
            message,
            mqtt5=self.settings.mqtt5,
            correlation=correlation,
            expiry_s=expiry_s,
        )

    def ended(self, robot_id: str, reason: str) -> None:
        with self._lock:
            self.sessions_ended.append((robot_id, reason))
