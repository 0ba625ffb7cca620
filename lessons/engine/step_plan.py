"""Turning a lesson (or a set of due items) into its sequence of steps.

The plan depends only on the pack, the lesson, the learner's support language and a seed,
so the same inputs always give the same steps.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from lessons.engine.steps import SLOW_RATE, AnswerKind, Feedback, Option, Step
from lessons.pack.model import (
    DialogueTurn,
    Item,
    Lesson,
    LessonKind,
    Pack,
    ReviewStatus,
    StepKind,
    StepSpec,
)

OPTIONS_PER_CHOICE = 4
PAIRS_PER_MATCH = 4
PRESENT_CHUNK = 4
SPEECH_ATTEMPTS = 3
CHOICE_ATTEMPTS = 2
MIN_ORDER_WORDS = 3
PUNCTUATION = ".,!?"
#: A session fits the 3-5 minutes a micro-lesson promises: a longer lesson is done in parts.
SESSION_STEPS = 20


def item_ref(pack: Pack, item: Item) -> str:
    """The stable key of an item across packs: ``pack_id/item_id``."""
    return f"{pack.id}/{item.id}"


def listen_timeout(text: str) -> float:
    """Seconds to wait for a spoken answer: room to start, plus time per word."""
    return round(4.0 + 0.8 * len(text.split()), 1)


class _Planner:
    def __init__(self, pack: Pack, language: str, rng: random.Random) -> None:
        self.pack = pack
        self.language = language
        self.rng = rng

    def gloss(self, translations: Mapping[str, str]) -> tuple[str | None, str | None]:
        if self.language in translations:
            return translations[self.language], self.language
        if "en" in translations:
            return translations["en"], "en"
        return None, None

    def reviewed(self, language: str | None) -> bool:
        return language is not None and self.pack.languages.get(language) is ReviewStatus.REVIEWED

    def item_step(self, kind: StepKind, item: Item) -> Step:
        """A step about one item that says, shows and glosses it; callers narrow it down."""
        gloss, gloss_language = self.gloss(item.translations)
        return Step(
            kind=kind,
            prompt_key=f"step.{kind}",
            answer_kind=AnswerKind.NONE,
            item_ref=item_ref(self.pack, item),
            say=item.fi,
            show_fi=item.fi,
            show_spoken=item.spoken,
            gloss=gloss,
            gloss_language=gloss_language,
            gloss_reviewed=self.reviewed(gloss_language),
            picture=str(item.picture) if item.picture else None,
            feedback=Feedback(answer_fi=item.fi),
        )

    def meaning_option(self, item: Item) -> Option:
        gloss, gloss_language = self.gloss(item.translations)
        picture = str(item.picture) if item.picture else None
        return Option(
            item.id,
            fi=None,
            gloss=gloss,
            picture=picture,
            gloss_reviewed=self.reviewed(gloss_language),
        )

    def finnish_option(self, item: Item) -> Option:
        return Option(item.id, fi=item.fi)

    def distractors(self, item: Item, pool: Sequence[Item], count: int) -> list[Item]:
        others = [other for other in pool if other.id != item.id and other.fi != item.fi]
        if len(others) < count:
            extra = [
                other
                for other in self.pack.items.values()
                if other.id != item.id and other not in others and other.is_phrase == item.is_phrase
            ]
            others += extra
        return self.rng.sample(others, min(count, len(others)))

    def choice_options(self, item: Item, pool: Sequence[Item], finnish: bool) -> tuple[Option, ...]:
        chosen = [item, *self.distractors(item, pool, OPTIONS_PER_CHOICE - 1)]
        self.rng.shuffle(chosen)
        make = self.finnish_option if finnish else self.meaning_option
        return tuple(make(choice) for choice in chosen)

    def present(self, item: Item) -> Step:
        return self.item_step(StepKind.PRESENT, item)

    def listen_choose(self, item: Item, pool: Sequence[Item]) -> Step:
        return replace(
            self.item_step(StepKind.LISTEN_CHOOSE, item),
            show_fi=None,
            show_spoken=None,
            gloss=None,
            picture=None,
            answer_kind=AnswerKind.CHOICE,
            options=self.choice_options(item, pool, finnish=False),
            expected=(item.id,),
            max_attempts=CHOICE_ATTEMPTS,
        )

    def choose_translation(self, item: Item, pool: Sequence[Item]) -> Step:
        return replace(
            self.item_step(StepKind.CHOOSE_TRANSLATION, item),
            say=None,
            show_fi=None,
            show_spoken=None,
            answer_kind=AnswerKind.CHOICE,
            options=self.choice_options(item, pool, finnish=True),
            expected=(item.id,),
            max_attempts=CHOICE_ATTEMPTS,
        )

    def repeat(self, item: Item) -> Step:
        return replace(
            self.item_step(StepKind.REPEAT, item),
            answer_kind=AnswerKind.SPEECH,
            expected=(item.fi, *item.accept),
            listen_timeout_s=listen_timeout(item.fi),
            max_attempts=SPEECH_ATTEMPTS,
        )

    def fill_gap(self, item: Item, pool: Sequence[Item]) -> Step | None:
        """A sentence with its longest word left out, and that word among others to choose.

        The step says nothing (hearing the sentence would give the word away), and every
        word is offered as it would stand inside a sentence, so a capital letter does not
        tell which word opens it.
        """
        words = item.fi.split()
        if len(words) < 2:
            return None
        gap = max(range(len(words)), key=lambda i: (len(words[i].strip(PUNCTUATION)), -i))
        missing = words[gap].strip(PUNCTUATION)
        shown = " ".join(
            words[i].replace(missing, "___") if i == gap else words[i] for i in range(len(words))
        )
        names = _capitalised_inside_sentences(pool)
        offered = _inside_sentence(missing, gap, names)
        other_words = sorted(
            {
                _inside_sentence(word.strip(PUNCTUATION), index, names)
                for other in pool
                if other.id != item.id
                for index, word in enumerate(other.fi.split())
                if word.strip(PUNCTUATION) and word.strip(PUNCTUATION).lower() != missing.lower()
            }
        )
        decoys = self.rng.sample(other_words, min(OPTIONS_PER_CHOICE - 1, len(other_words)))
        if not decoys:
            return None
        words_offered = [offered, *decoys]
        self.rng.shuffle(words_offered)
        options = tuple(Option(f"w{index}", fi=word) for index, word in enumerate(words_offered))
        right = next(option.id for option in options if option.fi == offered)
        return replace(
            self.item_step(StepKind.FILL_GAP, item),
            say=None,
            show_fi=shown,
            show_spoken=None,
            answer_kind=AnswerKind.CHOICE,
            options=options,
            expected=(right,),
            max_attempts=CHOICE_ATTEMPTS,
        )

    def order_words(self, item: Item) -> Step | None:
        words = item.fi.split()
        if len(words) < MIN_ORDER_WORDS:
            return None
        options = [Option(f"w{index}", fi=word) for index, word in enumerate(words)]
        shuffled = options[:]
        for _ in range(5):  # a shuffle that leaves the words in order teaches nothing
            self.rng.shuffle(shuffled)
            if shuffled != options:
                break
        return replace(
            self.item_step(StepKind.ORDER_WORDS, item),
            say=None,
            show_fi=None,
            show_spoken=None,
            answer_kind=AnswerKind.ORDER,
            options=tuple(shuffled),
            expected=tuple(option.id for option in options),
            max_attempts=CHOICE_ATTEMPTS,
        )

    def match_pairs(self, items: Sequence[Item]) -> Step | None:
        if len(items) < 2:
            return None
        left = [self.finnish_option(item) for item in items]
        right = [self.meaning_option(item) for item in items]
        self.rng.shuffle(left)
        self.rng.shuffle(right)
        return Step(
            kind=StepKind.MATCH_PAIRS,
            prompt_key=f"step.{StepKind.MATCH_PAIRS}",
            answer_kind=AnswerKind.PAIRS,
            options=tuple(left),
            right_options=tuple(right),
            expected=tuple(f"{item.id}={item.id}" for item in items),
            max_attempts=CHOICE_ATTEMPTS,
        )

    def minimal_pair(self, said: Item, other: Item) -> Step:
        pair = [said, other]
        self.rng.shuffle(pair)
        options = tuple(
            replace(self.meaning_option(choice), fi=choice.fi, picture=None) for choice in pair
        )
        return replace(
            self.item_step(StepKind.MINIMAL_PAIR, said),
            show_fi=None,
            show_spoken=None,
            gloss=None,
            picture=None,
            rate=SLOW_RATE,
            answer_kind=AnswerKind.CHOICE,
            options=options,
            expected=(said.id,),
            max_attempts=1,
        )

    def dialogue_turn(self, lesson: Lesson, turn: DialogueTurn) -> Step:
        gloss, gloss_language = self.gloss(turn.translations)
        speaker = next((s for s in lesson.speakers if s.id == turn.speaker), None)
        speaker_name = turn.speaker
        if speaker is not None:
            speaker_name = speaker.names.get(self.language) or speaker.names.get("fi", turn.speaker)
        listened = Step(
            kind=StepKind.DIALOGUE_TURN,
            prompt_key="step.dialogue_turn",
            answer_kind=AnswerKind.NONE,
            say=turn.fi,
            show_fi=turn.fi,
            show_spoken=turn.spoken,
            gloss=gloss,
            gloss_language=gloss_language,
            gloss_reviewed=self.reviewed(gloss_language),
            speaker=speaker_name,
            feedback=Feedback(answer_fi=turn.fi),
        )
        if not turn.by_learner:
            return listened
        # Workplaces speak puhekieli: in a dialogue the spoken form is a right answer too.
        spoken = (turn.spoken,) if turn.spoken else ()
        return replace(
            listened,
            prompt_key="step.dialogue_turn.learner",
            answer_kind=AnswerKind.SPEECH,
            speaker=turn.speaker,
            expected=(turn.fi, *turn.accept, *spoken),
            listen_timeout_s=listen_timeout(turn.fi),
            max_attempts=SPEECH_ATTEMPTS,
        )


def _capitalised_inside_sentences(items: Iterable[Item]) -> frozenset[str]:
    """Words written with a capital after a sentence's first word: names, kept as written."""
    return frozenset(
        word.strip(PUNCTUATION)
        for item in items
        for word in item.fi.split()[1:]
        if word[:1].isupper()
    )


