"""The micro-lesson session: a pure, serialisable state machine over planned steps.

A session holds its whole step plan, so answering and resuming never need the pack again:
``SessionState.from_dict(state.to_dict())`` continues exactly where the learner was.
Every function returns a new state; nothing is changed in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from lessons.engine.step_plan import lesson_parts, plan_lesson, plan_review
from lessons.engine.steps import AnswerKind, Step
from lessons.finnish.normalize import best_match
from lessons.pack.model import Pack

SCHEMA_VERSION = 1
#: A pronunciation score (0-100) at or above this counts as said right.
SPEECH_PASS_SCORE = 70


class SessionKind(StrEnum):
    LESSON = "lesson"
    REVIEW = "review"


class SessionError(ValueError):
    """A call that does not fit the session (finished, or the answer is the wrong kind)."""


@dataclass(frozen=True)
class Answer:
    """What the learner did: exactly the field that fits the step's answer kind.

    ``score`` is a pronunciation score 0-100 from the speech scorer; ``text`` is typed or
    recognised text (accepted for choice steps by option text, and for speech steps).
    """

    choice: str | None = None
    order: tuple[str, ...] | None = None
    pairs: Mapping[str, str] | None = None
    score: int | None = None
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "choice": self.choice,
            "order": list(self.order) if self.order is not None else None,
            "pairs": dict(self.pairs) if self.pairs is not None else None,
            "score": self.score,
            "text": self.text,
        }


@dataclass(frozen=True)
class StepOutcome:
    """How one step went: right or not in the end, after how many tries, best score."""

    step_index: int
    item_ref: str | None
    correct: bool
    attempts: int
    score: int | None = None
    skipped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "step_index": self.step_index,
            "item_ref": self.item_ref,
            "correct": self.correct,
            "attempts": self.attempts,
            "score": self.score,
            "skipped": self.skipped,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepOutcome:
        return cls(**data)


@dataclass(frozen=True)
class Reveal:
    """The right answer of a step, given only once the step is done (right, or out of tries).

    ``option_ids`` are the right options of a choice step, ``order`` the option ids in the
    right order, ``pairs`` the right ``left=right`` pairs; ``fi`` is the Finnish and
    ``gloss`` its meaning in the learner's language.
    """

    fi: str | None
    gloss: str | None
    option_ids: tuple[str, ...] = ()
    order: tuple[str, ...] | None = None
    pairs: tuple[str, ...] | None = None

    @classmethod
    def of(cls, step: Step) -> Reveal:
        kind = step.answer_kind
        return cls(
            fi=step.feedback.answer_fi,
            gloss=step.gloss,
            option_ids=step.expected if kind is AnswerKind.CHOICE else (),
            order=step.expected if kind is AnswerKind.ORDER else None,
            pairs=step.expected if kind is AnswerKind.PAIRS else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "fi": self.fi,
            "gloss": self.gloss,
            "option_ids": list(self.option_ids),
            "order": list(self.order) if self.order is not None else None,
            "pairs": list(self.pairs) if self.pairs is not None else None,
        }


@dataclass(frozen=True)
class Verdict:
    """The judgement of one answer, for the front end to show or say.

    ``answer`` (and ``answer_fi``) stay None while the learner still has tries left, so a
    wrong first try never gives the answer away.
    """

    correct: bool
    step_done: bool
    attempts_left: int
    feedback_key: str
    feedback_fi: str
    answer_fi: str | None
    matched: str | None = None
    answer: Reveal | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "correct": self.correct,
            "step_done": self.step_done,
            "attempts_left": self.attempts_left,
            "feedback_key": self.feedback_key,
            "feedback_fi": self.feedback_fi,
            "answer_fi": self.answer_fi,
            "matched": self.matched,
            "answer": self.answer.to_dict() if self.answer is not None else None,
        }


@dataclass(frozen=True)
class SessionState:
    kind: SessionKind
    language: str
    seed: int
    steps: tuple[Step, ...]
    pack_id: str | None = None
    pack_version: str | None = None
    lesson_id: str | None = None
    position: int = 0
    attempts: int = 0
    best_score: int | None = None
    outcomes: tuple[StepOutcome, ...] = field(default_factory=tuple)
    #: Which session of the lesson this is (0-based) and how many the lesson takes.
    part: int = 0
    parts: int = 1

    @property
    def finished(self) -> bool:
        return self.position >= len(self.steps)

    @property
    def last_part(self) -> bool:
        """True when this session finishes the whole lesson."""
        return self.part + 1 >= self.parts

    @property
    def current(self) -> Step | None:
        return None if self.finished else self.steps[self.position]

    def to_dict(self) -> dict[str, Any]:
        return {**self.progress_to_dict(), "steps": [step.to_dict() for step in self.steps]}

    def progress_to_dict(self) -> dict[str, Any]:
        """Everything but the steps, which never change once a session is planned: a store
        can keep them apart and write only this small part on every answer."""
        return {
            "schema": SCHEMA_VERSION,
            "kind": str(self.kind),
            "language": self.language,
            "seed": self.seed,
            "pack_id": self.pack_id,
            "pack_version": self.pack_version,
            "lesson_id": self.lesson_id,
            "position": self.position,
            "attempts": self.attempts,
            "best_score": self.best_score,
            "outcomes": [outcome.to_dict() for outcome in self.outcomes],
            "part": self.part,
            "parts": self.parts,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionState:
        return cls.from_progress(steps_from_list(data["steps"]), data)

    @classmethod
    def from_progress(cls, steps: tuple[Step, ...], data: dict[str, Any]) -> SessionState:
        """The state from its steps and ``progress_to_dict``'s output."""
        if data.get("schema") != SCHEMA_VERSION:
            raise SessionError(f"unsupported session schema {data.get('schema')!r}")
        return cls(
            kind=SessionKind(data["kind"]),
            language=data["language"],
            seed=int(data["seed"]),
            pack_id=data.get("pack_id"),
            pack_version=data.get("pack_version"),
            lesson_id=data.get("lesson_id"),
            position=int(data["position"]),
            attempts=int(data["attempts"]),
            best_score=data.get("best_score"),
            steps=steps,
            outcomes=tuple(StepOutcome.from_dict(o) for o in data["outcomes"]),
            part=int(data.get("part", 0)),
            parts=int(data.get("parts", 1)),
        )


