from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from lessons.engine.session import (
    Answer,
    SessionError,
    SessionKind,
    SessionState,
    answer,
    skip,
    start_lesson,
    start_review,
)
from lessons.engine.steps import AnswerKind, Step
from lessons.pack.loader import load_pack
from lessons.pack.model import Pack, ReviewStatus, StepKind
from tests.lessons.engine_pack import engine_pack


def whole_lesson(pack: Pack, lesson_id: str, language: str, seed: int) -> SessionState:
    """One state over every part of a lesson: its whole plan, as the tests of a plan want."""
    first = start_lesson(pack, lesson_id, language, seed)
    parts = [start_lesson(pack, lesson_id, language, seed, part) for part in range(first.parts)]
    return replace(first, steps=tuple(step for part in parts for step in part.steps), parts=1)


def right_answer(step: Step) -> Answer:
    """The answer a learner who knows everything gives."""
    match step.answer_kind:
        case AnswerKind.NONE:
            return Answer()
        case AnswerKind.CHOICE:
            return Answer(choice=step.expected[0])
        case AnswerKind.ORDER:
            return Answer(order=step.expected)
        case AnswerKind.PAIRS:
            return Answer(pairs=dict(pair.split("=") for pair in step.expected))
        case AnswerKind.SPEECH:
            return Answer(score=95)
    raise AssertionError(step.answer_kind)


def wrong_answer(step: Step) -> Answer:
    match step.answer_kind:
        case AnswerKind.CHOICE:
            return Answer(choice=next(o.id for o in step.options if o.id not in step.expected))
        case AnswerKind.ORDER:
            return Answer(order=tuple(reversed(step.expected)))
        case AnswerKind.PAIRS:
            lefts = [pair.split("=")[0] for pair in step.expected]
            rights = [pair.split("=")[1] for pair in step.expected]
            return Answer(pairs=dict(zip(lefts, rights[1:] + rights[:1], strict=True)))
        case AnswerKind.SPEECH:
            return Answer(score=30)
    raise AssertionError(step.answer_kind)


def run_to_end(state: SessionState) -> SessionState:
    while not state.finished:
        assert state.current is not None
        state, verdict = answer(state, right_answer(state.current))
        assert verdict.correct
    return state


def test_same_inputs_give_the_same_steps() -> None:
    pack = engine_pack()
    first = whole_lesson(pack, "siivous", "uk", seed=7)
    again = whole_lesson(pack, "siivous", "uk", seed=7)
    assert first.to_dict() == again.to_dict()
    other_seed = whole_lesson(pack, "siivous", "uk", seed=8)
    assert [s.to_dict() for s in other_seed.steps] != [s.to_dict() for s in first.steps]


def test_vocabulary_lesson_uses_every_exercise_kind() -> None:
    state = whole_lesson(engine_pack(), "siivous", "uk", seed=1)
    kinds = {step.kind for step in state.steps}
    assert {
        StepKind.PRESENT,
        StepKind.LISTEN_CHOOSE,
        StepKind.CHOOSE_TRANSLATION,
        StepKind.REPEAT,
        StepKind.MATCH_PAIRS,
        StepKind.ORDER_WORDS,
    } <= kinds
    # every item is presented before it is practised
    seen: set[str] = set()
    for step in state.steps:
        if step.kind is StepKind.PRESENT:
            assert step.item_ref is not None
            seen.add(step.item_ref)
        elif step.item_ref is not None:
            assert step.item_ref in seen, step


def test_fill_gap_is_made_for_two_word_phrases(example_pack: object) -> None:
    from lessons.engine.step_plan import plan_lesson
    from lessons.pack.model import Pack

    assert isinstance(example_pack, Pack)
    steps = plan_lesson(example_pack, example_pack.lesson("siivous"), "ru", seed=3)
    gaps = [step for step in steps if step.kind is StepKind.FILL_GAP]
    assert gaps, [step.kind for step in steps]
    for gap in gaps:
        assert gap.show_fi is not None and "___" in gap.show_fi
        right = next(o for o in gap.options if o.id == gap.expected[0])
        assert right.fi is not None and gap.item_ref is not None
        item_id = gap.item_ref.split("/")[1]
        sentence = example_pack.items[item_id].fi
        filled = gap.show_fi.replace("___", right.fi)
        assert filled[:1].lower() + filled[1:] == sentence[:1].lower() + sentence[1:]