def _inside_sentence(word: str, index: int, names: frozenset[str]) -> str:
    """``word`` as it is written inside a sentence: the first word loses its capital
    unless the pack writes it with one elsewhere too (a name)."""
    if index == 0 and word not in names:
        return word[:1].lower() + word[1:]
    return word


def plan_lesson(pack: Pack, lesson: Lesson, language: str, seed: int) -> tuple[Step, ...]:
    """The steps of ``lesson`` for a learner with support ``language``; same seed, same steps."""
    rng = random.Random(f"{pack.id}/{pack.version}/{lesson.id}/{language}/{seed}")
    planner = _Planner(pack, language, rng)
    items = pack.lesson_items(lesson)
    if lesson.steps is not None:
        return _opaque_option_ids(_explicit_steps(planner, lesson, items))
    if lesson.kind is LessonKind.PRONUNCIATION:
        return _opaque_option_ids(_pronunciation_steps(planner, lesson))
    steps = _vocabulary_steps(planner, items)
    if lesson.dialogue:
        steps += [planner.dialogue_turn(lesson, turn) for turn in lesson.dialogue]
    return _opaque_option_ids(steps)


def _opaque_option_ids(steps: Iterable[Step]) -> tuple[Step, ...]:
    """Option ids that give nothing away: numbered in the order shown (o0, o1, … and r0, r1,
    … for the right column), so a page cannot find the answer from an item id that spells
    the word, or from ids numbered in the right order."""
    return tuple(_renumbered(step) for step in steps)


