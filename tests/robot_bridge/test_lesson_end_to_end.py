"""A whole lesson at a software robot: real Mosquitto, the real lesson server, the bridge
between them, spoken answers as WAVs from espeak-ng."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from robot_bridge.bridge import client_id_for, expected_seconds, say_timeout
from robot_bridge.messages import Listen, Say, SessionEnd, Show
from robot_bridge.simulator import Script
from tests.robot_bridge.conftest import (
    LessonServer,
    Mosquitto,
    learner_wav,
    start_bridge,
    start_robot,
    wait_until,
)

LESSON = {"pack_id": "esimerkki", "lesson_id": "aanteet"}


def aanteet_script(folder: Path, signin: dict[str, str]) -> Script:
    """The sound-length lesson: three minimal pairs heard, then tuli and tuuli said."""
    learner_wav("tuli", folder)
    learner_wav("tuuli", folder)
    answers = [{"choose": "heard"}] * 3 + [{"say": "tuli.wav"}, {"say": "tuuli.wav"}]
    return Script.from_dict({"signin": signin, "lesson": LESSON, "answers": answers}, folder)


def attempts(server: LessonServer) -> list[tuple[str, dict[str, object]]]:
    from sqlalchemy import select

    from tutor_server import db
    from tutor_server.models import Attempt

    with server.app.app_context():
        rows = db.get_session().execute(select(Attempt.client_id, Attempt.response)).all()
        return [(row.client_id, row.response) for row in rows]


def test_a_paired_learner_does_a_whole_lesson_with_spoken_answers(
    mosquitto: Mosquitto, lesson_server: LessonServer, tmp_path: Path
) -> None:
    token = lesson_server.add_robot("kahvio-1")
    learner = lesson_server.join()
    code = lesson_server.pairing_code(learner["token"])
    script = aanteet_script(tmp_path, {"method": "pairing_code", "code": code})
    bridge = start_bridge(mosquitto, lesson_server, {"kahvio-1": token})
    robot = start_robot(mosquitto, "kahvio-1", script)
    try:
        wait_until(lambda: robot.transcript.ends, 120, "the end of the lesson")
    finally:
        robot.stop()
        bridge.stop()
    transcript = robot.transcript
    assert [end.reason for end in transcript.ends] == ["nominal"], transcript.errors
    assert transcript.half_duplex_violations == 0
    assert not transcript.errors
    commands = transcript.commands
    says = [c for c in commands if isinstance(c, Say)]
    # The tutor's audio is fetched from the server by the robot (NAO has no Finnish voice).
    steps_said = [s for s in says if s.text in ("tuli", "tuuli")]
    assert len(steps_said) == 7
    assert all(s.audio_url and s.audio_url.startswith(lesson_server.url) for s in steps_said)
    assert {s.text for s in says} - {"tuli", "tuuli"} == {"Oikein!"}  # the feedback
    feedback = [s for s in says if s.text == "Oikein!"]
    assert all(s.audio_url and s.audio_url.startswith(lesson_server.url) for s in feedback)
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy
    with direct.open(str(feedback[0].audio_url), timeout=30) as spoken:
        assert spoken.status == 200 and spoken.headers["Content-Type"] == "audio/wav"
    slow = [s for s in says if s.rate == 0.8]
    assert len(slow) == 3  # the minimal pairs are heard slowly
    # Every listen comes after a say that was reported finished (half duplex).
    said_ids = [e.command_id for e in transcript.sent if type(e).__name__ == "Said"]
    for index, command in enumerate(commands):
        if isinstance(command, Listen):
            last_say = next(c for c in reversed(commands[:index]) if isinstance(c, Say))
            assert last_say.id in said_ids
            assert command.max_seconds == pytest.approx(4.8)
    shows = [c for c in commands if isinstance(c, Show) and c.answer != "signin"]
    glossed = [show for show in shows if show.gloss]
    assert glossed and all(show.gloss_language == "ru" for show in glossed)
    # The server saw every answer once, under client ids made from the robot's ids.
    answered = attempts(lesson_server)
    assert len(answered) == 7
    assert all(client_id.startswith("kahvio-1/") for client_id, _ in answered)
    spoken = [response for _, response in answered if response["scoring"] is not None]
    utterance_ids = [e.utterance_id for e in transcript.sent if type(e).__name__ == "Utterance"]
    assert {client_id for client_id, r in answered if r["scoring"]} == {
        client_id_for("kahvio-1", u) for u in utterance_ids
    }
    assert [r["verdict"]["correct"] for r in spoken] == [True, True], spoken  # type: ignore[index]
    # Progress is the learner's, as if they had used the app.
    progress = lesson_server.get("/api/v1/progress", learner["token"])
    assert progress["lessons_finished"] == 1 and progress["words_practised"] == 2


def test_a_guest_practises_and_nothing_is_kept(
    mosquitto: Mosquitto, lesson_server: LessonServer, tmp_path: Path
) -> None:
    from sqlalchemy import func, select

    from tutor_server import db
    from tutor_server.models import Learner, LessonSession, RobotSession

    token = lesson_server.add_robot("aula")
    script = aanteet_script(tmp_path, {"method": "guest", "support_language": "en"})
    bridge = start_bridge(mosquitto, lesson_server, {"aula": token})
    robot = start_robot(mosquitto, "aula", script)
    try:
        wait_until(lambda: robot.transcript.ends, 120, "the end of the lesson")
    finally:
        robot.stop()
        bridge.stop()
    assert [end.reason for end in robot.transcript.ends] == ["nominal"]
    with lesson_server.app.app_context():
        session = db.get_session()
        assert session.scalar(select(func.count(Learner.id))) == 0
        assert session.scalar(select(func.count(LessonSession.id))) == 0
        ended = session.scalars(select(RobotSession)).one()
        assert ended.end_reason == "nominal" and ended.method == "guest"


def test_timeouts_scale_with_the_length_of_the_speech() -> None:
    short, long = expected_seconds("Kiitos!", 1.0), expected_seconds("Lattia on liukas." * 3, 1.0)
    assert long > 3 * short
    assert expected_seconds("tuli", 0.8) > expected_seconds("tuli", 1.0)
    assert say_timeout(long) - say_timeout(short) == pytest.approx(2 * (long - short))


def test_a_long_client_id_is_shortened_but_stays_the_same() -> None:
    robot = "r" * 63
    first, again = client_id_for(robot, "u" * 48), client_id_for(robot, "u" * 48)
    assert first == again and len(first) == 64
    assert client_id_for("r1", "u1") == "r1/u1"


@pytest.mark.parametrize("mqtt5", [True, False], ids=["mqtt5", "mqtt3.1.1"])
def test_the_end_of_a_lesson_says_why(
    mosquitto: Mosquitto, lesson_server: LessonServer, tmp_path: Path, mqtt5: bool
) -> None:
    """The script stops after one answer: the session ends aborted by the learner (on
    MQTT 5 and on 3.1.1)."""
    token = lesson_server.add_robot("k2")
    script = Script.from_dict(
        {
            "signin": {"method": "guest", "support_language": "en"},
            "lesson": LESSON,
            "answers": [{"choose": "heard"}],
        },
        tmp_path,
    )
    bridge = start_bridge(mosquitto, lesson_server, {"k2": token}, mqtt5=mqtt5)
    robot = start_robot(mosquitto, "k2", script, mqtt5=mqtt5)
    try:
        wait_until(lambda: robot.transcript.ends, 60, "the end")
    finally:
        robot.stop()
        bridge.stop()
    assert isinstance(robot.transcript.ends[0], SessionEnd)
    assert robot.transcript.ends[0].reason == "aborted_by_learner"
    assert ("k2", "aborted_by_learner") in bridge.sessions_ended
    assert attempts(lesson_server) == []  # a guest's answers go with the guest