def steps_from_list(data: list[dict[str, Any]]) -> tuple[Step, ...]:
    return tuple(Step.from_dict(step) for step in data)


def start_lesson(
    pack: Pack, lesson_id: str, language: str, seed: int, part: int = 0
) -> SessionState:
    """Session ``part`` of a lesson (see ``lesson_parts``); the same seed plans the same
    lesson, so a later part goes on where the one before stopped."""
    lesson = pack.lesson(lesson_id)
    parts = lesson_parts(plan_lesson(pack, lesson, language, seed))
    if not 0 <= part < len(parts):
        raise SessionError(f"lesson {lesson_id!r} has {len(parts)} part(s), not part {part + 1}")
    return SessionState(
        kind=SessionKind.LESSON,
        language=language,
        seed=seed,
        steps=parts[part],
        pack_id=pack.id,
        pack_version=pack.version,
        lesson_id=lesson.id,
        part=part,
        parts=len(parts),
    )


def start_review(
    packs: Mapping[str, Pack], due_refs: list[str], language: str, seed: int
) -> SessionState:
    """A review session over due item refs (``pack_id/item_id``); unknown refs are left out."""
    due = []
    for ref in due_refs:
        pack_id, _, item_id = ref.partition("/")
        pack = packs.get(pack_id)
        if pack is not None and item_id in pack.items:
            due.append((pack, pack.items[item_id]))
    return SessionState(
        kind=SessionKind.REVIEW,
        language=language,
        seed=seed,
        steps=plan_review(due, language, seed),
    )


def answer(state: SessionState, given: Answer) -> tuple[SessionState, Verdict]:
    """Judge ``given`` for the current step and move on when the step is done."""
    step = state.current
    if step is None:
        raise SessionError("the session is finished")
    correct, matched = _judge(step, given)
    attempts = state.attempts + 1
    best = state.best_score
    if given.score is not None:
        best = given.score if best is None else max(best, given.score)
    step_done = correct or attempts >= step.max_attempts or step.answer_kind is AnswerKind.NONE
    verdict = Verdict(
        correct=correct,
        step_done=step_done,
        attempts_left=0 if step_done else step.max_attempts - attempts,
        feedback_key=step.feedback.correct_key if correct else step.feedback.wrong_key,
        feedback_fi=step.feedback.correct_fi if correct else step.feedback.wrong_fi,
        answer_fi=step.feedback.answer_fi if step_done else None,
        matched=matched,
        answer=Reveal.of(step) if step_done else None,
    )
    if not step_done:
        return replace(state, attempts=attempts, best_score=best), verdict
    outcome = StepOutcome(state.position, step.item_ref, correct, attempts, best)
    return _advance(state, outcome), verdict


def skip(state: SessionState) -> SessionState:
    """Move past the current step (no microphone, no time): it counts as not known."""
    step = state.current
    if step is None:
        raise SessionError("the session is finished")
    outcome = StepOutcome(
        state.position, step.item_ref, False, state.attempts, state.best_score, skipped=True
    )
    return _advance(state, outcome)


def _advance(state: SessionState, outcome: StepOutcome) -> SessionState:
    return replace(
        state,
        position=state.position + 1,
        attempts=0,
        best_score=None,
        outcomes=(*state.outcomes, outcome),
    )


def _judge(step: Step, given: Answer) -> tuple[bool, str | None]:
    match step.answer_kind:
        case AnswerKind.NONE:
            return True, None
        case AnswerKind.CHOICE:
            choice = given.choice
            if choice is None and given.text is not None:
                by_text = {o.fi: o.id for o in step.options if o.fi}
                matched_text = best_match(given.text, list(by_text))
                choice = by_text[matched_text] if matched_text is not None else None
            if choice is None:
                raise SessionError("this step needs a choice (an option id)")
            if choice not in {option.id for option in step.options}:
                raise SessionError(f"{choice!r} is not one of this step's options")
            return choice in step.expected, choice
        case AnswerKind.ORDER:
            if given.order is None:
                raise SessionError("this step needs an order (option ids)")
            return tuple(given.order) == step.expected, None
        case AnswerKind.PAIRS:
            if given.pairs is None:
                raise SessionError("this step needs pairs (left id → right id)")
            chosen = {f"{left}={right}" for left, right in given.pairs.items()}
            return chosen == set(step.expected), None
        case AnswerKind.SPEECH:
            if given.score is not None:
                if not 0 <= given.score <= 100:
                    raise SessionError("a pronunciation score is between 0 and 100")
                return given.score >= SPEECH_PASS_SCORE, None
            if given.text is not None:
                matched = best_match(given.text, list(step.expected))
                return matched is not None, matched
            raise SessionError("this step needs a pronunciation score or recognised text")
    raise SessionError(f"unknown answer kind {step.answer_kind!r}")