def _renumbered(step: Step) -> Step:
    if not step.options and not step.right_options:
        return step
    left = {option.id: f"o{index}" for index, option in enumerate(step.options)}
    right = {option.id: f"r{index}" for index, option in enumerate(step.right_options)}
    if step.answer_kind is AnswerKind.PAIRS:
        expected = tuple(
            f"{left[pair.partition('=')[0]]}={right[pair.partition('=')[2]]}"
            for pair in step.expected
        )
    elif step.answer_kind in (AnswerKind.CHOICE, AnswerKind.ORDER):
        expected = tuple(left[option_id] for option_id in step.expected)
    else:
        expected = step.expected
    return replace(
        step,
        options=tuple(replace(o, id=left[o.id]) for o in step.options),
        right_options=tuple(replace(o, id=right[o.id]) for o in step.right_options),
        expected=expected,
    )


def _vocabulary_steps(planner: _Planner, items: list[Item]) -> list[Step]:
    """Chunks of new items: hear and see each, then practise the chunk in a shuffled order."""
    steps: list[Step] = []
    for start in range(0, len(items), PRESENT_CHUNK):
        chunk = items[start : start + PRESENT_CHUNK]
        steps += [planner.present(item) for item in chunk]
        practice: list[Step] = []
        for index, item in enumerate(chunk):
            recognise = (
                planner.listen_choose(item, items)
                if (start + index) % 2 == 0
                else planner.choose_translation(item, items)
            )
            practice.append(recognise)
            # Phrases alternate between building the sentence and filling its gap.
            if (start + index) % 2 == 0:
                build = planner.order_words(item) or planner.fill_gap(item, items)
            else:
                build = planner.fill_gap(item, items) or planner.order_words(item)
            if build is not None:
                practice.append(build)
            practice.append(planner.repeat(item))
        planner.rng.shuffle(practice)
        steps += practice
    words = [item for item in items if not item.is_phrase]
    if len(words) >= 3:
        matched = planner.rng.sample(words, min(PAIRS_PER_MATCH, len(words)))
        step = planner.match_pairs(matched)
        if step is not None:
            steps.append(step)
    return steps


