"""Request and response bodies of /api/v1, declared once as pydantic models.

They validate what comes in (tutor_server.api.spec reads every body through them) and make
the OpenAPI document. A request model may name friendly messages per field in ``messages``;
otherwise pydantic's own message is given.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from lessons.pack.model import SUPPORT_LANGUAGES
from tutor_server.groups import CODE_ALPHABET

MAX_NAME = 40
MAX_CLIENT_ID = 64
MAX_ANSWER_TEXT = 500

SupportLanguage = Literal[SUPPORT_LANGUAGES]  # type: ignore[valid-type]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _upper(value: str) -> str:
    return value.upper()


def _tidy_spaces(value: str) -> str:
    return " ".join(value.split())


# A code may come with spaces around it and in either case (stripped before the pattern is
# checked: a validator after the constraints wraps them).
JoinCode = Annotated[
    str,
    Field(pattern=f"^[{CODE_ALPHABET}{CODE_ALPHABET.lower()}]+$", max_length=32),
    BeforeValidator(_strip),
    AfterValidator(_upper),
]
RecoveryCode = Annotated[
    str, Field(min_length=1, max_length=32), BeforeValidator(_strip), AfterValidator(_upper)
]
# Some text besides spaces, and no NUL (PostgreSQL text cannot hold it). The limit is on the
# text as sent; spaces are tidied afterwards. \x1c-\x1f count as spaces to Python.
DisplayName = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME, pattern=r"^[^\x00]*[^\s\x00\x1c-\x1f][^\x00]*$"),
    AfterValidator(_tidy_spaces),
]
ClientId = Annotated[str, Field(min_length=1, max_length=MAX_CLIENT_ID, pattern=r"^[^\x00]+$")]
NoNul = Annotated[str, Field(pattern=r"^[^\x00]*$", max_length=200)]


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    messages: ClassVar[dict[str, str]] = {}


class Join(RequestBody):
    code: JoinCode
    display_name: DisplayName
    support_language: SupportLanguage
    messages = {
        "code": "the group's join code",
        "display_name": f"some text, at most {MAX_NAME} characters",
        "support_language": f"one of: {', '.join(SUPPORT_LANGUAGES)}",
    }


class Recover(RequestBody):
    recovery_code: RecoveryCode
    messages = {"recovery_code": "the recovery code"}


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _optional() -> Any:
    """A field that may be left out but not sent as null (None means "not sent")."""
    return Field(default=None, json_schema_extra=_drop_default)


class ProfileChange(RequestBody):
    """Only the fields sent change; none of them may be null."""

    display_name: DisplayName = _optional()
    support_language: SupportLanguage = _optional()
    recording_consent: StrictBool = _optional()
    messages = {**Join.messages, "recording_consent": "true or false"}


class SessionStart(RequestBody):
    kind: Literal["lesson", "review"] = "lesson"
    pack_id: NoNul | None = None
    lesson_id: NoNul | None = None
    messages = {"kind": "lesson or review"}


class AnswerGiven(RequestBody):
    choice: Annotated[str, Field(max_length=200)] | None = None
    order: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=50)] | None = (
        None
    )
    pairs: (
        Annotated[dict[str, Annotated[str, Field(max_length=200)]], Field(max_length=50)] | None
    ) = None
    text: Annotated[str, Field(max_length=MAX_ANSWER_TEXT)] | None = None


def _json_integer(value: Any) -> Any:
    """A JSON integer (0 and 0.0 alike), not text or a boolean."""
    if isinstance(value, bool | str):
        raise ValueError("an integer")
    return value


StepIndex = Annotated[int, Field(ge=0), BeforeValidator(_json_integer)]


class AnswerJson(RequestBody):
    """An answer to the current step: ``answer`` (not for spoken steps) or ``skip``."""

    client_id: ClientId = Field(description="unique per answer: a retry with it counts once")
    step: StepIndex
    answer: AnswerGiven | None = None
    skip: StrictBool = False
    messages = {
        "client_id": "a unique id for this answer",
        "step": "the index of the step being answered",
        "skip": "true or false",
    }


class AnswerUpload(RequestBody):
    """A spoken answer: the recording as a WAV file, sent as multipart/form-data."""

    client_id: ClientId
    step: Annotated[int, Field(ge=0)]
    audio: bytes = Field(json_schema_extra={"format": "binary", "contentMediaType": "audio/wav"})
    messages = AnswerJson.messages


class RobotSignIn(RequestBody):
    """Who is at the robot: a learner's pairing code, a name picked from the group, or a
    guest (no progress kept)."""

    method: Literal["pairing_code", "pick", "guest"]
    code: RecoveryCode | None = None
    learner_id: NoNul | None = None
    support_language: SupportLanguage | None = None
    messages = {
        "method": "pairing_code, pick or guest",
        "code": "the pairing code from the learner's app",
        "support_language": Join.messages["support_language"],
    }


class RobotSessionEnd(RequestBody):
    reason: Literal["nominal", "aborted_by_learner", "timeout", "error", "replaced", "revoked"] = (
        "nominal"
    )
    messages = {"reason": "nominal, aborted_by_learner, timeout, error, replaced or revoked"}


# Responses. They list what clients may rely on; a response may carry more.


class Error(BaseModel):
    error: str
    message: str
    fields: dict[str, str]


class GroupSummary(BaseModel):
    name: str
    recording_enabled: bool


class Learner(BaseModel):
    id: str
    display_name: str
    support_language: SupportLanguage
    recording_consent: bool
    group: GroupSummary


class Credentials(BaseModel):
    learner: Learner
    token: str = Field(description="send as 'Authorization: Bearer <token>'")
    recovery_code: str = Field(description="signs in on another device; shown once")


class Option(BaseModel):
    id: str
    fi: str | None
    gloss: str | None
    gloss_reviewed: bool = Field(description="False: a draft nobody fluent checked")
    picture: str | None
    audio_url: str | None


class Feedback(BaseModel):
    correct_key: str
    wrong_key: str
    correct_fi: str
    wrong_fi: str


class ReplyTo(BaseModel):
    """On the learner's turn in a dialogue: the line they answer."""

    fi: str | None
    speaker: str | None
    gloss: str | None
    gloss_reviewed: bool
    audio_url: str | None