def test_fill_gap_neither_says_the_sentence_nor_gives_the_word_away_by_its_capital() -> None:
    from lessons.engine.step_plan import plan_lesson

    pack = engine_pack()
    gaps = [
        step
        for seed in range(20)
        for step in plan_lesson(pack, pack.lesson("siivous"), "en", seed)
        if step.kind is StepKind.FILL_GAP
    ]
    assert gaps
    for gap in gaps:
        assert gap.say is None, gap.show_fi
        for option in gap.options:
            assert option.fi is not None and option.fi[:1].islower(), (gap.show_fi, option.fi)
    # "Lattia on liukas." gives its first word as a decoy, written as inside a sentence.
    offered = {option.fi for gap in gaps for option in gap.options}
    assert "lattia" in offered and "Lattia" not in offered, offered


def test_steps_carry_what_a_tablet_or_a_robot_needs() -> None:
    state = whole_lesson(engine_pack(), "siivous", "uk", seed=1)
    present = state.steps[0]
    assert present.kind is StepKind.PRESENT
    assert present.say == "lattia" and present.show_fi == "lattia"
    assert present.gloss == "підлога" and present.gloss_language == "uk"
    assert present.gloss_reviewed is False  # the pack's Ukrainian is a draft
    listen = next(s for s in state.steps if s.kind is StepKind.LISTEN_CHOOSE)
    assert listen.say and listen.show_fi is None  # heard, not read
    assert len(listen.options) == 4 and listen.expected[0] in {o.id for o in listen.options}
    repeat = next(s for s in state.steps if s.kind is StepKind.REPEAT)
    assert repeat.answer_kind is AnswerKind.SPEECH and repeat.listen_timeout_s > 0
    assert repeat.max_attempts == 3


def test_gloss_falls_back_to_english_and_shows_review_status() -> None:
    state = whole_lesson(engine_pack(uk_status=ReviewStatus.REVIEWED), "siivous", "uk", seed=1)
    help_step = next(
        s for s in state.steps if s.kind is StepKind.PRESENT and s.say == "Minä tarvitsen apua."
    )
    assert help_step.gloss == "I need help." and help_step.gloss_language == "en"
    assert help_step.show_spoken == "Mä tarviin apua."
    floor = state.steps[0]
    assert floor.gloss_reviewed is True


def test_options_carry_the_review_status_of_their_own_gloss() -> None:
    for status, expected in ((ReviewStatus.REVIEWED, True), (ReviewStatus.DRAFT, False)):
        state = whole_lesson(engine_pack(uk_status=status), "siivous", "uk", seed=1)
        listen = next(s for s in state.steps if s.kind is StepKind.LISTEN_CHOOSE)
        ukrainian = [o for o in listen.options if o.gloss == "підлога"]
        assert ukrainian and all(o.gloss_reviewed is expected for o in ukrainian)
        round_trip = SessionState.from_dict(state.to_dict())
        assert round_trip.steps == state.steps


def test_whole_lesson_answered_right_finishes_with_every_step_correct() -> None:
    state = run_to_end(whole_lesson(engine_pack(), "siivous", "en", seed=2))
    assert state.finished and state.current is None
    assert len(state.outcomes) == len(state.steps)
    assert all(outcome.correct and outcome.attempts == 1 for outcome in state.outcomes)
    with pytest.raises(SessionError):
        answer(state, Answer())


def test_wrong_answer_gets_another_try_then_moves_on() -> None:
    state = whole_lesson(engine_pack(), "siivous", "en", seed=2)
    while state.current is not None and state.current.answer_kind is not AnswerKind.CHOICE:
        state, _ = answer(state, right_answer(state.current))
    step = state.current
    assert step is not None and step.max_attempts == 2
    state, verdict = answer(state, wrong_answer(step))
    assert not verdict.correct and not verdict.step_done and verdict.attempts_left == 1
    # A try is left: the answer is not given away yet.
    assert verdict.answer_fi is None and verdict.answer is None
    assert state.current is step
    state, verdict = answer(state, wrong_answer(step))
    assert verdict.step_done and state.outcomes[-1].correct is False
    assert state.outcomes[-1].attempts == 2
    assert verdict.answer_fi == step.feedback.answer_fi
    assert verdict.answer is not None
    assert verdict.answer.option_ids == step.expected and verdict.answer.gloss == step.gloss
    right = [option for option in step.options if option.id in verdict.answer.option_ids]
    assert right and verdict.to_dict()["answer"]["option_ids"] == [o.id for o in right]


def test_the_right_order_is_given_once_an_order_step_is_done() -> None:
    state = whole_lesson(engine_pack(), "siivous", "en", seed=2)
    while state.current is not None and state.current.answer_kind is not AnswerKind.ORDER:
        state, _ = answer(state, right_answer(state.current))
    step = state.current
    assert step is not None
    for _ in range(step.max_attempts):
        state, verdict = answer(state, wrong_answer(step))
    assert verdict.step_done and verdict.answer is not None
    assert verdict.answer.order == step.expected and verdict.answer.option_ids == ()


