"""Rendering-neutral lesson steps: everything a tablet screen or a robot needs for one step.

A tablet renders a step as a screen; the robot bridge renders it as actions (say the
Finnish, show text on the chest screen, listen). Steps are plain data and round-trip
through JSON, so a running lesson can be stored and resumed exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from lessons.pack.model import StepKind


class AnswerKind(StrEnum):
    NONE = "none"  # nothing to answer: the learner continues
    CHOICE = "choice"  # pick one option id
    SPEECH = "speech"  # say it aloud: scored 0-100 by speech/, or recognised text
    ORDER = "order"  # put option ids in order
    PAIRS = "pairs"  # match each left option id to a right option id


NORMAL_RATE = 1.0
SLOW_RATE = 0.8


@dataclass(frozen=True)
class Option:
    """One choice: an id the answer names, and what to show or say for it.

    ``gloss_reviewed`` says whether a fluent speaker checked the gloss (False: a draft).
    """

    id: str
    fi: str | None = None
    gloss: str | None = None
    picture: str | None = None
    gloss_reviewed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "fi": self.fi,
            "gloss": self.gloss,
            "picture": self.picture,
            "gloss_reviewed": self.gloss_reviewed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Option:
        return cls(
            data["id"],
            data.get("fi"),
            data.get("gloss"),
            data.get("picture"),
            bool(data.get("gloss_reviewed", False)),
        )


RIGHT_FI = "Oikein!"
NOT_QUITE_FI = "Ei aivan."
#: What the tutor says after an answer; every front end can get it spoken.
FEEDBACK_PHRASES = (RIGHT_FI, NOT_QUITE_FI)


@dataclass(frozen=True)
class Feedback:
    """Message keys for the front end's catalogs, and Finnish the tutor can say aloud."""

    correct_key: str = "feedback.correct"
    wrong_key: str = "feedback.wrong"
    correct_fi: str = RIGHT_FI
    wrong_fi: str = NOT_QUITE_FI
    answer_fi: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "correct_key": self.correct_key,
            "wrong_key": self.wrong_key,
            "correct_fi": self.correct_fi,
            "wrong_fi": self.wrong_fi,
            "answer_fi": self.answer_fi,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Feedback:
        return cls(**data)


@dataclass(frozen=True)
class Step:
    """One step of a micro-lesson.

    ``say`` is the Finnish to speak (at ``rate``, 1.0 = normal), ``show_fi`` the Finnish to
    show (None on listening steps), ``gloss`` the support-language gloss (``gloss_language``
    says which language it is in, ``gloss_reviewed`` whether a fluent speaker checked it).
    ``expected`` holds the right answers: option ids for choices, ids in order for
    ``order``, ``left=right`` pairs for ``pairs`` and accepted Finnish texts for ``speech``.
    """

    kind: StepKind
    prompt_key: str
    answer_kind: AnswerKind
    item_ref: str | None = None
    say: str | None = None
    rate: float = NORMAL_RATE
    show_fi: str | None = None
    show_spoken: str | None = None
    gloss: str | None = None
    gloss_language: str | None = None
    gloss_reviewed: bool = False
    picture: str | None = None
    speaker: str | None = None
    options: tuple[Option, ...] = ()
    right_options: tuple[Option, ...] = ()
    expected: tuple[str, ...] = ()
    listen_timeout_s: float = 0.0
    max_attempts: int = 1
    feedback: Feedback = field(default_factory=Feedback)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "prompt_key": self.prompt_key,
            "answer_kind": str(self.answer_kind),
            "item_ref": self.item_ref,
            "say": self.say,
            "rate": self.rate,
            "show_fi": self.show_fi,
            "show_spoken": self.show_spoken,
            "gloss": self.gloss,
            "gloss_language": self.gloss_language,
            "gloss_reviewed": self.gloss_reviewed,
            "picture": self.picture,
            "speaker": self.speaker,
            "options": [option.to_dict() for option in self.options],
            "right_options": [option.to_dict() for option in self.right_options],
            "expected": list(self.expected),
            "listen_timeout_s": self.listen_timeout_s,
            "max_attempts": self.max_attempts,
            "feedback": self.feedback.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        return cls(
            kind=StepKind(data["kind"]),
            prompt_key=data["prompt_key"],
            answer_kind=AnswerKind(data["answer_kind"]),
            item_ref=data.get("item_ref"),
            say=data.get("say"),
            rate=float(data.get("rate", NORMAL_RATE)),
            show_fi=data.get("show_fi"),
            show_spoken=data.get("show_spoken"),
            gloss=data.get("gloss"),
            gloss_language=data.get("gloss_language"),
            gloss_reviewed=bool(data.get("gloss_reviewed", False)),
            picture=data.get("picture"),
            speaker=data.get("speaker"),
            options=tuple(Option.from_dict(o) for o in data.get("options", [])),
            right_options=tuple(Option.from_dict(o) for o in data.get("right_options", [])),
            expected=tuple(data.get("expected", [])),
            listen_timeout_s=float(data.get("listen_timeout_s", 0.0)),
            max_attempts=int(data.get("max_attempts", 1)),
            feedback=Feedback.from_dict(data.get("feedback", {})),
        )
