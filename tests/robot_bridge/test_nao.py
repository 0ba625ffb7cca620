"""The NAO adapter against a fake qi session that records every call (there is no robot
here): unit checks of each mapping, then a whole lesson through the real broker, bridge and
server with the fake robot's head and tablet answering."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from robot_bridge.messages import Gesture, Leds, Listen, Say, Show, ShowChoice
from robot_bridge.nao.player import ANIMATIONS, TABLET_EVENT, NaoPlayer
from robot_bridge.simulator import SoftwareRobot, silent_wav
from tests.robot_bridge.conftest import (
    LessonServer,
    Mosquitto,
    learner_wav,
    start_bridge,
    wait_until,
)


class FakeSignal:
    def __init__(self) -> None:
        self.callbacks: list[Callable[[Any], None]] = []

    def connect(self, callback: Callable[[Any], None]) -> int:
        self.callbacks.append(callback)
        return len(self.callbacks)


class FakeSubscriber:
    def __init__(self) -> None:
        self.signal = FakeSignal()


class FakeService:
    """Records calls as (service, method, args); ``answers`` gives return values."""

    def __init__(self, name: str, session: FakeSession) -> None:
        self.name, self.session = name, session

    def __getattr__(self, method: str) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            self.session.calls.append((self.name, method, args))
            hook = self.session.hooks.get((self.name, method))
            return hook(*args) if hook is not None else None

        return call


class FakeSession:
    def __init__(self, services: tuple[str, ...]) -> None:
        self.calls: list[tuple[str, str, tuple[Any, ...]]] = []
        self.hooks: dict[tuple[str, str], Callable[..., Any]] = {}
        self.services = services
        self.subscribers: dict[str, FakeSubscriber] = {}
        self.hooks[("ALMemory", "subscriber")] = self._subscriber

    def _subscriber(self, event: str) -> FakeSubscriber:
        return self.subscribers.setdefault(event, FakeSubscriber())

    def service(self, name: str) -> FakeService:
        if name not in self.services:
            raise RuntimeError(f"Service {name} not found")
        return FakeService(name, self)

    def raise_event(self, event: str, value: Any) -> None:
        for callback in self.subscribers[event].signal.callbacks:
            callback(value)

    def called(self, service: str, method: str) -> list[tuple[Any, ...]]:
        return [args for s, m, args in self.calls if (s, m) == (service, method)]


NAO = (
    "ALAudioPlayer",
    "ALAnimatedSpeech",
    "ALAudioRecorder",
    "ALAudioDevice",
    "ALLeds",
    "ALMemory",
)
PEPPER = (*NAO, "ALTabletService")


def test_each_command_maps_onto_a_naoqi_call(tmp_path: Path) -> None:
    session = FakeSession(PEPPER)
    player = NaoPlayer(session, tmp_path)
    player.display(Gesture(id="g", name="nod"))
    player.display(Leds(id="l", state="right"))
    show = Show(
        id="s1",
        text="tuli",
        gloss="fire",
        choices=[ShowChoice(id="o0", text="tuli"), ShowChoice(id="o1", text="tuuli")],
        answer="choice",
    )
    player.display(show)
    assert session.called("ALAnimatedSpeech", "say") == [("^run(animations/Stand/Gestures/Yes_1)",)]
    assert session.called("ALLeds", "fadeRGB") == [("FaceLeds", 0x0000FF00, 0.2)]
    (url,) = session.called("ALTabletService", "showWebview")[0]
    page = unquote(url)
    assert "<h1>tuli</h1>" in page and "send('o1')" in page and TABLET_EVENT in page
    wav = silent_wav(0.5)
    player.play(Say(id="c", text="tuli", expected_seconds=0.5), wav)
    (path,) = session.called("ALAudioPlayer", "playFile")[0]
    assert Path(path).read_bytes() == wav
    player.play(Say(id="c", text="tuli", expected_seconds=0.5), None)  # nothing to play
    assert len(session.called("ALAudioPlayer", "playFile")) == 1


def test_recording_stops_after_silence_and_returns_the_wav(tmp_path: Path) -> None:
    session = FakeSession(NAO)
    energies = iter([100, 2000, 2500, 2000] + [50] * 100)
    session.hooks[("ALAudioDevice", "getFrontMicEnergy")] = lambda: next(energies)
    recorded = silent_wav(1.0)
    session.hooks[("ALAudioRecorder", "startMicrophonesRecording")] = lambda path, *_: Path(
        path
    ).write_bytes(recorded)
    player = NaoPlayer(session, tmp_path)
    wav = player.record(Listen(id="l1", max_seconds=5, silence_seconds=0.3))
    assert wav == recorded
    (args,) = session.called("ALAudioRecorder", "startMicrophonesRecording")
    assert args[1:] == ("wav", 16000, [0, 0, 1, 0])
    assert session.called("ALAudioRecorder", "stopMicrophonesRecording") == [()]
    assert len(session.called("ALAudioDevice", "getFrontMicEnergy")) < 15  # not the 5 s


@pytest.mark.parametrize(
    ("event", "value", "expected"),
    [
        ("FrontTactilTouched", 1.0, "o0"),
        ("RearTactilTouched", 1.0, "o1"),
        (TABLET_EVENT, "o1", "o1"),
    ],
)
def test_head_and_tablet_answer_a_choice(
    tmp_path: Path, event: str, value: Any, expected: str
) -> None:
    session = FakeSession(PEPPER)
    player = NaoPlayer(session, tmp_path)
    show = Show(id="s1", choices=[ShowChoice(id="o0"), ShowChoice(id="o1")], answer="choice")
    threading.Timer(0.1, session.raise_event, (event, value)).start()
    answer = player.answer(show, None)
    assert answer is not None and getattr(answer, "choice", None) == expected


def test_the_middle_of_the_head_asks_again_and_nao_without_a_tablet_has_no_screen(
    tmp_path: Path,
) -> None:
    session = FakeSession(NAO)
    player = NaoPlayer(session, tmp_path)
    assert player.tablet is None
    player.display(Show(id="s", text="tuli"))
    assert not session.called("ALTabletService", "showWebview")
    threading.Timer(0.1, session.raise_event, ("MiddleTactilTouched", 1.0)).start()
    touch = player.answer(Show(id="s", answer="choice"), None)
    assert getattr(touch, "target", None) == "repeat"


def test_a_whole_lesson_on_a_fake_pepper(
    mosquitto: Mosquitto, lesson_server: LessonServer, tmp_path: Path
) -> None:
    """The adapter speaks the real protocol: the fake learner taps the tablet's first
    button, says "tuli" into the fake microphone, and types the pairing code."""
    token = lesson_server.add_robot("pepper-1")
    learner = lesson_server.join()
    code = lesson_server.pairing_code(learner["token"])
    session = FakeSession(PEPPER)
    said = learner_wav("tuli", tmp_path).read_bytes()
    energies = iter(())

    def start_recording(path: str, *_: Any) -> None:
        nonlocal energies
        energies = iter([3000, 3000])  # the learner speaks, then is quiet
        Path(path).write_bytes(said)

    session.hooks[("ALAudioRecorder", "startMicrophonesRecording")] = start_recording
    session.hooks[("ALAudioDevice", "getFrontMicEnergy")] = lambda: next(energies, 10)

    def tablet(url: str) -> None:
        page = unquote(url)
        if "document.getElementById('code')" in page:
            answer = f"code:{code}"
        elif "send('" in page:
            answer = page.split("send('", 1)[1].split("'", 1)[0]
        else:
            return
        threading.Timer(0.05, session.raise_event, (TABLET_EVENT, answer)).start()

    session.hooks[("ALTabletService", "showWebview")] = tablet
    bridge = start_bridge(mosquitto, lesson_server, {"pepper-1": token})
    player = NaoPlayer(session, tmp_path / "nao")
    robot = SoftwareRobot("pepper-1", mosquitto.settings(), player)
    robot.start()
    try:
        wait_until(lambda: robot.transcript.ends, 120, "the end of the lesson")
    finally:
        robot.stop()
        bridge.stop()
    assert [end.reason for end in robot.transcript.ends] == ["nominal"]
    assert len(session.called("ALAudioPlayer", "playFile")) >= 7
    assert session.called("ALAudioRecorder", "startMicrophonesRecording")
    assert ("FaceLeds", 0x000000FF, 0.2) in session.called("ALLeds", "fadeRGB")  # listening
    gestures = {args[0] for args in session.called("ALAnimatedSpeech", "say")}
    sent = [c for c in robot.transcript.commands if isinstance(c, Gesture)]
    assert sent and gestures == {f"^run({ANIMATIONS[c.name]})" for c in sent}
    progress = lesson_server.get("/api/v1/progress", learner["token"])
    assert progress["lessons_finished"] == 1