class Step(BaseModel):
    """A rendering-neutral step; its right answer stays on the server until it is done."""

    index: int
    kind: str
    prompt_key: str
    answer_kind: Literal["none", "choice", "speech", "order", "pairs"]
    item_ref: str | None
    say: str | None
    rate: float
    audio_url: str | None = Field(description="the Finnish spoken at the step's own rate")
    slow_audio_url: str | None = Field(description="the same Finnish spoken slowly")
    show_fi: str | None
    show_spoken: str | None
    gloss: str | None
    gloss_language: str | None
    gloss_reviewed: bool = Field(description="False: the gloss is a draft nobody fluent checked")
    picture: str | None
    speaker: str | None
    options: list[Option]
    right_options: list[Option]
    listen_timeout_s: float
    max_attempts: int
    feedback: Feedback
    reply_to: ReplyTo | None = Field(description="a learner's dialogue turn: the line before")


class Session(BaseModel):
    id: str
    kind: Literal["lesson", "review"]
    pack_id: str | None
    lesson_id: str | None
    position: int
    total: int
    finished: bool
    steps_done: bool
    part: int = Field(description="which session of the lesson this is, from 1")
    parts: int = Field(description="how many sessions the lesson takes (at most 20 steps each)")
    step: Step | None


class SessionSteps(BaseModel):
    """The current step and the ones after it, kept by a phone for a lesson offline."""

    position: int
    total: int
    steps: list[Step]


class Reveal(BaseModel):
    """The right answer, once the step is done."""

    fi: str | None
    gloss: str | None
    option_ids: list[str]
    order: list[str] | None
    pairs: list[str] | None


class Verdict(BaseModel):
    correct: bool
    step_done: bool
    attempts_left: int
    feedback_key: str
    feedback_fi: str
    feedback_audio_url: str = Field(description="feedback_fi spoken")
    answer_fi: str | None = Field(description="None until the step is done")
    matched: str | None
    answer: Reveal | None = Field(description="None until the step is done")


class AnswerResult(BaseModel):
    client_id: str
    step: int
    verdict: Verdict | None = Field(description="None for a skip")
    scoring: dict[str, Any] | None = Field(description="the pronunciation result of a recording")
    session: Session


class Finished(BaseModel):
    session: Session
    ratings: dict[str, int]
    next_review: str | None
    streak_days: int


class LessonSummary(BaseModel):
    id: str
    title: str | None
    title_fi: str | None
    level: str
    kind: str
    items: int
    finished: bool = Field(description="the session of the lesson's last part was finished")
    parts: int | None = Field(description="sessions the lesson takes; None before its first")
    parts_done: int = Field(description="parts behind the learner in the lesson's current run")


class PackSummary(BaseModel):
    id: str
    version: str
    title: str | None
    title_fi: str | None
    gloss_status: str | None
    lessons: list[LessonSummary]


class Packs(BaseModel):
    packs: list[PackSummary]


class Reviews(BaseModel):
    due: int
    items: list[str]
    next_review: str | None


class Progress(BaseModel):
    streak_days: int
    words_practised: int
    due_now: int
    lessons_finished: int
    reviews_finished: int


class PairingCode(BaseModel):
    code: str = Field(description="typed at the robot, or read from the QR code")
    qr_text: str
    expires_at: str
    expires_in_s: float


class Export(BaseModel):
    """Everything stored about the learner."""

    learner: Learner
    streak_days: int
    schedule: dict[str, Any]
    sessions: list[dict[str, Any]]
    answers: list[dict[str, Any]]
    recordings: list[dict[str, Any]]
