"""The JSON API under /api/v1 that every front end uses (the learner app, the robot bridge).

Errors are ``{"error", "message", "fields"}`` with a 4xx status; no input makes a 500.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from lessons.engine.session import (
    Answer,
    SessionError,
    SessionKind,
    SessionState,
    answer,
    skip,
    start_lesson,
)
from lessons.engine.steps import NORMAL_RATE, SLOW_RATE, AnswerKind, Step
from lessons.pack.model import SUPPORT_LANGUAGES, Pack, StepKind
from lessons.pack.phrases import pack_phrases, speaking_cohort
from lessons.scheduling import (
    LearnerSchedule,
    daily_review,
    default_schedulers,
    due_refs,
    item_priorities,
    session_ratings,
)
from tutor_server import db, session_store
from tutor_server.groups import CODE_ALPHABET, new_code
from tutor_server.models import (
    Attempt,
    Group,
    Learner,
    LessonSession,
    Recording,
)
from tutor_server.openapi import openapi_document
from tutor_server.pack_runtime import current_packs, group_packs

if TYPE_CHECKING:
    from speech.tts import Voice

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_NAME = 40
MAX_CLIENT_ID = 64
REVIEW_LIMIT = 10


class ApiError(Exception):
    def __init__(
        self, status: int, error: str, message: str, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.fields = status, error, message, fields or {}


def error_response(
    status: int, error: str, message: str, fields: dict[str, str] | None = None
) -> tuple[Response, int]:
    return jsonify({"error": error, "message": message, "fields": fields or {}}), status


@bp.errorhandler(OperationalError)
def _database_busy(exc: OperationalError) -> tuple[Response, int]:
    """The database is busy (SQLite's write lock) or away: the client retries the same
    request (answers carry their client_id, so a retry never counts twice)."""
    current_app.logger.warning("database unavailable: %s", exc.orig)
    response, status = error_response(503, "busy", "the server is busy; try again in a moment")
    response.headers["Retry-After"] = "1"
    return response, status


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> tuple[Response, int]:
    return error_response(exc.status, exc.error, exc.message, exc.fields)


def register_error_handlers(app: Flask) -> None:
    """HTTP errors under /api/ answer in JSON too (unknown URL, wrong method, too large)."""

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if not request.path.startswith("/api/"):
            return exc
        name = (exc.name or "error").lower().replace(" ", "_")
        response, status = error_response(
            exc.code or 400, name, exc.description or exc.name or "error"
        )
        # Keep the exception's own headers, such as a 405's Allow.
        for header, value in exc.get_headers():
            if header.lower() != "content-type":
                response.headers[header] = value
        return response, status


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "the request body must be a JSON object")
    return data


def _text_field(data: dict[str, Any], name: str, max_length: int, fields: dict[str, str]) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        fields[name] = "required text"
        return ""
    # The limit is on the text as sent, as the API document says, before spaces are tidied.
    if len(value) > max_length:
        fields[name] = f"at most {max_length} characters"
    elif "\x00" in value:
        # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
        fields[name] = "no NUL characters"
    return " ".join(value.split())


def _language(data: dict[str, Any], fields: dict[str, str]) -> str:
    language = data.get("support_language")
    if language not in SUPPORT_LANGUAGES:
        fields["support_language"] = f"one of: {', '.join(SUPPORT_LANGUAGES)}"
        return ""
    return str(language)


def _current_learner() -> Learner:
    """The signed-in learner; every authenticated endpoint checks this before reading input."""
    if "learner" in g:
        learner: Learner = g.learner
        return learner
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    if not token:
        raise ApiError(401, "unauthorized", "sign in: send 'Authorization: Bearer <token>'")
    learner = db.get_session().scalar(select(Learner).where(Learner.token_hash == _hash(token)))
    if learner is None:
        raise ApiError(401, "unauthorized", "unknown or expired token; sign in again")
    g.learner = learner
    return learner


def _learner_json(learner: Learner) -> dict[str, Any]:
    return {
        "id": learner.public_id,
        "display_name": learner.display_name,
        "support_language": learner.support_language,
        "recording_consent": learner.recording_consent,
        "group": {
            "name": learner.group.name,
            "recording_enabled": learner.group.recording_enabled,
        },
    }


def _new_credentials(learner: Learner) -> tuple[str, str]:
    token = secrets.token_urlsafe(24)
    recovery = new_code(int(current_app.config["RECOVERY_CODE_LENGTH"]))
    learner.token_hash = _hash(token)
    learner.recovery_hash = _hash(recovery)
    return token, recovery


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.post("/join")
def join() -> tuple[Response, int]:
    """Join a group with its code: a pseudonymous learner, a token and a recovery code."""
    data = _json_body()
    fields: dict[str, str] = {}
    code = str(data.get("code", "")).strip().upper()
    if not code or any(char not in CODE_ALPHABET for char in code):
        fields["code"] = "the group's join code"
    name = _text_field(data, "display_name", MAX_NAME, fields)
    language = _language(data, fields)
    if fields:
        raise ApiError(400, "invalid_fields", "some fields are missing or wrong", fields)
    with db.transaction() as session:
        group = session.scalar(select(Group).where(Group.join_code == code))
        if group is None:
            raise ApiError(404, "unknown_code", "no group has this join code", {"code": "unknown"})
        learner = Learner(
            public_id=secrets.token_hex(8),
            group_id=group.id,
            display_name=name,
            support_language=language,
            recording_consent=False,
            schedule=LearnerSchedule(schedulers=_schedulers()).to_dict(),
            streak_days=0,
        )
        token, recovery = _new_credentials(learner)
        session.add(learner)
        session.flush()
        body = {"learner": _learner_json(learner), "token": token, "recovery_code": recovery}
    return jsonify(body), 201


@bp.post("/recover")
def recover() -> Response:
    """Sign in on another device with the recovery code; old tokens stop working."""
    data = _json_body()
    code = str(data.get("recovery_code", "")).strip().upper()
    with db.transaction() as session:
        learner = session.scalar(select(Learner).where(Learner.recovery_hash == _hash(code)))
        if not code or learner is None:
            raise ApiError(
                404,
                "unknown_code",
                "no learner has this recovery code",
                {"recovery_code": "unknown"},
            )
        token, recovery = _new_credentials(learner)
        body = {"learner": _learner_json(learner), "token": token, "recovery_code": recovery}
    return jsonify(body)


@bp.get("/me")
def me() -> Response:
    return jsonify(_learner_json(_current_learner()))


@bp.patch("/me")
def update_me() -> Response:
    learner = _current_learner()
    data = _json_body()
    fields: dict[str, str] = {}
    with db.transaction():
        if "display_name" in data:
            learner.display_name = _text_field(data, "display_name", MAX_NAME, fields)
        if "support_language" in data:
            learner.support_language = _language(data, fields)
        if "recording_consent" in data:
            if not isinstance(data["recording_consent"], bool):
                fields["recording_consent"] = "true or false"
            else:
                learner.recording_consent = data["recording_consent"]
        if fields:
            raise ApiError(400, "invalid_fields", "some fields are wrong", fields)
        body = _learner_json(learner)
    return jsonify(body)


def _group_packs(learner: Learner) -> dict[str, Pack]:
    return group_packs(current_app, db.get_session(), learner.group_id)


def _review_state(pack: Pack, language: str) -> str | None:
    status = pack.languages.get(language)
    return str(status) if status else None


@bp.get("/packs")
def packs() -> Response:
    """The learner's packs and lessons, with titles in the learner's language."""
    learner = _current_learner()
    language = learner.support_language
    finished = {
        (row.pack_id, row.lesson_id)
        for row in db.get_session().scalars(
            select(LessonSession).where(
                LessonSession.learner_id == learner.id, LessonSession.finished
            )
        )
    }
    result = []
    for pack in _group_packs(learner).values():
        result.append(
            {
                "id": pack.id,
                "version": pack.version,
                "title": pack.title.get(language) or pack.title.get("en"),
                "title_fi": pack.title.get("fi"),
                "gloss_status": _review_state(pack, language),
                "lessons": [
                    {
                        "id": lesson.id,
                        "title": lesson.title.get(language) or lesson.title.get("en"),
                        "title_fi": lesson.title.get("fi"),
                        "level": str(lesson.level),
                        "kind": str(lesson.kind),
                        "items": len(lesson.item_ids),
                        "finished": (pack.id, lesson.id) in finished,
                    }
                    for lesson in pack.lessons
                ],
            }
        )
    return jsonify({"packs": result})


def _voice_at(rate: float) -> Voice:
    """The tutor's voice at a step's relative rate (1.0 normal, 0.8 slow)."""
    from speech.tts import DEFAULT_RATE, Voice

    return Voice(rate=round(DEFAULT_RATE * rate))


def _audio_url(text: str, rate: float) -> str:
    from speech.tts import cache_key

    return f"/api/v1/audio/{cache_key(text, _voice_at(rate))}.wav"


def _public_step(step: Step, index: int) -> dict[str, Any]:
    """A step as front ends see it: the right answers stay on the server."""
    data = step.to_dict()
    data.pop("expected")
    data["index"] = index
    data["audio_url"] = _audio_url(step.say, step.rate) if step.say else None
    data["slow_audio_url"] = _audio_url(step.say, SLOW_RATE) if step.say else None
    # Options that are whole items can be heard; the loose words of a sentence cannot.
    spoken_options = step.kind in (
        StepKind.CHOOSE_TRANSLATION,
        StepKind.MINIMAL_PAIR,
        StepKind.MATCH_PAIRS,
    )
    for option in (*data["options"], *data["right_options"]):
        heard = spoken_options and option.get("fi")
        option["audio_url"] = _audio_url(option["fi"], NORMAL_RATE) if heard else None
    return data


def _session_json(record: LessonSession, state: SessionState) -> dict[str, Any]:
    step = state.current
    return {
        "id": record.id,
        "kind": str(state.kind),
        "pack_id": state.pack_id,
        "lesson_id": state.lesson_id,
        "position": state.position,
        "total": len(state.steps),
        "finished": record.finished,
        "steps_done": state.finished,
        "step": _public_step(step, state.position) if step is not None else None,
    }


@bp.post("/sessions")
def create_session() -> tuple[Response, int]:
    """Start a lesson (or resume the unfinished one), or start today's review."""
    learner = _current_learner()
    data = _json_body()
    with db.transaction() as session:
        packs = _group_packs(learner)
        kind = data.get("kind", "lesson")
        seed = secrets.randbelow(2**31)
        if kind == "review":
            schedule = LearnerSchedule.from_dict(learner.schedule)
            now = datetime.now(UTC)
            state = daily_review(schedule, packs, learner.support_language, now, seed)
            if not state.steps:
                raise ApiError(409, "nothing_due", "no words are due for review now")
        elif kind == "lesson":
            pack_id, lesson_id = data.get("pack_id"), data.get("lesson_id")
            pack = packs.get(pack_id) if isinstance(pack_id, str) else None
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
            state = start_lesson(pack, str(lesson_id), learner.support_language, seed)
        else:
            raise ApiError(
                400, "invalid_fields", "kind is 'lesson' or 'review'", {"kind": "lesson or review"}
            )
        record = session_store.new_record(current_app, secrets.token_hex(12), learner.id, state)
        session.add(record)
        session.flush()
        body = _session_json(record, state)
    return jsonify(body), 201


def _own_session(session_id: str, *, lock: bool = False) -> LessonSession:
    learner = _current_learner()
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


@bp.get("/sessions/<session_id>")
def get_session(session_id: str) -> Response:
    record = _own_session(session_id)
    return jsonify(_session_json(record, session_store.load_state(current_app, record)))


def _parse_answer(data: dict[str, Any], step: Step) -> Answer:
    raw = data.get("answer")
    if not isinstance(raw, dict):
        raise ApiError(400, "invalid_fields", "give an answer object", {"answer": "required"})
    choice, order, pairs, text = (
        raw.get("choice"),
        raw.get("order"),
        raw.get("pairs"),
        raw.get("text"),
    )
    if choice is not None and not isinstance(choice, str):
        raise ApiError(400, "invalid_fields", "choice is an option id", {"answer.choice": "text"})
    if order is not None and not (
        isinstance(order, list) and all(isinstance(o, str) for o in order)
    ):
        raise ApiError(
            400, "invalid_fields", "order is a list of option ids", {"answer.order": "list"}
        )
    if pairs is not None and not (
        isinstance(pairs, dict) and all(isinstance(v, str) for v in pairs.values())
    ):
        raise ApiError(
            400, "invalid_fields", "pairs maps left to right option ids", {"answer.pairs": "object"}
        )
    if text is not None and (not isinstance(text, str) or len(text) > 500):
        raise ApiError(
            400, "invalid_fields", "text is at most 500 characters", {"answer.text": "text"}
        )
    return Answer(
        choice=choice,
        order=tuple(order) if order is not None else None,
        pairs=pairs,
        text=text,
    )


def _score_audio(
    learner: Learner, step: Step, session_pack_id: str | None
) -> tuple[Answer, dict[str, Any], bytes | None]:
    """Score the uploaded recording in memory: the answer, the scoring result, and the WAV
    when it may be kept (the group records and the learner agreed), else None.

    The pack's confusables of the item and its other phrases (the cohort) go to the scorer,
    so an answer made of other words of the pack is told apart from the target."""
    from speech.audio import AudioFormatError, read_wav
    from speech.checks import Verdict
    from speech.scoring import PronunciationScorer

    upload = request.files.get("audio")
    if upload is None:
        raise ApiError(
            400, "invalid_fields", "send the recording as 'audio'", {"audio": "required"}
        )
    wav = upload.read()
    if step.answer_kind is not AnswerKind.SPEECH or not step.expected:
        raise ApiError(409, "not_a_speech_step", "this step does not take a recording")
    scorer: PronunciationScorer = current_app.extensions["sanapaja.scorer"]
    confusables: list[str] = []
    recordings: list[bytes] = []
    cohort: list[str] = []
    item_pack_id, _, item_id = (step.item_ref or "").partition("/")
    pack = _group_packs(learner).get(item_pack_id or session_pack_id or "")
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


def _step_field(value: Any, *, from_form: bool) -> int:
    """The step being answered: a JSON integer, or a form field holding one."""
    if from_form and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    elif not from_form and isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ApiError(
        400, "invalid_fields", "step: the index of the step being answered", {"step": "integer"}
    )


def _accepted(session_id: str, client_id: str) -> dict[str, Any] | None:
    """The response to an answer already accepted under this client_id, if there is one."""
    return db.get_session().scalar(
        select(Attempt.response).where(
            Attempt.session_id == session_id, Attempt.client_id == client_id
        )
    )


@bp.post("/sessions/<session_id>/answers")
def post_answer(session_id: str) -> tuple[Response, int]:
    """Answer the current step. A retry with the same client_id returns the first response.

    Judging (and scoring a recording) happens before the write; the write is one short
    compare-and-set on the session, so the database's single writer is held briefly.
    """
    learner = _current_learner()
    form = request.form if request.files else None
    data = dict(form) if form is not None else _json_body()
    client_id = data.get("client_id")
    if (
        not isinstance(client_id, str)
        or not 0 < len(client_id) <= MAX_CLIENT_ID
        or "\x00" in client_id
    ):
        raise ApiError(
            400,
            "invalid_fields",
            "client_id: a unique id for this answer",
            {"client_id": "required"},
        )
    step_index = _step_field(data.get("step"), from_form=form is not None)
    if form is None and "skip" in data and not isinstance(data["skip"], bool):
        raise ApiError(400, "invalid_fields", "skip is true or false", {"skip": "true or false"})
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
    if form is not None:
        given, scoring, recording = _score_audio(learner, step, state.pack_id)
    elif data.get("skip") is True:
        given = None
    else:
        given = _parse_answer(data, step)
    try:
        if given is None:
            new_state, verdict_json = skip(state), None
        else:
            new_state, verdict = answer(state, given)
            verdict_json = verdict.to_dict()
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
        claimed = session.execute(
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


def _schedulers() -> Any:
    return default_schedulers(fuzzing=not current_app.config.get("TESTING", False))


@bp.post("/sessions/<session_id>/finish")
def finish_session(session_id: str) -> Response:
    """End the lesson: its outcomes go into spaced repetition (once)."""
    now = datetime.now(UTC)
    with db.transaction():
        record = _own_session(session_id, lock=True)
        learner: Learner = g.learner
        state = session_store.load_state(current_app, record)
        ratings = session_ratings(state)
        if not record.finished:
            schedule = LearnerSchedule.from_dict(learner.schedule)
            schedule.record_session(ratings, now, item_priorities(_group_packs(learner)))
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


@bp.get("/reviews")
def reviews() -> Response:
    learner = _current_learner()
    packs = _group_packs(learner)
    schedule = LearnerSchedule.from_dict(learner.schedule)
    due = due_refs(schedule, packs, datetime.now(UTC))
    next_due = schedule.next_due()
    return jsonify(
        {
            "due": len(due),
            "items": due[:50],
            "next_review": next_due.isoformat() if next_due else None,
        }
    )


@bp.get("/progress")
def progress() -> Response:
    learner = _current_learner()
    schedule = LearnerSchedule.from_dict(learner.schedule)
    now = datetime.now(UTC)
    finished = (
        db.get_session()
        .scalars(
            select(LessonSession).where(
                LessonSession.learner_id == learner.id, LessonSession.finished
            )
        )
        .all()
    )
    return jsonify(
        {
            "streak_days": learner.streak_days,
            "words_practised": len(schedule.cards),
            "due_now": len(schedule.due(now)),
            "lessons_finished": len({(s.pack_id, s.lesson_id) for s in finished if s.lesson_id}),
            "reviews_finished": sum(1 for s in finished if s.kind == str(SessionKind.REVIEW)),
        }
    )


@bp.get("/me/export")
def export() -> Response:
    """Everything stored about the learner, as JSON."""
    import base64

    learner = _current_learner()
    session = db.get_session()
    sessions = session.scalars(
        select(LessonSession).where(LessonSession.learner_id == learner.id)
    ).all()
    attempts = session.scalars(
        select(Attempt).where(Attempt.session_id.in_([s.id for s in sessions]))
    ).all()
    recordings = session.scalars(select(Recording).where(Recording.learner_id == learner.id)).all()
    return jsonify(
        {
            "learner": _learner_json(learner),
            "streak_days": learner.streak_days,
            "schedule": learner.schedule,
            "sessions": [
                {
                    "id": s.id,
                    "kind": s.kind,
                    "pack_id": s.pack_id,
                    "lesson_id": s.lesson_id,
                    "finished": s.finished,
                    "state": session_store.export(s),
                }
                for s in sessions
            ],
            "answers": [
                {"session_id": a.session_id, "step": a.step_index, "response": a.response}
                for a in attempts
            ],
            "recordings": [
                {
                    "session_id": r.session_id,
                    "step": r.step_index,
                    "wav_base64": base64.b64encode(r.wav).decode("ascii"),
                }
                for r in recordings
            ],
        }
    )


@bp.delete("/me")
def delete_me() -> tuple[str, int]:
    """Delete the learner and everything stored about them."""
    with db.transaction() as session:
        learner = _current_learner()
        session_ids = select(LessonSession.id).where(LessonSession.learner_id == learner.id)
        session.execute(delete(Recording).where(Recording.learner_id == learner.id))
        session.execute(delete(Attempt).where(Attempt.session_id.in_(session_ids)))
        session.execute(delete(LessonSession).where(LessonSession.learner_id == learner.id))
        session.delete(learner)
    return "", 204


@bp.get("/audio/<key>.wav")
def audio(key: str) -> Response:
    """The tutor's speech for a phrase of a loaded pack, at a stable, cacheable URL."""
    from speech.tts import TextToSpeech, TtsError

    phrases = _phrase_index()
    if key not in phrases:
        raise ApiError(404, "unknown_audio", "no such phrase audio")
    text, voice = phrases[key]
    tts: TextToSpeech = current_app.extensions["sanapaja.tts"]
    try:
        data = tts.render_bytes(text, voice)
    except TtsError as exc:
        raise ApiError(503, "tts_unavailable", str(exc)) from exc
    response = Response(data, mimetype="audio/wav")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def _phrase_index() -> dict[str, Any]:
    """cache key → (text, voice) for every phrase of every loaded pack, at both rates."""
    from speech.tts import cache_key
    from tutor_server.models import Pack as PackRecord

    session = db.get_session()
    versions = tuple(sorted(session.scalars(select(PackRecord.current_version_id)).all()))
    cached = current_app.extensions.get("sanapaja.phrases")
    if cached is not None and cached[0] == versions:
        index: dict[str, Any] = cached[1]
        return index
    index = {}
    for pack in current_packs(current_app, session, select(PackRecord.id)).values():
        for text in pack_phrases(pack):
            for rate in (NORMAL_RATE, SLOW_RATE):
                voice = _voice_at(rate)
                index[cache_key(text, voice)] = (text, voice)
    current_app.extensions["sanapaja.phrases"] = (versions, index)
    return index