def test_speech_steps_take_a_score_or_tolerant_text() -> None:
    state = whole_lesson(engine_pack(), "siivous", "en", seed=2)
    while state.current is not None and not (
        state.current.kind is StepKind.REPEAT and state.current.say == "Minä tarvitsen apua."
    ):
        state, _ = answer(state, right_answer(state.current))
    assert state.current is not None
    _, verdict = answer(state, Answer(text="  tarvitsen APUA "))
    assert verdict.correct and verdict.matched == "Tarvitsen apua."
    _, verdict = answer(state, Answer(text="Mä tarviin apua."))
    assert not verdict.correct  # a repeat step is scored on the standard form
    after, verdict = answer(state, Answer(score=55))
    assert not verdict.correct and after.best_score == 55 and after.attempts == 1
    after, verdict = answer(after, Answer(score=80))
    assert verdict.correct and after.outcomes[-1].score == 80


def test_dialogue_accepts_the_spoken_form_and_names_speakers() -> None:
    state = whole_lesson(engine_pack(), "aamu", "en", seed=1)
    turns = [s for s in state.steps if s.kind is StepKind.DIALOGUE_TURN]
    assert [t.answer_kind for t in turns] == [AnswerKind.NONE, AnswerKind.SPEECH]
    assert turns[0].speaker == "instructor" and turns[1].speaker == "learner"
    while state.current is not None and state.current.prompt_key != "step.dialogue_turn.learner":
        state, _ = answer(state, right_answer(state.current))
    _, verdict = answer(state, Answer(text="mä tarviin apua"))
    assert verdict.correct


def test_pronunciation_lesson_drills_the_minimal_pair() -> None:
    state = whole_lesson(engine_pack(), "aanteet", "en", seed=1)
    drills = [s for s in state.steps if s.kind is StepKind.MINIMAL_PAIR]
    assert len(drills) == 3
    for drill in drills:
        assert {o.fi for o in drill.options} == {"tuli", "tuuli"}
        assert drill.show_fi is None and drill.rate < 1.0
        said = next(o for o in drill.options if o.id == drill.expected[0])
        assert drill.say == said.fi
    assert {s.say for s in state.steps if s.kind is StepKind.REPEAT} == {"tuli", "tuuli"}


def test_a_vowel_quality_pair_is_drilled_without_a_word_about_length() -> None:
    from babel.messages.pofile import read_po

    result = load_pack(Path(__file__).parent / "fixtures" / "vowel-quality-pair")
    assert result.pack is not None
    state = whole_lesson(result.pack, "aanteet", "en", seed=3)
    drills = [s for s in state.steps if s.kind is StepKind.MINIMAL_PAIR]
    assert len(drills) == 3 * len(result.pack.lesson("aanteet").minimal_pairs)
    quality = [d for d in drills if {o.fi for o in d.options} == {"sää", "saa"}]
    assert len(quality) == 3
    catalog = Path(__file__).parents[2] / "tutor_server/translations/en/LC_MESSAGES/messages.po"
    with catalog.open("rb") as source:
        english = {message.id: message.string for message in read_po(source) if message.id}
    source_texts = {
        "step.minimal_pair": "Which word did you hear?",
        "feedback.correct": "Right!",
        "feedback.wrong": "Not quite.",
    }
    for drill in quality:
        said = next(o for o in drill.options if o.id == drill.expected[0])
        assert drill.say == said.fi
        keys = (drill.prompt_key, drill.feedback.correct_key, drill.feedback.wrong_key)
        assert keys == tuple(source_texts)
        for key in keys:
            shown = english[source_texts[key]]
            assert "long" not in shown.lower() and "short" not in shown.lower(), (key, shown)
        at_drill = replace(state, position=state.steps.index(drill))
        for given, right in ((right_answer(drill), True), (wrong_answer(drill), False)):
            _, verdict = answer(at_drill, given)
            assert (verdict.correct, verdict.step_done) == (right, True)


def test_bad_answers_are_refused_clearly() -> None:
    state = whole_lesson(engine_pack(), "siivous", "en", seed=2)
    while state.current is not None and state.current.answer_kind is not AnswerKind.CHOICE:
        state, _ = answer(state, right_answer(state.current))
    with pytest.raises(SessionError, match="not one of"):
        answer(state, Answer(choice="no-such-option"))
    with pytest.raises(SessionError, match="needs a choice"):
        answer(state, Answer(score=90))
    while state.current is not None and state.current.answer_kind is not AnswerKind.SPEECH:
        state, _ = answer(state, right_answer(state.current))
    with pytest.raises(SessionError, match="between 0 and 100"):
        answer(state, Answer(score=101))


def test_state_survives_json_and_resumes_exactly() -> None:
    state = whole_lesson(engine_pack(), "siivous", "uk", seed=5)
    for _ in range(7):
        assert state.current is not None
        state, _ = answer(state, right_answer(state.current))
    assert state.current is not None
    state, _ = answer(state, wrong_answer(state.current))
    restored = SessionState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state
    assert run_to_end(restored) == run_to_end(state)