def _pronunciation_steps(planner: _Planner, lesson: Lesson) -> list[Step]:
    """Each pair heard side by side, then told apart by ear, then said aloud."""
    pack = planner.pack
    steps: list[Step] = []
    for first_id, second_id in lesson.minimal_pairs:
        first, second = pack.items[first_id], pack.items[second_id]
        steps += [planner.present(first), planner.present(second)]
        drills = [planner.minimal_pair(first, second), planner.minimal_pair(second, first)]
        drills.append(planner.minimal_pair(*planner.rng.sample([first, second], 2)))
        steps += drills
        steps += [planner.repeat(first), planner.repeat(second)]
    return steps


def _explicit_steps(planner: _Planner, lesson: Lesson, items: list[Item]) -> list[Step]:
    pack = planner.pack
    pool = items or list(pack.items.values())
    steps: list[Step] = []
    for spec in lesson.steps or ():
        step = _explicit_step(planner, lesson, spec, pool)
        if step is not None:
            steps.append(step)
    return steps


def _explicit_step(
    planner: _Planner, lesson: Lesson, spec: StepSpec, pool: list[Item]
) -> Step | None:
    pack = planner.pack
    if spec.kind is StepKind.DIALOGUE_TURN and spec.turn is not None:
        return planner.dialogue_turn(lesson, lesson.dialogue[spec.turn - 1])
    if spec.kind is StepKind.MATCH_PAIRS:
        return planner.match_pairs([pack.items[i] for i in spec.options])
    if spec.item is None:
        return None
    item = pack.items[spec.item]
    if spec.kind is StepKind.MINIMAL_PAIR:
        other_id = spec.options[0] if spec.options else next(iter(item.confusables), None)
        return planner.minimal_pair(item, pack.items[other_id]) if other_id else None
    match spec.kind:
        case StepKind.PRESENT:
            return planner.present(item)
        case StepKind.LISTEN_CHOOSE:
            return planner.listen_choose(item, pool)
        case StepKind.CHOOSE_TRANSLATION:
            return planner.choose_translation(item, pool)
        case StepKind.REPEAT:
            return planner.repeat(item)
        case StepKind.FILL_GAP:
            return planner.fill_gap(item, pool)
        case StepKind.ORDER_WORDS:
            return planner.order_words(item)
    return None


def plan_review(
    due: Sequence[tuple[Pack, Item]], language: str, seed: int, max_steps: int = SESSION_STEPS
) -> tuple[Step, ...]:
    """The daily review: each due item heard and understood, then said aloud.

    When that would take more than ``max_steps``, each item gets one step instead (heard
    and understood, or said aloud, in turn), so that one session still reviews every due
    item it can rather than leaving words due right after a review.
    """
    rng = random.Random(f"review/{language}/{seed}")
    due = due[:max_steps]
    both = 2 * len(due) <= max_steps
    steps: list[Step] = []
    for index, (pack, item) in enumerate(due):
        planner = _Planner(pack, language, rng)
        pool = pack.lesson_items(_lesson_of(pack, item)) or list(pack.items.values())
        if both or index % 2 == 0:
            recognise = planner.listen_choose(item, pool)
            steps.append(
                replace(recognise, kind=StepKind.REVIEW, prompt_key="step.review.listen_choose")
            )
        if both or index % 2 == 1:
            say = planner.repeat(item)
            steps.append(replace(say, kind=StepKind.REVIEW, prompt_key="step.review.repeat"))
    return _opaque_option_ids(steps)


def lesson_parts(steps: Sequence[Step], limit: int = SESSION_STEPS) -> tuple[tuple[Step, ...], ...]:
    """``steps`` cut into sessions of at most ``limit`` steps, as even as the lesson allows.

    Cuts fall where a new group of items is presented or a dialogue begins, so a part never
    practises words it has not shown; only a run longer than ``limit`` is cut inside.
    """
    if limit < 1:
        raise ValueError("a session has at least one step")
    parts: list[tuple[Step, ...]] = []
    start = 0
    while len(steps) - start > limit:
        left = len(steps) - start
        count = -(-left // limit)
        ideal = start + -(-left // count)
        cuts = [i for i in range(start + 1, start + limit + 1) if _begins_a_group(steps, i)]
        end = min(cuts, key=lambda i: (abs(i - ideal), -i)) if cuts else start + limit
        parts.append(tuple(steps[start:end]))
        start = end
    parts.append(tuple(steps[start:]))
    return tuple(parts)


def _begins_a_group(steps: Sequence[Step], index: int) -> bool:
    kind, before = steps[index].kind, steps[index - 1].kind
    if kind is StepKind.PRESENT:
        return before is not StepKind.PRESENT
    if kind is StepKind.DIALOGUE_TURN:
        return before is not StepKind.DIALOGUE_TURN
    return False


def _lesson_of(pack: Pack, item: Item) -> Lesson:
    return next((lesson for lesson in pack.lessons if item.id in lesson.item_ids), pack.lessons[0])
