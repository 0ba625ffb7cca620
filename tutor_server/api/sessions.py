"""Lesson and review sessions: start or resume, the current step, answers, finish."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import CursorResult, select, update

from lessons.engine.session import (
    Answer,
    SessionError,
    SessionState,
    answer,
    skip,
    start_lesson,
)
from lessons.engine.steps import NORMAL_RATE, SLOW_RATE, AnswerKind, Step
from lessons.pack.model import StepKind
from lessons.pack.phrases import speaking_cohort
from lessons.scheduling import (
    LearnerSchedule,
    daily_review,
    item_priorities,
    session_ratings,
)
from tutor_server import db, session_store
from tutor_server.api import schemas
from tutor_server.api.audio import audio_url
from tutor_server.api.context import current_learner, learner_packs
from tutor_server.api.errors import ApiError
from tutor_server.api.spec import json_body, operation, parse
from tutor_server.models import (
    Attempt,
    Learner,
    LessonSession,
    Recording,
)

bp = Blueprint("sessions", __name__)


def _public_step(step: Step, index: int, before: Step | None = None) -> dict[str, Any]:
    """A step as front ends see it: the right answers stay on the server until the step is
    done (the answer's verdict then carries them). On the learner's turn in a dialogue,
    ``reply_to`` is the line they answer (the step ``before``)."""
    data = step.to_dict()
    data.pop("expected")
    data["feedback"].pop("answer_fi")
    data["index"] = index
    data["reply_to"] = None
    answering = step.kind is StepKind.DIALOGUE_TURN and step.answer_kind is AnswerKind.SPEECH
    if answering and before is not None and before.kind is StepKind.DIALOGUE_TURN:
        data["reply_to"] = {
            "fi": before.show_fi,
            "speaker": before.speaker,
            "gloss": before.gloss,
            "gloss_reviewed": before.gloss_reviewed,
            "audio_url": audio_url(before.say, before.rate) if before.say else None,
        }
    data["audio_url"] = audio_url(step.say, step.rate) if step.say else None
    data["slow_audio_url"] = audio_url(step.say, SLOW_RATE) if step.say else None
    # Options that are whole items can be heard; the loose words of a sentence cannot.
    spoken_options = step.kind in (
        StepKind.CHOOSE_TRANSLATION,
        StepKind.MINIMAL_PAIR,
        StepKind.MATCH_PAIRS,
    )
    for option in (*data["options"], *data["right_options"]):
        heard = spoken_options and option.get("fi")
        option["audio_url"] = audio_url(option["fi"], NORMAL_RATE) if heard else None
    return data


def _session_json(record: LessonSession, state: SessionState) -> dict[str, Any]:
    step = state.current
    before = state.steps[state.position - 1] if step is not None and state.position else None
    return {
        "id": record.id,
        "kind": str(state.kind),
        "pack_id": state.pack_id,
        "lesson_id": state.lesson_id,
        "position": state.position,
        "total": len(state.steps),
        "finished": record.finished,
        "steps_done": state.finished,
        "part": state.part + 1,
        "parts": state.parts,
        "step": _public_step(step, state.position, before) if step is not None else None,
    }


@operation(
    bp,
    "POST",
    "/sessions",
    body=schemas.SessionStart,
    responses={
        200: (schemas.Session, "Resumed"),
        201: (schemas.Session, "Started"),
    },
    errors={404: "Not one of the learner's packs or lessons", 409: "Nothing is due for review"},
)
def create_session() -> tuple[Response, int]:
    """Start a lesson (or resume the unfinished one), or start today's review."""
    learner = current_learner()
    data = json_body(schemas.SessionStart)
    with db.transaction() as session:
        packs = learner_packs(learner)
        kind = data.kind
        seed = secrets.randbelow(2**31)
        if kind == "review":
            schedule = LearnerSchedule.from_dict(learner.schedule)
            now = datetime.now(UTC)
            state = daily_review(schedule, packs, learner.support_language, now, seed)
            if not state.steps:
                raise ApiError(409, "nothing_due", "no words are due for review now")
        else:
            pack_id, lesson_id = data.pack_id, data.lesson_id
            pack = packs.get(pack_id) if pack_id is not None else None
            if pack is None:
                raise ApiError(404, "unknown_pack", "not one of your packs", {"pack_id": "unknown"})
            if not any(lesson.id == lesson_id for lesson in pack.lessons):
                raise ApiError(404, "unknown_lesson", "no such lesson", {"lesson_id": "unknown"})
            open_session = session.scalar(
                select(LessonSession).where(
                    LessonSession.learner_id == learner.id,
                    LessonSession.pack_id == pack_id,
                    LessonSession.lesson_id == lesson_id,
                    LessonSession.finished.is_(False),
                )
            )
            if open_session is not None:
                resumed = session_store.load_state(current_app, open_session)
                return jsonify(_session_json(open_session, resumed)), 200
            seed, part = _next_part(learner, pack.id, pack.version, str(lesson_id), seed)
            state = start_lesson(pack, str(lesson_id), learner.support_language, seed, part)
        record = session_store.new_record(current_app, secrets.token_hex(12), learner.id, state)
        session.add(record)
        session.flush()
        body = _session_json(record, state)
    return jsonify(body), 201


def _next_part(
    learner: Learner, pack_id: str, version: str, lesson_id: str, new_seed: int
) -> tuple[int, int]:
    """(seed, part) of the lesson's next session: the part after the last one finished, with
    its plan's seed, or the first part of a new plan when the lesson was done (or changed)."""
    last = db.get_session().scalar(
        select(LessonSession)
        .where(
            LessonSession.learner_id == learner.id,
            LessonSession.pack_id == pack_id,
            LessonSession.lesson_id == lesson_id,
            LessonSession.finished,
        )
        .order_by(LessonSession.created_at.desc(), LessonSession.id.desc())
        .limit(1)
    )
    if last is None:
        return new_seed, 0
    progress: dict[str, Any] = last.state
    part, parts = int(progress.get("part", 0)), int(progress.get("parts", 1))
    if part + 1 >= parts or progress.get("pack_version") != version:
        return new_seed, 0
    return int(progress["seed"]), part + 1


def _own_session(session_id: str, *, lock: bool = False) -> LessonSession:
    learner = current_learner()
    if "\x00" in session_id:
        raise ApiError(404, "unknown_session", "no such lesson session")
    query = select(LessonSession).where(
        LessonSession.id == session_id, LessonSession.learner_id == learner.id
    )
    if lock:
        query = query.with_for_update()
    record = db.get_session().scalar(query)
    if record is None:
        raise ApiError(404, "unknown_session", "no such lesson session")
    return record


@operation(
    bp,
    "GET",
    "/sessions/<session_id>",
    responses={200: (schemas.Session, "The session")},
    errors={404: "No such session"},
)
def get_session(session_id: str) -> Response:
    """A session and its current step."""
    record = _own_session(session_id)
    return jsonify(_session_json(record, session_store.load_state(current_app, record)))


@operation(
    bp,
    "GET",
    "/sessions/<session_id>/steps",
    responses={200: (schemas.SessionSteps, "The current step and the steps after it")},
    errors={404: "No such session"},
)
def session_steps(session_id: str) -> Response:
    """The current step and those after it, as front ends see them: a phone keeps them (and
    their audio) to go on through a lesson without a connection, answers waiting to be sent."""
    record = _own_session(session_id)
    state = session_store.load_state(current_app, record)
    steps = [
        _public_step(state.steps[index], index, state.steps[index - 1] if index else None)
        for index in range(state.position, len(state.steps))
    ]
    return jsonify({"position": state.position, "total": len(state.steps), "steps": steps})


def _given(answer_given: schemas.AnswerGiven | None) -> Answer:
    if answer_given is None:
        raise ApiError(400, "invalid_fields", "give an answer object", {"answer": "required"})
    return Answer(
        choice=answer_given.choice,
        order=tuple(answer_given.order) if answer_given.order is not None else None,
        pairs=answer_given.pairs,
        text=answer_given.text,
    )


@dataclass(frozen=True)
class _Upload:
    client_id: str
    step: int
    wav: bytes


def _score_audio(
    learner: Learner, step: Step, session_pack_id: str | None, upload: _Upload
) -> tuple[Answer, dict[str, Any], bytes | None]:
    """Score the uploaded recording in memory: the answer, the scoring result, and the WAV
    when it may be kept (the group records and the learner agreed), else None.

    The pack's confusables of the item and its other phrases (the cohort) go to the scorer,
    so an answer made of other words of the pack is told apart from the target."""
    from speech.audio import AudioFormatError, read_wav
    from speech.checks import Verdict
    from speech.scoring import PronunciationScorer

    wav = upload.wav
    if step.answer_kind is not AnswerKind.SPEECH or not step.expected:
        raise ApiError(409, "not_a_speech_step", "this step does not take a recording")
    scorer: PronunciationScorer = current_app.extensions["sanapaja.scorer"]
    confusables: list[str] = []
    recordings: list[bytes] = []
    cohort: list[str] = []
    item_pack_id, _, item_id = (step.item_ref or "").partition("/")
    pack = learner_packs(learner).get(item_pack_id or session_pack_id or "")
    if pack is not None:
        item = pack.items.get(item_id)
        if item is not None:
            confusables = [pack.items[c].fi for c in item.confusables if c in pack.items]
            if pack.root is not None:
                recordings = [(pack.root / path).read_bytes() for path in item.recordings]
        cohort = speaking_cohort(pack, step.expected)
    # Every accepted form (the standard one first; then alternatives and a dialogue line's
    # spoken form) until one is right: the best result counts.
    try:
        audio = read_wav(wav, scorer.limits)  # decoded once for every form
    except AudioFormatError as exc:
        raise ApiError(400, exc.key, str(exc), {"audio": str(exc)}) from exc
    results = []
    for index, form in enumerate(step.expected):
        standard = index == 0
        result = scorer.score(
            audio,
            form,
            confusables if standard else (),
            recordings if standard else (),
            cohort=cohort,
        )
        results.append(result)
        if result.verdict not in (Verdict.CLOSE, Verdict.WRONG):
            break  # right, or an audio verdict that no other form changes
    result = max(results, key=lambda candidate: candidate.score)
    scoring = result.to_dict()
    verdict = scoring["verdict"]
    if verdict not in ("correct", "close", "wrong"):
        # No speech, too quiet, …: tell the learner, and let them try again without a penalty.
        raise ApiError(422, "audio_not_scored", result.message_key, {"audio": verdict})
    keep = learner.group.recording_enabled and learner.recording_consent
    return Answer(score=result.score), scoring, wav if keep else None


def _read_answer() -> tuple[_Upload | None, schemas.AnswerJson]:
    """A multipart upload with the recording, or a JSON answer (then the upload is None)."""
    if request.mimetype != "multipart/form-data":
        return None, json_body(schemas.AnswerJson)
    fields = parse(schemas.AnswerJson, {**request.form.to_dict(), "step": _form_int("step")})
    audio = request.files.get("audio")
    if audio is None:
        raise ApiError(
            400, "invalid_fields", "send the recording as 'audio'", {"audio": "required"}
        )
    return _Upload(fields.client_id, fields.step, audio.read()), fields


def _form_int(name: str) -> object:
    """A form field holding an integer, as an int; anything else stays as it is (and fails)."""
    value = request.form.get(name)
    return int(value) if value is not None and value.isascii() and value.isdigit() else value


def _accepted(session_id: str, client_id: str) -> dict[str, Any] | None:
    """The response to an answer already accepted under this client_id, if there is one."""
    return db.get_session().scalar(
        select(Attempt.response).where(
            Attempt.session_id == session_id, Attempt.client_id == client_id
        )
    )


@operation(
    bp,
    "POST",
    "/sessions/<session_id>/answers",
    body=schemas.AnswerJson,
    upload=schemas.AnswerUpload,
    responses={
        200: (schemas.AnswerResult, "Already accepted (a retry)"),
        201: (schemas.AnswerResult, "Accepted"),
    },
    errors={
        404: "No such session",
        409: "Not the current step, or the lesson is finished",
        422: "The recording could not be scored (no speech, too quiet, ...)",
    },
)
def post_answer(session_id: str) -> tuple[Response, int]:
    """Answer the current step. A retry with the same client_id returns the first response.

    Judging (and scoring a recording) happens before the write; the write is one short
    compare-and-set on the session, so the database's single writer is held briefly.
    """
    learner = current_learner()
    upload, data = _read_answer()
    client_id = upload.client_id if upload is not None else data.client_id
    step_index = upload.step if upload is not None else data.step
    record = _own_session(session_id)
    earlier = _accepted(record.id, client_id)
    if earlier is not None:
        return jsonify(earlier), 200
    state = session_store.load_state(current_app, record)
    step = state.current
    if record.finished or step is None:
        raise ApiError(409, "session_finished", "this lesson is finished")
    if step_index != state.position:
        raise ApiError(
            409,
            "wrong_step",
            f"the current step is {state.position}",
            {"step": str(state.position)},
        )
    scoring, recording = None, None
    if upload is not None:
        given, scoring, recording = _score_audio(learner, step, state.pack_id, upload)
    elif data.skip:
        given = None
    else:
        if step.answer_kind is AnswerKind.SPEECH:
            # Typed text is no proof of speaking: a spoken step takes a recording, or a skip.
            raise ApiError(
                400,
                "recording_required",
                "this step takes a recording ('audio') or a skip",
                {"audio": "required"},
            )
        given = _given(data.answer)
    try:
        if given is None:
            new_state, verdict_json = skip(state), None
        else:
            new_state, verdict = answer(state, given)
            # The tutor's "Oikein!" / "Ei aivan." as audio too: a robot has no Finnish voice.
            verdict_json = {
                **verdict.to_dict(),
                "feedback_audio_url": audio_url(verdict.feedback_fi, NORMAL_RATE),
            }
    except SessionError as exc:
        raise ApiError(400, "invalid_answer", str(exc), {"answer": str(exc)}) from exc
    body = {
        "client_id": client_id,
        "step": step_index,
        "verdict": verdict_json,
        "scoring": scoring,
        "session": _session_json(record, new_state),
    }
    with db.transaction() as session:
        # Compare-and-set: of two answers to the same step arriving at once, only the first
        # moves the lesson on; the other finds the session changed under it.
        claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(LessonSession)
            .where(LessonSession.id == record.id, LessonSession.updated_at == record.updated_at)
            .values(state=new_state.progress_to_dict(), updated_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            earlier = _accepted(record.id, client_id)
            if earlier is not None:  # the same answer, sent twice at once: the first counts
                return jsonify(earlier), 200
            raise ApiError(409, "conflict", "another answer to this step arrived at the same time")
        session.add(
            Attempt(session_id=record.id, client_id=client_id, step_index=step_index, response=body)
        )
        if recording is not None:
            session.add(
                Recording(
                    learner_id=learner.id,
                    session_id=record.id,
                    step_index=step_index,
                    wav=recording,
                )
            )
    return jsonify(body), 201


@operation(
    bp,
    "POST",
    "/sessions/<session_id>/finish",
    responses={200: (schemas.Finished, "Finished")},
    errors={404: "No such session", 409: "Some steps are not answered or skipped"},
)
def finish_session(session_id: str) -> Response:
    """End the lesson: its outcomes go into spaced repetition (once)."""
    now = datetime.now(UTC)
    with db.transaction():
        record = _own_session(session_id, lock=True)
        learner: Learner = g.learner
        state = session_store.load_state(current_app, record)
        ratings = session_ratings(state)
        if not record.finished and not state.finished:
            raise ApiError(
                409,
                "lesson_not_done",
                f"answer or skip every step first; the current step is {state.position}",
                {"step": str(state.position)},
            )
        if not record.finished:
            schedule = LearnerSchedule.from_dict(learner.schedule)
            schedule.record_session(ratings, now, item_priorities(learner_packs(learner)))
            learner.schedule = schedule.to_dict()
            _count_day(learner, now.date())
            record.finished = True
        schedule = LearnerSchedule.from_dict(learner.schedule)
        next_due = schedule.next_due()
        body = {
            "session": _session_json(record, state),
            "ratings": {ref: int(rating) for ref, rating in ratings.items()},
            "next_review": next_due.isoformat() if next_due else None,
            "streak_days": learner.streak_days,
        }
    return jsonify(body)


def _count_day(learner: Learner, today: date) -> None:
    if learner.last_active_day == today.isoformat():
        return
    yesterday = (today - timedelta(days=1)).isoformat()
    learner.streak_days = learner.streak_days + 1 if learner.last_active_day == yesterday else 1
    learner.last_active_day = today.isoformat()