def test_unknown_schema_is_refused() -> None:
    data = whole_lesson(engine_pack(), "siivous", "uk", seed=5).to_dict()
    data["schema"] = 99
    with pytest.raises(SessionError, match="schema"):
        SessionState.from_dict(data)


def test_skip_counts_as_not_known() -> None:
    state = whole_lesson(engine_pack(), "siivous", "en", seed=2)
    state = skip(state)
    assert state.position == 1 and state.outcomes[0].skipped


def test_review_session_over_several_packs() -> None:
    packs = {"a": engine_pack("a"), "b": engine_pack("b")}
    state = start_review(packs, ["a/lattia", "b/tuuli", "c/missing", "a/missing"], "uk", 1)
    assert state.kind is SessionKind.REVIEW
    assert [s.item_ref for s in state.steps] == ["a/lattia", "a/lattia", "b/tuuli", "b/tuuli"]
    assert {s.kind for s in state.steps} == {StepKind.REVIEW}
    assert [s.answer_kind for s in state.steps[:2]] == [AnswerKind.CHOICE, AnswerKind.SPEECH]


def test_option_ids_give_no_answer_away() -> None:
    """Ids are numbered in the order shown: never an item id (which spells the word), and
    the right order or the right pairs cannot be read from them."""
    pack = load_pack(Path(__file__).parents[2] / "content" / "tyoelaman-perusteet").pack
    assert pack is not None
    kinds = set()
    for lesson in pack.lessons:
        for seed in range(3):
            for step in whole_lesson(pack, lesson.id, "en", seed).steps:
                if not step.options:
                    continue
                kinds.add(step.kind)
                shown = [o.id for o in step.options]
                assert shown == [f"o{i}" for i in range(len(shown))]
                assert [o.id for o in step.right_options] == [
                    f"r{i}" for i in range(len(step.right_options))
                ]
                if step.answer_kind is AnswerKind.ORDER:
                    assert list(step.expected) != shown  # the shown order is not the answer
    assert {StepKind.MATCH_PAIRS, StepKind.ORDER_WORDS, StepKind.LISTEN_CHOOSE} <= kinds


def test_a_long_lesson_runs_in_parts_of_at_most_twenty_steps_that_go_on_in_order() -> None:
    from lessons.engine.step_plan import SESSION_STEPS, plan_lesson
    from lessons.pack.discovery import find_pack_folders
    from tests.conftest import CONTENT

    folders, _ = find_pack_folders([CONTENT])
    longest = 0
    for folder in folders:
        pack = load_pack(folder).pack
        assert pack is not None
        for lesson in pack.lessons:
            plan = plan_lesson(pack, lesson, "en", seed=4)
            longest = max(longest, len(plan))
            first = start_lesson(pack, lesson.id, "en", seed=4)
            parts = [start_lesson(pack, lesson.id, "en", 4, part) for part in range(first.parts)]
            assert all(0 < len(part.steps) <= SESSION_STEPS for part in parts), lesson.id
            assert tuple(step for part in parts for step in part.steps) == plan, lesson.id
            assert [part.last_part for part in parts] == [False] * (len(parts) - 1) + [True]
            # Cutting between groups of items may take one session more than the fewest.
            assert first.parts <= -(-len(plan) // SESSION_STEPS) + 1, (lesson.id, len(plan))
    assert longest > SESSION_STEPS  # the shipped packs have lessons that need parts


def test_a_part_is_stored_and_resumed_with_the_session() -> None:
    pack = engine_pack()
    state = start_lesson(pack, "siivous", "en", seed=2)
    assert state.parts == 2, len(whole_lesson(pack, "siivous", "en", 2).steps)
    second = start_lesson(pack, "siivous", "en", seed=2, part=1)
    again = SessionState.from_dict(second.to_dict())
    assert (again.part, again.parts, again.last_part) == (1, 2, True)
    with pytest.raises(SessionError, match="has 2 part"):
        start_lesson(pack, "siivous", "en", seed=2, part=2)


def test_a_review_of_many_words_gives_each_one_step_and_fits_one_session() -> None:
    from lessons.engine.step_plan import SESSION_STEPS

    packs = {name: engine_pack(name) for name in "abc"}
    refs = [f"{name}/{item}" for name in "abc" for item in packs[name].items][:18]
    state = start_review(packs, refs, "en", 1)
    assert len(state.steps) == 18 <= SESSION_STEPS
    assert [s.item_ref for s in state.steps] == refs
    few = start_review(packs, refs[:4], "en", 1)
    assert len(few.steps) == 8  # few words: each heard and said
